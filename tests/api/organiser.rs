//! The organiser area: accounts, login and throttling, access control, CSRF,
//! dashboard numbers, participant list, exports, capacity changes and check-in.

use crate::helpers::*;
use crate::on_both_backends;
use awc::http::StatusCode;
use forumreg::accounts::{self, Role};
use forumreg::db;
use futures_util::future::join_all;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

on_both_backends!(
    every_organiser_route_refuses_anonymous_access,
    login_is_throttled_and_logout_ends_the_session,
    organiser_accounts_come_from_the_command_line,
    state_changes_without_the_session_token_fail,
    dashboard_numbers_equal_the_database_under_concurrency,
    csv_export_parses_back_with_the_right_rows,
    checkin_accounts_only_check_people_in,
    capacity_changes_from_the_dashboard,
    participant_list_searches_filters_and_acts,
    organiser_pages_read_in_english,
    a_mail_refused_for_good_is_not_retried_and_shown_to_the_organisers,
);

fn counts(conn: &mut db::DbConnection, slug: &str) -> (i64, i64, i64, i64) {
    let forum = db::forums::find_latest(conn).expect("q").expect("forum");
    let site = db::sites::find_by_slug(conn, forum.id, slug)
        .expect("q")
        .expect("site");
    let n = |conn: &mut db::DbConnection, status: &str| {
        db::registrations::count_for_site(conn, site.id, status).expect("count")
    };
    let confirmed = n(conn, "confirmed");
    let waitlisted = n(conn, "waitlisted");
    let cancelled = n(conn, "cancelled");
    let checked_in = db::stats::participants(
        conn,
        forum.id,
        &db::stats::ParticipantFilter {
            site_id: Some(site.id),
            ..Default::default()
        },
        0,
        10_000,
    )
    .expect("list")
    .0
    .iter()
    .filter(|(r, _)| r.checked_in_at.is_some())
    .count() as i64;
    (confirmed, waitlisted, cancelled, checked_in)
}

async fn every_organiser_route_refuses_anonymous_access(backend: Backend) {
    let app = spawn_app(backend).await;
    app.register(&valid_registration("riesa", "p@example.org"))
        .await;
    let code = {
        let mut conn = app.conn();
        let forum = db::forums::find_latest(&mut conn)
            .expect("q")
            .expect("forum");
        db::registrations::find_by_email_key(&mut conn, forum.id, "p@example.org")
            .expect("q")
            .expect("r")
            .0
            .checkin_code
    };
    for path in [
        "/organiser".to_string(),
        "/organiser/participants".into(),
        "/organiser/participants/1".into(),
        "/organiser/export.csv".into(),
        "/organiser/attendance?site=riesa".into(),
        "/organiser/checkin".into(),
        format!("/organiser/checkin/{code}"),
    ] {
        let r = app.get(&path).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        let location = r.header("location").unwrap_or_default();
        assert!(
            location.starts_with("/organiser/login?next=/organiser"),
            "{path} → {location}"
        );
    }
    for path in [
        "/organiser/sites/riesa/capacity".to_string(),
        "/organiser/participants/1/resend".into(),
        "/organiser/participants/1/email".into(),
        "/organiser/participants/1/cancel".into(),
        format!("/organiser/checkin/{code}"),
        "/organiser/logout".into(),
    ] {
        let r = app
            .post_as(&path, &[("csrf_token", "x"), ("capacity", "1")], "")
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "POST {path}");
        assert!(
            r.header("location")
                .unwrap_or_default()
                .starts_with("/organiser/login")
        );
    }
    let api = app.get("/organiser/api/stats").await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);
    assert_eq!(api.json()["code"], "unauthorized");
    let forged = app
        .get_as(
            "/organiser",
            "forumreg_session=0123456789abcdef0123456789abcdef",
        )
        .await;
    assert_eq!(
        forged.status,
        StatusCode::SEE_OTHER,
        "an unknown session is no session"
    );
    let forum = app.forum().await;
    assert_eq!(forum["sites"][1]["capacity"], 40, "nothing changed");
    assert_eq!(counts(&mut app.conn(), "riesa"), (1, 0, 0, 0));

    // After logging in, the check-in link leads back where the organiser wanted to go.
    add_organiser(&app, "admin@example.org", Role::Admin);
    let next = format!("/organiser/checkin/{code}");
    let (response, _) = try_login(&app.http, "Admin@Example.org", ORGANISER_PASSWORD, &next).await;
    assert_eq!(response.header("location"), Some(next));
    let (response, _) = try_login(
        &app.http,
        "admin@example.org",
        ORGANISER_PASSWORD,
        "https://evil.example/",
    )
    .await;
    assert_eq!(
        response.header("location").as_deref(),
        Some("/organiser"),
        "no open redirect"
    );
}

