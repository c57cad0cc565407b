//! The delivery worker: leases due mails from the outbox, sends them, records the result,
//! and backs off exponentially on failure. Runs in every app instance; the lease keeps
//! instances from sending the same mail twice in normal operation.

use super::Transport;
use super::transport::DeliveryError;
use crate::db::{self, Pool};
use chrono::Utc;
use lettre::message::Mailbox;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};

/// SMTP errors often quote the recipient; logs must not carry addresses.
fn redact(error: &str) -> String {
    error
        .split(' ')
        .map(|word| {
            if word.contains('@') {
                "<address>"
            } else {
                word
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Retry delays: 2 s, 4 s, 8 s … capped at five minutes, so a short SMTP outage is
/// bridged within seconds and a long one does not hammer the server.
pub fn backoff(attempts: i32) -> Duration {
    let exponent = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
    Duration::from_secs((2u64 << exponent).min(300))
}

pub struct MailWorker {
    pub pool: Pool,
    pub metrics: Arc<crate::web::observe::Metrics>,
    pub transport: Transport,
    pub from: Mailbox,
    pub worker_id: String,
    pub poll_interval: Duration,
    pub lease: Duration,
}

/// Wakes the worker early (new mail queued) and stops it.
#[derive(Clone)]
pub struct WorkerHandle {
    wake: Arc<Notify>,
    stop: watch::Sender<bool>,
}

impl WorkerHandle {
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub fn stop(&self) {
        let _ = self.stop.send(true);
        self.wake.notify_one();
    }
}

enum Step {
    Delivered,
    Idle,
}

impl MailWorker {
    /// Starts the loop on the current runtime and returns its handle.
    pub fn spawn(self) -> (WorkerHandle, tokio::task::JoinHandle<()>) {
        let wake = Arc::new(Notify::new());
        let (stop, stopped) = watch::channel(false);
        let handle = WorkerHandle {
            wake: wake.clone(),
            stop,
        };
        let join = tokio::spawn(self.run(wake, stopped));
        (handle, join)
    }

    async fn run(self, wake: Arc<Notify>, mut stopped: watch::Receiver<bool>) {
        let this = Arc::new(self);
        tracing::info!(worker = %this.worker_id, transport = %this.transport.describe(), "mail worker started");
        loop {
            if *stopped.borrow() {
                break;
            }
            let worker = this.clone();
            let step = tokio::task::spawn_blocking(move || worker.deliver_one()).await;
            match step {
                Ok(Ok(Step::Delivered)) => continue,
                Ok(Ok(Step::Idle)) => {}
                Ok(Err(e)) => tracing::warn!(
                    error = format!("{e:#}"),
                    "mail worker: database unavailable, will retry"
                ),
                Err(e) => tracing::error!(error = %e, "mail worker step panicked"),
            }
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(this.poll_interval) => {}
                _ = stopped.changed() => {}
            }
        }
        tracing::info!(worker = %this.worker_id, "mail worker stopped");
    }

    /// Leases and delivers at most one mail. Blocking.
    fn deliver_one(&self) -> anyhow::Result<Step> {
        let mut conn = self.pool.get()?;
        let now = Utc::now().naive_utc();
        let lease_until = now + self.lease;
        let Some(mail) = db::outbox::lease_next(&mut conn, &self.worker_id, now, lease_until)?
        else {
            return Ok(Step::Idle);
        };
        // Hand the connection back while talking SMTP, which may take seconds.
        drop(conn);
        let outcome = self.transport.send(&self.from, &mail);
        let mut conn = self.pool.get()?;
        let now = Utc::now().naive_utc();
        if outcome.is_err() {
            self.metrics.delivery_failed();
        }
        let still_ours = match &outcome {
            Ok(()) => db::outbox::mark_sent(&mut conn, mail.id, &self.worker_id, now)?,
            Err(DeliveryError::Permanent(error)) => {
                tracing::error!(outbox_id = mail.id, error = %redact(error), "mail refused for good");
                db::outbox::mark_failed(&mut conn, mail.id, &self.worker_id, error)?
            }
            Err(DeliveryError::Transient(error)) => {
                let delay = backoff(mail.attempts);
                tracing::warn!(outbox_id = mail.id, attempts = mail.attempts, retry_in_s = delay.as_secs(), error = %redact(error), "mail delivery failed, will retry");
                db::outbox::schedule_retry(&mut conn, mail.id, &self.worker_id, now + delay, error)?
            }
        };
        if !still_ours {
            tracing::warn!(
                outbox_id = mail.id,
                "mail lease expired during delivery; another worker owns it now"
            );
        }
        Ok(if outcome.is_ok() {
            Step::Delivered
        } else {
            Step::Idle
        })
    }
}

#[cfg(test)]
mod tests {
    use super::backoff;
    use std::time::Duration;

    #[test]
    fn addresses_are_redacted_from_logged_errors() {
        assert_eq!(
            super::redact("550 5.1.1 <anna@example.org>: Recipient address rejected"),
            "550 5.1.1 <address> Recipient address rejected"
        );
    }

    #[test]
    fn backoff_starts_in_seconds_and_is_capped() {
        assert_eq!(backoff(1), Duration::from_secs(2));
        assert_eq!(backoff(2), Duration::from_secs(4));
        assert_eq!(backoff(5), Duration::from_secs(32));
        assert_eq!(backoff(9), Duration::from_secs(300));
        assert_eq!(backoff(1000), Duration::from_secs(300));
        assert!((1..50).all(|a| backoff(a) <= backoff(a + 1)));
    }
}
