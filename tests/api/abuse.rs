//! Rate limits on the public forms and the login: they trigger, say when to come back,
//! reset, and believe X-Forwarded-For only from a trusted proxy; slow clients time out.

use crate::helpers::*;
use crate::on_both_backends;
use awc::http::StatusCode;
use std::time::Duration;

on_both_backends!(
    rate_limits_trigger_and_reset,
    forwarded_addresses_count_only_behind_a_trusted_proxy,
    slow_clients_are_cut_off,
);

async fn register_from(app: &TestApp, email: &str, forwarded_for: Option<&str>) -> TestResponse {
    let mut request = app
        .client
        .post(format!("{}/api/v1/registrations", app.address));
    if let Some(address) = forwarded_for {
        request = request.insert_header(("X-Forwarded-For", address));
    }
    collect(
        request
            .send_json(&valid_registration("chemnitz", email))
            .await
            .expect("post"),
    )
    .await
}

async fn rate_limits_trigger_and_reset(backend: Backend) {
    let app = spawn_app_env(
        backend,
        &[
            ("RATE_LIMIT_PER_MINUTE", "3"),
            ("RATE_LIMIT_WINDOW_SECS", "6"),
        ],
    )
    .await;
    for i in 0..3 {
        assert_eq!(
            register_from(&app, &format!("r{i}@example.org"), None)
                .await
                .status,
            StatusCode::CREATED
        );
    }
    let limited = register_from(&app, "r3@example.org", None).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.json()["code"], "rate_limited");
    let wait: u64 = limited
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((1..=6).contains(&wait), "{wait}");
    assert!(
        limited.header("content-security-policy").is_some(),
        "headers on errors too"
    );

    // The form keeps what was typed and says how long to wait.
    let session = app.form_session().await;
    let form = app
        .post_form(
            "/register",
            &[
                ("site", "riesa"),
                ("first_name", "Karla"),
                ("last_name", "Kolumna"),
                ("email", "k@example.org"),
                ("organisation", "Neustadt"),
                ("sector", "other"),
                ("privacy_consent", "yes"),
            ],
            Some(&session),
        )
        .await;
    assert_eq!(form.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(form.header("retry-after").is_some());
    assert!(
        form.body.contains("value=\"Kolumna\"")
            && form.body.contains("Ihre Eingaben sind erhalten")
    );

    // Other doors have their own budget.
    let resend = app
        .post_form(
            "/resend-link",
            &[("email", "r0@example.org")],
            Some(&session),
        )
        .await;
    assert_eq!(resend.status, StatusCode::OK);

    actix_web::rt::time::sleep(Duration::from_millis(6200)).await;
    assert_eq!(
        register_from(&app, "r4@example.org", None).await.status,
        StatusCode::CREATED,
        "the window resets"
    );
    assert_eq!(
        app.forum().await["sites"][2]["confirmed"],
        4,
        "refused requests took no seat"
    );

    for _ in 0..3 {
        app.post_form(
            "/resend-link",
            &[("email", "x@example.org")],
            Some(&session),
        )
        .await;
    }
    let resend = app
        .post_form(
            "/resend-link",
            &[("email", "x@example.org")],
            Some(&session),
        )
        .await;
    assert_eq!(resend.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(resend.body.contains("Zu viele Anfragen"));
}

async fn forwarded_addresses_count_only_behind_a_trusted_proxy(backend: Backend) {
    // Without a trusted proxy the header is ignored: changing it does not help.
    let direct = spawn_app_env(backend, &[("RATE_LIMIT_PER_MINUTE", "2")]).await;
    for i in 0..2 {
        register_from(
            &direct,
            &format!("d{i}@example.org"),
            Some(&format!("198.51.100.{i}")),
        )
        .await;
    }
    let spoofed = register_from(&direct, "d9@example.org", Some("198.51.100.99")).await;
    assert_eq!(spoofed.status, StatusCode::TOO_MANY_REQUESTS);

    // Behind a trusted proxy each client address has its own budget.
    let proxied = spawn_app_env(
        backend,
        &[
            ("RATE_LIMIT_PER_MINUTE", "2"),
            ("TRUSTED_PROXIES", "127.0.0.1"),
        ],
    )
    .await;
    for client in ["203.0.113.5", "203.0.113.6"] {
        for i in 0..2 {
            let email = format!("c{}-{i}@example.org", client.replace('.', "-"));
            let r = register_from(&proxied, &email, Some(client)).await;
            assert_eq!(
                r.status,
                StatusCode::CREATED,
                "{client} request {i}: {}",
                r.body
            );
        }
    }
    let third = register_from(&proxied, "c@example.org", Some("10.9.9.9, 203.0.113.5")).await;
    assert_eq!(
        third.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the nearest untrusted address counts"
    );
}

async fn slow_clients_are_cut_off(backend: Backend) {
    use std::io::{Read, Write};
    let app = spawn_app_env(backend, &[("CLIENT_TIMEOUT_SECS", "1")]).await;
    let address = app.address.trim_start_matches("http://").to_string();
    let answer = actix_web::rt::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(address).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        // Half a request head, then silence.
        stream
            .write_all(b"POST /api/v1/registrations HTTP/1.1\r\nHost: x\r\n")
            .expect("write");
        let started = std::time::Instant::now();
        let mut buffer = Vec::new();
        let _ = stream.read_to_end(&mut buffer);
        (
            String::from_utf8_lossy(&buffer).into_owned(),
            started.elapsed(),
        )
    })
    .await
    .expect("slow client");
    let (response, waited) = answer;
    assert!(
        waited < Duration::from_secs(8),
        "the server hung up after {waited:?}"
    );
    assert!(
        response.is_empty() || response.starts_with("HTTP/1.1 408"),
        "{response:?}"
    );
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK);
}