async fn login_is_throttled_and_logout_ends_the_session(backend: Backend) {
    let app = spawn_app(backend).await;
    add_organiser(&app, "chefin@example.org", Role::Admin);
    add_organiser(&app, "kollege@example.org", Role::Admin);
    let (ok, _) = try_login(&app.http, "chefin@example.org", ORGANISER_PASSWORD, "").await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let session_token = ok
        .cookies
        .iter()
        .find(|(n, _)| n == "forumreg_session")
        .map(|(_, v)| v.clone())
        .expect("session cookie");
    let now = chrono::Utc::now().naive_utc();
    let mut conn = app.conn();
    assert!(
        db::organisers::find_session(&mut conn, &session_token, now)
            .expect("q")
            .is_none(),
        "the database does not hold the token itself"
    );
    assert!(
        db::organisers::find_session(&mut conn, &accounts::session_key(&session_token), now)
            .expect("q")
            .is_some()
    );
    let cookie = ok.header("set-cookie").unwrap_or_default();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain http in tests: {cookie}");

    for _ in 0..accounts::MAX_FAILURES_PER_ACCOUNT {
        let (wrong, _) =
            try_login(&app.http, "chefin@example.org", "falsch-falsch-falsch", "").await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(
            wrong
                .body
                .contains("E-Mail-Adresse oder Passwort stimmen nicht")
        );
        assert!(
            wrong.body.contains("value=\"chefin@example.org\""),
            "address kept"
        );
    }
    let (blocked, _) = try_login(&app.http, "chefin@example.org", ORGANISER_PASSWORD, "").await;
    assert_eq!(
        blocked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    assert_eq!(blocked.header("retry-after").as_deref(), Some("900"));
    assert!(
        blocked
            .body
            .contains("Zu viele fehlgeschlagene Anmeldeversuche")
    );
    let other = login(&app.http, "kollege@example.org").await;

    // Unknown accounts from one address count against the address.
    for i in 0..(accounts::MAX_FAILURES_PER_ADDRESS - accounts::MAX_FAILURES_PER_ACCOUNT) {
        let (wrong, _) = try_login(
            &app.http,
            &format!("rate{i}@example.org"),
            "falsch-falsch-falsch",
            "",
        )
        .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let (blocked, _) = try_login(&app.http, "kollege@example.org", ORGANISER_PASSWORD, "").await;
    assert_eq!(
        blocked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the address is throttled"
    );

    // Logging out needs the form token and ends the session for good.
    let forged = app.post_as("/organiser/logout", &[], &other.cookies).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get_as("/organiser", &other.cookies).await.status,
        StatusCode::OK
    );
    let out = app
        .post_as(
            "/organiser/logout",
            &[("csrf_token", &other.csrf)],
            &other.cookies,
        )
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get_as("/organiser", &other.cookies).await.status,
        StatusCode::SEE_OTHER,
        "session ended"
    );

    let https = spawn_app_env(backend, &[("PUBLIC_URL", "https://anmeldung.example.org")]).await;
    let page = https.get("/organiser/login").await;
    let set_cookie = page.header("set-cookie").unwrap_or_default();
    assert!(
        set_cookie.starts_with("__Host-forumreg_csrf=") && set_cookie.contains("Secure"),
        "{set_cookie}"
    );
    assert!(
        page.header("strict-transport-security").is_some(),
        "HSTS under https"
    );
}

async fn organiser_accounts_come_from_the_command_line(backend: Backend) {
    let app = spawn_app(backend).await;
    let run = |args: &[&str], stdin: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_forumreg"))
            .args(args)
            .env("DATABASE_URL", &app.db.url)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run forumreg");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes())
            .expect("write password");
        let output = child.wait_with_output().expect("wait");
        (
            output.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ),
        )
    };
    let (ok, out) = run(
        &["organiser", "add", "leitung@example.org"],
        &format!("{ORGANISER_PASSWORD}\n"),
    );
    assert!(ok && out.contains("created with role admin"), "{out}");
    let (ok, out) = run(
        &["organiser", "add", "tuer@example.org", "--role", "checkin"],
        &format!("{ORGANISER_PASSWORD}\n"),
    );
    assert!(ok && out.contains("role checkin"), "{out}");
    let (ok, out) = run(&["organiser", "add", "x@example.org"], "kurz\n");
    assert!(!ok && out.contains("at least 12 characters"), "{out}");
    let (ok, out) = run(
        &["organiser", "add", "x@example.org", "--role", "root"],
        &format!("{ORGANISER_PASSWORD}\n"),
    );
    assert!(!ok && out.contains("admin or checkin"), "{out}");

    let admin = login(&app.http, "leitung@example.org").await;
    assert_eq!(
        app.get_as("/organiser", &admin.cookies).await.status,
        StatusCode::OK
    );
    let stored = db::organisers::find_by_email(&mut app.conn(), "leitung@example.org")
        .expect("q")
        .expect("account");
    assert!(
        stored.password_hash.starts_with("$argon2id$"),
        "argon2id, never the password"
    );
}

