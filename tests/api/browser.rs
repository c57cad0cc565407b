//! End to end in a real browser (headless Chromium through chromedriver): a participant
//! registers, fixes a mistake, gets the mail, cancels through the personal link; an
//! organiser logs in, watches the count change and checks someone in; the form works
//! with the keyboard alone; axe-core finds no accessibility violations. On a failure the
//! page's screenshot and HTML are kept in `test-artifacts/`.

use crate::helpers::*;
use crate::on_both_backends;
use crate::webdriver::{Browser, ENTER, SHIFT_TAB, SPACE};
use forumreg::accounts::Role;
use forumreg::db;
use std::path::PathBuf;
use std::time::Duration;

on_both_backends!(
    participant_registers_fixes_a_mistake_and_cancels,
    participant_registers_in_english_and_switches_site,
    organiser_sees_the_count_change_and_checks_in,
    organiser_works_in_english,
    registration_works_with_the_keyboard_alone,
);

fn artefacts(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("test-artifacts")
        .join(name)
}

const ADMIN: &str = "leitung@example.org";
fn add_admin(app: &TestApp) {
    add_organiser(app, ADMIN, Role::Admin);
}

/// Fills in the login form the browser shows and lands on the dashboard.
async fn log_in(browser: &Browser) {
    browser.wait_for_text("Anmeldung für Organisatoren").await;
    browser.type_into("#email", ADMIN).await;
    browser.type_into("#password", ORGANISER_PASSWORD).await;
    browser.click("main form button[type=submit]").await;
    browser.wait_for_text("<h1>Übersicht</h1>").await;
}

/// The registration with this address, cancelled ones included.
fn status_of(app: &TestApp, email: &str) -> Option<db::registrations::Registration> {
    let mut conn = app.conn();
    let forum = db::forums::find_latest(&mut conn).ok()??;
    let filter = db::stats::ParticipantFilter {
        search: Some(email.to_string()),
        ..Default::default()
    };
    let (rows, _) = db::stats::participants(&mut conn, forum.id, &filter, 0, 10).ok()?;
    rows.into_iter().map(|(r, _)| r).find(|r| r.email == email)
}

async fn participant_registers_fixes_a_mistake_and_cancels(backend: Backend) {
    let app = spawn_app(backend).await;
    let browser = Browser::start(&artefacts(&format!("participant-{backend:?}"))).await;
    browser.goto(&format!("{}/", app.address)).await;
    browser.click("a[href=\"/register?site=riesa\"]").await;
    browser.wait_for_text("<h1>Anmeldung</h1>").await;
    browser.type_into("#first_name", "Jürgen").await;
    browser.type_into("#last_name", "Groß").await;
    browser.type_into("#email", "juergen-at-example.org").await;
    browser
        .type_into("#organisation", "Handwerkskammer Chemnitz")
        .await;
    browser.click("#sector option[value=\"chamber\"]").await;
    browser.click("#privacy_consent").await;
    browser.click("#submit-registration").await;

    browser.wait_for_text("Bitte prüfen Sie Ihre Angaben").await;
    // The summary takes the focus, so a screen reader reads it and Tab goes on from it
    // to the links that lead to each field.
    assert_eq!(
        browser
            .script("return document.activeElement.className;")
            .await,
        "error-summary"
    );
    browser.press(crate::webdriver::TAB).await;
    browser.press(ENTER).await;
    assert_eq!(
        browser.focused_id().await,
        "email",
        "the summary link leads to the field"
    );
    browser
        .find("#email[aria-invalid=\"true\"][aria-describedby=\"email-error\"]")
        .await;
    let kept = browser.script("return [document.getElementById('first_name').value, document.getElementById('organisation').value, document.getElementById('site-riesa').checked, document.getElementById('privacy_consent').checked];").await;
    assert_eq!(
        kept,
        serde_json::json!(["Jürgen", "Handwerkskammer Chemnitz", true, true]),
        "input kept"
    );
    browser.type_into("#email", "juergen@example.org").await;
    browser.click("#submit-registration").await;
    browser
        .wait_for_text("Vielen Dank für Ihre Anmeldung")
        .await;
    assert!(browser.title().await.starts_with("Vielen Dank"));

    let mails = app.smtp.wait_for(1, Duration::from_secs(20)).await;
    browser
        .goto(&format!("{}{}", app.address, mails[0].personal_path()))
        .await;
    browser.wait_for_text("Ihre Anmeldung").await;
    browser.click("a.button-secondary[href$=\"/cancel\"]").await;
    browser.wait_for_text("wirklich stornieren").await;
    browser.click("main form button[type=submit]").await;
    browser.wait_for_text("Ihre Anmeldung ist storniert").await;
    assert_eq!(
        status_of(&app, "juergen@example.org")
            .map(|r| r.status)
            .as_deref(),
        Some("cancelled")
    );
    browser.quit().await;
}

