//! Free-text values typed by participants: names, organisation, position, notes.

use super::FieldError;

fn has_forbidden_control(s: &str, allow_newlines: bool) -> bool {
    s.chars().any(|c| {
        let newline = c == '\n' || c == '\r' || c == '\t';
        (c.is_control() && !(allow_newlines && newline)) || is_invisible_format(c)
    })
}

/// Bidi overrides and zero-width characters let a name display differently from
/// what is stored; nobody needs them in a registration.
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

fn trimmed_required(raw: &str, max: usize) -> Result<&str, FieldError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(FieldError::Required);
    }
    if value.chars().count() > max {
        return Err(FieldError::TooLong { max });
    }
    Ok(value)
}

/// A given name or a family name. Letters of any script, with the joiners real names
/// use (space, hyphen, apostrophe, full stop); nothing that looks like markup or code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(raw: &str) -> Result<PersonName, FieldError> {
        let value = trimmed_required(raw, Self::MAX_CHARS)?;
        if has_forbidden_control(value, false) {
            return Err(FieldError::ControlCharacters);
        }
        if value.contains(['<', '>']) {
            return Err(FieldError::AngleBrackets);
        }
        let allowed = |c: char| {
            c.is_alphabetic()
                || is_combining_mark(c)
                || matches!(c, ' ' | '-' | '\'' | '’' | '.' | '‐')
        };
        if !value.chars().all(allowed) {
            return Err(FieldError::NameCharacters);
        }
        if !value.chars().any(char::is_alphabetic) {
            return Err(FieldError::NoLetter);
        }
        Ok(PersonName(collapse_spaces(value)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Decomposed accents (e.g. "e" + U+0301) and the vowel signs of Indic scripts.
fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{0900}'..='\u{0DFF}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

fn collapse_spaces(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One line of free text such as an organisation or a job title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortText(String);

impl ShortText {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(raw: &str) -> Result<ShortText, FieldError> {
        let value = trimmed_required(raw, Self::MAX_CHARS)?;
        if has_forbidden_control(value, false) {
            return Err(FieldError::ControlCharacters);
        }
        if value.contains(['<', '>']) {
            return Err(FieldError::AngleBrackets);
        }
        Ok(ShortText(collapse_spaces(value)))
    }

    /// Empty input means "not given" for optional fields.
    pub fn parse_optional(raw: &str) -> Result<Option<ShortText>, FieldError> {
        if raw.trim().is_empty() {
            Ok(None)
        } else {
            ShortText::parse(raw).map(Some)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A few lines of free text, e.g. accessibility needs. Shown escaped, never interpreted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LongText(String);

impl LongText {
    pub const MAX_CHARS: usize = 1000;

    pub fn parse_optional(raw: &str) -> Result<Option<LongText>, FieldError> {
        let value = raw.trim();
        if value.is_empty() {
            return Ok(None);
        }
        if value.chars().count() > Self::MAX_CHARS {
            return Err(FieldError::TooLong {
                max: Self::MAX_CHARS,
            });
        }
        if has_forbidden_control(value, true) {
            return Err(FieldError::ControlCharacters);
        }
        Ok(Some(LongText(value.replace("\r\n", "\n"))))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_names_are_accepted() {
        for name in [
            "Jürgen",
            "Groß",
            "O'Brien",
            "Anne-Marie",
            "Hans Peter Friedrich",
            "Zoë",
            "José",
            "Łukasz",
            "Владимир",
            "李",
            "محمد",
            "N’Diaye",
            "Dr. Müller",
            "Ste\u{0301}phane",
        ] {
            assert!(PersonName::parse(name).is_ok(), "{name} should be accepted");
        }
    }

    #[test]
    fn bad_names_are_refused_with_a_reason() {
        let cases: &[(&str, FieldError)] = &[
            ("", FieldError::Required),
            ("   ", FieldError::Required),
            ("<script>alert(1)</script>", FieldError::AngleBrackets),
            (
                "Robert'); DROP TABLE registrations;--",
                FieldError::NameCharacters,
            ),
            ("Anna\u{0000}", FieldError::ControlCharacters),
            ("Anna\u{202E}", FieldError::ControlCharacters),
            ("---", FieldError::NoLetter),
            ("R2D2", FieldError::NameCharacters),
        ];
        for (input, expected) in cases {
            assert_eq!(
                PersonName::parse(input).as_ref(),
                Err(expected),
                "input {input:?}"
            );
        }
        let long = "a".repeat(PersonName::MAX_CHARS + 1);
        assert_eq!(
            PersonName::parse(&long),
            Err(FieldError::TooLong {
                max: PersonName::MAX_CHARS
            })
        );
    }

    #[test]
    fn names_are_trimmed_and_inner_spaces_collapsed() {
        let name = PersonName::parse("  Hans   Peter ").expect("valid");
        assert_eq!(name.as_str(), "Hans Peter");
    }

    #[test]
    fn organisation_keeps_ampersands_and_quotes() {
        let org = ShortText::parse(" Müller & Söhne \"GmbH\" ").expect("valid");
        assert_eq!(org.as_str(), "Müller & Söhne \"GmbH\"");
        assert_eq!(ShortText::parse("<b>x</b>"), Err(FieldError::AngleBrackets));
    }

    #[test]
    fn long_text_allows_newlines_but_no_other_controls() {
        let text = LongText::parse_optional("Rollstuhl\r\nGebärdensprache").expect("valid");
        assert_eq!(
            text.map(|t| t.0),
            Some("Rollstuhl\nGebärdensprache".to_string())
        );
        assert_eq!(
            LongText::parse_optional("a\u{0007}b"),
            Err(FieldError::ControlCharacters)
        );
        assert_eq!(LongText::parse_optional("   "), Ok(None));
    }
}
