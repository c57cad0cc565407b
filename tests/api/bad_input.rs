//! Every kind of bad input gets a clear 4xx answer and changes nothing.

use crate::helpers::*;
use crate::on_both_backends;
use awc::http::StatusCode;
use forumreg::db;
use serde_json::{Value, json};

on_both_backends!(
    bad_json_bodies_are_refused_field_by_field,
    malformed_requests_get_problem_documents
);

fn with(field: &str, value: Value) -> Value {
    let mut body = valid_registration("chemnitz", "gut@example.org");
    body[field] = value;
    body
}

fn without(field: &str) -> Value {
    let mut body = valid_registration("chemnitz", "gut@example.org");
    body.as_object_mut().map(|m| m.remove(field));
    body
}

async fn bad_json_bodies_are_refused_field_by_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let long = "a".repeat(101);
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "empty first name",
            with("first_name", json!("")),
            "first_name",
        ),
        (
            "whitespace-only last name",
            with("last_name", json!("   \t ")),
            "last_name",
        ),
        (
            "overlong first name",
            with("first_name", json!(long)),
            "first_name",
        ),
        (
            "overlong organisation",
            with("organisation", json!("x".repeat(201))),
            "organisation",
        ),
        (
            "overlong accessibility needs",
            with("accessibility_needs", json!("x".repeat(1001))),
            "accessibility_needs",
        ),
        (
            "control character in name",
            with("first_name", json!("Anna\u{0007}")),
            "first_name",
        ),
        (
            "bidi override in organisation",
            with("organisation", json!("IHK\u{202E}gro")),
            "organisation",
        ),
        (
            "newline in organisation",
            with("organisation", json!("IHK\nBcc: x@y.de")),
            "organisation",
        ),
        (
            "script in name",
            with("last_name", json!("<script>alert(1)</script>")),
            "last_name",
        ),
        (
            "markup in organisation",
            with("organisation", json!("<img src=x onerror=alert(1)>")),
            "organisation",
        ),
        (
            "SQL in name",
            with("first_name", json!("Robert'); DROP TABLE registrations;--")),
            "first_name",
        ),
        (
            "digits as name",
            with("last_name", json!("12345")),
            "last_name",
        ),
        (
            "invalid e-mail",
            with("email", json!("not-an-address")),
            "email",
        ),
        (
            "e-mail without domain dot",
            with("email", json!("anna@localhost")),
            "email",
        ),
        (
            "header injection in e-mail",
            with("email", json!("a@b.de\r\nBcc: c@d.de")),
            "email",
        ),
        (
            "overlong e-mail",
            with("email", json!(format!("{}@example.org", "a".repeat(250)))),
            "email",
        ),
        (
            "missing consent",
            without("privacy_consent"),
            "privacy_consent",
        ),
        (
            "consent refused",
            with("privacy_consent", json!(false)),
            "privacy_consent",
        ),
        (
            "consent as string",
            with("privacy_consent", json!("yes")),
            "privacy_consent",
        ),
        ("unknown site", with("site", json!("dresden")), "site"),
        ("empty site", with("site", json!("")), "site"),
        ("SQL as site", with("site", json!("' OR 1=1 --")), "site"),
        ("unknown sector", with("sector", json!("lobby")), "sector"),
        ("missing sector", without("sector"), "sector"),
        ("number as e-mail", with("email", json!(42)), "email"),
        (
            "array as name",
            with("first_name", json!(["Anna"])),
            "first_name",
        ),
        (
            "object as organisation",
            with("organisation", json!({"name": "x"})),
            "organisation",
        ),
        ("number as position", with("position", json!(7)), "position"),
    ];
    for (case, body, field) in &cases {
        let response = app.register(body).await;
        assert_eq!(
            response.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{case}: {}",
            response.body
        );
        assert_eq!(
            response.header("content-type").as_deref(),
            Some("application/problem+json"),
            "{case}"
        );
        let problem = response.json();
        assert_eq!(problem["code"], "validation_failed", "{case}");
        let messages = problem["errors"][field]
            .as_array()
            .unwrap_or_else(|| panic!("{case}: no error for {field}: {problem}"));
        assert!(
            messages
                .iter()
                .all(|m| m.as_str().is_some_and(|s| s.len() > 10)),
            "{case}: a readable message"
        );
    }
    // All refused: nothing stored, no seat taken, no mail queued.
    let mut conn = app.conn();
    assert_eq!(db::registrations::count_all(&mut conn).expect("count"), 0);
    assert!(db::outbox::all(&mut conn).expect("outbox").is_empty());
    assert_eq!(app.forum().await["sites"][2]["confirmed"], 0);

    // English messages for clients that ask for them.
    let response = app
        .client
        .post(format!("{}/api/v1/registrations", app.address))
        .insert_header(("Accept-Language", "en-GB,en;q=0.9"))
        .send_json(&with("email", json!("nope")))
        .await
        .expect("post");
    let problem = collect(response).await.json();
    assert_eq!(
        problem["errors"]["email"][0],
        "Please enter a valid e-mail address, e.g. name@example.org."
    );

    // SQL-looking text where free text is allowed is stored as text, nothing more.
    let sql = "x'); DELETE FROM registrations; --";
    let ok = app.register(&with("position", json!(sql))).await;
    assert_eq!(ok.status, StatusCode::CREATED);
    assert_eq!(db::registrations::count_all(&mut conn).expect("count"), 1);
}

