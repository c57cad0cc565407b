//! What pages show: template structs and the view models they are filled from.
//! Templates live in `templates/`; askama escapes every value, so no user text is
//! ever marked safe.

use crate::booking::RegistrationWindow;
use crate::db::forums::Forum;
use crate::db::registrations::Registration;
use crate::db::sites::Site;
use crate::domain::{
    FieldErrors, Lang, Localised, Phrase, RawRegistration, Sector, SiteKind, berlin_time,
};
use crate::i18n;
use askama::Template;

pub use super::layout::{Layout, Visitor};

pub fn render<T: Template>(template: &T) -> Result<String, askama::Error> {
    template.render()
}

pub struct ForumView {
    pub title: Localised,
    pub date: String,
    pub description: Localised,
    pub organiser: Localised,
    pub contact_email: String,
    pub contact_phone: Option<String>,
    pub registration_open: bool,
    /// "Die Anmeldung öffnet am …" while registration has not opened yet.
    pub opens_text: Option<String>,
    pub has_stream: bool,
}

impl ForumView {
    pub fn new(forum: &Forum, window: RegistrationWindow, lang: Lang) -> ForumView {
        ForumView {
            title: forum.title_in(lang),
            date: i18n::long_date(forum.event_date, lang),
            description: forum.description_in(lang),
            organiser: forum.organiser_in(lang),
            contact_email: forum.contact_email.clone(),
            contact_phone: forum.contact_phone.clone(),
            registration_open: window == RegistrationWindow::Open,
            opens_text: match window {
                RegistrationWindow::NotYetOpen(opens) => {
                    let local = berlin_time::to_local(opens);
                    let date = i18n::long_date(local.date(), lang);
                    let time = local.format("%H:%M");
                    Some(match lang {
                        Lang::De => format!("Die Anmeldung öffnet am {date} um {time} Uhr."),
                        Lang::En => {
                            format!("Registration opens on {date} at {time} (German time).")
                        }
                    })
                }
                _ => None,
            },
            has_stream: forum.stream_url.is_some(),
        }
    }
}

pub struct SiteView {
    pub slug: String,
    pub name: Localised,
    pub is_stream: bool,
    pub city: Option<String>,
    pub venue: Option<String>,
    pub address: Option<String>,
    pub time: String,
    pub focus: Localised,
    pub full: bool,
    pub seats_text: String,
    pub waitlisted: i64,
}

impl SiteView {
    pub fn new(site: &Site, lang: Lang) -> SiteView {
        SiteView {
            slug: site.slug.clone(),
            name: site.name_in(lang),
            is_stream: site.kind() == SiteKind::Stream,
            city: site.city.clone(),
            venue: site.venue.clone(),
            address: site.address.clone(),
            time: i18n::time_range(site.starts_at, site.ends_at, lang),
            focus: site.focus_in(lang),
            full: site.is_full(),
            seats_text: seats_text(site.available(), lang),
            waitlisted: 0,
        }
    }

    pub fn list(sites: &[Site], lang: Lang) -> Vec<SiteView> {
        sites.iter().map(|s| SiteView::new(s, lang)).collect()
    }

    /// Sites with counts of the people waiting for each.
    pub fn list_with_waiting(sites: &[Site], waiting: &[(i64, i64)], lang: Lang) -> Vec<SiteView> {
        sites
            .iter()
            .map(|site| SiteView {
                waitlisted: waiting
                    .iter()
                    .find(|(id, _)| *id == site.id)
                    .map_or(0, |(_, n)| *n),
                ..SiteView::new(site, lang)
            })
            .collect()
    }
}

fn seats_text(available: Option<i32>, lang: Lang) -> String {
    match (available, lang) {
        (None, Lang::De) => "Plätze unbegrenzt".into(),
        (None, Lang::En) => "no seat limit".into(),
        (Some(0), Lang::De) => "ausgebucht".into(),
        (Some(0), Lang::En) => "fully booked".into(),
        (Some(1), Lang::De) => "noch 1 Platz frei".into(),
        (Some(1), Lang::En) => "1 seat left".into(),
        (Some(n), Lang::De) => format!("noch {n} Plätze frei"),
        (Some(n), Lang::En) => format!("{n} seats left"),
    }
}

#[derive(Template)]
#[template(path = "forum.html")]
pub struct ForumPage {
    pub layout: Layout,
    pub forum: ForumView,
    pub sites: Vec<SiteView>,
    /// For the "send me my link again" form.
    pub csrf_token: String,
}

