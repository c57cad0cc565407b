//! After the first sign-up: waiting lists, promotion, self-service, stream, calendar,
//! reminders and registration windows.

use crate::forum::run_import;
use crate::helpers::*;
use crate::on_both_backends;
use awc::http::StatusCode;
use forumreg::db;
use futures_util::future::join_all;
use serde_json::json;
use std::time::Duration;

on_both_backends!(
    waiting_list_moves_up_in_order,
    concurrent_cancellations_promote_each_person_once_in_order,
    self_service_needs_the_right_link_and_form_token,
    switching_site_moves_the_seat_and_updates_the_calendar,
    resend_link_answers_everyone_alike,
    stream_link_records_the_first_visit,
    raising_capacity_by_import_promotes_the_waiting,
    registration_window_comes_from_the_forum_file,
    reminder_is_sent_once_across_instances_and_restarts,
);

fn token_of(conn: &mut db::DbConnection, email: &str) -> String {
    let forum = db::forums::find_latest(conn)
        .expect("query")
        .expect("forum");
    db::registrations::find_by_email_key(conn, forum.id, &email.to_lowercase())
        .expect("query")
        .map(|(r, _)| r.manage_token)
        .unwrap_or_else(|| panic!("registration for {email}"))
}

fn status_of(conn: &mut db::DbConnection, token: &str) -> (String, String) {
    let (registration, site) = db::registrations::find_by_manage_token(conn, token)
        .expect("query")
        .expect("registration");
    (registration.status, site.slug)
}

fn waitlist_registration(site: &str, email: &str) -> serde_json::Value {
    let mut body = valid_registration(site, email);
    body["waitlist"] = json!(true);
    body
}

fn mails_of_kind<'a>(
    mails: &'a [ReceivedMail],
    to: &str,
    subject_start: &str,
) -> Vec<&'a ReceivedMail> {
    mails
        .iter()
        .filter(|m| m.rcpt_tos.iter().any(|r| r == to) && m.subject.starts_with(subject_start))
        .collect()
}

fn ics_value(ics: &str, key: &str) -> String {
    ics.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}:")))
        .unwrap_or_else(|| panic!("{key} in {ics}"))
        .trim()
        .to_string()
}