/// The same journey in English: the visitor picks English with the switch on the
/// German page, the choice holds on every page, the mail is English, and the personal
/// page moves the registration to another site.
async fn participant_registers_in_english_and_switches_site(backend: Backend) {
    let app = spawn_app(backend).await;
    let browser = Browser::start(&artefacts(&format!("participant-en-{backend:?}"))).await;
    browser.goto(&format!("{}/", app.address)).await;
    browser.wait_for_text("<h2>Standorte</h2>").await;
    browser.click("a[hreflang=\"en\"]").await;
    browser.wait_for_text("<h2>Sites</h2>").await;
    assert_eq!(
        browser
            .script("return document.documentElement.lang;")
            .await,
        "en"
    );
    browser.click("a[href=\"/register?site=riesa\"]").await;
    browser.wait_for_text("<h1>Registration</h1>").await;
    browser.type_into("#first_name", "Grace").await;
    browser.type_into("#email", "grace@example.org").await;
    browser
        .type_into("#organisation", "Hopper Consulting")
        .await;
    browser.click("#sector option[value=\"company\"]").await;
    browser.click("#privacy_consent").await;
    browser.click("#submit-registration").await;

    browser.wait_for_text("Please check your details").await;
    browser
        .find("#last_name[aria-invalid=\"true\"][aria-describedby=\"last_name-error\"]")
        .await;
    assert!(browser.title().await.starts_with("Error: Registration"));
    browser.type_into("#last_name", "Hopper").await;
    browser.click("#submit-registration").await;
    browser.wait_for_text("Thank you for registering").await;
    browser.wait_for_text("Thursday, 18 March 2027").await;

    let mails = app.smtp.wait_for(1, Duration::from_secs(20)).await;
    assert!(
        mails[0].subject.starts_with("Registration confirmed: "),
        "{}",
        mails[0].subject
    );
    browser
        .goto(&format!("{}{}", app.address, mails[0].personal_path()))
        .await;
    browser.wait_for_text("<h1>Your registration</h1>").await;
    browser.click("a[href$=\"/switch?site=chemnitz\"]").await;
    browser.wait_for_text("<h1>Switch site</h1>").await;
    browser.click("main form button[type=submit]").await;
    browser.wait_for_text("Your site is now Chemnitz").await;
    let registration = status_of(&app, "grace@example.org").expect("registration");
    let (_, site) = db::registrations::find_by_id(&mut app.conn(), registration.id).expect("site");
    assert_eq!(site.slug, "chemnitz");
    let mails = app.smtp.wait_for(2, Duration::from_secs(20)).await;
    assert!(
        mails
            .iter()
            .any(|m| m.subject.starts_with("Change of site confirmed: ")),
        "the switch is confirmed in English"
    );
    browser.quit().await;
}

/// What the organiser journey waits for, per language.
struct OrganiserWords {
    lang: &'static str,
    dashboard: &'static str,
    checked_in: &'static str,
}

const GERMAN_ORGANISER: OrganiserWords = OrganiserWords {
    lang: "de",
    dashboard: "<h1>Übersicht</h1>",
    checked_in: "ist eingecheckt",
};

const ENGLISH_ORGANISER: OrganiserWords = OrganiserWords {
    lang: "en",
    dashboard: "<h1>Overview</h1>",
    checked_in: "is checked in",
};

async fn organiser_sees_the_count_change_and_checks_in(backend: Backend) {
    organiser_journey(backend, &GERMAN_ORGANISER).await;
}

/// The same in English, chosen with the switch on the login page.
async fn organiser_works_in_english(backend: Backend) {
    organiser_journey(backend, &ENGLISH_ORGANISER).await;
}