impl ForumPage {
    /// "vier Standorte und ein Livestream" / "four sites and a live stream".
    pub fn sites_summary(&self) -> String {
        const DE: [&str; 13] = [
            "kein", "ein", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun",
            "zehn", "elf", "zwölf",
        ];
        const EN: [&str; 13] = [
            "no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
            "eleven", "twelve",
        ];
        let venues = self.sites.iter().filter(|s| !s.is_stream).count();
        let stream = self.sites.iter().any(|s| s.is_stream);
        let number = match self.layout.lang {
            Lang::De => DE.get(venues).map_or(venues.to_string(), |w| w.to_string()),
            Lang::En => EN.get(venues).map_or(venues.to_string(), |w| w.to_string()),
        };
        match (self.layout.lang, venues, stream) {
            (Lang::De, 1, false) => "ein Standort".into(),
            (Lang::De, 1, true) => "ein Standort und ein Livestream".into(),
            (Lang::De, _, false) => format!("{number} Standorte"),
            (Lang::De, _, true) => format!("{number} Standorte und ein Livestream"),
            (Lang::En, 1, false) => "one site".into(),
            (Lang::En, 1, true) => "one site and a live stream".into(),
            (Lang::En, _, false) => format!("{number} sites"),
            (Lang::En, _, true) => format!("{number} sites and a live stream"),
        }
    }
}

pub struct SectorOption {
    pub code: &'static str,
    pub label: &'static str,
}

#[derive(Template)]
#[template(path = "register.html")]
pub struct RegisterPage {
    pub layout: Layout,
    pub forum: ForumView,
    pub sites: Vec<SiteView>,
    pub sectors: Vec<SectorOption>,
    pub form: RawRegistration,
    /// (field, message) in form order, for the summary and the fields.
    pub errors: Vec<(&'static str, String)>,
    /// A problem with the submission as a whole (expired form, technical failure).
    pub general_error: Option<String>,
    /// "If the site is full, put me on its waiting list."
    pub waitlist: bool,
    pub csrf_token: String,
    /// Other sites with free seats, shown when the chosen one is full.
    pub alternatives: Vec<SiteView>,
}

/// What each field is called in the form, for the error summary.
fn field_label(field: &str, lang: Lang) -> &'static str {
    let (de, en) = match field {
        "site" => ("Standort", "Site"),
        "first_name" => ("Vorname", "First name"),
        "last_name" => ("Nachname", "Last name"),
        "email" => ("E-Mail-Adresse", "E-mail address"),
        "organisation" => ("Organisation", "Organisation"),
        "sector" => ("Gruppe", "Group"),
        "position" => ("Funktion", "Position"),
        "accessibility_needs" => ("Hinweise zur Teilnahme", "Access needs"),
        "privacy_consent" => ("Einwilligung", "Consent"),
        _ => ("Eingabe", "Input"),
    };
    lang.tr(de, en)
}

/// The order fields appear in the form, so the error summary reads top to bottom.
const FIELD_ORDER: [&str; 9] = [
    "site",
    "first_name",
    "last_name",
    "email",
    "organisation",
    "sector",
    "position",
    "accessibility_needs",
    "privacy_consent",
];

impl RegisterPage {
    pub fn new(
        visitor: &Visitor,
        forum: ForumView,
        sites: Vec<SiteView>,
        form: RawRegistration,
        csrf_token: String,
    ) -> Self {
        RegisterPage {
            layout: Layout::new(
                visitor,
                visitor.tr("Anmeldung", "Registration"),
                forum.title.text.clone(),
            ),
            forum,
            sites,
            sectors: Sector::ALL
                .iter()
                .map(|s| SectorOption {
                    code: s.code(),
                    label: s.label(visitor.lang),
                })
                .collect(),
            form,
            errors: Vec::new(),
            general_error: None,
            waitlist: false,
            csrf_token,
            alternatives: Vec::new(),
        }
    }

    pub fn set_errors(&mut self, errors: &FieldErrors) {
        self.errors = FIELD_ORDER
            .iter()
            .filter_map(|field| {
                errors
                    .get(field)
                    .and_then(|e| e.first())
                    .map(|e| (*field, e.message(self.layout.lang)))
            })
            .collect();
        if !self.errors.is_empty() {
            self.mark_title();
        }
    }