async fn state_changes_without_the_session_token_fail(backend: Backend) {
    let app = spawn_app_with(backend, &forum_toml(&[("a", Some(1)), ("stream", None)])).await;
    app.register(&valid_registration("a", "sitz@example.org"))
        .await;
    app.register(&{
        let mut b = valid_registration("a", "warte@example.org");
        b["waitlist"] = serde_json::json!(true);
        b
    })
    .await;
    add_organiser(&app, "admin@example.org", Role::Admin);
    let admin = login(&app.http, "admin@example.org").await;
    let mut conn = app.conn();
    let forum = db::forums::find_latest(&mut conn)
        .expect("q")
        .expect("forum");
    let (seated, _) = db::registrations::find_by_email_key(&mut conn, forum.id, "sitz@example.org")
        .expect("q")
        .expect("r");
    let posts = [
        (
            "/organiser/sites/a/capacity".to_string(),
            vec![("capacity", "5")],
        ),
        (
            format!("/organiser/participants/{}/cancel", seated.id),
            vec![],
        ),
        (
            format!("/organiser/participants/{}/resend", seated.id),
            vec![],
        ),
        (
            format!("/organiser/participants/{}/email", seated.id),
            vec![("email", "neu@example.org")],
        ),
        (
            format!("/organiser/checkin/{}", seated.checkin_code),
            vec![],
        ),
    ];
    for (path, fields) in &posts {
        for token in ["", "0123456789abcdef0123456789abcdef"] {
            let mut all = fields.clone();
            all.push(("csrf_token", token));
            let r = app.post_as(path, &all, &admin.cookies).await;
            assert_eq!(
                r.status,
                StatusCode::FORBIDDEN,
                "POST {path} with token {token:?}"
            );
        }
    }
    assert_eq!(counts(&mut conn, "a"), (1, 1, 0, 0), "nothing changed");
    assert_eq!(app.forum().await["sites"][0]["capacity"], 1);
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        db::outbox::all(&mut conn).expect("outbox").len(),
        2,
        "no mail resent"
    );
}

async fn dashboard_numbers_equal_the_database_under_concurrency(backend: Backend) {
    let app = spawn_app_with(
        backend,
        &forum_toml(&[("nord", Some(10)), ("sued", Some(15)), ("stream", None)]),
    )
    .await;
    add_organiser(&app, "admin@example.org", Role::Admin);
    add_organiser(&app, "tuer@example.org", Role::Checkin);
    let admin = login(&app.http, "admin@example.org").await;
    let door = login(&app.http, "tuer@example.org").await;

    // 45 registrations at once, some for full sites with the waiting list.
    let sites = ["nord", "sued", "stream"];
    let registrations = (0..45).map(|i| {
        let http = app.http.clone();
        let mut body = valid_registration(sites[i % 3], &format!("gast{i}@example.org"));
        body["waitlist"] = serde_json::json!(true);
        async move { http.register(&body).await.status }
    });
    // Dashboards are read while the registrations come in.
    let readers = (0..5).map(|_| {
        let (http, cookies) = (app.http.clone(), admin.cookies.clone());
        async move { http.get_as("/organiser/api/stats", &cookies).await.status }
    });
    let (statuses, reads) =
        futures_util::future::join(join_all(registrations), join_all(readers)).await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::CREATED),
        "{statuses:?}"
    );
    assert!(reads.iter().all(|s| *s == StatusCode::OK));

    // Check in everyone at "nord" concurrently, each twice.
    let mut conn = app.conn();
    let forum = db::forums::find_latest(&mut conn)
        .expect("q")
        .expect("forum");
    let nord = db::sites::find_by_slug(&mut conn, forum.id, "nord")
        .expect("q")
        .expect("site");
    let (people, _) = db::stats::participants(
        &mut conn,
        forum.id,
        &db::stats::ParticipantFilter {
            site_id: Some(nord.id),
            status: Some("confirmed".into()),
            ..Default::default()
        },
        0,
        100,
    )
    .expect("list");
    let checkins = people
        .iter()
        .flat_map(|(r, _)| [r.checkin_code.clone(), r.checkin_code.clone()])
        .map(|code| {
            let (http, cookies, csrf) = (app.http.clone(), door.cookies.clone(), door.csrf.clone());
            async move {
                http.post_as(
                    &format!("/organiser/checkin/{code}"),
                    &[("csrf_token", &csrf)],
                    &cookies,
                )
                .await
                .status
            }
        });
    let checkin_statuses = join_all(checkins).await;
    assert!(
        checkin_statuses.iter().all(|s| *s == StatusCode::SEE_OTHER),
        "{checkin_statuses:?}"
    );

    let stats = app
        .get_as("/organiser/api/stats", &admin.cookies)
        .await
        .json();
    let mut totals = (0, 0, 0, 0);
    for (i, slug) in sites.iter().enumerate() {
        let (confirmed, waitlisted, cancelled, checked_in) = counts(&mut conn, slug);
        let site = &stats["sites"][i];
        assert_eq!(site["slug"], *slug);
        assert_eq!(site["confirmed"], confirmed, "{slug} confirmed");
        assert_eq!(site["waitlisted"], waitlisted, "{slug} waiting");
        assert_eq!(site["cancelled"], cancelled, "{slug} cancelled");
        assert_eq!(site["checked_in"], checked_in, "{slug} checked in");
        assert_eq!(
            site["expected"],
            confirmed - checked_in,
            "{slug} still expected"
        );
        totals = (
            totals.0 + confirmed,
            totals.1 + waitlisted,
            totals.2 + cancelled,
            totals.3 + checked_in,
        );
    }
    assert_eq!(
        counts(&mut conn, "nord"),
        (10, 5, 0, 10),
        "all confirmed at nord checked in once"
    );
    assert_eq!(stats["totals"]["confirmed"], totals.0);
    assert_eq!(stats["totals"]["waitlisted"], totals.1);
    assert_eq!(stats["totals"]["checked_in"], totals.3);
    assert_eq!(stats["days"][0]["registrations"], 45);

    let page = app.get_as("/organiser", &admin.cookies).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("<script src=\"/static/dashboard.js\" defer></script>"),
        "refreshes itself (with a switch to turn it off)"
    );
    assert!(page.body.contains("id=\"auto-refresh\""));
    let script = app.get("/static/dashboard.js").await;
    assert!(script.body.contains("window.location.reload()"));
    assert!(page.body.contains("Stand: "));
    assert!(
        page.body.contains("aria-label=\"100 Prozent belegt\""),
        "fill bar with a text equivalent"
    );
    assert!(
        page.body
            .contains("<title id=\"chart-title\">Anmeldungen pro Tag</title>")
    );
    assert!(page.body.contains("Unternehmen"), "groups per site");
}

