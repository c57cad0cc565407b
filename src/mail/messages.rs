//! Which mails exist and how they read. Each mail is a folder in `templates/mail/`
//! with `subject.txt`, `body.txt` and `body.html`; the place details they share live
//! in `templates/mail/_details.{txt,html}`.

use super::calendar::{CalendarEvent, Method};
use crate::db::forums::Forum;
use crate::db::registrations::Registration;
use crate::db::sites::Site;
use crate::db::{self, DbConnection};
use crate::domain::{Lang, SiteKind, Token};
use crate::i18n;

use chrono::NaiveDateTime;

/// Where links in mails point and what Message-IDs and calendar UIDs end in.
#[derive(Debug, Clone)]
pub struct MailContext {
    pub public_url: String,
    pub message_id_domain: String,
}

impl MailContext {
    pub fn from_settings(settings: &crate::config::Settings) -> anyhow::Result<MailContext> {
        let from: lettre::message::Mailbox = settings.mail_from.parse().map_err(|e| {
            anyhow::anyhow!("MAIL_FROM {:?} is not a mailbox: {e}", settings.mail_from)
        })?;
        Ok(MailContext {
            public_url: settings.public_url().to_string(),
            message_id_domain: from.email.domain().to_string(),
        })
    }
}

#[derive(Debug, Clone)]
pub struct Attachment {
    pub name: String,
    pub content_type: String,
    pub body: String,
}

/// A rendered mail, ready for the outbox.
#[derive(Debug, Clone)]
pub struct OutgoingMail {
    pub kind: &'static str,
    pub registration_id: Option<i64>,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub attachment: Option<Attachment>,
    /// The text of the check-in QR code, drawn as an inline image (`cid:checkin-qr`)
    /// when the mail is sent.
    pub checkin_qr: Option<String>,
}

/// Every mail a registration can cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    /// Registered with a seat.
    Confirmation,
    /// Registered on a full site's waiting list.
    Waitlisted { position: i64 },
    /// Moved up from the waiting list.
    Promoted,
    /// Moved to another site by the participant.
    Switched,
    /// Cancelled a seat.
    Cancelled,
    /// Left the waiting list.
    LeftWaitlist,
    /// Asked for the personal link again.
    Link,
    /// The forum is near.
    Reminder,
}

impl MailKind {
    pub fn code(self) -> &'static str {
        match self {
            MailKind::Confirmation => "confirmation",
            MailKind::Waitlisted { .. } => "waitlisted",
            MailKind::Promoted => "promoted",
            MailKind::Switched => "switched",
            MailKind::Cancelled => "cancelled",
            MailKind::LeftWaitlist => "left_waitlist",
            MailKind::Link => "link",
            MailKind::Reminder => "reminder",
        }
    }

    fn calendar(self) -> Option<Method> {
        match self {
            MailKind::Confirmation
            | MailKind::Promoted
            | MailKind::Switched
            | MailKind::Reminder => Some(Method::Publish),
            MailKind::Cancelled => Some(Method::Cancel),
            MailKind::Waitlisted { .. } | MailKind::LeftWaitlist | MailKind::Link => None,
        }
    }
}

/// Everything a registration mail may say.
pub struct RegistrationMailView {
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
    pub stream_link: Option<String>,
    pub waitlist_position: i64,
    pub confirmed: bool,
    /// Whether the mail shows the check-in QR code (a confirmed seat at a venue, in a
    /// mail about that seat).
    pub checkin_qr: bool,
}

impl RegistrationMailView {
    pub fn new(forum: &Forum, site: &Site, registration: &Registration, public_url: &str) -> Self {
        let lang = registration.lang();
        let is_stream = site.kind() == SiteKind::Stream;
        RegistrationMailView {
            full_name: registration.full_name(),
            forum_title: forum.title_in(lang).text,
            site_name: site.name_in(lang).text,
            is_stream,
            venue: site.venue.clone(),
            address: site.address.clone(),
            date: i18n::long_date(forum.event_date, lang),
            time: i18n::time_range(site.starts_at, site.ends_at, lang),
            focus: site.focus_in(lang).text,
            organiser: forum.organiser_in(lang).text,
            contact_email: forum.contact_email.clone(),
            contact_phone: forum.contact_phone.clone(),
            personal_url: personal_url(public_url, registration),
            stream_link: (is_stream && forum.stream_url.is_some())
                .then(|| format!("{public_url}/stream/{}", registration.stream_token)),
            waitlist_position: 0,
            confirmed: registration.status == "confirmed",
            checkin_qr: false,
        }
    }
}

