//! Registering for a site: the capacity rule is enforced here, in one transaction.

use crate::db::forums::Forum;
use crate::db::registrations::{NewRegistrationRow, Registration};
use crate::db::sites::Site;
use crate::db::{self, DbConnection};
use crate::domain::{Lang, NewRegistration, RegistrationStatus, Token, berlin_time};
use crate::mail::{self, MailContext, MailKind};
use chrono::{NaiveDateTime, Utc};
use diesel::Connection;

#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error("registration for this forum is not open")]
    RegistrationClosed(RegistrationWindow),
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
    /// 1 for the first in line; `None` when the registration holds a seat.
    pub waitlist_position: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationWindow {
    /// Opens at this UTC instant.
    NotYetOpen(NaiveDateTime),
    Open,
    Closed,
}

/// Whether the forum takes registrations at `now` (UTC): between the file's opening and
/// closing times, or, without a closing time, until the forum day is over in Berlin.
pub fn registration_window(forum: &Forum, now: NaiveDateTime) -> RegistrationWindow {
    if let Some(opens) = forum.registration_opens_at
        && now < opens
    {
        return RegistrationWindow::NotYetOpen(opens);
    }
    let open = match forum.registration_closes_at {
        Some(closes) => now < closes,
        None => berlin_time::to_local(now).date() <= forum.event_date,
    };
    if open {
        RegistrationWindow::Open
    } else {
        RegistrationWindow::Closed
    }
}

/// Whether a request asked to join the waiting list when the site is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenFull {
    Refuse,
    JoinWaitlist,
}

/// Books a seat for `new` at its site — or a place on its waiting list — and queues
/// the mail that says so.
///
/// The seat is taken with a conditional update (see `db::sites::take_seat`) inside the
/// same transaction that inserts the registration and the outbox row: there is no
/// moment at which a count was read and trusted. The seat is taken last, inside a
/// savepoint with the confirmation mail, because on PostgreSQL the site row stays
/// locked from that statement until commit.
pub fn register(
    conn: &mut DbConnection,
    forum: &Forum,
    new: &NewRegistration,
    lang: Lang,
    when_full: WhenFull,
    mail_context: &MailContext,
) -> Result<Booked, RegisterError> {
    let now = Utc::now().naive_utc();
    let window = registration_window(forum, now);
    if window != RegistrationWindow::Open {
        return Err(RegisterError::RegistrationClosed(window));
    }
    let site = db::sites::find_by_slug(conn, forum.id, &new.site_slug)?
        .ok_or_else(|| RegisterError::UnknownSite(new.site_slug.clone()))?;

    let result = db::write_transaction(conn, |conn| {
        if let Some((_, held)) =
            db::registrations::find_by_email_key(conn, forum.id, new.email.key())?
        {
            return Err(RegisterError::AlreadyRegistered(Box::new(held)));
        }
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
                manage_token: Token::generate().as_str(),
                checkin_code: Token::generate().as_str(),
                stream_token: Token::generate().as_str(),
                waitlisted_at: None,
                created_at: now,
                updated_at: now,
            },
        )?;
        let seated = conn.transaction(|conn| {
            mail::queue(
                conn,
                MailKind::Confirmation,
                forum,
                &site,
                &registration,
                mail_context,
                now,
            )?;
            if db::sites::take_seat(conn, site.id)? {
                Ok(true)
            } else {
                // Undo the confirmation mail; the registration itself stays for now.
                Err(SeatOutcome::Full)
            }
        });
        match seated {
            Ok(_) => Ok(Booked {
                registration,
                site: site.clone(),
                waitlist_position: None,
            }),
            Err(SeatOutcome::Full) if when_full == WhenFull::JoinWaitlist => {
                db::registrations::mark_waitlisted(conn, registration.id, now)?;
                let (registration, site) = db::registrations::find_by_id(conn, registration.id)?;
                let position =
                    db::registrations::waitlist_position(conn, &registration)?.unwrap_or(1);
                mail::queue(
                    conn,
                    MailKind::Waitlisted { position },
                    forum,
                    &site,
                    &registration,
                    mail_context,
                    now,
                )?;
                Ok(Booked {
                    registration,
                    site,
                    waitlist_position: Some(position),
                })
            }
            Err(SeatOutcome::Full) => {
                let current = db::sites::find_by_id(conn, site.id)?;
                Err(RegisterError::SiteFull(Box::new(current)))
            }
            Err(SeatOutcome::Failed(e)) => Err(RegisterError::Unexpected(e)),
        }
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

/// How the savepoint around "queue the confirmation, take the seat" ended.
enum SeatOutcome {
    Full,
    Failed(anyhow::Error),
}

impl From<diesel::result::Error> for SeatOutcome {
    fn from(e: diesel::result::Error) -> Self {
        SeatOutcome::Failed(e.into())
    }
}

impl From<anyhow::Error> for SeatOutcome {
    fn from(e: anyhow::Error) -> Self {
        SeatOutcome::Failed(e)
    }
}

fn unique_violation(e: &anyhow::Error) -> bool {
    e.downcast_ref::<diesel::result::Error>()
        .is_some_and(db::is_unique_violation)
}