/// Splits CSV text with `;` separators and `"` quoting into rows of fields.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut field, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            ('"', false) if field.is_empty() => quoted = true,
            (';', false) => row.push(std::mem::take(&mut field)),
            ('\r', false) => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => field.push(c),
        }
    }
    rows
}

async fn csv_export_parses_back_with_the_right_rows(backend: Backend) {
    let app = spawn_app(backend).await;
    let orgs = [
        "Müller & Söhne; Metallbau",
        "Verein \"Zukunft\" e.V.",
        "=SUMME(A1)",
        "IHK Chemnitz",
    ];
    for (i, org) in orgs.iter().enumerate() {
        let mut body = valid_registration(
            if i < 3 { "chemnitz" } else { "riesa" },
            &format!("csv{i}@example.org"),
        );
        body["organisation"] = serde_json::json!(org);
        body["last_name"] = serde_json::json!(["Groß", "Öztürk", "Zoë", "Weiß"][i]);
        body["accessibility_needs"] = serde_json::json!("Rollstuhl");
        assert_eq!(app.register(&body).await.status, StatusCode::CREATED);
    }
    add_organiser(&app, "admin@example.org", Role::Admin);
    let admin = login(&app.http, "admin@example.org").await;
    let all = app.get_as("/organiser/export.csv", &admin.cookies).await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(
        all.header("content-type").as_deref(),
        Some("text/csv; charset=utf-8")
    );
    assert!(all.body.starts_with('\u{feff}'), "UTF-8 with BOM for Excel");
    let rows = parse_csv(all.body.trim_start_matches('\u{feff}'));
    assert_eq!(rows[0][0], "Nachname");
    assert!(
        !rows[0].iter().any(|h| h.contains("Barrierefreiheit")),
        "needs only on request"
    );
    assert_eq!(rows.len(), 5, "header + 4 registrations");
    assert!(
        rows.iter().all(|r| r.len() == rows[0].len()),
        "same width everywhere: {rows:?}"
    );
    let org_col = rows[0]
        .iter()
        .position(|h| h == "Organisation")
        .expect("column");
    let orgs_back: Vec<&str> = rows[1..].iter().map(|r| r[org_col].as_str()).collect();
    assert!(orgs_back.contains(&"Müller & Söhne; Metallbau"));
    assert!(orgs_back.contains(&"Verein \"Zukunft\" e.V."));
    assert!(orgs_back.contains(&"'=SUMME(A1)"), "formula defused");
    assert!(rows[1..].iter().any(|r| r[0] == "Öztürk"), "umlauts intact");

    let site = app
        .get_as("/organiser/export.csv?site=riesa&needs=1", &admin.cookies)
        .await;
    let rows = parse_csv(site.body.trim_start_matches('\u{feff}'));
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1][0], "Weiß");
    assert_eq!(rows[1].last().map(String::as_str), Some("Rollstuhl"));
    assert_eq!(
        app.get_as("/organiser/export.csv?site=nirgendwo", &admin.cookies)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let print = app
        .get_as("/organiser/attendance?site=chemnitz", &admin.cookies)
        .await;
    assert_eq!(print.status, StatusCode::OK);
    assert!(print.body.contains("Anwesenheitsliste Chemnitz"));
    assert!(print.body.contains("Groß, Jürgen") && print.body.contains("class=\"signature\""));
    assert!(!print.body.contains("Weiß"), "only this site");

    // In English: headers, labels and the file name; ISO dates; the same rows.
    let english = app
        .get_as(
            "/organiser/export.csv?lang=en",
            &format!("{}; lang=en", admin.cookies),
        )
        .await;
    assert_eq!(
        english.header("content-disposition").as_deref(),
        Some("attachment; filename=\"participants-all.csv\"")
    );
    let rows = parse_csv(english.body.trim_start_matches('\u{feff}'));
    assert_eq!(rows.len(), 5);
    assert_eq!(&rows[0][..2], ["Last name", "First name"]);
    let column = |name: &str| rows[0].iter().position(|h| h == name).expect(name);
    let (status, language, registered) = (
        column("Status"),
        column("Language"),
        column("Registered at"),
    );
    assert!(
        rows[1..]
            .iter()
            .all(|r| r[status] == "confirmed" && r[language] == "German")
    );
    assert!(
        rows[1..]
            .iter()
            .all(|r| r[registered].len() == 16 && r[registered].starts_with("20")),
        "ISO dates: {:?}",
        rows[1][registered]
    );
    let german = app.get_as("/organiser/export.csv", &admin.cookies).await;
    let rows = parse_csv(german.body.trim_start_matches('\u{feff}'));
    let language = rows[0]
        .iter()
        .position(|h| h == "Sprache")
        .expect("Sprache");
    assert!(rows[1..].iter().all(|r| r[language] == "Deutsch"));
}