/// What the QR code on a participant's mail and page opens: the organisers' check-in page.
pub fn checkin_url(public_url: &str, registration: &Registration) -> String {
    format!(
        "{public_url}/organiser/checkin/{}",
        registration.checkin_code
    )
}

pub fn personal_url(public_url: &str, registration: &Registration) -> String {
    format!("{public_url}/registration/{}", registration.manage_token)
}

macro_rules! mail_templates {
    ($($module:ident: $subject:literal, $text:literal, $html:literal;)*) => {
        $(
            mod $module {
                use super::RegistrationMailView;

                #[derive(askama::Template)]
                #[template(path = $subject)]
                pub struct Subject<'a> {
                    pub v: &'a RegistrationMailView,
                }

                #[derive(askama::Template)]
                #[template(path = $text)]
                pub struct Text<'a> {
                    pub v: &'a RegistrationMailView,
                }

                #[derive(askama::Template)]
                #[template(path = $html)]
                pub struct Html<'a> {
                    pub v: &'a RegistrationMailView,
                }

                pub fn render(v: &RegistrationMailView) -> Result<(String, String, String), askama::Error> {
                    use askama::Template;
                    Ok((Subject { v }.render()?, Text { v }.render()?, Html { v }.render()?))
                }
            }
        )*
    };
}

mail_templates! {
    confirmation: "mail/confirmation/subject.txt", "mail/confirmation/body.txt", "mail/confirmation/body.html";
    waitlisted: "mail/waitlisted/subject.txt", "mail/waitlisted/body.txt", "mail/waitlisted/body.html";
    promoted: "mail/promoted/subject.txt", "mail/promoted/body.txt", "mail/promoted/body.html";
    switched: "mail/switched/subject.txt", "mail/switched/body.txt", "mail/switched/body.html";
    cancelled: "mail/cancelled/subject.txt", "mail/cancelled/body.txt", "mail/cancelled/body.html";
    left_waitlist: "mail/left_waitlist/subject.txt", "mail/left_waitlist/body.txt", "mail/left_waitlist/body.html";
    link: "mail/link/subject.txt", "mail/link/body.txt", "mail/link/body.html";
    reminder: "mail/reminder/subject.txt", "mail/reminder/body.txt", "mail/reminder/body.html";
    confirmation_en: "mail/en/confirmation/subject.txt", "mail/en/confirmation/body.txt", "mail/en/confirmation/body.html";
    waitlisted_en: "mail/en/waitlisted/subject.txt", "mail/en/waitlisted/body.txt", "mail/en/waitlisted/body.html";
    promoted_en: "mail/en/promoted/subject.txt", "mail/en/promoted/body.txt", "mail/en/promoted/body.html";
    switched_en: "mail/en/switched/subject.txt", "mail/en/switched/body.txt", "mail/en/switched/body.html";
    cancelled_en: "mail/en/cancelled/subject.txt", "mail/en/cancelled/body.txt", "mail/en/cancelled/body.html";
    left_waitlist_en: "mail/en/left_waitlist/subject.txt", "mail/en/left_waitlist/body.txt", "mail/en/left_waitlist/body.html";
    link_en: "mail/en/link/subject.txt", "mail/en/link/body.txt", "mail/en/link/body.html";
    reminder_en: "mail/en/reminder/subject.txt", "mail/en/reminder/body.txt", "mail/en/reminder/body.html";
}

/// The calendar entry for a registration at its current site.
pub fn calendar_event(
    forum: &Forum,
    site: &Site,
    registration: &Registration,
    context: &MailContext,
    method: Method,
    now: NaiveDateTime,
) -> CalendarEvent {
    let lang = registration.lang();
    let location = match (&site.venue, &site.address) {
        (Some(venue), Some(address)) => Some(format!("{venue}, {address}")),
        (Some(venue), None) => Some(venue.clone()),
        (None, _) => (site.kind() == SiteKind::Stream).then(|| site.name_in(lang).text),
    };
    let url = personal_url(&context.public_url, registration);
    let english = lang == Lang::En;
    CalendarEvent {
        uid: format!(
            "registration-{}-{}@{}",
            registration.id, forum.slug, context.message_id_domain
        ),
        sequence: registration.calendar_sequence,
        method,
        summary: format!(
            "{} – {}",
            forum.title_in(lang).text,
            site.name_in(lang).text
        ),
        description: if english {
            format!("Your registration: {url}")
        } else {
            format!("Ihre Anmeldung: {url}")
        },
        location,
        url,
        starts_local: site.starts_at,
        ends_local: site.ends_at,
        stamp_utc: now,
        organiser: forum.organiser_in(lang).text,
        organiser_email: forum.contact_email.clone(),
    }
}

