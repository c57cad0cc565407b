//! A tour of every page the app renders, in one language, as a browser with a `lang`
//! cookie would see them: public pages, the form with errors, the personal pages, the
//! organiser area. The HTML checks (vnu) and the language checks walk the same tour.

use crate::helpers::*;
use awc::http::StatusCode;
use forumreg::accounts::Role;
use forumreg::db;
use std::time::Duration;

/// The example forum (translated into English in its `[en]` table) with Görlitz down
/// to one seat, so that there is a waiting list.
pub fn tour_forum() -> String {
    let forum = example_forum_toml();
    let full = forum.replacen("capacity = 35", "capacity = 1", 1);
    assert_ne!(forum, full, "the example forum gives Görlitz 35 seats");
    full
}

pub const ADMIN: &str = "admin@example.org";

/// What the tour needs: registrations in both languages, their mails, an organiser.
pub struct Prepared {
    pub mails: Vec<ReceivedMail>,
    pub personal: String,
    pub first_id: i64,
    pub first_checkin: String,
    /// `forumreg_csrf=…` and the token that goes with it.
    pub csrf_cookie: String,
    pub csrf_token: String,
    /// The CSRF cookie plus an organiser session, and the session's form token.
    pub organiser: String,
    pub session_token: String,
}

/// A registration made through the API in English.
pub async fn register_in_english(app: &TestApp, body: &serde_json::Value) -> TestResponse {
    let response = app
        .client
        .post(format!("{}/api/v1/registrations", app.address))
        .insert_header(("Accept-Language", "en-GB,en;q=0.9"))
        .send_json(body)
        .await
        .expect("POST registration");
    collect(response).await
}

pub async fn prepare(app: &TestApp) -> Prepared {
    let first = app
        .register(&valid_registration("goerlitz", "erste@example.org"))
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let mut waiting = valid_registration("goerlitz", "zweite@example.org");
    waiting["waitlist"] = serde_json::json!(true);
    assert_eq!(app.register(&waiting).await.status, StatusCode::CREATED);
    assert_eq!(
        app.register(&valid_registration("stream", "online@example.org"))
            .await
            .status,
        StatusCode::CREATED
    );
    let english =
        register_in_english(app, &valid_registration("riesa", "english@example.org")).await;
    assert_eq!(english.status, StatusCode::CREATED, "{}", english.body);
    // A mail the server refuses for good, so the dashboard shows its warning.
    let bounce = valid_registration("riesa", "bounce@example.org");
    assert_eq!(app.register(&bounce).await.status, StatusCode::CREATED);
    let mails = app.smtp.wait_for(4, Duration::from_secs(20)).await;
    let mut conn = app.conn();
    eventually(
        "the refused mail marked failed",
        Duration::from_secs(20),
        || {
            db::outbox::all(&mut conn)
                .ok()?
                .into_iter()
                .find(|o| o.status == "failed")
        },
    )
    .await;

    add_organiser(app, ADMIN, Role::Admin);
    let forum = db::forums::find_latest(&mut conn)
        .expect("query")
        .expect("forum");
    let (registration, _) =
        db::registrations::find_by_email_key(&mut conn, forum.id, "erste@example.org")
            .expect("query")
            .expect("registration");
    let admin = login(&app.http, ADMIN).await;
    let personal = mails
        .iter()
        .find(|m| m.rcpt_tos == ["erste@example.org"])
        .expect("mail to the first participant")
        .personal_path();
    Prepared {
        mails,
        personal,
        first_id: registration.id,
        first_checkin: registration.checkin_code,
        csrf_cookie: admin.form_cookie,
        csrf_token: admin.form_token,
        session_token: admin.csrf,
        organiser: admin.cookies,
    }
}

/// A form sent on the tour: what it is, where it goes, its fields.
type FormPost<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>);

/// Every page, rendered for a visitor whose `lang` cookie says `lang`.
pub async fn tour(app: &TestApp, p: &Prepared, lang: &str) -> Vec<(String, String)> {
    let public = format!("{}; lang={lang}", p.csrf_cookie);
    let organiser = format!("{}; lang={lang}", p.organiser);
    let token = p.csrf_token.as_str();
    let mut pages = Vec::new();
    let posts: [FormPost<'_>; 4] = [
        (
            "form with errors",
            "/register",
            vec![
                ("site", "riesa"),
                ("email", "kaputt"),
                ("csrf_token", token),
            ],
        ),
        (
            "form for a full site",
            "/register",
            vec![
                ("site", "goerlitz"),
                ("first_name", "Anna"),
                ("last_name", "Voll"),
                ("email", "voll@example.org"),
                ("organisation", "IHK Dresden"),
                ("sector", "chamber"),
                ("privacy_consent", "yes"),
                ("csrf_token", token),
            ],
        ),
        (
            "resend link with errors",
            "/resend-link",
            vec![("email", "kaputt"), ("csrf_token", token)],
        ),
        (
            "login with errors",
            "/organiser/login",
            vec![
                ("email", "x@example.org"),
                ("password", "falsch-falsch"),
                ("csrf_token", token),
            ],
        ),
    ];
    for (name, path, fields) in posts {
        let page = app.post_as(path, &fields, &public).await;
        assert!(
            page.status.is_client_error(),
            "{name}: {} {}",
            page.status,
            page.body
        );
        pages.push((format!("{name} [{lang}]"), page.body));
    }
    let personal = &p.personal;
    for path in [
        "/".to_string(),
        "/register".into(),
        "/register?site=goerlitz".into(),
        "/privacy".into(),
        "/imprint".into(),
        "/accessibility".into(),
        "/leichte-sprache".into(),
        "/resend-link".into(),
        "/does-not-exist".into(),
        "/deleted".into(),
        personal.clone(),
        format!("{personal}/thanks"),
        format!("{personal}/cancel"),
        format!("{personal}/switch?site=riesa"),
        format!("{personal}/switch?site=nirgendwo"),
        format!("{personal}/delete"),
        "/organiser/login".into(),
    ] {
        let page = app.get_as(&path, &public).await;
        assert!(
            page.status.is_success() || page.status.is_client_error(),
            "{path}: {}",
            page.status
        );
        pages.push((format!("{path} [{lang}]"), page.body));
    }
    for path in [
        "/organiser".to_string(),
        "/organiser/participants".into(),
        "/organiser/participants?q=zweite&status=waitlisted".into(),
        format!("/organiser/participants/{}", p.first_id),
        "/organiser/attendance?site=goerlitz".into(),
        "/organiser/checkin".into(),
        "/organiser/checkin?q=erste".into(),
        format!("/organiser/checkin/{}", p.first_checkin),
    ] {
        let page = app.get_as(&path, &organiser).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        pages.push((format!("{path} [{lang}]"), page.body));
    }
    let correction = app
        .post_as(
            &format!("/organiser/participants/{}/email", p.first_id),
            &[("email", "kaputt"), ("csrf_token", &p.session_token)],
            &organiser,
        )
        .await;
    assert_eq!(correction.status, StatusCode::UNPROCESSABLE_ENTITY);
    pages.push((
        format!("address correction with errors [{lang}]"),
        correction.body,
    ));
    pages
}
