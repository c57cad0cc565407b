//! What pages show: template structs and the view models they are filled from.
//! Templates live in `templates/`; askama escapes every value, so no user text is
//! ever marked safe.

use crate::booking::RegistrationWindow;
use crate::db::forums::Forum;
use crate::db::registrations::Registration;
use crate::db::sites::Site;
use crate::domain::{FieldErrors, Lang, RawRegistration, Sector, SiteKind, berlin_time};
use crate::i18n;
use askama::Template;

pub fn render<T: Template>(template: &T) -> Result<String, askama::Error> {
    template.render()
}

/// What `base.html` needs on every page.
pub struct Layout {
    pub lang: &'static str,
    pub title: String,
    pub forum_title: String,
}

impl Layout {
    pub fn new(title: impl Into<String>, forum_title: impl Into<String>) -> Layout {
        Layout {
            lang: Lang::De.code(),
            title: title.into(),
            forum_title: forum_title.into(),
        }
    }
}

pub struct ForumView {
    pub title: String,
    pub date: String,
    pub description: String,
    pub organiser: String,
    pub contact_email: String,
    pub contact_phone: Option<String>,
    pub registration_open: bool,
    /// "Die Anmeldung öffnet am …" while registration has not opened yet.
    pub opens_text: Option<String>,
    pub has_stream: bool,
}

impl ForumView {
    pub fn new(forum: &Forum, window: RegistrationWindow) -> ForumView {
        ForumView {
            title: forum.title.clone(),
            date: i18n::long_date(forum.event_date, Lang::De),
            description: forum.description.clone(),
            organiser: forum.organiser.clone(),
            contact_email: forum.contact_email.clone(),
            contact_phone: forum.contact_phone.clone(),
            registration_open: window == RegistrationWindow::Open,
            opens_text: match window {
                RegistrationWindow::NotYetOpen(opens) => {
                    let local = berlin_time::to_local(opens);
                    Some(format!(
                        "Die Anmeldung öffnet am {} um {} Uhr.",
                        i18n::long_date(local.date(), Lang::De),
                        local.format("%H:%M")
                    ))
                }
                _ => None,
            },
            has_stream: forum.stream_url.is_some(),
        }
    }
}

pub struct SiteView {
    pub slug: String,
    pub name: String,
    pub is_stream: bool,
    pub city: Option<String>,
    pub venue: Option<String>,
    pub address: Option<String>,
    pub time: String,
    pub focus: String,
    pub full: bool,
    pub seats_text: String,
    pub waitlisted: i64,
}

impl SiteView {
    pub fn new(site: &Site) -> SiteView {
        SiteView {
            slug: site.slug.clone(),
            name: site.name.clone(),
            is_stream: site.kind() == SiteKind::Stream,
            city: site.city.clone(),
            venue: site.venue.clone(),
            address: site.address.clone(),
            time: i18n::time_range(site.starts_at, site.ends_at, Lang::De),
            focus: site.focus.clone(),
            full: site.is_full(),
            seats_text: seats_text(site.available()),
            waitlisted: 0,
        }
    }

    pub fn list(sites: &[Site]) -> Vec<SiteView> {
        sites.iter().map(SiteView::new).collect()
    }

    /// Sites with counts of the people waiting for each.
    pub fn list_with_waiting(sites: &[Site], waiting: &[(i64, i64)]) -> Vec<SiteView> {
        sites
            .iter()
            .map(|site| SiteView {
                waitlisted: waiting
                    .iter()
                    .find(|(id, _)| *id == site.id)
                    .map_or(0, |(_, n)| *n),
                ..SiteView::new(site)
            })
            .collect()
    }
}