async fn waiting_list_moves_up_in_order(backend: Backend) {
    let app = spawn_app_with(
        backend,
        &forum_toml(&[("klein", Some(2)), ("stream", None)]),
    )
    .await;
    for who in ["a", "b"] {
        let r = app
            .register(&valid_registration("klein", &format!("{who}@example.org")))
            .await;
        assert_eq!(r.json()["status"], "confirmed");
    }
    let refused = app
        .register(&valid_registration("klein", "ohne@example.org"))
        .await;
    assert_eq!(
        refused.status,
        StatusCode::CONFLICT,
        "no waiting list without asking"
    );
    assert_eq!(refused.json()["code"], "site_full");
    for (i, who) in ["c", "d", "e"].iter().enumerate() {
        let r = app
            .register(&waitlist_registration(
                "klein",
                &format!("{who}@example.org"),
            ))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.json()["status"], "waitlisted");
        assert_eq!(r.json()["waitlist_position"], i as i64 + 1);
    }
    let mut bad_body = waitlist_registration("klein", "typ@example.org");
    bad_body["waitlist"] = json!("yes");
    let bad = app.register(&bad_body).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.json()["errors"]["waitlist"].is_array());
    let site = &app.forum().await["sites"][0];
    assert_eq!(
        (site["confirmed"].as_i64(), site["waitlisted"].as_i64()),
        (Some(2), Some(3))
    );

    let mails = app.smtp.wait_for(5, Duration::from_secs(20)).await;
    let waiting = mails_of_kind(&mails, "c@example.org", "Warteliste");
    assert_eq!(waiting.len(), 1);
    assert!(
        waiting[0]
            .text
            .as_deref()
            .is_some_and(|t| t.contains("Platz 1 der Warteliste"))
    );
    assert!(
        waiting[0].calendar().is_none(),
        "no calendar entry without a seat"
    );
    let confirmation_of_a = mails_of_kind(&mails, "a@example.org", "Anmeldebestätigung")[0].clone();

    // a cancels through the personal page: a confirmation step, then the POST.
    let path = confirmation_of_a.personal_path();
    let confirm = app.get(&format!("{path}/cancel")).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(confirm.body.contains("wirklich stornieren"));
    let session = app.form_session().await;
    let done = app
        .post_form(&format!("{path}/cancel"), &[], Some(&session))
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let page = app.get(&done.header("location").expect("redirect")).await;
    assert!(page.body.contains("Ihre Anmeldung ist storniert"));

    let mut conn = app.conn();
    let c = token_of(&mut conn, "c@example.org");
    let d = token_of(&mut conn, "d@example.org");
    assert_eq!(
        status_of(&mut conn, &c).0,
        "confirmed",
        "first in line moved up"
    );
    assert_eq!(status_of(&mut conn, &d).0, "waitlisted");
    let d_page = app.get(&format!("/registration/{d}")).await;
    assert!(
        d_page.body.contains("Platz 1 auf der Warteliste"),
        "d is now first"
    );
    let site = &app.forum().await["sites"][0];
    assert_eq!(
        (site["confirmed"].as_i64(), site["waitlisted"].as_i64()),
        (Some(2), Some(2))
    );

    let mails = app.smtp.wait_for(7, Duration::from_secs(20)).await;
    let promoted = mails_of_kind(&mails, "c@example.org", "Ihr Platz ist frei geworden");
    assert_eq!(promoted.len(), 1);
    assert!(
        promoted[0]
            .calendar()
            .is_some_and(|ics| ics.contains("METHOD:PUBLISH"))
    );
    let cancelled = mails_of_kind(&mails, "a@example.org", "Stornierung bestätigt");
    assert_eq!(cancelled.len(), 1);
    let cancel_ics = cancelled[0].calendar().expect("calendar cancellation");
    let original_ics = confirmation_of_a.calendar().expect("calendar entry");
    assert_eq!(ics_value(&cancel_ics, "METHOD"), "CANCEL");
    assert_eq!(ics_value(&cancel_ics, "STATUS"), "CANCELLED");
    assert_eq!(
        ics_value(&cancel_ics, "UID"),
        ics_value(&original_ics, "UID"),
        "same calendar entry"
    );
    assert!(ics_value(&cancel_ics, "SEQUENCE") > ics_value(&original_ics, "SEQUENCE"));

    // After cancelling, the same person may register again (and waits in line).
    let again = app
        .register(&waitlist_registration("klein", "A@example.org"))
        .await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.json()["waitlist_position"], 3);
}