/// An anonymous visit to the dashboard leads through the login and back; the count
/// changes with a new registration; the check-in link checks the person in.
async fn organiser_journey(backend: Backend, words: &OrganiserWords) {
    let app = spawn_app(backend).await;
    add_admin(&app);
    app.register(&valid_registration("riesa", "erster@example.org"))
        .await;
    let browser =
        Browser::start(&artefacts(&format!("organiser-{}-{backend:?}", words.lang))).await;
    browser.goto(&format!("{}/organiser", app.address)).await;
    browser.wait_for_text("Anmeldung für Organisatoren").await;
    if words.lang == "en" {
        browser.click("a[hreflang=\"en\"]").await;
        browser.wait_for_text("<h1>Organiser sign-in</h1>").await;
    }
    browser.type_into("#email", ADMIN).await;
    browser.type_into("#password", ORGANISER_PASSWORD).await;
    browser.click("main form button[type=submit]").await;
    browser.wait_for_text(words.dashboard).await;
    assert_eq!(
        browser
            .script("return document.documentElement.lang;")
            .await,
        words.lang
    );
    let confirmed =
        "return document.querySelector('#site-riesa td:nth-of-type(2)').textContent.trim();";
    assert_eq!(browser.script(confirmed).await, "1");

    app.register(&valid_registration("riesa", "zweiter@example.org"))
        .await;
    browser.goto(&format!("{}/organiser", app.address)).await;
    browser.wait_for_text(words.dashboard).await;
    assert_eq!(
        browser.script(confirmed).await,
        "2",
        "the dashboard shows the new registration"
    );

    let code = status_of(&app, "zweiter@example.org")
        .expect("registration")
        .checkin_code;
    browser
        .goto(&format!("{}/organiser/checkin/{code}", app.address))
        .await;
    browser.click("button.button-large").await;
    browser.wait_for_text(words.checked_in).await;
    assert!(
        status_of(&app, "zweiter@example.org")
            .and_then(|r| r.checked_in_at)
            .is_some()
    );
    browser.goto(&format!("{}/organiser", app.address)).await;
    assert_eq!(
        browser
            .script(
                "return document.querySelector('#site-riesa td:nth-of-type(5)').textContent.trim();"
            )
            .await,
        "1",
        "checked in"
    );
    browser.quit().await;
}

async fn registration_works_with_the_keyboard_alone(backend: Backend) {
    let app = spawn_app(backend).await;
    let browser = Browser::start(&artefacts(&format!("keyboard-{backend:?}"))).await;
    browser.goto(&format!("{}/register", app.address)).await;
    browser.wait_for_text("<h1>Anmeldung</h1>").await;
    // The skip link comes first.
    browser.press(crate::webdriver::TAB).await;
    assert_eq!(
        browser
            .script("return document.activeElement.className;")
            .await,
        "skip-link"
    );
    browser.tab_to("site-goerlitz").await;
    browser.press("\u{E015}").await; // arrow down: the next site in the group
    assert_eq!(browser.focused_id().await, "site-riesa");
    for (field, text) in [
        ("first_name", "Karla"),
        ("last_name", "Kolumna"),
        ("email", "karla@example.org"),
        ("organisation", "Neustädter Zeitung"),
    ] {
        browser.tab_to(field).await;
        // Where the focus is can be seen: a solid outline, not the browser default.
        assert_eq!(
            browser
                .script("const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth];")
                .await,
            serde_json::json!(["solid", "3px"]),
            "visible focus on {field}"
        );
        browser.press(text).await;
    }
    browser.tab_to("sector").await;
    browser.press("U").await; // first group starting with U: Unternehmen
    browser.tab_to("privacy_consent").await;
    browser.press(SPACE).await;
    browser.tab_to("submit-registration").await;
    browser.press(SHIFT_TAB).await;
    assert_eq!(
        browser
            .script("return document.activeElement.getAttribute('href');")
            .await,
        "/privacy",
        "Shift+Tab goes back to the link in the consent label"
    );
    browser.press(crate::webdriver::TAB).await;
    assert_eq!(browser.focused_id().await, "submit-registration");
    browser.press(ENTER).await;
    browser
        .wait_for_text("Vielen Dank für Ihre Anmeldung")
        .await;
    let registration = status_of(&app, "karla@example.org").expect("registered by keyboard");
    assert_eq!(
        (
            registration.sector.as_str(),
            registration.last_name.as_str()
        ),
        ("company", "Kolumna")
    );
    let mut conn = app.conn();
    let (_, site) = db::registrations::find_by_id(&mut conn, registration.id).expect("site");
    assert_eq!(site.slug, "riesa");
    browser.quit().await;
}

