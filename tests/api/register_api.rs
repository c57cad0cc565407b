//! Registering through `POST /api/v1/registrations`, and the mail that follows.

use crate::helpers::*;
use crate::on_both_backends;
use awc::http::StatusCode;
use forumreg::db;
use serde_json::json;
use std::time::Duration;

on_both_backends!(
    registration_is_confirmed_and_mailed,
    same_address_in_any_case_is_refused_kindly,
    full_site_answers_site_full,
    stream_has_no_seat_limit,
    real_names_are_kept_and_escaped,
    registration_closes_after_the_forum,
);

async fn registration_is_confirmed_and_mailed(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app
        .register(&valid_registration("riesa", "Anna.Schmidt@Beispiel.DE"))
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    let body = response.json();
    assert_eq!(body["status"], "confirmed");
    assert_eq!(body["site"], "riesa");
    assert!(body["id"].as_i64().is_some());

    let riesa = &app.forum().await["sites"][1];
    assert_eq!(
        (riesa["confirmed"].as_i64(), riesa["available"].as_i64()),
        (Some(1), Some(39))
    );

    let mails = app.smtp.wait_for(1, Duration::from_secs(20)).await;
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.rcpt_tos, ["Anna.Schmidt@beispiel.de"]);
    assert!(mail.to.contains("Anna.Schmidt@beispiel.de"), "{}", mail.to);
    assert_eq!(
        mail.content_type, "multipart/mixed",
        "text, HTML and a calendar file"
    );
    let attachment = &mail.attachments[0];
    assert_eq!(attachment.filename.as_deref(), Some("fachforum.ics"));
    assert_eq!(attachment.method.as_deref(), Some("PUBLISH"));
    let calendar = mail.calendar().expect("calendar attachment");
    assert!(
        calendar.contains("DTSTART;TZID=Europe/Berlin:20270318T093000"),
        "{calendar}"
    );
    assert!(
        calendar.contains("LOCATION:Stadthalle Stern\\, Saal 2\\, Hauptstraße 94\\, 01587 Riesa"),
        "{calendar}"
    );
    assert!(
        mail.subject.contains("Anmeldebestätigung") && mail.subject.contains("Riesa"),
        "{}",
        mail.subject
    );
    let text = mail.text.as_deref().expect("text part");
    let html = mail.html.as_deref().expect("html part");
    for part in [text, html] {
        assert!(part.contains("Jürgen Groß"), "greeting");
        assert!(part.contains("Stadthalle Stern, Saal 2"), "venue");
        assert!(part.contains("Hauptstraße 94, 01587 Riesa"), "address");
        assert!(part.contains("Donnerstag, 18. März 2027"), "date");
        assert!(part.contains("09:30–15:30 Uhr"), "time");
        assert!(part.contains("fachforum@example.org"), "organiser contact");
    }
    let link_start = text.find(&app.address).expect("personal link in text part");
    let link: String = text[link_start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    assert!(html.contains(&link), "same link in the HTML part");

    // The Message-ID is the one stored for the outbox row, and the row is marked sent.
    let mut conn = app.conn();
    let outbox = db::outbox::all(&mut conn).expect("outbox");
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].message_id, mail.message_id);
    assert!(
        mail.message_id.ends_with("@test.example.org>"),
        "{}",
        mail.message_id
    );
    let sent = eventually("outbox row marked sent", Duration::from_secs(10), || {
        db::outbox::all(&mut conn)
            .ok()?
            .into_iter()
            .find(|o| o.status == "sent")
    })
    .await;
    assert_eq!(sent.attempts, 1);

    // The personal link opens the participant's page.
    let path = link.trim_start_matches(&app.address).to_string();
    let page = app.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Ihre Anmeldung"));
    assert!(page.body.contains("Stadthalle Stern, Saal 2"));
    assert!(page.body.contains("Anna.Schmidt@beispiel.de"));
    assert_eq!(page.header("cache-control").as_deref(), Some("no-store"));

    // Unknown and malformed tokens find nothing.
    assert_eq!(
        app.get(&format!("/registration/{}", "0".repeat(32)))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/registration/'%20OR%201=1").await.status,
        StatusCode::NOT_FOUND
    );
}

