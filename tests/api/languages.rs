//! German and English: the language comes from the switch (kept in a cookie) or the
//! browser's Accept-Language; mails follow the language someone registered in; and no
//! German words leak into English pages or English words into German ones — checked by
//! reading every rendered page and mail.

use crate::helpers::*;
use crate::on_both_backends;
use crate::pages::{prepare, tour, tour_forum};
use awc::http::StatusCode;
use std::collections::BTreeSet;
use std::time::Duration;

/// Words that only a German text would contain. Umlauts and ß count as well.
const GERMAN: &[&str] = &[
    "und",
    "der",
    "die",
    "das",
    "den",
    "dem",
    "des",
    "Sie",
    "Ihre",
    "Ihr",
    "Ihren",
    "Ihrer",
    "nicht",
    "oder",
    "mit",
    "zum",
    "zur",
    "ist",
    "sind",
    "werden",
    "wird",
    "bitte",
    "Bitte",
    "Anmeldung",
    "Standort",
    "Standorte",
    "Warteliste",
    "Seite",
    "Uhr",
    "Impressum",
    "Startseite",
    "Teilnehmende",
    "Gruppe",
    "Funktion",
    "Einwilligung",
    "Abmelden",
    "Speichern",
    "Suchen",
    "einchecken",
    "eingecheckt",
    "storniert",
    "noch",
    "von",
    "auf",
    "ein",
    "eine",
    "einen",
    "im",
    "Livestream",
    "Fehler",
    "Kapazität",
    "Anwesenheitsliste",
    "Gesamt",
    "Versuche",
    "Erstellt",
    "Versendet",
    "nein",
    "ja",
    "Passwort",
    "Referenz",
    "Zum",
    "Zur",
    "Datum",
    "Kontakt",
    "Telefon",
    "Schwerpunkt",
    "Fassung",
    "Prozent",
    "belegt",
    "Anmeldungen",
    "Tag",
    "Tage",
    "Personen",
    "Person",
    "Alle",
    "alle",
    "erneut",
    "Zeitverlauf",
    "Listen",
    "Aktionen",
    "wechseln",
    "Wechseln",
    "senden",
    "Senden",
    "Angaben",
    "Daten",
    "Hinweise",
    "Sortierung",
    "Anzeigen",
    "Seiten",
    "Vorherige",
    "gefunden",
    "Stand",
    "automatisch",
    "aktualisieren",
    "Sekunden",
    "Gruppen",
    "je",
    "erwartet",
    "Auslastung",
    "unbegrenzt",
    "Storniert",
    "Eingecheckt",
    "Angemeldet",
    "Organisatoren",
    "Anmelden",
    "Abbrechen",
    "Adresse",
    "Veranstaltungsort",
];

/// Words that only an English text would contain.
const ENGLISH: &[&str] = &[
    "the",
    "The",
    "and",
    "your",
    "Your",
    "you",
    "You",
    "with",
    "for",
    "Please",
    "please",
    "Register",
    "register",
    "registration",
    "Registration",
    "Sites",
    "site",
    "seats",
    "seat",
    "waiting",
    "list",
    "Privacy",
    "Home",
    "Skip",
    "Cancel",
    "Search",
    "Save",
    "Sign",
    "Log",
    "Overview",
    "Participants",
    "Group",
    "Focus",
    "required",
    "optional",
    "Send",
    "of",
    "to",
    "is",
    "are",
    "on",
    "at",
    "Error",
    "Capacity",
    "Total",
    "Attempts",
    "Created",
    "Sent",
    "Password",
    "Reference",
    "Date",
    "Contact",
    "Phone",
    "Version",
    "link",
    "E-mail",
    "Imprint",
    "Accessibility",
    "statement",
    "Thank",
    "Live",
    "stream",
    "Percent",
    "percent",
    "booked",
    "Registrations",
    "day",
    "people",
    "All",
    "all",
    "again",
    "Actions",
    "Switch",
    "Change",
    "details",
    "data",
    "Sort",
    "Show",
    "Pages",
    "Next",
    "Previous",
    "found",
    "Updated",
    "automatically",
    "refresh",
    "seconds",
    "Groups",
    "expected",
    "unlimited",
    "Confirmed",
    "Cancelled",
    "Checked",
    "Registered",
    "organisers",
    "Waiting",
    "Delete",
    "Download",
    "calendar",
    "Venue",
    "Address",
];