fn seats_text(available: Option<i32>) -> String {
    match available {
        None => "Plätze unbegrenzt".into(),
        Some(0) => "ausgebucht".into(),
        Some(1) => "noch 1 Platz frei".into(),
        Some(n) => format!("noch {n} Plätze frei"),
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
fn field_label(field: &str) -> &'static str {
    match field {
        "site" => "Standort",
        "first_name" => "Vorname",
        "last_name" => "Nachname",
        "email" => "E-Mail-Adresse",
        "organisation" => "Organisation",
        "sector" => "Gruppe",
        "position" => "Funktion",
        "accessibility_needs" => "Hinweise zur Teilnahme",
        "privacy_consent" => "Einwilligung",
        _ => "Eingabe",
    }
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
        forum: ForumView,
        sites: Vec<SiteView>,
        form: RawRegistration,
        csrf_token: String,
    ) -> Self {
        RegisterPage {
            layout: Layout::new("Anmeldung", forum.title.clone()),
            forum,
            sites,
            sectors: Sector::ALL
                .iter()
                .map(|s| SectorOption {
                    code: s.code(),
                    label: s.label(Lang::De),
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
                    .map(|e| (*field, e.message(Lang::De)))
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
        if !self.layout.title.starts_with("Fehler") {
            self.layout.title = format!("Fehler: {}", self.layout.title);
        }
    }

    pub fn set_general_error(&mut self, message: String) {
        self.general_error = Some(message);
        self.mark_title();
    }

    fn mark_title(&mut self) {
        if !self.layout.title.starts_with("Fehler") {
            self.layout.title = format!("Fehler: {}", self.layout.title);
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
        format!("{}: {message}", field_label(field))
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
    pub fn new(registration: &Registration) -> PersonView {
        PersonView {
            name: registration.full_name(),
            email: registration.email.clone(),
            organisation: registration.organisation.clone(),
            sector: Sector::parse(&registration.sector)
                .map(|s| s.label(Lang::De).to_string())
                .unwrap_or_else(|_| registration.sector.clone()),
            position: registration.position.clone(),
            accessibility_needs: registration.accessibility_needs.clone(),
            status: match registration.status.as_str() {
                "confirmed" => "bestätigt".into(),
                "waitlisted" => "auf der Warteliste".into(),
                "cancelled" => "storniert".into(),
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
    pub version: String,
}

/// A page of prose from the forum file: imprint, accessibility statement.
#[derive(Template)]
#[template(path = "text_page.html")]
pub struct TextPage {
    pub layout: Layout,
    pub heading: String,
    pub paragraphs: Vec<String>,
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
    fn new(heading: &str, message: &str, reference: Option<String>) -> ErrorPage {
        ErrorPage {
            layout: Layout::new(heading, "Fachforum"),
            heading: heading.into(),
            message: message.into(),
            reference,
        }
    }

    pub fn not_found() -> ErrorPage {
        ErrorPage::new(
            "Seite nicht gefunden",
            "Diese Seite gibt es nicht. Prüfen Sie bitte die Adresse oder kehren Sie zur Startseite zurück.",
            None,
        )
    }

    pub fn bad_request(why: &str) -> ErrorPage {
        ErrorPage::new("Anfrage nicht verständlich", why, None)
    }

    pub fn forbidden() -> ErrorPage {
        ErrorPage::new(
            "Formular abgelaufen",
            "Das Formular ist abgelaufen oder kam nicht von dieser Seite. Es wurde nichts geändert. Bitte öffnen Sie die Seite erneut und versuchen Sie es noch einmal.",
            None,
        )
    }

    pub fn not_allowed() -> ErrorPage {
        ErrorPage::new(
            "Keine Berechtigung",
            "Mit Ihrem Konto können Sie Personen einchecken, aber diese Seite nicht öffnen.",
            None,
        )
    }

    pub fn too_many_requests(secs: u64) -> ErrorPage {
        ErrorPage::new(
            "Zu viele Anfragen",
            &format!(
                "Von Ihrem Anschluss kamen in kurzer Zeit zu viele Anfragen. Bitte versuchen Sie es in {secs} Sekunden erneut."
            ),
            None,
        )
    }

    pub fn conflict(why: &str) -> ErrorPage {
        ErrorPage::new("Das ist leider nicht möglich", why, None)
    }

    pub fn unexpected(reference: String) -> ErrorPage {
        ErrorPage::new(
            "Ein Fehler ist aufgetreten",
            "Das hat leider nicht geklappt. Ihre Eingaben wurden nicht gespeichert. Bitte versuchen Sie es in einigen Minuten erneut oder wenden Sie sich mit der Referenz unten an die Organisatoren.",
            Some(reference),
        )
    }
}
