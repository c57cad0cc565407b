//! A forum and its sites as described in a forum file (TOML), checked before import.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::Deserialize;
use std::collections::HashSet;

/// How many seats a venue has. Zero is allowed: a site that is announced but not yet open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Capacity(u32);

impl Capacity {
    pub const MAX: u32 = 100_000;

    pub fn new(seats: i64) -> Result<Capacity, String> {
        if !(0..=i64::from(Self::MAX)).contains(&seats) {
            return Err(format!(
                "capacity must be between 0 and {}, not {seats}",
                Self::MAX
            ));
        }
        u32::try_from(seats)
            .map(Capacity)
            .map_err(|_| format!("capacity {seats} is out of range"))
    }

    pub fn seats(self) -> u32 {
        self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SiteKind {
    /// A room with a seat limit.
    Venue,
    /// The live stream: no seats, so no limit unless the file sets one.
    Stream,
}

impl SiteKind {
    pub fn code(self) -> &'static str {
        match self {
            SiteKind::Venue => "venue",
            SiteKind::Stream => "stream",
        }
    }

    pub fn from_code(code: &str) -> Option<SiteKind> {
        match code {
            "venue" => Some(SiteKind::Venue),
            "stream" => Some(SiteKind::Stream),
            _ => None,
        }
    }
}

/// A forum as the organisers describe it. Only `ForumDefinition::from_toml` builds one.
#[derive(Debug, Clone)]
pub struct ForumDefinition {
    pub slug: String,
    pub title: String,
    pub date: NaiveDate,
    pub description: String,
    pub organiser: String,
    pub contact_email: String,
    pub contact_phone: Option<String>,
    pub stream_url: Option<String>,
    pub privacy_notice: String,
    pub privacy_version: String,
    /// UTC instants; `None`: open from import until the forum day is over.
    pub registration_opens_at: Option<NaiveDateTime>,
    pub registration_closes_at: Option<NaiveDateTime>,
    /// Imprint (Impressum) text; required of public bodies' web offers.
    pub imprint: Option<String>,
    /// The accessibility statement (Erklärung zur Barrierefreiheit) and where feedback goes.
    pub accessibility_statement: Option<String>,
    pub accessibility_contact: Option<String>,
    /// A video in German Sign Language about the site (BITV 2.0 § 4), linked from the
    /// easy-language page.
    pub sign_language_url: Option<String>,
    /// The forum's own texts in English, where the organisers translated them.
    pub english: EnglishTexts,
    pub sites: Vec<SiteDefinition>,
}

/// The `[en]` table of a forum file. Every text is optional: English pages fall back
/// to the German original (marked as German for screen readers).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnglishTexts {
    pub title: Option<String>,
    pub description: Option<String>,
    pub organiser: Option<String>,
    pub privacy_notice: Option<String>,
    pub imprint: Option<String>,
    pub accessibility_statement: Option<String>,
}

impl EnglishTexts {
    fn trimmed(self) -> EnglishTexts {
        EnglishTexts {
            title: optional(self.title),
            description: optional(self.description),
            organiser: optional(self.organiser),
            privacy_notice: optional(self.privacy_notice),
            imprint: optional(self.imprint),
            accessibility_statement: optional(self.accessibility_statement),
        }
    }
}