async fn same_address_in_any_case_is_refused_kindly(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = app
        .register(&valid_registration("chemnitz", "kim.lee@example.org"))
        .await;
    assert_eq!(first.status, StatusCode::CREATED);
    for variant in [
        "kim.lee@example.org",
        "KIM.LEE@EXAMPLE.ORG",
        "  Kim.Lee@Example.org  ",
    ] {
        let again = app.register(&valid_registration("zwickau", variant)).await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{variant}");
        assert_eq!(
            again.header("content-type").as_deref(),
            Some("application/problem+json")
        );
        let problem = again.json();
        assert_eq!(problem["code"], "already_registered");
        assert_eq!(
            problem["site"], "chemnitz",
            "says where they are registered"
        );
    }
    let forum = app.forum().await;
    assert_eq!(forum["sites"][2]["confirmed"], 1);
    assert_eq!(
        forum["sites"][3]["confirmed"], 0,
        "no seat taken by the refused attempts"
    );
    let mut conn = app.conn();
    assert_eq!(db::registrations::count_all(&mut conn).expect("count"), 1);
    assert_eq!(db::outbox::all(&mut conn).expect("outbox").len(), 1);
}

async fn full_site_answers_site_full(backend: Backend) {
    let app = spawn_app_with(
        backend,
        &forum_toml(&[("klein", Some(2)), ("stream", None)]),
    )
    .await;
    for i in 0..2 {
        let r = app
            .register(&valid_registration("klein", &format!("p{i}@example.org")))
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let refused = app
        .register(&valid_registration("klein", "p3@example.org"))
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(refused.json()["code"], "site_full");
    let site = &app.forum().await["sites"][0];
    assert_eq!(
        (site["confirmed"].as_i64(), site["available"].as_i64()),
        (Some(2), Some(0))
    );
    let mut conn = app.conn();
    assert_eq!(db::registrations::count_all(&mut conn).expect("count"), 2);
}

async fn stream_has_no_seat_limit(backend: Backend) {
    let app = spawn_app_with(
        backend,
        &forum_toml(&[("klein", Some(1)), ("stream", None)]),
    )
    .await;
    for i in 0..5 {
        let r = app
            .register(&valid_registration("stream", &format!("s{i}@example.org")))
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
        assert_eq!(r.json()["site"], "stream");
    }
    let stream = &app.forum().await["sites"][1];
    assert_eq!(stream["confirmed"], 5);
    assert!(stream["available"].is_null());
    let mails = app.smtp.wait_for(5, Duration::from_secs(20)).await;
    assert!(
        mails
            .iter()
            .all(|m| m.text.as_deref().is_some_and(|t| t.contains("Livestream")))
    );
}

async fn real_names_are_kept_and_escaped(backend: Backend) {
    let app = spawn_app(backend).await;
    let people = [
        ("Zoë", "O'Brien-Łukasiewicz"),
        ("Hans Peter", "Müller-Lüdenscheidt"),
        ("Владимир", "Соколов"),
        ("明", "李"),
        ("José María", "García"),
    ];
    for (i, (first, last)) in people.iter().enumerate() {
        let mut body = valid_registration("chemnitz", &format!("name{i}@example.org"));
        body["first_name"] = json!(first);
        body["last_name"] = json!(last);
        body["organisation"] = json!("Müller & Söhne \"Metall\" GmbH");
        body["accessibility_needs"] = json!("<script>alert('x')</script>\nRollstuhl");
        let r = app.register(&body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{first} {last}: {}", r.body);
    }
    let mails = app
        .smtp
        .wait_for(people.len(), Duration::from_secs(30))
        .await;
    for (first, last) in people {
        let mail = mails
            .iter()
            .find(|m| {
                m.text
                    .as_deref()
                    .is_some_and(|t| t.contains(&format!("{first} {last}")))
            })
            .unwrap_or_else(|| panic!("mail for {first} {last}"));
        let html = mail.html.as_deref().expect("html");
        let escaped_last = last.replace('\'', "&#39;");
        assert!(
            html.contains(&escaped_last) || html.contains(last),
            "{last} in HTML part"
        );
    }
    // The personal page shows user text escaped, never as markup.
    let text = mails[0].text.clone().expect("text");
    let start = text.find("/registration/").expect("link");
    let path: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let page = app.get(&path).await;
    assert!(
        page.body
            .contains("Müller &#38; Söhne &#34;Metall&#34; GmbH"),
        "organisation escaped"
    );
    assert!(page.body.contains("&#60;script&#62;"), "script escaped");
    assert!(!page.body.contains("<script>"), "no raw script");
}

async fn registration_closes_after_the_forum(backend: Backend) {
    let past = forum_toml(&[("alpha", Some(5))]).replace("2099-06-01", "2020-01-01");
    let app = spawn_app_with(backend, &past).await;
    assert_eq!(app.forum().await["registration_open"], false);
    let r = app
        .register(&valid_registration("alpha", "late@example.org"))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["code"], "registration_closed");
    let page = app.get("/register").await;
    assert!(page.body.contains("Die Anmeldung ist geschlossen"));
    assert!(!page.body.contains("<form method=\"post\""));
    let mut conn = app.conn();
    assert_eq!(db::registrations::count_all(&mut conn).expect("count"), 0);
}

on_both_backends!(mails_use_the_language_of_the_registration);

async fn mails_use_the_language_of_the_registration(backend: Backend) {
    let app = spawn_app(backend).await;
    let english = app
        .client
        .post(format!("{}/api/v1/registrations", app.address))
        .insert_header(("Accept-Language", "en-GB,en;q=0.9,de;q=0.5"))
        .send_json(&valid_registration("goerlitz", "visitor@example.org"))
        .await
        .expect("post");
    assert_eq!(english.status(), StatusCode::CREATED);
    app.register(&valid_registration("goerlitz", "besucher@example.org"))
        .await;
    let mails = app.smtp.wait_for(2, Duration::from_secs(20)).await;
    let en = mails
        .iter()
        .find(|m| m.rcpt_tos == ["visitor@example.org"])
        .expect("english mail");
    let de = mails
        .iter()
        .find(|m| m.rcpt_tos == ["besucher@example.org"])
        .expect("german mail");

    assert!(
        en.subject.starts_with("Registration confirmed"),
        "{}",
        en.subject
    );
    let (text, html) = (
        en.text.clone().expect("text"),
        en.html.clone().expect("html"),
    );
    for part in [&text, &html] {
        assert!(part.contains("Dear Jürgen Groß"));
        assert!(part.contains("Thursday, 18 March 2027"));
        assert!(part.contains("09:30–15:30") && !part.contains("Uhr"));
        // Data from the forum file stays as written; no German from the templates.
        for german in [
            "Guten Tag",
            "Ihre ",
            "Standort",
            "Bitte",
            "Datum",
            "Mit freundlichen",
        ] {
            assert!(
                !part.contains(german),
                "{german:?} in the English mail:\n{part}"
            );
        }
    }
    assert!(html.contains("<html lang=\"en\">"));
    assert!(
        en.calendar()
            .is_some_and(|ics| ics.contains("DESCRIPTION:Your registration"))
    );
    assert!(de.subject.starts_with("Anmeldebestätigung"));
    for english_word in ["Dear ", "Your ", "Kind regards"] {
        assert!(
            !de.text.clone().unwrap_or_default().contains(english_word),
            "{english_word:?} in the German mail"
        );
    }

    // Later mails keep the language of the registration.
    let session = app.form_session().await;
    let cancelled = app
        .post_form(
            &format!("{}/cancel", en.personal_path()),
            &[],
            Some(&session),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::SEE_OTHER);
    let mails = app.smtp.wait_for(3, Duration::from_secs(20)).await;
    assert!(mails.iter().any(|m| m.rcpt_tos == ["visitor@example.org"]
        && m.subject.starts_with("Cancellation confirmed")));
}
