//! Registering for a site: the capacity rule is enforced here, in one transaction.

use crate::db::forums::Forum;
use crate::db::registrations::{NewRegistrationRow, Registration};
use crate::db::sites::Site;
use crate::db::{self, DbConnection};
use crate::domain::{Lang, NewRegistration, RegistrationStatus, Token};
use crate::mail;
use chrono::{NaiveDateTime, Utc};

#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error("registration for this forum is closed")]
    RegistrationClosed,
    #[error("no site {0:?} in this forum")]
    UnknownSite(String),
    #[error("site {} is full", .0.slug)]
    SiteFull(Box<Site>),
    #[error("this e-mail address is already registered for site {}", .0.slug)]
    AlreadyRegistered(Box<Site>),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<diesel::result::Error> for RegisterError {
    fn from(e: diesel::result::Error) -> Self {
        RegisterError::Unexpected(anyhow::Error::new(e).context("registration transaction"))
    }
}

#[derive(Debug, Clone)]
pub struct Booked {
    pub registration: Registration,
    pub site: Site,
}

/// Where links in mails point and what Message-IDs end in.
pub struct MailContext<'a> {
    pub public_url: &'a str,
    pub message_id_domain: &'a str,
}

pub fn registration_open(forum: &Forum, now: NaiveDateTime) -> bool {
    now.date() <= forum.event_date
}

/// Books a seat for `new` at its site and queues the confirmation mail.
///
/// The seat is taken with a conditional update (see `db::sites::take_seat`) inside the
/// same transaction that inserts the registration and the outbox row: there is no
/// moment at which a count was read and trusted. When the site is full the whole
/// transaction rolls back, registration and mail included.
pub fn register(
    conn: &mut DbConnection,
    forum: &Forum,
    new: &NewRegistration,
    lang: Lang,
    mail_context: &MailContext<'_>,
) -> Result<Booked, RegisterError> {
    let now = Utc::now().naive_utc();
    if !registration_open(forum, now) {
        return Err(RegisterError::RegistrationClosed);
    }
    let site = db::sites::find_by_slug(conn, forum.id, &new.site_slug)?
        .ok_or_else(|| RegisterError::UnknownSite(new.site_slug.clone()))?;

    let result = db::write_transaction(conn, |conn| {
        if let Some((_, held)) =
            db::registrations::find_by_email_key(conn, forum.id, new.email.key())?
        {
            return Err(RegisterError::AlreadyRegistered(Box::new(held)));
        }
        let manage_token = Token::generate();
        let checkin_code = Token::generate();
        let registration = db::registrations::insert(
            conn,
            &NewRegistrationRow {
                forum_id: forum.id,
                site_id: site.id,
                status: RegistrationStatus::Confirmed.code(),
                first_name: new.first_name.as_str(),
                last_name: new.last_name.as_str(),
                email: new.email.as_str(),
                email_key: new.email.key(),
                organisation: new.organisation.as_str(),
                sector: new.sector.code(),
                position: new.position.as_ref().map(|p| p.as_str()),
                accessibility_needs: new.accessibility_needs.as_ref().map(|a| a.as_str()),
                locale: lang.code(),
                consent_version: &forum.privacy_version,
                consent_at: now,
                manage_token: manage_token.as_str(),
                checkin_code: checkin_code.as_str(),
                created_at: now,
                updated_at: now,
            },
        )?;
        let confirmation =
            mail::messages::confirmation(forum, &site, &registration, mail_context.public_url)
                .map_err(|e| anyhow::Error::new(e).context("rendering the confirmation mail"))?;
        mail::enqueue(conn, &confirmation, mail_context.message_id_domain, now)?;
        // The seat is taken last: on PostgreSQL the site row stays locked from this
        // statement until commit, so everything else happens before it.
        if !db::sites::take_seat(conn, site.id)? {
            let current = db::sites::find_by_id(conn, site.id)?;
            return Err(RegisterError::SiteFull(Box::new(current)));
        }
        Ok(Booked {
            registration,
            site: site.clone(),
        })
    });

    match result {
        // Two requests with the same address can both pass the look-up above on
        // PostgreSQL; the unique index stops the second before it takes a seat.
        Err(RegisterError::Unexpected(e)) if unique_violation(&e) => {
            match db::registrations::find_by_email_key(conn, forum.id, new.email.key())? {
                Some((_, held)) => Err(RegisterError::AlreadyRegistered(Box::new(held))),
                None => Err(RegisterError::Unexpected(e)),
            }
        }
        other => other,
    }
}

fn unique_violation(e: &anyhow::Error) -> bool {
    e.downcast_ref::<diesel::result::Error>()
        .is_some_and(db::is_unique_violation)
}
