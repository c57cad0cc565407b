//! Use cases that change who holds a seat. Each runs as one database transaction that
//! also queues the mail it causes, so a seat and its mail exist together or not at all.
//!
//! Invariant kept by every use case here: a site with a free seat has nobody waiting.
//! Whoever frees a seat (cancel, switch away, capacity raised) promotes the next
//! person in line inside the same transaction (`lifecycle::fill_free_seats`).

pub mod forum_import;
pub mod lifecycle;
pub mod organiser;
pub mod privacy;
pub mod register;
pub mod reminders;

pub use forum_import::{ImportError, ImportReport, import_forum};
pub use lifecycle::{LifecycleError, cancel, resend_link, switch_site};
pub use register::{Booked, RegisterError, RegistrationWindow, register, registration_window};
