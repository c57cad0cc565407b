//! Why a submitted value was refused, in words for both languages the UI speaks.

use super::Lang;
use std::collections::BTreeMap;

/// One reason a field was refused. Messages live here so the form and the API agree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldError {
    Required,
    TooLong { max: usize },
    ControlCharacters,
    AngleBrackets,
    NameCharacters,
    NoLetter,
    InvalidEmail,
    UnknownSite,
    UnknownSector,
    ConsentRequired,
    WrongType { expected: &'static str },
}

impl FieldError {
    pub fn code(&self) -> &'static str {
        match self {
            FieldError::Required => "required",
            FieldError::TooLong { .. } => "too_long",
            FieldError::ControlCharacters => "control_characters",
            FieldError::AngleBrackets => "angle_brackets",
            FieldError::NameCharacters => "name_characters",
            FieldError::NoLetter => "no_letter",
            FieldError::InvalidEmail => "invalid_email",
            FieldError::UnknownSite => "unknown_site",
            FieldError::UnknownSector => "unknown_sector",
            FieldError::ConsentRequired => "consent_required",
            FieldError::WrongType { .. } => "wrong_type",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (FieldError::Required, Lang::De) => "Bitte füllen Sie dieses Feld aus.".into(),
            (FieldError::Required, Lang::En) => "Please fill in this field.".into(),
            (FieldError::TooLong { max }, Lang::De) => {
                format!("Bitte verwenden Sie höchstens {max} Zeichen.")
            }
            (FieldError::TooLong { max }, Lang::En) => {
                format!("Please use at most {max} characters.")
            }
            (FieldError::ControlCharacters, Lang::De) => {
                "Bitte entfernen Sie die Steuerzeichen aus diesem Feld.".into()
            }
            (FieldError::ControlCharacters, Lang::En) => {
                "Please remove the control characters from this field.".into()
            }
            (FieldError::AngleBrackets, Lang::De) => {
                "Bitte verwenden Sie keine spitzen Klammern (< >).".into()
            }
            (FieldError::AngleBrackets, Lang::En) => {
                "Please do not use angle brackets (< >).".into()
            }
            (FieldError::NameCharacters, Lang::De) => {
                "Ein Name darf Buchstaben, Leerzeichen, Bindestriche, Apostrophe und Punkte enthalten."
                    .into()
            }
            (FieldError::NameCharacters, Lang::En) => {
                "A name may contain letters, spaces, hyphens, apostrophes and full stops.".into()
            }
            (FieldError::NoLetter, Lang::De) => "Bitte geben Sie mindestens einen Buchstaben ein.".into(),
            (FieldError::NoLetter, Lang::En) => "Please enter at least one letter.".into(),
            (FieldError::InvalidEmail, Lang::De) => {
                "Bitte geben Sie eine gültige E-Mail-Adresse ein, z. B. name@beispiel.de.".into()
            }
            (FieldError::InvalidEmail, Lang::En) => {
                "Please enter a valid e-mail address, e.g. name@example.org.".into()
            }
            (FieldError::UnknownSite, Lang::De) => "Bitte wählen Sie einen Standort aus.".into(),
            (FieldError::UnknownSite, Lang::En) => "Please choose a site.".into(),
            (FieldError::UnknownSector, Lang::De) => {
                "Bitte wählen Sie eine Gruppe aus der Liste aus.".into()
            }
            (FieldError::UnknownSector, Lang::En) => "Please choose a group from the list.".into(),
            (FieldError::ConsentRequired, Lang::De) => {
                "Bitte stimmen Sie der Verarbeitung Ihrer Daten zu, damit wir Sie anmelden können."
                    .into()
            }
            (FieldError::ConsentRequired, Lang::En) => {
                "Please agree to the processing of your data so that we can register you.".into()
            }
            (FieldError::WrongType { expected }, Lang::De) => {
                format!("Erwartet wird ein Wert vom Typ {expected}.")
            }
            (FieldError::WrongType { expected }, Lang::En) => {
                format!("Expected a value of type {expected}.")
            }
        }
    }
}

/// All refusals of one submission, by field name, in a stable order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(BTreeMap<&'static str, Vec<FieldError>>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, error: FieldError) {
        self.0.entry(field).or_default().push(error);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: &str) -> Option<&[FieldError]> {
        self.0.get(field).map(Vec::as_slice)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &[FieldError])> {
        self.0.iter().map(|(k, v)| (*k, v.as_slice()))
    }

    /// Keeps the value when it parsed, records the error under `field` otherwise.
    pub fn take<T>(&mut self, field: &'static str, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.add(field, error);
                None
            }
        }
    }
}
