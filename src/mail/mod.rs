//! Mail as data: messages are rendered from templates, queued in the outbox inside the
//! transaction that causes them, and delivered by the worker with retries.

pub mod calendar;
pub mod messages;
pub mod transport;
pub mod worker;

pub use messages::{MailContext, MailKind, OutgoingMail, enqueue, queue};
pub use transport::Transport;
pub use worker::{MailWorker, WorkerHandle};
