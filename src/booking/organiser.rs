//! Changes organisers make: set a site's capacity, check people in, resend a
//! confirmation, correct an address, cancel on a participant's behalf.

use super::lifecycle::fill_free_seats;
use crate::db::forums::Forum;
use crate::db::registrations::Registration;
use crate::db::sites::Site;
use crate::db::{self, DbConnection};
use crate::domain::{Capacity, EmailAddress, RegistrationStatus};
use crate::mail::{self, MailContext, MailKind};
use chrono::{NaiveDateTime, Utc};

#[derive(Debug, thiserror::Error)]
pub enum CapacityError {
    #[error("no site {0:?}")]
    UnknownSite(String),
    #[error("{confirmed} people are confirmed; the capacity cannot be lower")]
    BelowConfirmed { confirmed: i32 },
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<diesel::result::Error> for CapacityError {
    fn from(e: diesel::result::Error) -> Self {
        CapacityError::Unexpected(anyhow::Error::new(e).context("capacity change"))
    }
}

/// Sets a site's capacity; never below its confirmed registrations. Seats it adds go to
/// the waiting list at once. Returns how many people moved up.
pub fn set_capacity(
    conn: &mut DbConnection,
    forum: &Forum,
    site_slug: &str,
    capacity: Capacity,
    mail_context: &MailContext,
) -> Result<usize, CapacityError> {
    let now = Utc::now().naive_utc();
    db::write_transaction(conn, |conn| {
        let site = db::sites::find_by_slug(conn, forum.id, site_slug)?
            .ok_or_else(|| CapacityError::UnknownSite(site_slug.to_string()))?;
        db::sites::lock(conn, &[site.id])?;
        let site = db::sites::find_by_id(conn, site.id)?;
        let seats = i32::try_from(capacity.seats()).unwrap_or(i32::MAX);
        if seats < site.confirmed_count {
            return Err(CapacityError::BelowConfirmed {
                confirmed: site.confirmed_count,
            });
        }
        db::sites::set_capacity(conn, site.id, seats)?;
        let promoted = fill_free_seats(conn, forum, site.id, mail_context, now)?;
        tracing::info!(site = %site.slug, capacity = seats, promoted = promoted.len(), "capacity changed by an organiser");
        Ok(promoted.len())
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckIn {
    Done,
    /// Checked in before, at this UTC time.
    Already(NaiveDateTime),
    /// Waiting or cancelled: there is no seat to check into.
    NoSeat(RegistrationStatus),
}

/// Checks a participant in; doing it twice is harmless and says when the first was.
pub fn check_in(
    conn: &mut DbConnection,
    registration: &Registration,
    organiser_id: i64,
) -> anyhow::Result<CheckIn> {
    let now = Utc::now().naive_utc();
    if registration.status() != RegistrationStatus::Confirmed {
        return Ok(CheckIn::NoSeat(registration.status()));
    }
    if db::registrations::check_in(conn, registration.id, organiser_id, now)? {
        tracing::info!(
            registration_id = registration.id,
            organiser_id,
            "checked in"
        );
        return Ok(CheckIn::Done);
    }
    let (current, _) = db::registrations::find_by_id(conn, registration.id)?;
    Ok(match current.checked_in_at {
        Some(at) => CheckIn::Already(at),
        None => CheckIn::NoSeat(current.status()),
    })
}

/// Queues the mail that states the registration's current status again.
pub fn resend_confirmation(
    conn: &mut DbConnection,
    forum: &Forum,
    registration: &Registration,
    site: &Site,
    mail_context: &MailContext,
) -> anyhow::Result<bool> {
    let now = Utc::now().naive_utc();
    let kind = match registration.status() {
        RegistrationStatus::Confirmed => MailKind::Confirmation,
        RegistrationStatus::Waitlisted => MailKind::Waitlisted {
            position: db::registrations::waitlist_position(conn, registration)?.unwrap_or(1),
        },
        RegistrationStatus::Cancelled => return Ok(false),
    };
    mail::queue(conn, kind, forum, site, registration, mail_context, now)?;
    Ok(true)
}

#[derive(Debug, thiserror::Error)]
pub enum EmailChangeError {
    #[error("the registration is cancelled")]
    Cancelled,
    #[error("another registration of this forum uses the address")]
    Taken,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<diesel::result::Error> for EmailChangeError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            // Two changes racing to the same address: the unique index decides.
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => EmailChangeError::Taken,
            e => EmailChangeError::Unexpected(anyhow::Error::new(e).context("address change")),
        }
    }
}

/// Corrects a participant's e-mail address — typically a typo the mail server refused —
/// and sends the mail about their current status to the new one, in one transaction.
pub fn correct_email(
    conn: &mut DbConnection,
    forum: &Forum,
    registration_id: i64,
    email: &EmailAddress,
    mail_context: &MailContext,
) -> Result<(), EmailChangeError> {
    db::write_transaction(conn, |conn| {
        let (registration, site) = db::registrations::find_by_id(conn, registration_id)?;
        if registration.status() == RegistrationStatus::Cancelled {
            return Err(EmailChangeError::Cancelled);
        }
        if let Some((holder, _)) =
            db::registrations::find_by_email_key(conn, forum.id, email.key())?
            && holder.id != registration.id
        {
            return Err(EmailChangeError::Taken);
        }
        let now = Utc::now().naive_utc();
        db::registrations::set_email(conn, registration.id, email.as_str(), email.key(), now)?;
        let (registration, _) = db::registrations::find_by_id(conn, registration.id)?;
        resend_confirmation(conn, forum, &registration, &site, mail_context)?;
        Ok(())
    })
}