/// Names, places and other data that stay as they are in either language.
fn data_values() -> Vec<String> {
    let forum: toml::Value = toml::from_str(&tour_forum()).expect("forum file");
    let mut values: Vec<String> = forum["sites"]
        .as_array()
        .expect("sites")
        .iter()
        .flat_map(|site| {
            ["venue", "address", "city"]
                .into_iter()
                .filter_map(|key| site.get(key).and_then(|v| v.as_str()).map(String::from))
        })
        .collect();
    values.extend(
        [
            "Jürgen",
            "Groß",
            "Handwerkskammer Dresden",
            "Referent Fachkräftesicherung",
            "Anna",
            "Voll",
            "IHK Dresden",
            "Musterstraße",
            "Görlitz",
            // Proper names inside the forum texts.
            "Web Content Accessibility Guidelines",
        ]
        .map(String::from),
    );
    // Longest first, so a venue is removed before the city inside it.
    values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    values
}

fn decode_entities(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

/// The value of `name="…"` in a tag's attribute text.
fn attribute<'a>(attributes: &'a str, name: &str) -> Option<&'a str> {
    let marker = format!(" {name}=\"");
    let start = attributes.find(&marker)? + marker.len();
    let end = attributes[start..].find('"')? + start;
    Some(&attributes[start..end])
}

/// The words a reader meets: text, and labels kept in attributes (aria-label, title,
/// alt, placeholder). Elements that carry their own `lang` are left out: they say which
/// language they are in (the language switch; forum texts shown untranslated).
fn readable_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        out.push(' ');
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        let tag = &rest[open + 1..open + close];
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        rest = &rest[open + close + 1..];
        let own_language = name != "html" && (tag.contains(" lang=") || tag.contains(" lang=\""));
        if name == "script" || name == "style" || own_language {
            let end_tag = format!("</{name}>");
            match rest.find(&end_tag) {
                Some(end) => rest = &rest[end + end_tag.len()..],
                None => break,
            }
            continue;
        }
        for label in ["aria-label", "title", "alt", "placeholder"] {
            if let Some(value) = attribute(tag, label) {
                out.push(' ');
                out.push_str(value);
                out.push(' ');
            }
        }
    }
    out.push_str(rest);
    decode_entities(&out)
}

/// The words in `text` that give away the other language.
fn foreign_words(text: &str, page_lang: &str) -> BTreeSet<String> {
    // Addresses are not words: "/registration/…" in a German mail is a link.
    let mut text: String = text
        .split_whitespace()
        .filter(|w| !w.contains("://") && !w.starts_with('/'))
        .collect::<Vec<_>>()
        .join(" ");
    for value in data_values() {
        text = text.replace(&value, " ");
    }
    let markers = if page_lang == "en" { GERMAN } else { ENGLISH };
    text.split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .map(|w| w.trim_matches('-'))
        .filter(|w| !w.is_empty())
        .filter(|w| {
            markers.contains(w)
                || (page_lang == "en" && w.contains(['ä', 'ö', 'ü', 'ß', 'Ä', 'Ö', 'Ü']))
        })
        .map(String::from)
        .collect()
}

/// "18.03.2027": a German date on an English page.
fn has_german_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.windows(10).any(|w| {
        w[0].is_ascii_digit()
            && w[1].is_ascii_digit()
            && w[2] == b'.'
            && w[3].is_ascii_digit()
            && w[4].is_ascii_digit()
            && w[5] == b'.'
            && w[6..].iter().all(u8::is_ascii_digit)
    })
}

