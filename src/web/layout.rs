//! What every page shares: who is reading (their language, the language switch) and
//! the frame `templates/base.html` draws around each page.

use crate::db::forums::Forum;
use crate::domain::{Lang, Localised};
use actix_web::HttpRequest;

/// Who is looking: the language they read and the same page in the other language.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub lang: Lang,
    switch_href: String,
}

impl Visitor {
    pub fn of(req: &HttpRequest) -> Visitor {
        let lang = super::lang::request_lang(req);
        Visitor {
            lang,
            switch_href: super::lang::switch_href(req, lang.other()),
        }
    }

    /// A participant's own pages: the language they chose with the switch, else the one
    /// they registered in — the link in an English mail opens an English page even in
    /// a browser that prefers German.
    pub fn participant(req: &HttpRequest, registered_in: Lang) -> Visitor {
        let lang = super::lang::chosen_lang(req).unwrap_or(registered_in);
        Visitor {
            lang,
            switch_href: super::lang::switch_href(req, lang.other()),
        }
    }

    /// For pages rendered without a request (an error raised before routing).
    pub fn default_for(lang: Lang) -> Visitor {
        Visitor {
            lang,
            switch_href: format!("/?lang={}", lang.other().code()),
        }
    }

    pub fn tr<'a>(&self, german: &'a str, english: &'a str) -> &'a str {
        self.lang.tr(german, english)
    }
}

/// What `base.html` needs on every page.
pub struct Layout {
    pub lang: Lang,
    pub title: String,
    pub forum_title: String,
    /// This page in the other language (the switch in the header).
    pub switch_href: String,
}

impl Layout {
    pub fn new(
        visitor: &Visitor,
        title: impl Into<String>,
        forum_title: impl Into<String>,
    ) -> Layout {
        Layout {
            lang: visitor.lang,
            title: title.into(),
            forum_title: forum_title.into(),
            switch_href: visitor.switch_href.clone(),
        }
    }

    /// The page's title is the forum's own, in the visitor's language where translated.
    pub fn for_forum(visitor: &Visitor, title: impl Into<String>, forum: &Forum) -> Layout {
        Layout::new(visitor, title, forum.title_in(visitor.lang).text)
    }

    /// Templates write both texts side by side: `{{ layout.tr("Standorte", "Sites") }}`.
    pub fn tr<'a>(&self, german: &'a str, english: &'a str) -> &'a str {
        self.lang.tr(german, english)
    }

    pub fn en(&self) -> bool {
        self.lang.is_english()
    }

    /// `lang="de"` around data from the forum file that is never translated (venues,
    /// addresses) when the page is English, so screen readers pronounce it as German.
    pub fn german_data(&self) -> &'static str {
        if self.en() { " lang=de" } else { "" }
    }

    /// `lang="de"` for a text shown untranslated on an English page.
    pub fn lang_of(&self, text: &Localised) -> String {
        text.lang_attr(self.lang)
            .map(|code| format!(" lang={code}"))
            .unwrap_or_default()
    }
}
