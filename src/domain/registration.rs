//! A registration request: raw input in, a fully valid `NewRegistration` or every reason out.

use super::{EmailAddress, FieldError, FieldErrors, LongText, PersonName, Sector, ShortText};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationStatus {
    Confirmed,
    Waitlisted,
    Cancelled,
}

impl RegistrationStatus {
    pub fn code(self) -> &'static str {
        match self {
            RegistrationStatus::Confirmed => "confirmed",
            RegistrationStatus::Waitlisted => "waitlisted",
            RegistrationStatus::Cancelled => "cancelled",
        }
    }

    pub fn from_code(code: &str) -> Option<RegistrationStatus> {
        match code {
            "confirmed" => Some(RegistrationStatus::Confirmed),
            "waitlisted" => Some(RegistrationStatus::Waitlisted),
            "cancelled" => Some(RegistrationStatus::Cancelled),
            _ => None,
        }
    }
}

/// What a form or a JSON body supplied, before any checking. Both front doors fill this,
/// so the rules below are the only rules.
#[derive(Debug, Clone, Default)]
pub struct RawRegistration {
    pub site: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub organisation: String,
    pub sector: String,
    pub position: String,
    pub accessibility_needs: String,
    pub privacy_consent: bool,
}

/// A registration request that passed every rule. The site is still a slug: whether it
/// exists and has a seat is the database's to say, inside the booking transaction.
#[derive(Debug, Clone)]
pub struct NewRegistration {
    pub site_slug: String,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub email: EmailAddress,
    pub organisation: ShortText,
    pub sector: Sector,
    pub position: Option<ShortText>,
    pub accessibility_needs: Option<LongText>,
}

impl NewRegistration {
    pub fn parse(raw: &RawRegistration) -> Result<NewRegistration, FieldErrors> {
        let mut errors = FieldErrors::default();
        let site = raw.site.trim();
        if site.is_empty() || site.len() > 64 {
            errors.add("site", FieldError::UnknownSite);
        }
        let first_name = errors.take("first_name", PersonName::parse(&raw.first_name));
        let last_name = errors.take("last_name", PersonName::parse(&raw.last_name));
        let email = errors.take("email", EmailAddress::parse(&raw.email));
        let organisation = errors.take("organisation", ShortText::parse(&raw.organisation));
        let sector = errors.take("sector", Sector::parse(&raw.sector));
        let position = errors.take("position", ShortText::parse_optional(&raw.position));
        let accessibility_needs = errors.take(
            "accessibility_needs",
            LongText::parse_optional(&raw.accessibility_needs),
        );
        if !raw.privacy_consent {
            errors.add("privacy_consent", FieldError::ConsentRequired);
        }
        match (
            first_name,
            last_name,
            email,
            organisation,
            sector,
            position,
            accessibility_needs,
        ) {
            (
                Some(first_name),
                Some(last_name),
                Some(email),
                Some(organisation),
                Some(sector),
                Some(position),
                Some(accessibility_needs),
            ) if errors.is_empty() => Ok(NewRegistration {
                site_slug: site.to_string(),
                first_name,
                last_name,
                email,
                organisation,
                sector,
                position,
                accessibility_needs,
            }),
            _ => Err(errors),
        }
    }

    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name.as_str(), self.last_name.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> RawRegistration {
        RawRegistration {
            site: "goerlitz".into(),
            first_name: "Jürgen".into(),
            last_name: "Groß".into(),
            email: "j.gross@beispiel.de".into(),
            organisation: "IHK Dresden".into(),
            sector: "chamber".into(),
            privacy_consent: true,
            ..RawRegistration::default()
        }
    }

    #[test]
    fn a_complete_request_parses() {
        let parsed = NewRegistration::parse(&valid()).expect("valid");
        assert_eq!(parsed.full_name(), "Jürgen Groß");
        assert_eq!(parsed.position, None);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let raw = RawRegistration::default();
        let errors = NewRegistration::parse(&raw).expect_err("empty");
        for field in [
            "site",
            "first_name",
            "last_name",
            "email",
            "organisation",
            "sector",
            "privacy_consent",
        ] {
            assert!(errors.get(field).is_some(), "{field} should have an error");
        }
        assert!(errors.get("position").is_none());
    }
}