#[test]
fn the_scanner_sees_what_a_reader_sees() {
    let html = r#"<html lang="en"><head><title>Your registration</title><script>var und = 1;</script></head>
        <body><a href="/?lang=de" lang="de" hreflang="de">Deutsch</a>
        <p lang="de">Ein Forum für alle</p>
        <svg role="img" aria-label="50 Prozent belegt"></svg>
        <p>Venue: Hochschule Zittau/Görlitz, Haus G I &amp; more, 18.03.2027</p></body></html>"#;
    let text = readable_text(html);
    assert!(!text.contains("Deutsch") && !text.contains("Ein Forum") && !text.contains("und"));
    assert!(text.contains("Prozent belegt") && text.contains("& more"));
    assert_eq!(
        foreign_words(&text, "en"),
        BTreeSet::from(["Prozent".to_string(), "belegt".to_string()]),
        "venue names are data, the aria-label is German"
    );
    assert!(has_german_date(&text));
    assert_eq!(
        foreign_words("Bitte wählen Sie einen Standort", "de"),
        BTreeSet::new()
    );
    assert_eq!(
        foreign_words("Bitte wählen Sie your site", "de"),
        BTreeSet::from(["site".to_string(), "your".to_string()])
    );
}

#[actix_web::test]
async fn no_german_on_english_pages_and_no_english_on_german_ones() {
    let app = spawn_app_with(Backend::Sqlite, &tour_forum()).await;
    let prepared = prepare(&app).await;
    let mut report = Vec::new();
    for lang in ["de", "en"] {
        let pages = tour(&app, &prepared, lang).await;
        assert!(pages.len() >= 28, "{} pages in {lang}", pages.len());
        for (name, html) in &pages {
            assert!(
                html.contains(&format!("<html lang=\"{lang}\">")),
                "{name}: html lang"
            );
            let text = readable_text(html);
            let foreign = foreign_words(&text, lang);
            if !foreign.is_empty() {
                report.push(format!("{name}: {foreign:?}"));
            }
            if lang == "en" && has_german_date(&text) {
                report.push(format!("{name}: a German date on an English page"));
            }
        }
        let home = &pages
            .iter()
            .find(|(name, _)| name.starts_with("/ ["))
            .expect("forum page")
            .1;
        let date = if lang == "en" {
            "Thursday, 18 March 2027"
        } else {
            "Donnerstag, 18. März 2027"
        };
        assert!(home.contains(date), "{lang}: the date reads {date}");
        let dashboard = &pages
            .iter()
            .find(|(name, _)| name.starts_with("/organiser ["))
            .expect("dashboard")
            .1;
        assert!(
            dashboard.contains("id=\"undeliverable\""),
            "{lang}: the dashboard's warning about a refused mail is on the tour"
        );
    }
    // Mails are in the language of the registration.
    for mail in &prepared.mails {
        let lang = if mail.rcpt_tos == ["english@example.org"] {
            "en"
        } else {
            "de"
        };
        for (part, text) in [
            ("subject", mail.subject.clone()),
            ("text", mail.text.clone().expect("text part")),
            (
                "html",
                readable_text(mail.html.as_deref().expect("html part")),
            ),
        ] {
            let foreign = foreign_words(&text, lang);
            if !foreign.is_empty() {
                report.push(format!(
                    "{part} of mail to {:?}: {foreign:?}",
                    mail.rcpt_tos
                ));
            }
        }
    }
    assert!(
        report.is_empty(),
        "words in the wrong language:\n{}",
        report.join("\n")
    );
}

on_both_backends!(
    the_switch_is_remembered_and_beats_the_browser,
    a_registration_in_english_gets_english_pages_and_mail,
);

