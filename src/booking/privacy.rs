//! Personal data only as long as needed: anonymisation after the retention period, and
//! deletion by the participant. Counts per site, group and status survive both.

use super::lifecycle::{LifecycleError, Notify, cancel_in_transaction};
use crate::db::forums::Forum;
use crate::db::{self, DbConnection};
use crate::domain::berlin_time;
use crate::mail::MailContext;
use chrono::{Duration, NaiveDateTime, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PurgeReport {
    pub registrations: usize,
    pub mails: usize,
}

/// Anonymises every registration of forums held more than `retention_days` ago and
/// deletes their mails. With `dry_run` it only counts. Running it again changes nothing.
pub fn purge(
    conn: &mut DbConnection,
    retention_days: u32,
    now: NaiveDateTime,
    dry_run: bool,
) -> anyhow::Result<PurgeReport> {
    let today = berlin_time::to_local(now).date();
    let held_before = today - Duration::days(i64::from(retention_days)) - Duration::days(1);
    let due = db::registrations::due_for_anonymisation(conn, held_before)?;
    let mut report = PurgeReport::default();
    for id in due {
        let mails = db::outbox::for_registration(conn, id)?.len();
        if dry_run {
            report.registrations += 1;
            report.mails += mails;
            continue;
        }
        let done = db::write_transaction(conn, |conn| -> anyhow::Result<Option<usize>> {
            if !db::registrations::anonymise(conn, id, now)? {
                return Ok(None);
            }
            Ok(Some(db::outbox::delete_for_registration(conn, id)?))
        })?;
        if let Some(deleted) = done {
            report.registrations += 1;
            report.mails += deleted;
        }
    }
    if report.registrations > 0 {
        tracing::info!(
            registrations = report.registrations,
            mails = report.mails,
            dry_run,
            retention_days,
            "personal data past its retention period"
        );
    }
    Ok(report)
}

/// The participant deletes their registration: the seat is freed like a cancellation
/// (and goes to the next in line), then their personal data and mails are removed.
pub fn delete_registration(
    conn: &mut DbConnection,
    forum: &Forum,
    token: &str,
    mail_context: &MailContext,
) -> Result<(), LifecycleError> {
    let now = Utc::now().naive_utc();
    db::write_transaction(conn, |conn| {
        let (registration, _) = db::registrations::find_by_manage_token(conn, token)?
            .ok_or(LifecycleError::NotFound)?;
        cancel_in_transaction(conn, forum, token, mail_context, now, Notify::Nobody)?;
        db::registrations::anonymise(conn, registration.id, now)?;
        db::outbox::delete_for_registration(conn, registration.id)?;
        tracing::info!(
            registration_id = registration.id,
            "registration deleted by the participant"
        );
        Ok(())
    })
}
