//! The forum page, the forum API, health, headers, and the forum import command.

use crate::helpers::*;
use crate::on_both_backends;
use awc::http::StatusCode;
use std::process::Command;

on_both_backends!(
    legal_pages_are_linked_from_every_page,
    forum_api_lists_every_site_with_free_seats,
    forum_page_shows_sites_and_seats,
    health_and_security_headers,
    import_is_idempotent_and_guards_capacity,
    easy_language_page_explains_the_site,
);

async fn forum_api_lists_every_site_with_free_seats(backend: Backend) {
    let app = spawn_app(backend).await;
    let forum = app.forum().await;
    assert_eq!(forum["title"], "Fachforum Fachkräftesicherung Sachsen 2027");
    assert_eq!(forum["title_en"], "Skilled Labour Forum Saxony 2027");
    assert_eq!(forum["date"], "2027-03-18");
    assert_eq!(forum["registration_open"], true);
    let sites = forum["sites"].as_array().expect("sites");
    let slugs: Vec<&str> = sites
        .iter()
        .map(|s| s["slug"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        slugs,
        ["goerlitz", "riesa", "chemnitz", "zwickau", "stream"]
    );
    let total: i64 = sites.iter().filter_map(|s| s["capacity"].as_i64()).sum();
    assert_eq!(total, 170);
    for site in &sites[..4] {
        assert_eq!(site["kind"], "venue");
        assert_eq!(site["confirmed"], 0);
        assert_eq!(site["available"], site["capacity"]);
    }
    assert_eq!(sites[4]["kind"], "stream");
    assert_eq!(
        (&sites[4]["name"], &sites[4]["name_en"]),
        (
            &serde_json::json!("Livestream"),
            &serde_json::json!("Live stream")
        )
    );
    assert!(
        sites[0]["name_en"].is_null(),
        "city names are not translated"
    );
    assert!(sites[4]["capacity"].is_null());
    assert!(sites[4]["available"].is_null());
}

async fn forum_page_shows_sites_and_seats(backend: Backend) {
    let app = spawn_app_with(
        backend,
        &forum_toml(&[("alpha", Some(1)), ("beta", Some(12)), ("stream", None)]),
    )
    .await;
    let created = app
        .register(&valid_registration("alpha", "eins@example.org"))
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let page = app.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<html lang=\"de\">"));
    assert!(page.body.contains("Testforum Fachkräfte"));
    assert!(page.body.contains("Saal beta"));
    assert!(
        page.body.contains("noch 12 Plätze frei"),
        "free seats shown"
    );
    assert!(page.body.contains("ausgebucht"), "full site marked");
    assert!(page.body.contains("/register?site=beta"));
    assert!(
        !page.body.contains("Für Ort alpha anmelden"),
        "no sign-up button for a full site"
    );
    assert!(
        page.body.contains("Auf die Warteliste für Ort alpha"),
        "the waiting list instead"
    );
    assert!(page.body.contains("kontakt@example.org"));
    let privacy = app.get("/privacy").await;
    assert_eq!(privacy.status, StatusCode::OK);
    assert!(
        privacy
            .body
            .contains("Wir verarbeiten Ihre Daten nur für dieses Forum.")
    );
}

async fn health_and_security_headers(backend: Backend) {
    let app = spawn_app(backend).await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK);
    for path in ["/", "/api/v1/forum", "/does-not-exist", "/api/v1/nope"] {
        let response = app.get(path).await;
        let csp = response
            .header("content-security-policy")
            .unwrap_or_default();
        assert!(
            csp.contains("frame-ancestors 'none'"),
            "{path}: CSP {csp:?}"
        );
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert_eq!(
            response.header("x-content-type-options").as_deref(),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            response.header("referrer-policy").as_deref(),
            Some("no-referrer"),
            "{path}"
        );
    }
    let missing = app.get("/does-not-exist").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.contains("Seite nicht gefunden"));
    let api_missing = app.get("/api/v1/nope").await;
    assert_eq!(api_missing.status, StatusCode::NOT_FOUND);
    assert_eq!(
        api_missing.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    assert_eq!(api_missing.json()["code"], "not_found");
}

