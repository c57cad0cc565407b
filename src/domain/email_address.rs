//! A participant's e-mail address, normalised once so comparisons are case-insensitive.

use super::FieldError;
use validator::ValidateEmail;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress {
    /// As the participant wrote it, with the domain lowercased; used to send mail.
    address: String,
    /// Fully lowercased; one registration per forum and key.
    key: String,
}

impl EmailAddress {
    pub const MAX_CHARS: usize = 254;

    pub fn parse(raw: &str) -> Result<EmailAddress, FieldError> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(FieldError::Required);
        }
        if value.chars().count() > Self::MAX_CHARS {
            return Err(FieldError::TooLong {
                max: Self::MAX_CHARS,
            });
        }
        if value.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(FieldError::InvalidEmail);
        }
        // Quoted local parts and IP-literal domains are legal but are a common
        // vector for header tricks and never seen from real participants.
        if value.contains(['"', '[', ']', '<', '>', '(', ')', ',', ';', '\\']) {
            return Err(FieldError::InvalidEmail);
        }
        if !value.validate_email() {
            return Err(FieldError::InvalidEmail);
        }
        let (local, domain) = value.rsplit_once('@').ok_or(FieldError::InvalidEmail)?;
        if !domain.contains('.') || domain.ends_with('.') {
            return Err(FieldError::InvalidEmail);
        }
        let address = format!("{local}@{}", domain.to_lowercase());
        let key = address.to_lowercase();
        Ok(EmailAddress { address, key })
    }

    pub fn as_str(&self) -> &str {
        &self.address
    }

    pub fn key(&self) -> &str {
        &self.key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_spaces() {
        let a = EmailAddress::parse("  Anna.Schmidt@Beispiel.DE ").expect("valid");
        let b = EmailAddress::parse("anna.schmidt@beispiel.de").expect("valid");
        assert_eq!(a.as_str(), "Anna.Schmidt@beispiel.de");
        assert_eq!(a.key(), b.key());
    }

    #[test]
    fn refuses_what_is_not_an_address() {
        for bad in [
            "",
            "anna",
            "anna@",
            "@beispiel.de",
            "anna@beispiel",
            "anna schmidt@beispiel.de",
            "anna@beispiel.de\r\nBcc: x@y.de",
            "\"anna\"@beispiel.de",
            "anna@[127.0.0.1]",
            "<anna@beispiel.de>",
        ] {
            assert!(
                EmailAddress::parse(bad).is_err(),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn accepts_international_domains_and_plus_tags() {
        for good in [
            "anna+forum@beispiel.de",
            "juergen@müller.de",
            "a.b-c@sub.example.org",
        ] {
            assert!(
                EmailAddress::parse(good).is_ok(),
                "{good:?} should be accepted"
            );
        }
    }
}
