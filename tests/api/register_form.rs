//! The HTML registration form, as a browser without JavaScript uses it.

use crate::helpers::*;
use crate::on_both_backends;
use awc::http::StatusCode;
use forumreg::db;
use std::time::Duration;

on_both_backends!(
    mistakes_are_shown_at_their_fields_and_input_is_kept,
    forms_without_a_valid_csrf_token_change_nothing,
    second_registration_and_full_site_are_explained,
);

/// A complete form; empty values are left out when posting.
const GOOD: [(&str, &str); 9] = [
    ("site", "goerlitz"),
    ("first_name", "Marie-Luise"),
    ("last_name", "Schröder"),
    ("email", "m.schroeder@example.org"),
    ("organisation", "Landratsamt Görlitz"),
    ("sector", "administration"),
    ("position", "Amtsleiterin"),
    ("privacy_consent", "yes"),
    ("waitlist", ""),
];

fn with(overrides: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    GOOD.iter()
        .map(|(k, v)| {
            (
                *k,
                overrides
                    .iter()
                    .find(|(o, _)| o == k)
                    .map_or(*v, |(_, ov)| *ov),
            )
        })
        .filter(|(_, v)| !v.is_empty())
        .collect()
}

async fn mistakes_are_shown_at_their_fields_and_input_is_kept(backend: Backend) {
    let app = spawn_app(backend).await;
    let session = app.form_session().await;

    let bad = with(&[
        ("email", "m.schroeder-at-example.org"),
        ("privacy_consent", ""),
    ]);
    let page = app.post_form("/register", &bad, Some(&session)).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = &page.body;
    assert!(html.contains("<title>Fehler:"), "title announces the error");
    assert!(html.contains("class=\"error-summary\""), "summary on top");
    assert!(
        html.contains("href=\"#email\""),
        "summary links to the field"
    );
    assert!(html.contains("id=\"email-error\""));
    assert!(
        html.contains("aria-invalid=\"true\" aria-describedby=\"email-error\""),
        "error bound to the field"
    );
    assert!(html.contains("Bitte geben Sie eine gültige E-Mail-Adresse ein"));
    assert!(html.contains("id=\"privacy_consent-error\""));
    // Everything typed is still there.
    assert!(html.contains("value=\"Marie-Luise\""));
    assert!(html.contains("value=\"Schröder\""));
    assert!(html.contains("value=\"m.schroeder-at-example.org\""));
    assert!(html.contains("value=\"Amtsleiterin\""));
    assert!(html.contains("value=\"goerlitz\" checked"));
    assert!(html.contains("value=\"administration\" selected"));
    assert_eq!(
        db::registrations::count_all(&mut app.conn()).expect("count"),
        0
    );

    let fixed = app.post_form("/register", &with(&[]), Some(&session)).await;
    assert_eq!(fixed.status, StatusCode::SEE_OTHER, "{}", fixed.body);
    let location = fixed.header("location").expect("redirect");
    assert!(location.starts_with("/registration/") && location.ends_with("/thanks"));
    let thanks = app.get(&location).await;
    assert_eq!(thanks.status, StatusCode::OK);
    assert!(thanks.body.contains("Vielen Dank für Ihre Anmeldung"));
    assert!(thanks.body.contains("Hochschule Zittau/Görlitz"));
    assert!(thanks.body.contains("Donnerstag, 18. März 2027"));
    assert!(
        thanks
            .body
            .contains("per E-Mail an <strong>m.schroeder@example.org</strong> unterwegs")
    );

    let mails = app.smtp.wait_for(1, Duration::from_secs(20)).await;
    assert_eq!(mails[0].rcpt_tos, ["m.schroeder@example.org"]);
    assert!(
        mails[0]
            .text
            .as_deref()
            .is_some_and(|t| t.contains("Marie-Luise Schröder"))
    );
}

async fn forms_without_a_valid_csrf_token_change_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    // No cookie, no token: a forged cross-site post.
    let forged = app.post_form("/register", &with(&[]), None).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(
        forged.body.contains("value=\"Marie-Luise\""),
        "input kept for an honest user"
    );
    assert!(
        forged.body.contains("Ihre Sitzung ist abgelaufen"),
        "the reason is shown"
    );
    // A token that does not match the cookie.
    let session = app.form_session().await;
    let wrong = FormSession {
        cookie: session.cookie.clone(),
        token: "0".repeat(32),
    };
    let forged = app.post_form("/register", &with(&[]), Some(&wrong)).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(
        db::registrations::count_all(&mut app.conn()).expect("count"),
        0
    );
    assert_eq!(app.forum().await["sites"][0]["confirmed"], 0);
}

async fn second_registration_and_full_site_are_explained(backend: Backend) {
    let app = spawn_app_with(
        backend,
        &forum_toml(&[("goerlitz", Some(1)), ("riesa", Some(5)), ("stream", None)]),
    )
    .await;
    let session = app.form_session().await;
    let first = app.post_form("/register", &with(&[]), Some(&session)).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);

    let again = app
        .post_form(
            "/register",
            &with(&[("email", " M.Schroeder@EXAMPLE.org "), ("site", "riesa")]),
            Some(&session),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(
        again
            .body
            .contains("bereits für den Standort Ort goerlitz angemeldet"),
        "{}",
        again.body
    );

    let full = app
        .post_form(
            "/register",
            &with(&[("email", "other@example.org")]),
            Some(&session),
        )
        .await;
    assert_eq!(full.status, StatusCode::CONFLICT);
    assert!(
        full.body
            .contains("Der Standort Ort goerlitz ist leider ausgebucht")
    );
    assert!(full.body.contains("Hier sind noch Plätze frei"));
    assert!(
        full.body.contains("Ort riesa</span> – noch 5 Plätze frei"),
        "alternative with seats"
    );
    assert!(
        full.body.contains("Livestream</span> – Plätze unbegrenzt"),
        "the stream as alternative"
    );
    assert!(
        full.body.contains("value=\"other@example.org\""),
        "input kept"
    );
    assert_eq!(
        db::registrations::count_all(&mut app.conn()).expect("count"),
        1
    );

    // Ticking "waiting list" turns the same submission into a place in line.
    let waiting = app
        .post_form(
            "/register",
            &with(&[("email", "other@example.org"), ("waitlist", "yes")]),
            Some(&session),
        )
        .await;
    assert_eq!(waiting.status, StatusCode::SEE_OTHER, "{}", waiting.body);
    let thanks = app
        .get(&waiting.header("location").expect("redirect"))
        .await;
    assert!(thanks.body.contains("Sie stehen auf der Warteliste"));
    assert!(
        thanks
            .body
            .contains("<strong>Platz 1</strong> der Warteliste")
    );
    let mails = app.smtp.wait_for(2, Duration::from_secs(20)).await;
    assert!(
        mails
            .iter()
            .any(|m| m.rcpt_tos == ["other@example.org"] && m.subject.starts_with("Warteliste"))
    );
}
