//! Pure types and rules of a forum registration: no I/O, no database, no HTTP.
//!
//! Every value here is parsed from untrusted input once; a value that exists is valid.

pub mod berlin_time;
pub mod email_address;
pub mod field_error;
pub mod forum;
#[cfg(test)]
pub mod fuzz;
pub mod lang;
pub mod registration;
pub mod sector;
pub mod text;
pub mod token;

pub use email_address::EmailAddress;
pub use field_error::{FieldError, FieldErrors};
pub use forum::{Capacity, EnglishTexts, ForumDefinition, SiteDefinition, SiteKind};
pub use lang::{Lang, Localised, Phrase};
pub use registration::{NewRegistration, RawRegistration, RegistrationStatus};
pub use sector::Sector;
pub use text::{LongText, PersonName, ShortText};
pub use token::Token;