    pub fn add_error(&mut self, field: &'static str, message: String) {
        self.errors.retain(|(f, _)| *f != field);
        self.errors.push((field, message));
        self.errors.sort_by_key(|(f, _)| {
            FIELD_ORDER
                .iter()
                .position(|o| o == f)
                .unwrap_or(usize::MAX)
        });
        self.mark_title();
    }

    pub fn set_general_error(&mut self, message: String) {
        self.general_error = Some(message);
        self.mark_title();
    }

    /// Screen readers announce the title first: it says at once that something is wrong.
    fn mark_title(&mut self) {
        let prefix = self.layout.tr("Fehler: ", "Error: ");
        if !self.layout.title.starts_with(prefix) {
            self.layout.title = format!("{prefix}{}", self.layout.title);
        }
    }

    pub fn has_errors(&self) -> bool {
        self.general_error.is_some() || !self.errors.is_empty()
    }

    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    /// "Nachname: Bitte füllen Sie dieses Feld aus." — the summary names the field.
    pub fn summary_text(&self, field: &str, message: &str) -> String {
        format!("{}: {message}", field_label(field, self.layout.lang))
    }

    /// Where the summary link for `field` jumps to.
    pub fn anchor(&self, field: &str) -> String {
        match (field, self.sites.first()) {
            ("site", Some(first)) => format!("site-{}", first.slug),
            _ => field.to_string(),
        }
    }

    pub fn site_checked(&self, slug: &str) -> bool {
        self.form.site == slug
    }

    pub fn sector_selected(&self, code: &str) -> bool {
        self.form.sector == code
    }
}

pub struct PersonView {
    pub name: String,
    pub email: String,
    pub organisation: String,
    pub sector: String,
    pub position: Option<String>,
    pub accessibility_needs: Option<String>,
    pub status: String,
}

impl PersonView {
    pub fn new(registration: &Registration, lang: Lang) -> PersonView {
        PersonView {
            name: registration.full_name(),
            email: registration.email.clone(),
            organisation: registration.organisation.clone(),
            sector: Sector::parse(&registration.sector)
                .map(|s| s.label(lang).to_string())
                .unwrap_or_else(|_| registration.sector.clone()),
            position: registration.position.clone(),
            accessibility_needs: registration.accessibility_needs.clone(),
            status: match registration.status.as_str() {
                "confirmed" => lang.tr("bestätigt", "confirmed").into(),
                "waitlisted" => lang.tr("auf der Warteliste", "on the waiting list").into(),
                "cancelled" => lang.tr("storniert", "cancelled").into(),
                other => other.to_string(),
            },
        }
    }
}

#[derive(Template)]
#[template(path = "registration.html")]
pub struct RegistrationPage {
    pub layout: Layout,
    pub forum: ForumView,
    pub site: SiteView,
    pub person: PersonView,
    pub token: String,
    pub just_registered: bool,
    pub confirmed: bool,
    pub waitlisted: bool,
    pub cancelled: bool,
    pub waitlist_position: Option<i64>,
    /// Sites with a free seat the participant may switch to.
    pub switch_options: Vec<SiteView>,
    pub stream_link: Option<String>,
    /// Inline SVG we generate from the check-in URL (no user text in it).
    pub checkin_qr: Option<String>,
    /// Days after the forum until the data is anonymised.
    pub retention_days: u32,
    /// What the last action did, shown once after the redirect.
    pub done: Option<String>,
}

/// "Do you really want to …?" before every self-service change.
#[derive(Template)]
#[template(path = "confirm.html")]
pub struct ConfirmPage {
    pub layout: Layout,
    pub heading: String,
    pub question: String,
    pub action: String,
    pub button: String,
    pub site: Option<String>,
    pub csrf_token: String,
    pub back: String,
}

#[derive(Template)]
#[template(path = "resend_link.html")]
pub struct ResendLinkPage {
    pub layout: Layout,
    pub forum: ForumView,
    pub csrf_token: String,
    pub email: String,
    pub error: Option<String>,
    pub sent: bool,
}

#[derive(Template)]
#[template(path = "privacy.html")]
pub struct PrivacyPage {
    pub layout: Layout,
    pub forum: ForumView,
    pub paragraphs: Vec<String>,
    /// `Some("de")` when the notice is shown untranslated on an English page.
    pub text_lang: Option<&'static str>,
    /// How long an organiser session cookie lives, for the list of cookies.
    pub session_hours: i64,
    pub version: String,
}