pub fn run_import(db: &TestDb, file: &std::path::Path) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_forumreg"))
        .args(["forum", "import"])
        .arg(file)
        .env("DATABASE_URL", &db.url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run forumreg forum import");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

async fn import_is_idempotent_and_guards_capacity(backend: Backend) {
    let app = spawn_app_with(
        backend,
        &forum_toml(&[("alpha", Some(3)), ("stream", None)]),
    )
    .await;
    for i in 0..2 {
        let r = app
            .register(&valid_registration("alpha", &format!("p{i}@example.org")))
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let file = app.dir.path().join("update.toml");

    // Same file again: nothing changes, registrations stay.
    std::fs::write(&file, forum_toml(&[("alpha", Some(3)), ("stream", None)])).expect("write");
    let (ok, out) = run_import(&app.db, &file);
    assert!(ok, "{out}");
    assert!(out.contains("updated"), "{out}");
    let alpha = &app.forum().await["sites"][0];
    assert_eq!(
        (alpha["capacity"].as_i64(), alpha["confirmed"].as_i64()),
        (Some(3), Some(2))
    );

    // Lowering below the confirmed count is refused with a clear message, and nothing changes.
    std::fs::write(
        &file,
        forum_toml(&[("alpha", Some(1)), ("beta", Some(5)), ("stream", None)]),
    )
    .expect("write");
    let (ok, out) = run_import(&app.db, &file);
    assert!(!ok, "import must fail: {out}");
    assert!(
        out.contains("alpha") && out.contains("2 confirmed"),
        "{out}"
    );
    let forum = app.forum().await;
    assert_eq!(
        forum["sites"].as_array().map(Vec::len),
        Some(2),
        "beta not added by a failed import"
    );
    assert_eq!(forum["sites"][0]["capacity"], 3);

    // Raising works and adds the new site.
    std::fs::write(
        &file,
        forum_toml(&[("alpha", Some(10)), ("beta", Some(5)), ("stream", None)]),
    )
    .expect("write");
    let (ok, out) = run_import(&app.db, &file);
    assert!(ok, "{out}");
    let forum = app.forum().await;
    assert_eq!(forum["sites"][0]["capacity"], 10);
    assert_eq!(forum["sites"][0]["confirmed"], 2);
    assert_eq!(forum["sites"][1]["slug"], "beta");

    // A broken file says what is wrong.
    std::fs::write(&file, "slug = 'x'").expect("write");
    let (ok, out) = run_import(&app.db, &file);
    assert!(!ok);
    assert!(out.contains("missing field"), "{out}");
}

async fn legal_pages_are_linked_from_every_page(backend: Backend) {
    let app = spawn_app(backend).await;
    for path in [
        "/",
        "/register",
        "/privacy",
        "/does-not-exist",
        "/organiser/login",
    ] {
        let page = app.get(path).await;
        for link in [
            "href=\"/privacy\"",
            "href=\"/imprint\"",
            "href=\"/accessibility\"",
        ] {
            assert!(page.body.contains(link), "{path} links {link}");
        }
    }
    let statement = app.get("/accessibility").await;
    assert_eq!(statement.status, StatusCode::OK);
    assert!(
        statement
            .body
            .contains("<h1>Erklärung zur Barrierefreiheit</h1>")
    );
    assert!(
        statement.body.contains("Schlichtungsverfahren"),
        "text from the forum file"
    );
    assert!(
        statement
            .body
            .contains("mailto:barrierefreiheit@example.org"),
        "feedback contact"
    );
    let imprint = app.get("/imprint").await;
    assert!(imprint.body.contains("Musterstraße 1"));
}

/// BITV 2.0 § 4: the site explained in easy language, with the sign-language video.
async fn easy_language_page_explains_the_site(backend: Backend) {
    let app = spawn_app(backend).await;
    let german = app.get("/leichte-sprache").await;
    assert_eq!(german.status, StatusCode::OK);
    assert!(
        german
            .body
            .contains("<h1>Informationen in Leichter Sprache</h1>")
    );
    assert!(german.body.contains("Donnerstag, 18. März 2027"));
    assert!(
        german
            .body
            .contains(r#"<a href="https://www.example.org/fachforum/gebaerdensprache">"#),
        "the sign-language video from the forum file"
    );
    for site in [
        "Görlitz",
        "Riesa",
        "Chemnitz",
        "Zwickau",
        "Livestream: im Internet",
    ] {
        assert!(german.body.contains(site), "{site}");
    }
    let home = app.get("/").await;
    assert!(
        home.body
            .contains(r#"<a href="/leichte-sprache">Leichte Sprache</a>"#),
        "linked from every footer"
    );
    let english = app.get_as("/leichte-sprache", "lang=en").await;
    assert!(english.body.contains("<h1>Easy Read</h1>"));
    assert!(english.body.contains("Live stream: on the internet"));

    // Without a video in the forum file, the page says nothing about one.
    let plain = spawn_app_with(backend, &forum_toml(&[("a", Some(3))])).await;
    let page = plain.get("/leichte-sprache").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("Gebärden-Sprache"));
}