/// At 320 CSS pixels nothing needs sideways scrolling (WCAG 1.4.10 Reflow), in either
/// language: text wraps, forms stack; wide data tables scroll inside their own box.
#[actix_web::test]
async fn pages_reflow_at_320_pixels() {
    let app = spawn_app(Backend::Sqlite).await;
    add_admin(&app);
    app.register(&valid_registration("riesa", "erste@example.org"))
        .await;
    let mails = app.smtp.wait_for(1, Duration::from_secs(20)).await;
    let personal = mails[0].personal_path();
    let browser = Browser::start_narrow(&artefacts("reflow"), 320).await;
    // A phone zooms out to fit wide content, so compare with the screen, not the window.
    let overflow = "return [screen.width, document.documentElement.scrollWidth];";
    let mut report = Vec::new();
    for lang in ["de", "en"] {
        browser.goto(&format!("{}/?lang={lang}", app.address)).await;
        let mut paths = vec![
            "/".to_string(),
            "/register?site=riesa".into(),
            personal.clone(),
            format!("{personal}/cancel"),
            "/accessibility".into(),
            "/leichte-sprache".into(),
            "/organiser/login".into(),
        ];
        if lang == "de" {
            browser
                .goto(&format!("{}/organiser/login", app.address))
                .await;
            log_in(&browser).await;
        }
        paths.extend([
            "/organiser".to_string(),
            "/organiser/participants".into(),
            "/organiser/checkin?q=erste".into(),
        ]);
        for path in paths {
            browser.goto(&format!("{}{path}", app.address)).await;
            let sizes = browser.script(overflow).await;
            let (viewport, content) = (sizes[0].as_i64(), sizes[1].as_i64());
            assert_eq!(viewport, Some(320), "the screen is 320 px wide");
            if content > viewport {
                browser
                    .keep_evidence(&format!("overflow {path} {lang}"))
                    .await;
                report.push(format!("{path} [{lang}]: {content:?} px wide"));
            }
        }
        // The form with its errors, too.
        browser.goto(&format!("{}/register", app.address)).await;
        browser.click("#submit-registration").await;
        browser.find(".error-summary").await;
        let sizes = browser.script(overflow).await;
        if sizes[1].as_i64() > sizes[0].as_i64() {
            report.push(format!("form with errors [{lang}]: {sizes}"));
        }
    }
    browser.quit().await;
    assert!(
        report.is_empty(),
        "sideways scrolling at 320 px:\n{}",
        report.join("\n")
    );
}

#[actix_web::test]
async fn axe_finds_no_accessibility_violations() {
    let axe_path = std::env::var("AXE_JS").unwrap_or_else(|_| {
        panic!("AXE_JS is not set: run scripts/test.sh, which installs axe-core")
    });
    let axe = std::fs::read_to_string(&axe_path).expect("read axe.min.js");
    let app = spawn_app_with(
        Backend::Sqlite,
        &forum_toml(&[("a", Some(1)), ("b", Some(5)), ("stream", None)]),
    )
    .await;
    add_admin(&app);
    app.register(&valid_registration("a", "erste@example.org"))
        .await;
    let mut waiting = valid_registration("a", "zweite@example.org");
    waiting["waitlist"] = serde_json::json!(true);
    app.register(&waiting).await;
    // Refused by the mail server: the dashboard shows a table of undeliverable mails.
    app.register(&valid_registration("b", "bounce@example.org"))
        .await;
    let mails = app.smtp.wait_for(2, Duration::from_secs(20)).await;
    let personal = mails
        .iter()
        .find(|m| m.rcpt_tos == ["erste@example.org"])
        .expect("mail")
        .personal_path();
    let first = status_of(&app, "erste@example.org").expect("registration");

    let browser = Browser::start(&artefacts("axe")).await;
    let mut report = Vec::new();
    let mut logged_in = false;
    for lang in ["de", "en"] {
        // The switch sets the cookie; every page after it is in that language.
        browser.goto(&format!("{}/?lang={lang}", app.address)).await;
        browser
            .wait_for_text(&format!("<html lang=\"{lang}\">"))
            .await;
        let public = [
            "/".to_string(),
            "/register".into(),
            "/register?site=a".into(),
            "/privacy".into(),
            "/accessibility".into(),
            "/leichte-sprache".into(),
            "/imprint".into(),
            "/resend-link".into(),
            personal.clone(),
            format!("{personal}/thanks"),
            format!("{personal}/cancel"),
            "/does-not-exist".into(),
            "/organiser/login".into(),
        ];
        for path in &public {
            browser.goto(&format!("{}{path}", app.address)).await;
            for violation in browser.axe_violations(&axe).await {
                report.push(format!("{path} [{lang}]: {violation}"));
            }
        }
        // The form with errors.
        browser.goto(&format!("{}/register", app.address)).await;
        browser.click("#submit-registration").await;
        browser.find(".error-summary").await;
        for violation in browser.axe_violations(&axe).await {
            report.push(format!("form with errors [{lang}]: {violation}"));
        }
        // The organiser area.
        if !logged_in {
            browser
                .goto(&format!("{}/organiser/login", app.address))
                .await;
            log_in(&browser).await;
            logged_in = true;
        }
        for path in [
            "/organiser".to_string(),
            "/organiser/participants".into(),
            format!("/organiser/participants/{}", first.id),
            "/organiser/checkin?q=erste".into(),
            format!("/organiser/checkin/{}", first.checkin_code),
            "/organiser/attendance?site=a".into(),
        ] {
            browser.goto(&format!("{}{path}", app.address)).await;
            browser
                .wait_for_text(&format!("<html lang=\"{lang}\">"))
                .await;
            for violation in browser.axe_violations(&axe).await {
                report.push(format!("{path} [{lang}]: {violation}"));
            }
        }
    }
    browser.quit().await;
    assert!(report.is_empty(), "axe-core found:\n{}", report.join("\n"));
}
