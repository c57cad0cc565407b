//! Operating forumreg: metrics, request ids, and a graceful stop that loses nothing.

use crate::helpers::*;
use crate::on_both_backends;
use awc::http::StatusCode;
use forumreg::db;
use futures_util::future::join_all;
use std::time::Duration;

on_both_backends!(
    metrics_describe_requests_registrations_and_mail,
    sigterm_during_load_loses_nothing,
    json_logs_carry_request_ids_and_no_personal_data,
);

async fn metrics_describe_requests_registrations_and_mail(backend: Backend) {
    let app = spawn_app(backend).await;
    for i in 0..2 {
        let r = app
            .register(&valid_registration("riesa", &format!("m{i}@example.org")))
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
        assert_eq!(
            r.header("x-request-id").map(|id| id.len()),
            Some(16),
            "every response has a request id"
        );
    }
    app.register(&valid_registration("nowhere", "x@example.org"))
        .await;
    let mails = app.smtp.wait_for(2, Duration::from_secs(20)).await;
    app.get(&mails[0].personal_path()).await;

    let metrics = app.get("/metrics").await;
    assert_eq!(metrics.status, StatusCode::OK);
    assert!(
        metrics
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/plain; version=0.0.4"))
    );
    let text = metrics.body;
    for line in [
        "forumreg_http_requests_total{route=\"/api/v1/registrations\",method=\"POST\",status=\"201\"} 2",
        "forumreg_http_requests_total{route=\"/api/v1/registrations\",method=\"POST\",status=\"422\"} 1",
        "forumreg_http_requests_total{route=\"/registration/{token}\",method=\"GET\",status=\"200\"} 1",
        "forumreg_http_request_duration_seconds_count{route=\"/api/v1/registrations\"} 3",
        "forumreg_registrations{site=\"riesa\",status=\"confirmed\"} 2",
        "forumreg_site_capacity{site=\"riesa\"} 40",
        "# TYPE forumreg_outbox_pending gauge",
        "forumreg_outbox_failed 0",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    assert!(text.contains("forumreg_http_request_duration_seconds_bucket{route=\"/api/v1/registrations\",le=\"+Inf\"} 3"));
    assert!(
        !text.contains("m0@example.org") && !text.contains(&mails[0].personal_path()),
        "no personal data"
    );

    let guarded = spawn_app_env(backend, &[("METRICS_TOKEN", "geheim-123")]).await;
    assert_eq!(
        guarded.get("/metrics").await.status,
        StatusCode::UNAUTHORIZED
    );
    let with_token = guarded
        .client
        .get(format!("{}/metrics", guarded.address))
        .insert_header(("Authorization", "Bearer geheim-123"))
        .send()
        .await
        .expect("get");
    assert_eq!(with_token.status(), StatusCode::OK);
}

async fn sigterm_during_load_loses_nothing(backend: Backend) {
    let dir = TempDir::new();
    let db = TestDb::create(backend, dir.path());
    let forum_file = dir.path().join("forum.toml");
    std::fs::write(
        &forum_file,
        forum_toml(&[("gross", Some(1000)), ("stream", None)]),
    )
    .expect("forum");
    let mut smtp = SmtpServer::reserved(&dir.path().join("smtp"));
    let env = app_env(&db, &forum_file, &smtp.url(), dir.path());
    let mut instance = Instance::start(&env, &dir.path().join("a.log"));
    let http = instance.http.clone();

    // 400 registrations in flight; SIGTERM arrives in the middle of them.
    let load = join_all((0..400).map(|i| {
        let http = http.clone();
        async move {
            let body = valid_registration("gross", &format!("stopp{i}@example.org"));
            let sent = http
                .client
                .post(format!("{}/api/v1/registrations", http.address))
                .send_json(&body)
                .await;
            match sent {
                Ok(response) => collect(response).await.status == StatusCode::CREATED,
                Err(_) => false,
            }
        }
    }));
    // Stop once the first registrations are stored, while most are still on the way.
    let watcher_db = db.connect();
    let stop = async {
        let mut conn = watcher_db;
        eventually(
            "first registrations stored",
            Duration::from_secs(30),
            || (db::registrations::count_all(&mut conn).ok()? >= 10).then_some(()),
        )
        .await;
        instance.terminate(Duration::from_secs(30)).await
    };
    let (acknowledged, clean_exit) = futures_util::future::join(load, stop).await;
    assert!(
        clean_exit,
        "the process stops by itself after SIGTERM, exit code 0"
    );
    let acknowledged: Vec<String> = acknowledged
        .iter()
        .enumerate()
        .filter(|(_, ok)| **ok)
        .map(|(i, _)| format!("stopp{i}@example.org"))
        .collect();
    assert!(
        !acknowledged.is_empty(),
        "some requests finished before the stop"
    );
    eprintln!("sigterm test: {} of 400 acknowledged", acknowledged.len());

    let mut conn = db.connect();
    let forum = db::forums::find_latest(&mut conn)
        .expect("q")
        .expect("forum");
    for email in &acknowledged {
        assert!(
            db::registrations::find_by_email_key(&mut conn, forum.id, email)
                .expect("q")
                .is_some(),
            "{email} was acknowledged and must be stored"
        );
    }
    let stored = db::registrations::count_all(&mut conn).expect("count") as usize;
    crate::capacity::assert_site_holds(&mut conn, "gross", stored as i64);

    // Every stored registration's mail arrives once the next instance runs.
    smtp.restart();
    let _next = Instance::start(&env, &dir.path().join("b.log"));
    let mails = smtp.wait_for(stored, Duration::from_secs(60)).await;
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    let mails = if smtp.mails().len() > mails.len() {
        smtp.mails()
    } else {
        mails
    };
    assert_eq!(
        mails.len(),
        stored,
        "one mail per stored registration, none lost, none twice"
    );
    for email in &acknowledged {
        assert!(
            mails.iter().any(|m| m.rcpt_tos.contains(email)),
            "{email} got its mail"
        );
    }
}

async fn json_logs_carry_request_ids_and_no_personal_data(backend: Backend) {
    let dir = TempDir::new();
    let db = TestDb::create(backend, dir.path());
    let forum_file = dir.path().join("forum.toml");
    std::fs::write(&forum_file, example_forum_toml()).expect("forum");
    let smtp = SmtpServer::start(&dir.path().join("smtp"));
    let mut env = app_env(&db, &forum_file, &smtp.url(), dir.path());
    env.insert("LOG_FORMAT".into(), "json".into());
    let log = dir.path().join("json.log");
    let mut instance = Instance::start(&env, &log);
    let response = instance
        .http
        .register(&valid_registration("riesa", "geheim.person@example.org"))
        .await;
    assert_eq!(response.status, StatusCode::CREATED);
    let request_id = response.header("x-request-id").expect("request id");
    let mails = smtp.wait_for(1, Duration::from_secs(20)).await;
    instance.http.get(&mails[0].personal_path()).await;
    assert!(instance.terminate(Duration::from_secs(20)).await);

    let text = std::fs::read_to_string(&log).expect("log");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let finished = lines
        .iter()
        .find(|l| {
            l["fields"]["message"] == "request finished"
                && l["span"]["request_id"] == request_id.as_str()
        })
        .unwrap_or_else(|| panic!("no log line for request {request_id}:\n{text}"));
    assert_eq!(finished["fields"]["status"], 201);
    assert_eq!(finished["span"]["route"], "/api/v1/registrations");
    assert!(
        !text.contains("geheim.person"),
        "no e-mail addresses in the log"
    );
    assert!(
        !text.contains(&mails[0].personal_path()),
        "no personal links in the log"
    );
}