async fn concurrent_cancellations_promote_each_person_once_in_order(backend: Backend) {
    let app = spawn_app_with(backend, &forum_toml(&[("voll", Some(5)), ("stream", None)])).await;
    for i in 0..5 {
        assert_eq!(
            app.register(&valid_registration("voll", &format!("sitz{i}@example.org")))
                .await
                .status,
            StatusCode::CREATED
        );
    }
    for i in 0..10 {
        let r = app
            .register(&waitlist_registration(
                "voll",
                &format!("wart{i}@example.org"),
            ))
            .await;
        assert_eq!(r.json()["waitlist_position"], i + 1);
    }
    let mut conn = app.conn();
    let seated: Vec<String> = (0..5)
        .map(|i| token_of(&mut conn, &format!("sitz{i}@example.org")))
        .collect();
    let session = app.form_session().await;

    // Five cancellations (each sent twice) and ten newcomers, all at once.
    let cancels = seated
        .iter()
        .flat_map(|t| [t.clone(), t.clone()])
        .map(|token| {
            let (http, session) = (
                app.http.clone(),
                FormSession {
                    cookie: session.cookie.clone(),
                    token: session.token.clone(),
                },
            );
            async move {
                http.post_form(
                    &format!("/registration/{token}/cancel"),
                    &[],
                    Some(&session),
                )
                .await
                .status
            }
        });
    let newcomers = (0..10).map(|i| {
        let http = app.http.clone();
        async move {
            http.register(&waitlist_registration(
                "voll",
                &format!("neu{i}@example.org"),
            ))
            .await
            .status
        }
    });
    let (cancel_statuses, newcomer_statuses) =
        futures_util::future::join(join_all(cancels), join_all(newcomers)).await;
    assert!(
        cancel_statuses.iter().all(|s| *s == StatusCode::SEE_OTHER),
        "{cancel_statuses:?}"
    );
    assert!(
        newcomer_statuses.iter().all(|s| *s == StatusCode::CREATED),
        "{newcomer_statuses:?}"
    );

    crate::capacity::assert_site_holds(&mut conn, "voll", 5);
    for i in 0..10 {
        let token = token_of(&mut conn, &format!("wart{i}@example.org"));
        let expected = if i < 5 { "confirmed" } else { "waitlisted" };
        assert_eq!(
            status_of(&mut conn, &token).0,
            expected,
            "wart{i}: strict first come, first served"
        );
    }
    // The remaining line: wart5..wart9 first, then the newcomers.
    let forum = db::forums::find_latest(&mut conn)
        .expect("q")
        .expect("forum");
    let site = db::sites::find_by_slug(&mut conn, forum.id, "voll")
        .expect("q")
        .expect("site");
    let first = db::registrations::first_waitlisted(&mut conn, site.id)
        .expect("q")
        .expect("someone waits");
    assert_eq!(first.email, "wart5@example.org");
    assert_eq!(app.forum().await["sites"][0]["waitlisted"], 15);

    let mails = app
        .smtp
        .wait_for(5 + 10 + 10 + 5 + 5, Duration::from_secs(40))
        .await;
    for i in 0..5 {
        let to = format!("wart{i}@example.org");
        assert_eq!(
            mails_of_kind(&mails, &to, "Ihr Platz ist frei geworden").len(),
            1,
            "{to} promoted once"
        );
    }
    assert!(
        mails
            .iter()
            .all(|m| !m.subject.starts_with("Ihr Platz") || m.rcpt_tos[0].starts_with("wart"))
    );
}

