//! What happens after the first sign-up: cancelling, leaving the waiting list, switching
//! site, promotion from the waiting list, and sending the personal link again.

use crate::db::forums::Forum;
use crate::db::registrations::Registration;
use crate::db::sites::Site;
use crate::db::{self, DbConnection};
use crate::domain::{EmailAddress, RegistrationStatus};
use crate::mail::{self, MailContext, MailKind};
use chrono::{NaiveDateTime, Utc};

#[derive(Debug, thiserror::Error)]
pub enum LifecycleError {
    #[error("no registration with this link")]
    NotFound,
    #[error("no site {0:?} in this forum")]
    UnknownSite(String),
    #[error("site {} has no free seat", .0.slug)]
    TargetFull(Box<Site>),
    #[error("the registration is cancelled")]
    Cancelled,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<diesel::result::Error> for LifecycleError {
    fn from(e: diesel::result::Error) -> Self {
        LifecycleError::Unexpected(anyhow::Error::new(e).context("registration change"))
    }
}

/// The outcome of a change, for the page or mail that reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Cancelled,
    LeftWaitlist,
    AlreadyCancelled,
    Switched { to: String },
    Unchanged,
}

/// Gives free seats of `site_id` to the people waiting for it, first come first served,
/// and queues their mails. Returns the promoted registrations' ids.
///
/// On PostgreSQL the site row is locked first, so concurrent callers for the same site
/// run one after the other and never pick the same person twice.
pub fn fill_free_seats(
    conn: &mut DbConnection,
    forum: &Forum,
    site_id: i64,
    mail_context: &MailContext,
    now: NaiveDateTime,
) -> anyhow::Result<Vec<i64>> {
    db::sites::lock(conn, &[site_id])?;
    let mut promoted = Vec::new();
    while let Some(next) = db::registrations::first_waitlisted(conn, site_id)? {
        if !db::sites::take_seat(conn, site_id)? {
            break;
        }
        if !db::registrations::confirm_waitlisted(conn, next.id, site_id, now)? {
            // Cannot happen while we hold the site lock; give the seat back to be safe.
            db::sites::release_seat(conn, site_id)?;
            anyhow::bail!(
                "registration {} left the waiting list during promotion",
                next.id
            );
        }
        let (registration, site) = db::registrations::find_by_id(conn, next.id)?;
        mail::queue(
            conn,
            MailKind::Promoted,
            forum,
            &site,
            &registration,
            mail_context,
            now,
        )?;
        tracing::info!(registration_id = registration.id, site = %site.slug, "promoted from the waiting list");
        promoted.push(registration.id);
    }
    Ok(promoted)
}

fn load(conn: &mut DbConnection, token: &str) -> Result<(Registration, Site), LifecycleError> {
    db::registrations::find_by_manage_token(conn, token)?.ok_or(LifecycleError::NotFound)
}

/// Cancels a seat (which goes to the next in line at once) or leaves the waiting list.
/// Cancelling twice is not an error.
pub fn cancel(
    conn: &mut DbConnection,
    forum: &Forum,
    token: &str,
    mail_context: &MailContext,
) -> Result<Change, LifecycleError> {
    let now = Utc::now().naive_utc();
    db::write_transaction(conn, |conn| {
        cancel_in_transaction(conn, forum, token, mail_context, now, Notify::Participant)
    })
}

/// Whether the person who cancels gets a mail about it (not when they delete their data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notify {
    Participant,
    Nobody,
}

