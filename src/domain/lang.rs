//! The two languages pages and mails are written in, and texts that come in both.

/// The language a page, an error message or a mail is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    De,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::De => "de",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "de" => Some(Lang::De),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The text for this language, given both. Keeping the two side by side where
    /// they are used makes a missing translation impossible to compile.
    pub fn tr<'a>(self, german: &'a str, english: &'a str) -> &'a str {
        match self {
            Lang::De => german,
            Lang::En => english,
        }
    }

    pub fn is_english(self) -> bool {
        self == Lang::En
    }

    /// The other language, for the switch in the page header.
    pub fn other(self) -> Lang {
        match self {
            Lang::De => Lang::En,
            Lang::En => Lang::De,
        }
    }
}

/// A text from the forum file in the language asked for, or the German original with
/// `lang` saying so, so pages can mark it (`lang="de"`) for screen readers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Localised {
    pub text: String,
    pub lang: Lang,
}

impl Localised {
    pub fn pick(lang: Lang, german: &str, english: Option<&str>) -> Localised {
        match (lang, english) {
            (Lang::En, Some(english)) => Localised {
                text: english.to_string(),
                lang: Lang::En,
            },
            _ => Localised {
                text: german.to_string(),
                lang: Lang::De,
            },
        }
    }

    /// The `lang` attribute to put on the element holding the text when it differs
    /// from the page's language.
    pub fn lang_attr(&self, page: Lang) -> Option<&'static str> {
        (self.lang != page).then(|| self.lang.code())
    }
}

/// A fixed text in both languages, for messages chosen before the reader is known
/// (an error raised deep in a handler, rendered later).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Phrase {
    pub de: &'static str,
    pub en: &'static str,
}

impl Phrase {
    pub const fn new(de: &'static str, en: &'static str) -> Phrase {
        Phrase { de, en }
    }

    pub fn get(self, lang: Lang) -> &'static str {
        lang.tr(self.de, self.en)
    }
}
