//! Periodic background work besides mail delivery: queueing reminder mails, and
//! anonymising personal data once its retention period is over.

use crate::booking::privacy::purge;
use crate::booking::reminders::queue_due_reminders;
use crate::db::Pool;
use crate::mail::{MailContext, WorkerHandle};
use chrono::Utc;
use std::time::Duration;

/// Checks for due reminders every `interval`; runs in every instance (claims make
/// that safe) and wakes the mail worker when it queued something.
pub fn spawn_reminders(
    pool: Pool,
    mail_context: MailContext,
    lead: Duration,
    interval: Duration,
    mail_worker: WorkerHandle,
) -> tokio::task::JoinHandle<()> {
    let lead = chrono::Duration::from_std(lead).unwrap_or(chrono::Duration::days(1));
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        loop {
            ticker.tick().await;
            let (pool, context) = (pool.clone(), mail_context.clone());
            let outcome = tokio::task::spawn_blocking(move || -> anyhow::Result<usize> {
                let mut conn = pool.get()?;
                queue_due_reminders(&mut conn, lead, &context, Utc::now().naive_utc())
            })
            .await;
            match outcome {
                Ok(Ok(0)) => {}
                Ok(Ok(_)) => mail_worker.wake(),
                Ok(Err(e)) => tracing::warn!(
                    error = format!("{e:#}"),
                    "reminder check failed, will retry"
                ),
                Err(e) => tracing::error!(error = %e, "reminder check panicked"),
            }
        }
    })
}

/// Anonymises data past its retention period every `interval`; safe in every instance
/// because each registration is anonymised by a conditional update.
pub fn spawn_retention(
    pool: Pool,
    retention_days: u32,
    interval: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        loop {
            ticker.tick().await;
            let pool = pool.clone();
            let outcome = tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
                let mut conn = pool.get()?;
                purge(&mut conn, retention_days, Utc::now().naive_utc(), false)?;
                Ok(())
            })
            .await;
            match outcome {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    tracing::warn!(error = format!("{e:#}"), "retention run failed, will retry")
                }
                Err(e) => tracing::error!(error = %e, "retention run panicked"),
            }
        }
    })
}