async fn self_service_needs_the_right_link_and_form_token(backend: Backend) {
    let app = spawn_app(backend).await;
    app.register(&valid_registration("riesa", "selbst@example.org"))
        .await;
    let token = token_of(&mut app.conn(), "selbst@example.org");
    let unknown = "0123456789abcdef0123456789abcdef";
    assert_eq!(
        app.get(&format!("/registration/{unknown}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/registration/{unknown}/cancel"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/registration/{unknown}/calendar.ics"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let session = app.form_session().await;
    let r = app
        .post_form(
            &format!("/registration/{unknown}/cancel"),
            &[],
            Some(&session),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let forged = app
        .post_form(&format!("/registration/{token}/cancel"), &[], None)
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let wrong = FormSession {
        cookie: session.cookie.clone(),
        token: "f".repeat(32),
    };
    let forged = app
        .post_form(
            &format!("/registration/{token}/switch"),
            &[("site", "chemnitz")],
            Some(&wrong),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let mut conn = app.conn();
    assert_eq!(
        status_of(&mut conn, &token),
        ("confirmed".into(), "riesa".into()),
        "nothing changed"
    );

    let ics = app
        .get(&format!("/registration/{token}/calendar.ics"))
        .await;
    assert_eq!(ics.status, StatusCode::OK);
    assert!(
        ics.header("content-type")
            .is_some_and(|t| t.starts_with("text/calendar"))
    );
    let unfolded = ics.body.replace("\r\n ", "");
    assert!(unfolded.contains("DTSTART;TZID=Europe/Berlin:20270318T093000\r\n"));
    assert!(unfolded.contains("DTEND;TZID=Europe/Berlin:20270318T153000\r\n"));
    assert!(unfolded.contains("BEGIN:VTIMEZONE"));
}

async fn switching_site_moves_the_seat_and_updates_the_calendar(backend: Backend) {
    let app = spawn_app_with(
        backend,
        &forum_toml(&[
            ("a", Some(1)),
            ("b", Some(2)),
            ("c", Some(1)),
            ("stream", None),
        ]),
    )
    .await;
    app.register(&valid_registration("a", "wechsel@example.org"))
        .await;
    app.register(&waitlist_registration("a", "wartend@example.org"))
        .await;
    app.register(&valid_registration("c", "belegt@example.org"))
        .await;
    let mut conn = app.conn();
    let mover = token_of(&mut conn, "wechsel@example.org");
    let waiting = token_of(&mut conn, "wartend@example.org");

    let page = app.get(&format!("/registration/{mover}")).await;
    assert!(page.body.contains("Wechseln nach Ort b"));
    assert!(
        !page.body.contains("Wechseln nach Ort c"),
        "full sites are not offered"
    );
    let confirm = app
        .get(&format!("/registration/{mover}/switch?site=b"))
        .await;
    assert!(confirm.body.contains("von Ort a nach Ort b wechseln"));

    let session = app.form_session().await;
    let full = app
        .post_form(
            &format!("/registration/{mover}/switch"),
            &[("site", "c")],
            Some(&session),
        )
        .await;
    assert_eq!(full.status, StatusCode::CONFLICT);
    assert!(full.body.contains("inzwischen ausgebucht"));
    assert_eq!(
        status_of(&mut conn, &mover),
        ("confirmed".into(), "a".into())
    );

    let moved = app
        .post_form(
            &format!("/registration/{mover}/switch"),
            &[("site", "b")],
            Some(&session),
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER);
    assert_eq!(
        status_of(&mut conn, &mover),
        ("confirmed".into(), "b".into())
    );
    assert_eq!(
        status_of(&mut conn, &waiting),
        ("confirmed".into(), "a".into()),
        "the freed seat went to the next in line"
    );
    let sites = app.forum().await["sites"].clone();
    assert_eq!(
        (
            sites[0]["confirmed"].as_i64(),
            sites[0]["waitlisted"].as_i64()
        ),
        (Some(1), Some(0))
    );
    assert_eq!(sites[1]["confirmed"], 1);

    let to_stream = app
        .post_form(
            &format!("/registration/{mover}/switch"),
            &[("site", "stream")],
            Some(&session),
        )
        .await;
    assert_eq!(to_stream.status, StatusCode::SEE_OTHER);
    assert_eq!(
        status_of(&mut conn, &mover),
        ("confirmed".into(), "stream".into())
    );
    assert_eq!(
        app.forum().await["sites"][1]["confirmed"],
        0,
        "seat at b given back"
    );

    // 3 sign-ups, 2 switch confirmations, 1 promotion.
    let mails = app.smtp.wait_for(6, Duration::from_secs(20)).await;
    let original = mails_of_kind(&mails, "wechsel@example.org", "Anmeldebestätigung")[0]
        .calendar()
        .expect("ics");
    let switched = mails_of_kind(&mails, "wechsel@example.org", "Standortwechsel bestätigt");
    assert_eq!(switched.len(), 2);
    let to_b = switched
        .iter()
        .find(|m| m.subject.contains("Ort b"))
        .and_then(|m| m.calendar())
        .expect("ics for b");
    assert_eq!(ics_value(&to_b, "UID"), ics_value(&original, "UID"));
    assert_eq!(ics_value(&to_b, "SEQUENCE"), "1");
    assert!(to_b.contains("LOCATION:Saal b"), "{to_b}");
    assert_eq!(
        mails_of_kind(&mails, "wartend@example.org", "Ihr Platz ist frei geworden").len(),
        1
    );
}

async fn resend_link_answers_everyone_alike(backend: Backend) {
    let app = spawn_app(backend).await;
    app.register(&valid_registration("zwickau", "vergesslich@example.org"))
        .await;
    app.smtp.wait_for(1, Duration::from_secs(20)).await;
    let session = app.form_session().await;
    let known = app
        .post_form(
            "/resend-link",
            &[("email", " Vergesslich@Example.org ")],
            Some(&session),
        )
        .await;
    let unknown = app
        .post_form(
            "/resend-link",
            &[("email", "niemand@example.org")],
            Some(&session),
        )
        .await;
    assert_eq!(known.status, StatusCode::OK);
    assert_eq!(
        (known.status, &known.body),
        (unknown.status, &unknown.body),
        "identical answers"
    );
    assert!(
        known
            .body
            .contains("Wenn diese E-Mail-Adresse für das Forum angemeldet ist")
    );
    let invalid = app
        .post_form("/resend-link", &[("email", "kaputt")], Some(&session))
        .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(invalid.body.contains("aria-invalid=\"true\""));
    let forged = app
        .post_form(
            "/resend-link",
            &[("email", "vergesslich@example.org")],
            None,
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let mails = app.smtp.wait_for(2, Duration::from_secs(20)).await;
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    let mails = if app.smtp.mails().len() > mails.len() {
        app.smtp.mails()
    } else {
        mails
    };
    assert_eq!(
        mails.len(),
        2,
        "one confirmation, one link mail, nothing for unknown addresses"
    );
    let link = mails_of_kind(&mails, "vergesslich@example.org", "Ihr Link zur Anmeldung");
    assert_eq!(link.len(), 1);
    assert_eq!(link[0].personal_path(), mails[0].personal_path());
}

async fn stream_link_records_the_first_visit(backend: Backend) {
    let app = spawn_app(backend).await;
    app.register(&valid_registration("stream", "online@example.org"))
        .await;
    let mails = app.smtp.wait_for(1, Duration::from_secs(20)).await;
    let text = mails[0].text.clone().expect("text");
    let start = text.find("/stream/").expect("stream link in the mail");
    let path: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let page = app.get(&mails[0].personal_path()).await;
    assert!(
        page.body.contains(&path),
        "stream link on the personal page"
    );

    let first = app.get(&path).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    assert_eq!(
        first.header("location").as_deref(),
        Some("https://stream.example.org/fachforum-2027")
    );
    let mut conn = app.conn();
    let forum = db::forums::find_latest(&mut conn)
        .expect("q")
        .expect("forum");
    let token = token_of(&mut conn, "online@example.org");
    let joined = |conn: &mut db::DbConnection| {
        db::registrations::find_by_manage_token(conn, &token)
            .expect("q")
            .expect("r")
            .0
            .stream_joined_at
    };
    let first_visit = joined(&mut conn).expect("first visit recorded");
    actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(app.get(&path).await.status, StatusCode::SEE_OTHER);
    assert_eq!(
        joined(&mut conn),
        Some(first_visit),
        "only the first visit counts"
    );
    assert_eq!(
        db::registrations::count_stream_joined(&mut conn, forum.id).expect("count"),
        1
    );
    assert_eq!(
        app.get(&format!("/stream/{}", "a".repeat(32))).await.status,
        StatusCode::NOT_FOUND
    );
}

async fn raising_capacity_by_import_promotes_the_waiting(backend: Backend) {
    let app = spawn_app_with(backend, &forum_toml(&[("eng", Some(1)), ("stream", None)])).await;
    app.register(&valid_registration("eng", "erste@example.org"))
        .await;
    for i in 0..3 {
        app.register(&waitlist_registration(
            "eng",
            &format!("warte{i}@example.org"),
        ))
        .await;
    }
    let file = app.dir.path().join("more.toml");
    std::fs::write(&file, forum_toml(&[("eng", Some(3)), ("stream", None)])).expect("write");
    let (ok, out) = run_import(&app.db, &file);
    assert!(ok, "{out}");
    assert!(out.contains("2 moved up from waiting lists"), "{out}");
    let site = &app.forum().await["sites"][0];
    assert_eq!(
        (site["confirmed"].as_i64(), site["waitlisted"].as_i64()),
        (Some(3), Some(1))
    );
    let mut conn = app.conn();
    let last = token_of(&mut conn, "warte2@example.org");
    assert_eq!(status_of(&mut conn, &last).0, "waitlisted");
    let mails = app.smtp.wait_for(6, Duration::from_secs(20)).await;
    assert_eq!(
        mails_of_kind(&mails, "warte0@example.org", "Ihr Platz ist frei geworden").len(),
        1
    );
    assert_eq!(
        mails_of_kind(&mails, "warte1@example.org", "Ihr Platz ist frei geworden").len(),
        1
    );
}

async fn registration_window_comes_from_the_forum_file(backend: Backend) {
    let later = forum_toml(&[("a", Some(5))]).replace(
        "privacy_version = \"test-1\"",
        "privacy_version = \"test-1\"\nregistration_opens = \"2098-01-10 08:00\"",
    );
    let app = spawn_app_with(backend, &later).await;
    let r = app
        .register(&valid_registration("a", "frueh@example.org"))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["code"], "registration_closed");
    assert_eq!(app.forum().await["registration_open"], false);
    assert_eq!(
        app.forum().await["registration_opens_at"],
        "2098-01-10T07:00:00Z",
        "08:00 Berlin is 07:00 UTC in winter"
    );
    let page = app.get("/").await;
    assert!(
        page.body
            .contains("Die Anmeldung öffnet am Freitag, 10. Januar 2098 um 08:00 Uhr."),
        "{}",
        page.body
    );
    let form = app.get("/register").await;
    assert!(
        !form
            .body
            .contains("<form method=\"post\" action=\"/register\"")
    );

    let closed = forum_toml(&[("a", Some(5))]).replace(
        "privacy_version = \"test-1\"",
        "privacy_version = \"test-1\"\nregistration_closes = \"2021-01-01 12:00\"",
    );
    let app = spawn_app_with(backend, &closed).await;
    let r = app
        .register(&valid_registration("a", "spaet@example.org"))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["code"], "registration_closed");
    assert!(
        app.get("/")
            .await
            .body
            .contains("Die Anmeldung ist geschlossen")
    );
}

async fn reminder_is_sent_once_across_instances_and_restarts(backend: Backend) {
    let dir = TempDir::new();
    let db = TestDb::create(backend, dir.path());
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1)).date_naive();
    let forum_file = dir.path().join("forum.toml");
    std::fs::write(
        &forum_file,
        forum_toml(&[("bald", Some(10)), ("stream", None)])
            .replace("2099-06-01", &tomorrow.to_string()),
    )
    .expect("forum file");
    let smtp = SmtpServer::start(&dir.path().join("smtp"));
    let mut env = app_env(&db, &forum_file, &smtp.url(), dir.path());
    env.insert("REMINDER_LEAD_HOURS".into(), "72".into());
    env.insert("REMINDER_CHECK_SECS".into(), "1".into());
    let mut a = Instance::start(&env, &dir.path().join("a.log"));
    let _b = Instance::start(&env, &dir.path().join("b.log"));
    for i in 0..3 {
        let r = a
            .http
            .register(&valid_registration(
                "bald",
                &format!("erinnert{i}@example.org"),
            ))
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    a.http
        .register(&valid_registration("stream", "online@example.org"))
        .await;
    let reminders = |mails: &[ReceivedMail]| {
        mails
            .iter()
            .filter(|m| m.subject.starts_with("Erinnerung"))
            .count()
    };
    eventually("four reminders", Duration::from_secs(30), || {
        (reminders(&smtp.mails()) >= 4).then_some(())
    })
    .await;

    a.kill();
    let _c = Instance::start(&env, &dir.path().join("c.log"));
    actix_web::rt::time::sleep(Duration::from_secs(4)).await;
    let mails = smtp.mails();
    assert_eq!(
        reminders(&mails),
        4,
        "exactly one reminder per registration"
    );
    for i in 0..3 {
        let to = format!("erinnert{i}@example.org");
        let mine = mails_of_kind(&mails, &to, "Erinnerung");
        assert_eq!(mine.len(), 1, "{to}");
        assert!(mine[0].calendar().is_some());
    }
}
