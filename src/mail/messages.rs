//! Which mails exist and how they read. Each mail is a folder in `templates/mail/`
//! with `subject.txt`, `body.txt` and `body.html`.

use crate::db::forums::Forum;
use crate::db::registrations::Registration;
use crate::db::sites::Site;
use crate::db::{self, DbConnection};
use crate::domain::{Lang, SiteKind, Token};
use crate::i18n;
use askama::Template;
use chrono::NaiveDateTime;

/// A rendered mail, ready for the outbox.
#[derive(Debug, Clone)]
pub struct OutgoingMail {
    pub kind: &'static str,
    pub registration_id: Option<i64>,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
}

/// Everything a registration mail may say; shared by the subject and both bodies.
pub struct RegistrationMailView {
    pub first_name: String,
    pub full_name: String,
    pub forum_title: String,
    pub site_name: String,
    pub is_stream: bool,
    pub venue: Option<String>,
    pub address: Option<String>,
    pub date: String,
    pub time: String,
    pub focus: String,
    pub organiser: String,
    pub contact_email: String,
    pub contact_phone: Option<String>,
    pub personal_url: String,
    pub forum_url: String,
}

impl RegistrationMailView {
    pub fn new(forum: &Forum, site: &Site, registration: &Registration, public_url: &str) -> Self {
        let lang = Lang::from_code(&registration.locale).unwrap_or_default();
        RegistrationMailView {
            first_name: registration.first_name.clone(),
            full_name: registration.full_name(),
            forum_title: forum.title.clone(),
            site_name: site.name.clone(),
            is_stream: site.kind() == SiteKind::Stream,
            venue: site.venue.clone(),
            address: site.address.clone(),
            date: i18n::long_date(forum.event_date, lang),
            time: i18n::time_range(site.starts_at, site.ends_at, lang),
            focus: site.focus.clone(),
            organiser: forum.organiser.clone(),
            contact_email: forum.contact_email.clone(),
            contact_phone: forum.contact_phone.clone(),
            personal_url: format!("{public_url}/registration/{}", registration.manage_token),
            forum_url: format!("{public_url}/"),
        }
    }
}

#[derive(Template)]
#[template(path = "mail/confirmation/subject.txt")]
struct ConfirmationSubject<'a> {
    v: &'a RegistrationMailView,
}

#[derive(Template)]
#[template(path = "mail/confirmation/body.txt")]
struct ConfirmationText<'a> {
    v: &'a RegistrationMailView,
}

#[derive(Template)]
#[template(path = "mail/confirmation/body.html")]
struct ConfirmationHtml<'a> {
    v: &'a RegistrationMailView,
}

/// "Your registration is confirmed", with the personal link.
pub fn confirmation(
    forum: &Forum,
    site: &Site,
    registration: &Registration,
    public_url: &str,
) -> Result<OutgoingMail, askama::Error> {
    let v = RegistrationMailView::new(forum, site, registration, public_url);
    Ok(OutgoingMail {
        kind: "confirmation",
        registration_id: Some(registration.id),
        recipient: registration.email.clone(),
        subject: ConfirmationSubject { v: &v }.render()?.trim().to_string(),
        body_text: ConfirmationText { v: &v }.render()?,
        body_html: ConfirmationHtml { v: &v }.render()?,
    })
}

/// Queues `mail` in the outbox with a Message-ID that stays the same across retries,
/// so a receiving server can drop a duplicate after an ambiguous failure.
pub fn enqueue(
    conn: &mut DbConnection,
    mail: &OutgoingMail,
    message_id_domain: &str,
    now: NaiveDateTime,
) -> diesel::QueryResult<i64> {
    let message_id = format!("<{}@{}>", Token::generate().as_str(), message_id_domain);
    db::outbox::insert(
        conn,
        &db::outbox::NewOutboxRow {
            registration_id: mail.registration_id,
            kind: mail.kind,
            recipient: &mail.recipient,
            subject: &mail.subject,
            body_text: &mail.body_text,
            body_html: &mail.body_html,
            message_id: &message_id,
            status: db::outbox::PENDING,
            attempts: 0,
            next_attempt_at: now,
            created_at: now,
        },
    )
}