async fn malformed_requests_get_problem_documents(backend: Backend) {
    let app = spawn_app(backend).await;
    let path = "/api/v1/registrations";
    let cases: Vec<(&str, &str, Vec<u8>, StatusCode, &str)> = vec![
        (
            "broken JSON",
            "application/json",
            b"{\"site\": ".to_vec(),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            "not JSON at all",
            "application/json",
            b"site=riesa".to_vec(),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            "JSON array",
            "application/json",
            b"[1,2,3]".to_vec(),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            "JSON string",
            "application/json",
            b"\"hello\"".to_vec(),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            "empty body",
            "application/json",
            Vec::new(),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            "invalid UTF-8",
            "application/json",
            vec![b'{', b'"', 0xff, 0xfe, b'"', b':', b'1', b'}'],
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            "form encoding",
            "application/x-www-form-urlencoded",
            b"site=riesa".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            "plain text",
            "text/plain",
            b"{}".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            "oversized body",
            "application/json",
            format!("{{\"site\":\"{}\"}}", "a".repeat(64 * 1024)).into_bytes(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
    ];
    for (case, content_type, body, status, code) in cases {
        let response = app.post_raw(path, content_type, body).await;
        assert_eq!(response.status, status, "{case}: {}", response.body);
        assert_eq!(
            response.header("content-type").as_deref(),
            Some("application/problem+json"),
            "{case}"
        );
        assert_eq!(response.json()["code"], code, "{case}");
    }
    // Deeply nested JSON must not crash the server.
    let nested = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let response = app
        .post_raw(path, "application/json", nested.into_bytes())
        .await;
    assert!(
        response.status.is_client_error(),
        "nested: {}",
        response.status
    );

    // Broken form posts get a page, not a crash.
    let response = app
        .post_raw(
            "/register",
            "application/x-www-form-urlencoded",
            vec![0xff, b'=', 0xfe],
        )
        .await;
    assert!(
        response.status.is_client_error(),
        "bad form: {}",
        response.status
    );
    let response = app
        .post_raw(
            "/register",
            "application/x-www-form-urlencoded",
            vec![b'a'; 64 * 1024],
        )
        .await;
    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE);

    assert_eq!(
        db::registrations::count_all(&mut app.conn()).expect("count"),
        0
    );
    assert_eq!(
        app.get("/healthz").await.status,
        StatusCode::OK,
        "still serving"
    );
}
