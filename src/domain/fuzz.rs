//! Property tests: many generated inputs against the parsers, checking that nothing
//! panics and that every accepted value keeps the type's promises. Bounded for CI;
//! set `FUZZ_ITERATIONS` to run longer.

use super::*;

/// xorshift64*: deterministic, so a failure names its seed and can be replayed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// A string that mixes what real people type with what attackers and broken
    /// clients send.
    pub fn text(&mut self, max_len: usize) -> String {
        const PIECES: &[&str] = &[
            "a",
            "Z",
            "ä",
            "ß",
            "é",
            "Ł",
            "Ж",
            "李",
            "م",
            "\u{0301}",
            " ",
            "  ",
            "\t",
            "\n",
            "\r\n",
            "\0",
            "\u{7}",
            "\u{202E}",
            "\u{200B}",
            "\u{FEFF}",
            "-",
            "'",
            "’",
            ".",
            ",",
            ";",
            "@",
            "<",
            ">",
            "\"",
            "&",
            "%",
            "_",
            "\\",
            "(",
            ")",
            "=",
            "+",
            "1",
            "0",
            "example.org",
            "@beispiel.de",
            "DROP TABLE",
            "<script>",
            "😀",
            "\u{10FFFF}",
            "🇩🇪",
        ];
        let len = self.below(max_len + 1);
        (0..len).map(|_| PIECES[self.below(PIECES.len())]).collect()
    }
}

pub fn iterations(default: usize) -> usize {
    std::env::var("FUZZ_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn clean(value: &str) -> bool {
    !value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
        && value.trim() == value
}

#[test]
fn accepted_values_keep_their_promises() {
    let mut rng = Rng::new(0x5eed_f00d);
    for i in 0..iterations(20_000) {
        let input = rng.text(120);
        if let Ok(name) = PersonName::parse(&input) {
            let s = name.as_str();
            assert!(
                !s.is_empty() && s.chars().count() <= PersonName::MAX_CHARS,
                "#{i} {input:?}"
            );
            assert!(
                clean(s) && !s.contains(['<', '>', '\n', '\t']),
                "#{i} {input:?} -> {s:?}"
            );
            assert_eq!(PersonName::parse(s).as_ref(), Ok(&name), "#{i} idempotent");
        }
        if let Ok(text) = ShortText::parse(&input) {
            let s = text.as_str();
            assert!(
                s.chars().count() <= ShortText::MAX_CHARS && clean(s) && !s.contains('\n'),
                "#{i} {s:?}"
            );
            assert_eq!(ShortText::parse(s).as_ref(), Ok(&text), "#{i} idempotent");
        }
        if let Ok(Some(text)) = LongText::parse_optional(&input) {
            assert!(text.as_str().chars().count() <= LongText::MAX_CHARS, "#{i}");
            assert!(
                !text.as_str().contains('\r') && clean(text.as_str()),
                "#{i} {:?}",
                text.as_str()
            );
        }
        if let Ok(email) = EmailAddress::parse(&input) {
            let s = email.as_str();
            assert_eq!(s.matches('@').count(), 1, "#{i} {s:?}");
            assert!(
                !s.chars().any(char::is_whitespace) && !s.contains(['<', '>', '"']),
                "#{i} {s:?}"
            );
            assert_eq!(email.key(), s.to_lowercase(), "#{i}");
            assert_eq!(
                EmailAddress::parse(s).map(|e| e.key().to_string()),
                Ok(email.key().to_string())
            );
        }
        let _ = Sector::parse(&input);
        let _ = Token::parse(&input);
    }
}

#[test]
fn registration_requests_never_panic() {
    let mut rng = Rng::new(42);
    for _ in 0..iterations(5_000) {
        let raw = RawRegistration {
            site: rng.text(10),
            first_name: rng.text(30),
            last_name: rng.text(30),
            email: rng.text(30),
            organisation: rng.text(30),
            sector: if rng.below(2) == 0 {
                "company".into()
            } else {
                rng.text(5)
            },
            position: rng.text(10),
            accessibility_needs: rng.text(40),
            privacy_consent: rng.below(2) == 0,
        };
        if let Err(errors) = NewRegistration::parse(&raw) {
            assert!(!errors.is_empty());
            for (_, errs) in errors.iter() {
                assert!(errs.iter().all(|e| !e.message(Lang::De).is_empty() && !e.message(Lang::En).is_empty()));
            }
        }
    }
}

#[test]
fn broken_forum_files_are_refused_without_panicking() {
    let example = include_str!("../../forum.example.toml");
    let mut rng = Rng::new(7);
    for _ in 0..iterations(2_000) {
        let mut text: Vec<char> = example.chars().collect();
        for _ in 0..1 + rng.below(6) {
            let at = rng.below(text.len());
            match rng.below(3) {
                0 => {
                    text.remove(at);
                }
                1 => text.insert(at, rng.text(3).chars().next().unwrap_or('x')),
                _ => text[at] = ['"', '=', '[', '\n', '9', '-', ':'][rng.below(7)],
            }
        }
        let text: String = text.into_iter().collect();
        if let Ok(forum) = ForumDefinition::from_toml(&text) {
            assert!(!forum.sites.is_empty());
            assert!(forum.sites.iter().all(|s| s.ends_at > s.starts_at));
        }
    }
}