async fn checkin_accounts_only_check_people_in(backend: Backend) {
    let app = spawn_app(backend).await;
    app.register(&valid_registration("goerlitz", "gast@example.org"))
        .await;
    add_organiser(&app, "tuer@example.org", Role::Checkin);
    add_organiser(&app, "admin@example.org", Role::Admin);
    let door = login(&app.http, "tuer@example.org").await;
    for path in [
        "/organiser",
        "/organiser/participants",
        "/organiser/participants/1",
        "/organiser/export.csv",
        "/organiser/attendance?site=goerlitz",
    ] {
        assert_eq!(
            app.get_as(path, &door.cookies).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let r = app
        .post_as(
            "/organiser/sites/goerlitz/capacity",
            &[("capacity", "1"), ("csrf_token", &door.csrf)],
            &door.cookies,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post_as(
            "/organiser/participants/1/cancel",
            &[("csrf_token", &door.csrf)],
            &door.cookies,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get_as("/organiser/api/stats", &door.cookies)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(counts(&mut app.conn(), "goerlitz"), (1, 0, 0, 0));

    // The QR code on the personal page and in the mail opens the check-in page.
    let mails = app.smtp.wait_for(1, Duration::from_secs(20)).await;
    assert!(
        mails[0].html.as_deref().is_some_and(
            |h| h.contains("Ihr Check-in-Code") && h.contains("src=\"cid:checkin-qr\"")
        )
    );
    let qr = &mails[0].inline_images;
    assert_eq!(qr.len(), 1, "the QR code travels inline with the mail");
    assert_eq!(
        (qr[0].content_id.as_str(), qr[0].content_type.as_str()),
        ("<checkin-qr>", "image/png")
    );
    assert!(qr[0].size > 500);
    let personal = app.get(&mails[0].personal_path()).await;
    assert!(
        personal
            .body
            .contains("aria-label=\"QR-Code für den Check-in\"")
    );
    let search = app
        .get_as("/organiser/checkin?q=gro%C3%9F", &door.cookies)
        .await;
    assert!(
        search.body.contains("Jürgen Groß einchecken"),
        "search by name"
    );
    let code = {
        let mut conn = app.conn();
        let forum = db::forums::find_latest(&mut conn)
            .expect("q")
            .expect("forum");
        db::registrations::find_by_email_key(&mut conn, forum.id, "gast@example.org")
            .expect("q")
            .expect("r")
            .0
            .checkin_code
    };
    let page = app
        .get_as(&format!("/organiser/checkin/{code}"), &door.cookies)
        .await;
    assert!(page.body.contains(">Einchecken</button>"));
    let done = app
        .post_as(
            &format!("/organiser/checkin/{code}"),
            &[("csrf_token", &door.csrf)],
            &door.cookies,
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let again = app
        .get_as(&done.header("location").expect("redirect"), &door.cookies)
        .await;
    assert!(again.body.contains("ist eingecheckt"));
    assert!(
        again.body.contains("Bereits eingecheckt um")
            && again.body.contains("von tuer@example.org")
    );
    let admin = login(&app.http, "admin@example.org").await;
    let stats = app
        .get_as("/organiser/api/stats", &admin.cookies)
        .await
        .json();
    assert_eq!(
        stats["sites"][0]["checked_in"], 1,
        "shows on the dashboard at once"
    );
}

async fn capacity_changes_from_the_dashboard(backend: Backend) {
    let app = spawn_app_with(backend, &forum_toml(&[("a", Some(2)), ("stream", None)])).await;
    for i in 0..4 {
        let mut body = valid_registration("a", &format!("k{i}@example.org"));
        body["waitlist"] = serde_json::json!(true);
        app.register(&body).await;
    }
    add_organiser(&app, "admin@example.org", Role::Admin);
    let admin = login(&app.http, "admin@example.org").await;
    let lower = app
        .post_as(
            "/organiser/sites/a/capacity",
            &[("capacity", "1"), ("csrf_token", &admin.csrf)],
            &admin.cookies,
        )
        .await;
    assert_eq!(lower.status, StatusCode::SEE_OTHER);
    let page = app
        .get_as(&lower.header("location").expect("back"), &admin.cookies)
        .await;
    assert!(
        page.body.contains("kann nicht unter 2 sinken"),
        "the form says why"
    );
    assert_eq!(app.forum().await["sites"][0]["capacity"], 2);
    let bad = app
        .post_as(
            "/organiser/sites/a/capacity",
            &[("capacity", "viele"), ("csrf_token", &admin.csrf)],
            &admin.cookies,
        )
        .await;
    let page = app
        .get_as(&bad.header("location").expect("back"), &admin.cookies)
        .await;
    assert!(page.body.contains("ganze Zahl"));

    let raise = app
        .post_as(
            "/organiser/sites/a/capacity",
            &[("capacity", "3"), ("csrf_token", &admin.csrf)],
            &admin.cookies,
        )
        .await;
    assert_eq!(raise.status, StatusCode::SEE_OTHER);
    assert_eq!(
        counts(&mut app.conn(), "a"),
        (3, 1, 0, 0),
        "the new seat went to the waiting list"
    );
    let mails = app.smtp.wait_for(5, Duration::from_secs(20)).await;
    assert!(mails.iter().any(|m| m.rcpt_tos == ["k2@example.org"]
        && m.subject.starts_with("Ihr Platz ist frei geworden")));
}

async fn participant_list_searches_filters_and_acts(backend: Backend) {
    let app = spawn_app_with(
        backend,
        &forum_toml(&[("a", Some(60)), ("b", Some(1)), ("stream", None)]),
    )
    .await;
    let registrations = (0..55).map(|i| {
        let http = app.http.clone();
        let mut body = valid_registration("a", &format!("liste{i:02}@example.org"));
        body["organisation"] = serde_json::json!(match i {
            7 => "Sächsische Aufbaubank",
            8 => "Ökumenisches Bildungswerk",
            _ => "Firma",
        });
        async move { http.register(&body).await.status }
    });
    join_all(registrations).await;
    app.register(&valid_registration("b", "b1@example.org"))
        .await;
    let mut waiting = valid_registration("b", "b2@example.org");
    waiting["waitlist"] = serde_json::json!(true);
    app.register(&waiting).await;
    add_organiser(&app, "admin@example.org", Role::Admin);
    let admin = login(&app.http, "admin@example.org").await;

    let first = app.get_as("/organiser/participants", &admin.cookies).await;
    assert!(
        first
            .body
            .contains("57 Anmeldungen gefunden · Seite 1 von 2"),
        "{}",
        first.body
    );
    assert!(first.body.contains("rel=\"next\""));
    let second = app
        .get_as("/organiser/participants?page=2", &admin.cookies)
        .await;
    assert!(second.body.contains("Seite 2 von 2") && second.body.contains("rel=\"prev\""));
    let found = app
        .get_as("/organiser/participants?q=AUFBAU", &admin.cookies)
        .await;
    assert!(
        found.body.contains("1 Anmeldung gefunden") && found.body.contains("liste07@example.org")
    );
    // Case does not matter beyond ASCII either, on SQLite as on PostgreSQL:
    // "ökumenisch" finds "Ökumenisches Bildungswerk".
    for term in ["%C3%B6kumenisch", "%C3%96KUMENISCH"] {
        let found = app
            .get_as(&format!("/organiser/participants?q={term}"), &admin.cookies)
            .await;
        assert!(
            found.body.contains("1 Anmeldung gefunden")
                && found.body.contains("liste08@example.org"),
            "search for {term}"
        );
    }
    let by_site = app
        .get_as(
            "/organiser/participants?site=b&status=waitlisted",
            &admin.cookies,
        )
        .await;
    assert!(
        by_site.body.contains("1 Anmeldung gefunden") && by_site.body.contains("b2@example.org")
    );
    let none = app
        .get_as("/organiser/participants?sector=politics", &admin.cookies)
        .await;
    assert!(none.body.contains("0 Anmeldungen gefunden"));
    let like = app
        .get_as("/organiser/participants?q=%25", &admin.cookies)
        .await;
    assert!(
        like.body.contains("0 Anmeldungen gefunden"),
        "% is searched literally"
    );

    let mut conn = app.conn();
    let forum = db::forums::find_latest(&mut conn)
        .expect("q")
        .expect("forum");
    let (b1, _) = db::registrations::find_by_email_key(&mut conn, forum.id, "b1@example.org")
        .expect("q")
        .expect("r");
    app.smtp.wait_for(57, Duration::from_secs(60)).await;
    let detail = app
        .get_as(
            &format!("/organiser/participants/{}", b1.id),
            &admin.cookies,
        )
        .await;
    assert!(
        detail.body.contains("Anmeldebestätigung") && detail.body.contains("versendet"),
        "its mails with status"
    );
    let resent = app
        .post_as(
            &format!("/organiser/participants/{}/resend", b1.id),
            &[("csrf_token", &admin.csrf)],
            &admin.cookies,
        )
        .await;
    assert_eq!(resent.status, StatusCode::SEE_OTHER);
    let mails = app.smtp.wait_for(58, Duration::from_secs(20)).await;
    assert_eq!(
        mails
            .iter()
            .filter(|m| m.rcpt_tos == ["b1@example.org"])
            .count(),
        2
    );
    let cancelled = app
        .post_as(
            &format!("/organiser/participants/{}/cancel", b1.id),
            &[("csrf_token", &admin.csrf)],
            &admin.cookies,
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::SEE_OTHER);
    assert_eq!(counts(&mut conn, "b"), (1, 0, 1, 0), "b2 moved up");
    assert_eq!(
        app.get_as("/organiser/participants/999999", &admin.cookies)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

/// Every organiser page in English carries no German UI text; only data (names,
/// organisations, German place names) stays as it is.
async fn organiser_pages_read_in_english(backend: Backend) {
    let app = spawn_app(backend).await;
    app.register(&valid_registration("goerlitz", "gast@example.org"))
        .await;
    app.register(&valid_registration("stream", "online@example.org"))
        .await;
    add_organiser(&app, "admin@example.org", Role::Admin);
    app.smtp.wait_for(2, Duration::from_secs(20)).await;
    let admin = login(&app.http, "admin@example.org").await;
    let (id, code) = {
        let mut conn = app.conn();
        let forum = db::forums::find_latest(&mut conn)
            .expect("q")
            .expect("forum");
        let (r, _) = db::registrations::find_by_email_key(&mut conn, forum.id, "gast@example.org")
            .expect("q")
            .expect("r");
        (r.id, r.checkin_code)
    };
    // The language the header switch remembers in a cookie.
    let english = format!("{}; lang=en", admin.cookies);
    let pages = [
        ("/organiser".to_string(), "Registrations per day"),
        ("/organiser/participants".into(), "registrations found"),
        (format!("/organiser/participants/{id}"), "Confirmation"),
        ("/organiser/attendance?site=goerlitz".into(), "Signature"),
        ("/organiser/checkin?q=gast".into(), "Check in Jürgen Groß"),
        (format!("/organiser/checkin/{code}"), ">Check in</button>"),
    ];
    // Data that may appear as it is: the test person, German place names.
    let data = [
        "Jürgen Groß",
        "Groß, Jürgen",
        "Referent Fachkräftesicherung",
        "Görlitz",
    ];
    let german = [
        "Standort",
        "Anmeld",
        "Warteliste",
        "storniert",
        "bestätigt",
        "Übersicht",
        "Teilnehmende",
        "Gruppe",
        "Speichern",
        "Abmelden",
        "eingecheckt",
        "Prozent",
        "Uhr",
        "Fassung",
        "versendet",
        "Livestream",
        "Sie ",
        " und ",
        "ä",
        "ö",
        "ü",
        "ß",
    ];
    for (path, expected) in &pages {
        let page = app.get_as(path, &english).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(page.body.contains("<html lang=\"en\">"), "{path}");
        assert!(page.body.contains(expected), "{path}: {expected}");
        let mut text = page.body.clone();
        for value in data {
            text = text.replace(value, "");
        }
        for word in german {
            assert!(!text.contains(word), "{path}: German {word:?} in\n{text}");
        }
    }
    // The switch's `?lang=en` and the browser's language alone are enough too, and
    // German stays the default.
    let switched = app
        .get_as(
            &format!("/organiser/participants/{id}?lang=en"),
            &admin.cookies,
        )
        .await
        .body;
    assert!(switched.contains("Send the confirmation again"));
    let response = app
        .client
        .get(format!("{}/organiser", app.address))
        .insert_header(("Cookie", admin.cookies.clone()))
        .insert_header(("Accept-Language", "en-GB,en;q=0.9"))
        .send()
        .await
        .expect("GET");
    let dashboard = collect(response).await.body;
    assert!(
        dashboard.contains("aria-label=\"2 percent full\""),
        "{dashboard}"
    );
    let german_dashboard = app.get_as("/organiser", &admin.cookies).await.body;
    assert!(german_dashboard.contains("Anmeldungen pro Tag"));
}

async fn a_mail_refused_for_good_is_not_retried_and_shown_to_the_organisers(backend: Backend) {
    let app = spawn_app(backend).await;
    add_organiser(&app, "admin@example.org", Role::Admin);
    let admin = login(&app.http, "admin@example.org").await;
    let before = app.get_as("/organiser", &admin.cookies).await;
    assert!(before.body.contains("Alle E-Mails sind versendet."));

    let mut bounced = valid_registration("riesa", "bounce.mueller@example.org");
    bounced["last_name"] = serde_json::json!("Müller");
    assert_eq!(app.register(&bounced).await.status, StatusCode::CREATED);
    assert_eq!(
        app.register(&valid_registration("riesa", "gut@example.org"))
            .await
            .status,
        StatusCode::CREATED
    );
    // The good mail arrives; the refused one is marked failed after one attempt.
    let mails = app.smtp.wait_for(1, Duration::from_secs(20)).await;
    assert_eq!(mails[0].rcpt_tos, ["gut@example.org"]);
    let mut conn = app.conn();
    let failed = eventually(
        "the refused mail marked failed",
        Duration::from_secs(20),
        || {
            db::outbox::all(&mut conn)
                .ok()?
                .into_iter()
                .find(|o| o.recipient == "bounce.mueller@example.org" && o.status == "failed")
        },
    )
    .await;
    assert_eq!(failed.attempts, 1, "a permanent refusal is not retried");
    assert!(
        failed
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("550")),
        "{:?}",
        failed.last_error
    );
    // Later it is still failed, still one attempt, and nothing more reached the server.
    actix_web::rt::time::sleep(Duration::from_secs(3)).await;
    let again = db::outbox::all(&mut conn)
        .expect("outbox")
        .into_iter()
        .find(|o| o.id == failed.id)
        .expect("row");
    assert_eq!((again.status.as_str(), again.attempts), ("failed", 1));
    assert_eq!(app.smtp.mails().len(), 1);

    let dashboard = app.get_as("/organiser", &admin.cookies).await;
    assert!(
        dashboard
            .body
            .contains("1 E-Mail konnte nicht zugestellt werden"),
        "{}",
        dashboard.body
    );
    assert!(!dashboard.body.contains("Alle E-Mails sind versendet."));
    let registration = status_of_email(&app, "bounce.mueller@example.org");
    assert!(dashboard.body.contains(&format!(
        "<a href=\"/organiser/participants/{registration}\">Jürgen Müller</a>"
    )));
    assert!(dashboard.body.contains("bounce.mueller@example.org"));
    let english = app.get_as("/organiser?lang=en", &admin.cookies).await;
    assert!(english.body.contains("1 mail could not be delivered"));
    let metrics = app.get("/metrics").await;
    assert!(
        metrics.body.contains("forumreg_outbox_failed 1"),
        "{}",
        metrics.body
    );

    // The organiser corrects the typo: a mistake first, then an address someone else
    // has, then the right one.
    let token = admin.csrf.clone();
    let path = format!("/organiser/participants/{registration}/email");
    let wrong = app
        .post_as(
            &path,
            &[("email", "mueller-at-example"), ("csrf_token", &token)],
            &admin.cookies,
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong.body.contains(r#"value="mueller-at-example""#),
        "input kept"
    );
    assert!(
        wrong
            .body
            .contains(r#"aria-invalid="true" aria-describedby="new-email-error""#)
    );
    assert!(wrong.body.contains("<title>Fehler: "));
    let taken = app
        .post_as(
            &path,
            &[("email", "GUT@example.org"), ("csrf_token", &token)],
            &admin.cookies,
        )
        .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(taken.body.contains("bereits eine andere Person angemeldet"));
    let fixed = app
        .post_as(
            &path,
            &[
                ("email", "juergen.mueller@example.org"),
                ("csrf_token", &token),
            ],
            &admin.cookies,
        )
        .await;
    assert_eq!(fixed.status, StatusCode::SEE_OTHER, "{}", fixed.body);
    let mails = app.smtp.wait_for(2, Duration::from_secs(20)).await;
    let confirmation = mails
        .iter()
        .find(|m| m.rcpt_tos == ["juergen.mueller@example.org"])
        .expect("the confirmation reaches the corrected address");
    assert!(confirmation.subject.starts_with("Anmeldebestätigung"));
    let dashboard = app.get_as("/organiser", &admin.cookies).await;
    assert!(
        !dashboard.body.contains("id=\"undeliverable\""),
        "the corrected refusal needs no attention"
    );
    assert_eq!(
        status_of_email(&app, "juergen.mueller@example.org"),
        registration,
        "same registration, new address"
    );
}

fn status_of_email(app: &TestApp, email: &str) -> i64 {
    let mut conn = app.conn();
    let forum = db::forums::find_latest(&mut conn)
        .expect("query")
        .expect("forum");
    db::registrations::find_by_email_key(&mut conn, forum.id, email)
        .expect("query")
        .expect("registration")
        .0
        .id
}
