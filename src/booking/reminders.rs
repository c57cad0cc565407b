//! The reminder before the forum: queued exactly once per confirmed registration, also
//! with several instances and restarts, because each one is claimed by a conditional
//! update in the transaction that queues its mail.

use crate::db::{self, DbConnection};
use crate::domain::berlin_time;
use crate::mail::{self, MailContext, MailKind};
use chrono::{Duration, NaiveDateTime};

/// Queues reminders for confirmed registrations whose site starts within `lead` of
/// `now` (UTC) and has not started yet. Returns how many this call queued.
pub fn queue_due_reminders(
    conn: &mut DbConnection,
    lead: Duration,
    mail_context: &MailContext,
    now: NaiveDateTime,
) -> anyhow::Result<usize> {
    let now_local = berlin_time::to_local(now);
    let due = db::registrations::due_for_reminder(conn, now_local, now_local + lead, 500)?;
    let mut queued = 0;
    for (registration, site) in due {
        let claimed = db::write_transaction(conn, |conn| -> anyhow::Result<bool> {
            if !db::registrations::mark_reminder_queued(conn, registration.id, now)? {
                return Ok(false);
            }
            let forum = db::forums::find_by_id(conn, registration.forum_id)?;
            mail::queue(
                conn,
                MailKind::Reminder,
                &forum,
                &site,
                &registration,
                mail_context,
                now,
            )?;
            Ok(true)
        })?;
        queued += usize::from(claimed);
    }
    if queued > 0 {
        tracing::info!(queued, "reminders queued");
    }
    Ok(queued)
}
