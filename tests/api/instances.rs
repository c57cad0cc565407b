//! Several app processes on one database behave like one.

use crate::capacity::{assert_site_holds, fire, tally};
use crate::helpers::*;
use crate::on_both_backends;
use forumreg::db;
use std::collections::HashSet;
use std::time::Duration;

on_both_backends!(
    two_instances_never_overbook,
    mails_of_a_killed_instance_are_delivered_once
);

async fn two_instances_never_overbook(backend: Backend) {
    let dir = TempDir::new();
    let db = TestDb::create(backend, dir.path());
    let forum_file = dir.path().join("forum.toml");
    std::fs::write(
        &forum_file,
        forum_toml(&[("geteilt", Some(7)), ("stream", None)]),
    )
    .expect("forum file");
    let smtp = SmtpServer::start(&dir.path().join("smtp"));
    let env = app_env(&db, &forum_file, &smtp.url(), dir.path());
    let a = Instance::start(&env, &dir.path().join("a.log"));
    let b = Instance::start(&env, &dir.path().join("b.log"));

    let results = fire(&[&a.http, &b.http], "geteilt", 200, "multi").await;
    assert_eq!(tally(&results), (7, 193), "{results:?}");
    let mut conn = db.connect();
    assert_site_holds(&mut conn, "geteilt", 7);

    // Both workers drain the outbox; each mail arrives once.
    let mails = smtp.wait_for(7, Duration::from_secs(30)).await;
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    let mails = if smtp.mails().len() > mails.len() {
        smtp.mails()
    } else {
        mails
    };
    let ids: HashSet<&str> = mails.iter().map(|m| m.message_id.as_str()).collect();
    assert_eq!((mails.len(), ids.len()), (7, 7), "each mail exactly once");
}

async fn mails_of_a_killed_instance_are_delivered_once(backend: Backend) {
    let dir = TempDir::new();
    let db = TestDb::create(backend, dir.path());
    let forum_file = dir.path().join("forum.toml");
    std::fs::write(&forum_file, example_forum_toml()).expect("forum file");

    // Instance A talks to an SMTP server that accepts the connection and never answers,
    // so A's worker hangs mid-delivery holding a lease.
    let black_hole = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let hole_url = format!(
        "smtp://127.0.0.1:{}",
        black_hole.local_addr().expect("addr").port()
    );
    let mut env_a = app_env(&db, &forum_file, &hole_url, dir.path());
    env_a.insert("SMTP_TIMEOUT_SECS".into(), "600".into());
    env_a.insert("MAIL_LEASE_SECS".into(), "3".into());
    let mut a = Instance::start(&env_a, &dir.path().join("a.log"));
    for i in 0..4 {
        let r = a
            .http
            .register(&valid_registration(
                "chemnitz",
                &format!("verwaist{i}@example.org"),
            ))
            .await;
        assert_eq!(r.status, awc::http::StatusCode::CREATED);
    }
    let mut conn = db.connect();
    eventually("A leases a mail", Duration::from_secs(20), || {
        db::outbox::all(&mut conn)
            .ok()?
            .into_iter()
            .find(|o| o.attempts >= 1)
    })
    .await;
    a.kill();

    let smtp = SmtpServer::start(&dir.path().join("smtp"));
    let env_b = app_env(&db, &forum_file, &smtp.url(), dir.path());
    let _b = Instance::start(&env_b, &dir.path().join("b.log"));
    let mails = smtp.wait_for(4, Duration::from_secs(40)).await;
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    let mails = if smtp.mails().len() > mails.len() {
        smtp.mails()
    } else {
        mails
    };
    let mut recipients: Vec<String> = mails.iter().flat_map(|m| m.rcpt_tos.clone()).collect();
    recipients.sort();
    assert_eq!(
        recipients,
        (0..4)
            .map(|i| format!("verwaist{i}@example.org"))
            .collect::<Vec<_>>(),
        "every mail once, including the one A held when it died"
    );
    eventually("all marked sent", Duration::from_secs(10), || {
        (db::outbox::count_by_status(&mut conn, db::outbox::SENT).ok()? == 4).then_some(())
    })
    .await;
    drop(black_hole);
}