/// Renders `kind` for `registration` at `site`, with a calendar entry where one belongs.
pub fn registration_mail(
    kind: MailKind,
    forum: &Forum,
    site: &Site,
    registration: &Registration,
    context: &MailContext,
    now: NaiveDateTime,
) -> Result<OutgoingMail, askama::Error> {
    let mut v = RegistrationMailView::new(forum, site, registration, &context.public_url);
    if let MailKind::Waitlisted { position } = kind {
        v.waitlist_position = position;
    }
    let checkin_qr = (kind.calendar() == Some(Method::Publish)
        && registration.status == "confirmed"
        && site.kind() == SiteKind::Venue)
        .then(|| checkin_url(&context.public_url, registration));
    v.checkin_qr = checkin_qr.is_some();
    // Mails speak the language the participant registered in.
    let lang = registration.lang();
    let (subject, body_text, body_html) = match (kind, lang) {
        (MailKind::Confirmation, Lang::De) => confirmation::render(&v)?,
        (MailKind::Waitlisted { .. }, Lang::De) => waitlisted::render(&v)?,
        (MailKind::Promoted, Lang::De) => promoted::render(&v)?,
        (MailKind::Switched, Lang::De) => switched::render(&v)?,
        (MailKind::Cancelled, Lang::De) => cancelled::render(&v)?,
        (MailKind::LeftWaitlist, Lang::De) => left_waitlist::render(&v)?,
        (MailKind::Link, Lang::De) => link::render(&v)?,
        (MailKind::Reminder, Lang::De) => reminder::render(&v)?,
        (MailKind::Confirmation, Lang::En) => confirmation_en::render(&v)?,
        (MailKind::Waitlisted { .. }, Lang::En) => waitlisted_en::render(&v)?,
        (MailKind::Promoted, Lang::En) => promoted_en::render(&v)?,
        (MailKind::Switched, Lang::En) => switched_en::render(&v)?,
        (MailKind::Cancelled, Lang::En) => cancelled_en::render(&v)?,
        (MailKind::LeftWaitlist, Lang::En) => left_waitlist_en::render(&v)?,
        (MailKind::Link, Lang::En) => link_en::render(&v)?,
        (MailKind::Reminder, Lang::En) => reminder_en::render(&v)?,
    };
    let attachment = kind.calendar().map(|method| {
        let event = calendar_event(forum, site, registration, context, method, now);
        Attachment {
            name: "fachforum.ics".into(),
            content_type: event.content_type(),
            body: event.to_ics(),
        }
    });
    Ok(OutgoingMail {
        kind: kind.code(),
        registration_id: Some(registration.id),
        recipient: registration.email.clone(),
        subject: subject.trim().to_string(),
        body_text,
        body_html,
        attachment,
        checkin_qr,
    })
}

/// Renders and queues `kind` in the same transaction as the change that causes it.
pub fn queue(
    conn: &mut DbConnection,
    kind: MailKind,
    forum: &Forum,
    site: &Site,
    registration: &Registration,
    context: &MailContext,
    now: NaiveDateTime,
) -> anyhow::Result<i64> {
    let mail = registration_mail(kind, forum, site, registration, context, now).map_err(|e| {
        anyhow::Error::new(e).context(format!("rendering the {} mail", kind.code()))
    })?;
    Ok(enqueue(conn, &mail, &context.message_id_domain, now)?)
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
    let attachment = mail.attachment.as_ref();
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
            attachment_name: attachment.map(|a| a.name.as_str()),
            attachment_type: attachment.map(|a| a.content_type.as_str()),
            attachment_body: attachment.map(|a| a.body.as_str()),
            checkin_qr: mail.checkin_qr.as_deref(),
            created_at: now,
        },
    )
}