async fn the_switch_is_remembered_and_beats_the_browser(backend: Backend) {
    let app = spawn_app(backend).await;
    let get = |path: &'static str, headers: Vec<(&'static str, &'static str)>| {
        let client = app.client.clone();
        let url = format!("{}{path}", app.address);
        async move {
            let mut request = client.get(url);
            for header in headers {
                request = request.insert_header(header);
            }
            collect(request.send().await.expect("GET")).await
        }
    };

    let german = get("/", vec![]).await;
    assert!(german.body.contains("<html lang=\"de\">"));
    assert!(german.body.contains("<h2>Standorte</h2>"));
    assert!(
        german
            .body
            .contains(r#"<a href="/?lang=en" lang="en" hreflang="en">English</a>"#),
        "the switch offers English"
    );
    assert_eq!(german.header("content-language").as_deref(), Some("de"));

    let browser_english = get("/", vec![("Accept-Language", "en-US,en;q=0.9")]).await;
    assert!(browser_english.body.contains("<html lang=\"en\">"));
    assert!(browser_english.body.contains("<h2>Sites</h2>"));
    assert_eq!(
        browser_english.header("content-language").as_deref(),
        Some("en")
    );
    assert!(
        browser_english
            .header("vary")
            .is_some_and(|v| v.contains("Accept-Language") && v.contains("Cookie")),
        "caches keep the languages apart"
    );

    // The switch: same page, same query, and a cookie that keeps the choice.
    let switched = get("/register?site=riesa&lang=en", vec![]).await;
    assert_eq!(switched.status, StatusCode::OK);
    assert!(switched.body.contains("<h1>Registration</h1>"));
    assert!(
        switched
            .body
            .contains(r#"id="site-riesa" value="riesa" checked"#)
    );
    assert!(
        switched.body.contains(
            r#"<a href="/register?site=riesa&#38;lang=de" lang="de" hreflang="de">Deutsch</a>"#
        ),
        "the way back keeps the page"
    );
    let cookie = switched
        .cookies
        .iter()
        .find(|(name, _)| name == "lang")
        .map(|(_, value)| value.clone());
    assert_eq!(cookie.as_deref(), Some("en"), "the choice is remembered");

    // The cookie beats the browser's preference, both ways.
    let kept = get(
        "/privacy",
        vec![("Cookie", "lang=en"), ("Accept-Language", "de-DE")],
    )
    .await;
    assert!(kept.body.contains("<h1>Privacy notice</h1>"));
    let back = get(
        "/privacy",
        vec![("Cookie", "lang=de"), ("Accept-Language", "en")],
    )
    .await;
    assert!(back.body.contains("<h1>Datenschutzhinweise</h1>"));

    // Error pages speak the visitor's language too.
    let missing = get("/nowhere", vec![("Cookie", "lang=en")]).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(
        missing.body.contains("<h1>Page not found</h1>"),
        "{}",
        missing.body
    );
    assert!(missing.body.contains("<html lang=\"en\">"));
    let missing = get("/nowhere", vec![]).await;
    assert!(missing.body.contains("<h1>Seite nicht gefunden</h1>"));

    // A language we do not speak falls back to German.
    let french = get("/", vec![("Accept-Language", "fr-FR,fr;q=0.9")]).await;
    assert!(french.body.contains("<html lang=\"de\">"));
}

async fn a_registration_in_english_gets_english_pages_and_mail(backend: Backend) {
    let app = spawn_app(backend).await;
    let session = app.form_session().await;
    let cookies = format!("forumreg_csrf={}; lang=en", session.cookie);
    let mistake = app
        .post_as(
            "/register",
            &[
                ("site", "chemnitz"),
                ("first_name", "Ada"),
                ("email", "ada@example"),
                ("csrf_token", &session.token),
            ],
            &cookies,
        )
        .await;
    assert_eq!(mistake.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(mistake.body.contains("<title>Error: Registration"));
    assert!(mistake.body.contains("Please check your details"));
    assert!(
        mistake
            .body
            .contains("Last name: Please fill in this field."),
        "the summary names the field in English"
    );
    assert!(mistake.body.contains(r#"value="Ada""#), "input kept");

    let done = app
        .post_as(
            "/register",
            &[
                ("site", "chemnitz"),
                ("first_name", "Ada"),
                ("last_name", "Lovelace"),
                ("email", "ada@example.org"),
                ("organisation", "Analytical Engines Ltd"),
                ("sector", "company"),
                ("privacy_consent", "yes"),
                ("csrf_token", &session.token),
            ],
            &cookies,
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let thanks_path = done.header("location").expect("redirect");
    let thanks = app.get_as(&thanks_path, "lang=en").await;
    assert!(thanks.body.contains("<h1>Thank you for registering</h1>"));
    assert!(thanks.body.contains("Thursday, 18 March 2027, 09:30–15:30"));

    let mails = app.smtp.wait_for(1, Duration::from_secs(20)).await;
    assert_eq!(
        mails[0].subject,
        "Registration confirmed: Skilled Labour Forum Saxony 2027 – Chemnitz"
    );
    let calendar = mails[0].calendar().expect("calendar file");
    assert!(
        calendar.contains("SUMMARY:Skilled Labour Forum Saxony 2027 – Chemnitz"),
        "{calendar}"
    );
    // The personal page speaks the language of the registration, even to a browser
    // that prefers German, until the participant switches.
    let personal = mails[0].personal_path();
    let english = app.get_as(&personal, "").await;
    assert!(english.body.contains("<h1>Your registration</h1>"));
    assert_eq!(english.header("content-language").as_deref(), Some("en"));
    let german_browser = app
        .client
        .get(format!("{}{personal}", app.address))
        .insert_header(("Accept-Language", "de-DE,de"))
        .send()
        .await
        .expect("GET");
    let german_browser = collect(german_browser).await;
    assert!(german_browser.body.contains("<h1>Your registration</h1>"));
    let switched = app.get_as(&personal, "lang=de").await;
    assert!(switched.body.contains("<h1>Ihre Anmeldung</h1>"));
    assert_eq!(switched.header("content-language").as_deref(), Some("de"));
    let cancel = app.get_as(&format!("{personal}/cancel"), "").await;
    assert!(cancel.body.contains("<h1>Cancel registration</h1>"));
    assert!(english.body.contains("<dd>confirmed</dd>"));
}

/// Every kind of mail, for a venue and for the stream, in both languages: rendered
/// directly, so kinds the journeys above do not trigger are read too.
#[actix_web::test]
async fn every_mail_kind_reads_in_its_language() {
    use forumreg::mail::{MailContext, MailKind, messages::registration_mail};
    let app = spawn_app_with(Backend::Sqlite, &tour_forum()).await;
    let people = [
        ("riesa", "deutsch@example.org", "de"),
        ("stream", "online@example.org", "de"),
        ("chemnitz", "english@example.org", "en"),
        ("stream", "stream.en@example.org", "en"),
    ];
    for (site, email, lang) in people {
        let body = valid_registration(site, email);
        let response = if lang == "en" {
            crate::pages::register_in_english(&app, &body).await
        } else {
            app.register(&body).await
        };
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    }
    let mut conn = app.conn();
    let forum = forumreg::db::forums::find_latest(&mut conn)
        .expect("query")
        .expect("forum");
    let context = MailContext {
        public_url: "https://forum.example.org".into(),
        message_id_domain: "forum.example.org".into(),
    };
    let kinds = [
        MailKind::Confirmation,
        MailKind::Waitlisted { position: 3 },
        MailKind::Promoted,
        MailKind::Switched,
        MailKind::Cancelled,
        MailKind::LeftWaitlist,
        MailKind::Link,
        MailKind::Reminder,
    ];
    let mut report = Vec::new();
    for (_, email, lang) in people {
        let (registration, site) =
            forumreg::db::registrations::find_by_email_key(&mut conn, forum.id, email)
                .expect("query")
                .expect("registration");
        assert_eq!(registration.locale, lang);
        for kind in kinds {
            let mail = registration_mail(
                kind,
                &forum,
                &site,
                &registration,
                &context,
                chrono::Utc::now().naive_utc(),
            )
            .expect("renders");
            assert!(
                mail.body_html.contains(&format!("<html lang=\"{lang}\">")),
                "{kind:?} to {email}: html lang"
            );
            for (part, text) in [
                ("subject", mail.subject.clone()),
                ("text", mail.body_text.clone()),
                ("html", readable_text(&mail.body_html)),
            ] {
                let foreign = foreign_words(&text, lang);
                if !foreign.is_empty() {
                    report.push(format!("{kind:?} to {email}, {part}: {foreign:?}"));
                }
            }
        }
    }
    assert!(
        report.is_empty(),
        "mail words in the wrong language:\n{}",
        report.join("\n")
    );
}
