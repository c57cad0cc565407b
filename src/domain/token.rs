//! Unguessable tokens for personal links, check-in codes, CSRF and Message-IDs.

/// 128 bits from the operating system's CSPRNG, as 32 lowercase hex characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    pub fn generate() -> Token {
        let mut bytes = [0u8; 16];
        // The OS RNG failing means the machine cannot do cryptography at all;
        // continuing with a predictable token would be worse than stopping.
        getrandom::fill(&mut bytes).expect("operating system random number generator failed");
        Token(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// Accepts only what `generate` produces, so a URL segment can be checked
    /// before it reaches the database.
    pub fn parse(raw: &str) -> Option<Token> {
        (raw.len() == 32
            && raw
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
        .then(|| Token(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_parse_and_differ() {
        let a = Token::generate();
        let b = Token::generate();
        assert_ne!(a, b);
        assert_eq!(Token::parse(a.as_str()), Some(a));
        assert_eq!(Token::parse("xyz"), None);
        assert_eq!(Token::parse(&"G".repeat(32)), None);
    }
}