/// The body of `cancel`, for callers that do more in the same transaction.
pub fn cancel_in_transaction(
    conn: &mut DbConnection,
    forum: &Forum,
    token: &str,
    mail_context: &MailContext,
    now: NaiveDateTime,
    notify: Notify,
) -> Result<Change, LifecycleError> {
    let (_, site) = load(conn, token)?;
    db::sites::lock(conn, &[site.id])?;
    // Read again under the lock: a promotion may have changed the status meanwhile.
    let (registration, site) = load(conn, token)?;
    let status = registration.status();
    let change = match status {
        RegistrationStatus::Cancelled => return Ok(Change::AlreadyCancelled),
        RegistrationStatus::Waitlisted => Change::LeftWaitlist,
        RegistrationStatus::Confirmed => Change::Cancelled,
    };
    if !db::registrations::cancel(conn, registration.id, status, now)? {
        return Err(anyhow::anyhow!(
            "registration {} changed during cancellation",
            registration.id
        )
        .into());
    }
    let (registration, _) = db::registrations::find_by_id(conn, registration.id)?;
    let kind = if status == RegistrationStatus::Confirmed {
        db::sites::release_seat(conn, site.id)?;
        fill_free_seats(conn, forum, site.id, mail_context, now)?;
        MailKind::Cancelled
    } else {
        MailKind::LeftWaitlist
    };
    if notify == Notify::Participant {
        mail::queue(conn, kind, forum, &site, &registration, mail_context, now)?;
    }
    tracing::info!(registration_id = registration.id, change = ?change, "registration cancelled");
    Ok(change)
}

/// Moves a registration to `target_slug` if that site has a free seat. A confirmed
/// participant's old seat goes to the old site's waiting list at once; someone waiting
/// leaves the old list and is confirmed at the new site.
pub fn switch_site(
    conn: &mut DbConnection,
    forum: &Forum,
    token: &str,
    target_slug: &str,
    mail_context: &MailContext,
) -> Result<Change, LifecycleError> {
    let now = Utc::now().naive_utc();
    db::write_transaction(conn, |conn| {
        let (_, old_site) = load(conn, token)?;
        let target = db::sites::find_by_slug(conn, forum.id, target_slug)?
            .ok_or_else(|| LifecycleError::UnknownSite(target_slug.to_string()))?;
        if target.id == old_site.id {
            return Ok(Change::Unchanged);
        }
        db::sites::lock(conn, &[old_site.id, target.id])?;
        let (registration, old_site) = load(conn, token)?;
        let status = registration.status();
        if status == RegistrationStatus::Cancelled {
            return Err(LifecycleError::Cancelled);
        }
        if !db::sites::take_seat(conn, target.id)? {
            let current = db::sites::find_by_id(conn, target.id)?;
            return Err(LifecycleError::TargetFull(Box::new(current)));
        }
        let moved = match status {
            RegistrationStatus::Confirmed => {
                db::registrations::move_to_site(conn, registration.id, old_site.id, target.id, now)?
            }
            _ => db::registrations::confirm_waitlisted(conn, registration.id, target.id, now)?,
        };
        if !moved {
            return Err(anyhow::anyhow!(
                "registration {} changed during the switch",
                registration.id
            )
            .into());
        }
        let (registration, new_site) = db::registrations::find_by_id(conn, registration.id)?;
        mail::queue(
            conn,
            MailKind::Switched,
            forum,
            &new_site,
            &registration,
            mail_context,
            now,
        )?;
        if status == RegistrationStatus::Confirmed {
            db::sites::release_seat(conn, old_site.id)?;
            fill_free_seats(conn, forum, old_site.id, mail_context, now)?;
        }
        tracing::info!(registration_id = registration.id, from = %old_site.slug, to = %new_site.slug, "site switched by participant");
        Ok(Change::Switched { to: new_site.slug })
    })
}

/// Sends the personal link again if `email` holds a registration. Says nothing about
/// whether it did: the caller answers every address the same way.
pub fn resend_link(
    conn: &mut DbConnection,
    forum: &Forum,
    email: &EmailAddress,
    mail_context: &MailContext,
) -> anyhow::Result<()> {
    let now = Utc::now().naive_utc();
    db::write_transaction(conn, |conn| {
        if let Some((registration, site)) =
            db::registrations::find_by_email_key(conn, forum.id, email.key())?
        {
            mail::queue(
                conn,
                MailKind::Link,
                forum,
                &site,
                &registration,
                mail_context,
                now,
            )?;
        }
        Ok(())
    })
}
