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

/// A small deterministic generator for random request bodies.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    fn text(&mut self) -> String {
        const PIECES: &[&str] = &[
            "a", "ä", "@", ".", "<", "'", "\"", "\\", "\0", "\u{202E}", " ", "riesa", "chamber",
            "😀", "\n",
        ];
        (0..self.below(12))
            .map(|_| PIECES[self.below(PIECES.len())])
            .collect()
    }

    fn json(&mut self, depth: usize) -> Value {
        match self.below(if depth > 3 { 5 } else { 7 }) {
            0 => Value::Null,
            1 => json!(self.below(2) == 0),
            2 => json!(self.next_u64() as i64),
            3 => json!(self.text()),
            4 => json!((self.next_u64() as f64) / 3.0),
            5 => Value::Array((0..self.below(4)).map(|_| self.json(depth + 1)).collect()),
            _ => {
                let keys = [
                    "site",
                    "first_name",
                    "last_name",
                    "email",
                    "organisation",
                    "sector",
                    "position",
                    "accessibility_needs",
                    "privacy_consent",
                    "waitlist",
                    "x",
                ];
                let mut map = serde_json::Map::new();
                for _ in 0..self.below(12) {
                    let key = keys[self.below(keys.len())].to_string();
                    let value = if self.below(3) == 0 {
                        self.json(depth + 1)
                    } else {
                        json!(self.text())
                    };
                    map.insert(key, value);
                }
                Value::Object(map)
            }
        }
    }
}

on_both_backends!(random_bodies_never_cause_a_server_error);

async fn random_bodies_never_cause_a_server_error(backend: Backend) {
    let app = spawn_app_with(
        backend,
        &forum_toml(&[("riesa", Some(3)), ("stream", None)]),
    )
    .await;
    let iterations: usize = std::env::var("FUZZ_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let mut rng = Rng(0xdead_beef);
    let session = app.form_session().await;
    for i in 0..iterations {
        let body = if i % 2 == 0 {
            rng.json(0)
        } else {
            valid_registration("riesa", &format!("f{i}@example.org"))
        };
        let mut body = body;
        if i % 2 == 1 {
            // A valid request with one field replaced by something random.
            let keys = [
                "site",
                "first_name",
                "email",
                "sector",
                "privacy_consent",
                "waitlist",
            ];
            body[keys[rng.below(keys.len())]] = rng.json(2);
        }
        let response = app.register(&body).await;
        assert!(
            response.status.as_u16() < 500,
            "#{i} {body} -> {} {}",
            response.status,
            response.body
        );
        if !response.status.is_success() {
            assert_eq!(
                response.header("content-type").as_deref(),
                Some("application/problem+json"),
                "#{i}"
            );
        }
        let fields: Vec<(String, String)> = (0..rng.below(8))
            .map(|_| {
                let keys = [
                    "site",
                    "first_name",
                    "last_name",
                    "email",
                    "organisation",
                    "sector",
                    "privacy_consent",
                    "waitlist",
                    "csrf_token",
                ];
                (keys[rng.below(keys.len())].to_string(), rng.text())
            })
            .collect();
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let form = app.post_form("/register", &pairs, Some(&session)).await;
        assert!(
            form.status.as_u16() < 500,
            "#{i} form {pairs:?} -> {}",
            form.status
        );
    }
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK);
    let site = &app.forum().await["sites"][0];
    assert!(
        site["confirmed"].as_i64() <= site["capacity"].as_i64(),
        "capacity held"
    );
}
