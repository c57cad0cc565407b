//! Use cases that change who holds a seat. Each runs as one database transaction that
//! also queues the mail it causes, so a seat and its mail exist together or not at all.

pub mod forum_import;
pub mod register;

pub use forum_import::{ImportError, ImportReport, import_forum};
pub use register::{Booked, RegisterError, register};