/// The site explained in easy language (Leichte Sprache / Easy Read), with the
/// sign-language video where there is one: BITV 2.0 § 4 asks both of public bodies.
#[derive(Template)]
#[template(path = "easy_language.html")]
pub struct EasyLanguagePage {
    pub layout: Layout,
    pub forum: ForumView,
    pub sites: Vec<SiteView>,
    pub sign_language_url: Option<String>,
}

/// A page of prose from the forum file: imprint, accessibility statement.
#[derive(Template)]
#[template(path = "text_page.html")]
pub struct TextPage {
    pub layout: Layout,
    pub heading: String,
    pub paragraphs: Vec<String>,
    /// `Some("de")` when the text is shown untranslated on an English page.
    pub text_lang: Option<&'static str>,
    /// Where to write, shown as a mailto link with this label.
    pub contact: Option<(String, String)>,
}

/// Splits a text from the forum file into paragraphs at blank lines.
pub fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub layout: Layout,
    pub heading: String,
    pub message: String,
    pub reference: Option<String>,
}

impl ErrorPage {
    pub fn new(
        visitor: &Visitor,
        heading: Phrase,
        message: &str,
        reference: Option<String>,
    ) -> ErrorPage {
        let heading = heading.get(visitor.lang);
        ErrorPage {
            layout: Layout::new(visitor, heading, visitor.tr("Fachforum", "Forum")),
            heading: heading.into(),
            message: message.into(),
            reference,
        }
    }

    pub fn not_found(visitor: &Visitor) -> ErrorPage {
        ErrorPage::new(
            visitor,
            Phrase::new("Seite nicht gefunden", "Page not found"),
            visitor.tr(
                "Diese Seite gibt es nicht. Prüfen Sie bitte die Adresse oder kehren Sie zur Startseite zurück.",
                "This page does not exist. Please check the address or go back to the home page.",
            ),
            None,
        )
    }

    pub fn bad_request(visitor: &Visitor, why: Phrase) -> ErrorPage {
        ErrorPage::new(
            visitor,
            Phrase::new("Anfrage nicht verständlich", "Request not understood"),
            why.get(visitor.lang),
            None,
        )
    }

    pub fn forbidden(visitor: &Visitor) -> ErrorPage {
        ErrorPage::new(
            visitor,
            Phrase::new("Formular abgelaufen", "Form expired"),
            visitor.tr(
                "Das Formular ist abgelaufen oder kam nicht von dieser Seite. Es wurde nichts geändert. Bitte öffnen Sie die Seite erneut und versuchen Sie es noch einmal.",
                "The form has expired or did not come from this site. Nothing was changed. Please open the page again and try once more.",
            ),
            None,
        )
    }

    pub fn not_allowed(visitor: &Visitor) -> ErrorPage {
        ErrorPage::new(
            visitor,
            Phrase::new("Keine Berechtigung", "Not permitted"),
            visitor.tr(
                "Mit Ihrem Konto können Sie Personen einchecken, aber diese Seite nicht öffnen.",
                "Your account can check people in but cannot open this page.",
            ),
            None,
        )
    }

    pub fn too_many_requests(visitor: &Visitor, secs: u64) -> ErrorPage {
        let message = match visitor.lang {
            Lang::De => format!(
                "Von Ihrem Anschluss kamen in kurzer Zeit zu viele Anfragen. Bitte versuchen Sie es in {secs} Sekunden erneut."
            ),
            Lang::En => format!(
                "Too many requests came from your connection in a short time. Please try again in {secs} seconds."
            ),
        };
        ErrorPage::new(
            visitor,
            Phrase::new("Zu viele Anfragen", "Too many requests"),
            &message,
            None,
        )
    }

    pub fn conflict(visitor: &Visitor, why: Phrase) -> ErrorPage {
        ErrorPage::new(
            visitor,
            Phrase::new(
                "Das ist leider nicht möglich",
                "Sorry, that is not possible",
            ),
            why.get(visitor.lang),
            None,
        )
    }

    pub fn unexpected(visitor: &Visitor, reference: String) -> ErrorPage {
        ErrorPage::new(
            visitor,
            Phrase::new("Ein Fehler ist aufgetreten", "Something went wrong"),
            visitor.tr(
                "Das hat leider nicht geklappt. Ihre Eingaben wurden nicht gespeichert. Bitte versuchen Sie es in einigen Minuten erneut oder wenden Sie sich mit der Referenz unten an die Organisatoren.",
                "Sorry, that did not work. Nothing you entered was saved. Please try again in a few minutes, or contact the organisers and quote the reference below.",
            ),
            Some(reference),
        )
    }
}