#[derive(Debug, Clone)]
pub struct SiteDefinition {
    pub slug: String,
    pub kind: SiteKind,
    pub name: String,
    pub city: Option<String>,
    pub venue: Option<String>,
    pub address: Option<String>,
    /// Local wall-clock time in Europe/Berlin, as printed on the programme.
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub focus: String,
    /// English name and focus, if translated ("Live stream").
    pub name_en: Option<String>,
    pub focus_en: Option<String>,
    /// `None` means unlimited (the stream).
    pub capacity: Option<Capacity>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ForumFile {
    slug: String,
    title: String,
    date: String,
    description: String,
    organiser: String,
    contact_email: String,
    contact_phone: Option<String>,
    stream_url: Option<String>,
    privacy_notice: String,
    privacy_version: String,
    /// Berlin time, "2027-01-10 08:00".
    registration_opens: Option<String>,
    registration_closes: Option<String>,
    imprint: Option<String>,
    accessibility_statement: Option<String>,
    accessibility_contact: Option<String>,
    sign_language_url: Option<String>,
    #[serde(default)]
    en: EnglishTexts,
    #[serde(default)]
    sites: Vec<SiteFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SiteFile {
    slug: String,
    kind: String,
    name: String,
    city: Option<String>,
    venue: Option<String>,
    address: Option<String>,
    starts: String,
    ends: String,
    #[serde(default)]
    focus: String,
    name_en: Option<String>,
    focus_en: Option<String>,
    capacity: Option<i64>,
}

fn valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 64
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn non_empty(field: &str, value: String) -> Result<String, String> {
    let value = value.trim().to_string();
    if value.is_empty() {
        Err(format!("{field} must not be empty"))
    } else {
        Ok(value)
    }
}

fn optional(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

impl ForumDefinition {
    /// Parses and checks a forum file; the error says what to fix, in operator's terms.
    pub fn from_toml(text: &str) -> Result<ForumDefinition, String> {
        let file: ForumFile = toml::from_str(text).map_err(|e| e.to_string())?;
        if !valid_slug(&file.slug) {
            return Err(format!(
                "forum slug {:?} must be 1-64 characters of a-z, 0-9 and '-'",
                file.slug
            ));
        }
        let date = NaiveDate::parse_from_str(file.date.trim(), "%Y-%m-%d")
            .map_err(|_| format!("date {:?} must look like 2027-03-18", file.date))?;
        if !file.contact_email.contains('@') {
            return Err(format!(
                "contact_email {:?} is not an e-mail address",
                file.contact_email
            ));
        }
        if let Some(url) = optional(file.sign_language_url.clone())
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            return Err(format!(
                "sign_language_url {url:?} must be an http:// or https:// address"
            ));
        }
        if file.sites.is_empty() {
            return Err("a forum needs at least one [[sites]] entry".into());
        }
        let berlin = |field: &str,
                      value: Option<String>|
         -> Result<Option<NaiveDateTime>, String> {
            value
                .map(|v| {
                    NaiveDateTime::parse_from_str(v.trim(), "%Y-%m-%d %H:%M")
                        .map(super::berlin_time::to_utc)
                        .map_err(|_| format!("{field} {v:?} must look like \"2027-01-10 08:00\""))
                })
                .transpose()
        };
        let registration_opens_at = berlin("registration_opens", file.registration_opens)?;
        let registration_closes_at = berlin("registration_closes", file.registration_closes)?;
        if let (Some(opens), Some(closes)) = (registration_opens_at, registration_closes_at)
            && closes <= opens
        {
            return Err("registration_closes must be after registration_opens".into());
        }
        let mut seen = HashSet::new();
        let mut sites = Vec::with_capacity(file.sites.len());
        for site in file.sites {
            if !seen.insert(site.slug.clone()) {
                return Err(format!("site slug {:?} appears twice", site.slug));
            }
            sites.push(SiteDefinition::from_file(site, date)?);
        }
        Ok(ForumDefinition {
            slug: file.slug,
            title: non_empty("title", file.title)?,
            date,
            description: file.description.trim().to_string(),
            organiser: non_empty("organiser", file.organiser)?,
            contact_email: file.contact_email.trim().to_string(),
            contact_phone: optional(file.contact_phone),
            stream_url: optional(file.stream_url),
            privacy_notice: non_empty("privacy_notice", file.privacy_notice)?,
            privacy_version: non_empty("privacy_version", file.privacy_version)?,
            registration_opens_at,
            registration_closes_at,
            imprint: optional(file.imprint),
            accessibility_statement: optional(file.accessibility_statement),
            accessibility_contact: optional(file.accessibility_contact),
            sign_language_url: optional(file.sign_language_url),
            english: file.en.trimmed(),
            sites,
        })
    }
}

impl SiteDefinition {
    fn from_file(site: SiteFile, date: NaiveDate) -> Result<SiteDefinition, String> {
        let label = format!("site {:?}", site.slug);
        if !valid_slug(&site.slug) {
            return Err(format!(
                "{label}: slug must be 1-64 characters of a-z, 0-9 and '-'"
            ));
        }
        let kind = SiteKind::from_code(&site.kind)
            .ok_or_else(|| format!("{label}: kind must be \"venue\" or \"stream\""))?;
        let time = |field: &str, value: &str| {
            NaiveTime::parse_from_str(value.trim(), "%H:%M")
                .map(|t| date.and_time(t))
                .map_err(|_| format!("{label}: {field} {value:?} must look like 09:30"))
        };
        let starts_at = time("starts", &site.starts)?;
        let ends_at = time("ends", &site.ends)?;
        if ends_at <= starts_at {
            return Err(format!("{label}: ends must be after starts"));
        }
        let capacity = site
            .capacity
            .map(Capacity::new)
            .transpose()
            .map_err(|e| format!("{label}: {e}"))?;
        let (city, venue, address) = (
            optional(site.city),
            optional(site.venue),
            optional(site.address),
        );
        if kind == SiteKind::Venue {
            if capacity.is_none() {
                return Err(format!("{label}: a venue needs a capacity"));
            }
            if city.is_none() || venue.is_none() || address.is_none() {
                return Err(format!("{label}: a venue needs city, venue and address"));
            }
        }
        Ok(SiteDefinition {
            name: non_empty(&format!("{label}: name"), site.name)?,
            slug: site.slug,
            kind,
            city,
            venue,
            address,
            starts_at,
            ends_at,
            focus: site.focus.trim().to_string(),
            name_en: optional(site.name_en),
            focus_en: optional(site.focus_en),
            capacity,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../../forum.example.toml");

    #[test]
    fn the_shipped_example_is_valid() {
        let forum = ForumDefinition::from_toml(EXAMPLE).expect("example parses");
        assert_eq!(forum.sites.len(), 5);
        let seats: u32 = forum
            .sites
            .iter()
            .filter_map(|s| s.capacity)
            .map(Capacity::seats)
            .sum();
        assert_eq!(seats, 170);
        assert!(
            forum
                .sites
                .iter()
                .any(|s| s.kind == SiteKind::Stream && s.capacity.is_none())
        );
    }

    #[test]
    fn english_texts_are_optional_and_checked() {
        let forum = ForumDefinition::from_toml(EXAMPLE).expect("example parses");
        assert_eq!(
            forum.english.title.as_deref(),
            Some("Skilled Labour Forum Saxony 2027")
        );
        let stream = forum
            .sites
            .iter()
            .find(|s| s.slug == "stream")
            .expect("stream");
        assert_eq!(stream.name_en.as_deref(), Some("Live stream"));
        assert!(forum.sites[0].name_en.is_none(), "Görlitz is Görlitz");

        let start = EXAMPLE.find("[en]").expect("[en] table");
        let end = EXAMPLE[start..].find("[[sites]]").expect("sites") + start;
        let without = format!("{}{}", &EXAMPLE[..start], &EXAMPLE[end..]);
        let forum = ForumDefinition::from_toml(&without).expect("without [en]");
        assert!(forum.english.title.is_none() && forum.english.description.is_none());

        let typo = EXAMPLE.replacen("[en]\ntitle =", "[en]\ntitel =", 1);
        assert_ne!(typo, EXAMPLE);
        let err = ForumDefinition::from_toml(&typo).expect_err("unknown key in [en]");
        assert!(err.contains("titel"), "{err}");
    }

    #[test]
    fn mistakes_in_the_file_are_explained() {
        let broken = EXAMPLE.replacen("capacity = 35", "capacity = -1", 1);
        let err = ForumDefinition::from_toml(&broken).expect_err("negative capacity");
        assert!(err.contains("capacity"), "{err}");

        let broken = EXAMPLE.replacen(
            "sign_language_url = \"https://",
            "sign_language_url = \"javascript://",
            1,
        );
        assert_ne!(broken, EXAMPLE);
        let err = ForumDefinition::from_toml(&broken).expect_err("not a web address");
        assert!(err.contains("sign_language_url"), "{err}");

        let broken = EXAMPLE.replacen("starts = \"09:30\"", "starts = \"halb zehn\"", 1);
        let err = ForumDefinition::from_toml(&broken).expect_err("bad time");
        assert!(err.contains("starts"), "{err}");
    }
}
