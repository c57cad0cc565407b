//! No mail is lost: the outbox survives SMTP outages and restarts.

use crate::helpers::*;
use crate::on_both_backends;
use awc::http::StatusCode;
use forumreg::db;
use std::time::Duration;

on_both_backends!(
    smtp_down_then_up_delivers_the_waiting_mail,
    a_restarted_app_sends_what_its_predecessor_queued
);

async fn smtp_down_then_up_delivers_the_waiting_mail(backend: Backend) {
    let mut app = spawn_app_smtp_down(backend).await;
    let r = app
        .register(&valid_registration("goerlitz", "wartet@example.org"))
        .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "registration succeeds while SMTP is down"
    );

    let mut conn = app.conn();
    let failed = eventually("a failed delivery attempt", Duration::from_secs(20), || {
        db::outbox::all(&mut conn)
            .ok()?
            .into_iter()
            .find(|o| o.attempts >= 1 && o.last_error.is_some() && o.status == "pending")
    })
    .await;
    assert!(
        failed.next_attempt_at > failed.created_at,
        "retry scheduled in the future"
    );
    assert!(
        failed.next_attempt_at - failed.created_at <= chrono::Duration::seconds(30),
        "first retry within seconds"
    );
    assert!(app.smtp.mails().is_empty());

    app.smtp.restart();
    let mails = app.smtp.wait_for(1, Duration::from_secs(30)).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].rcpt_tos, ["wartet@example.org"]);
    let sent = eventually("outbox row marked sent", Duration::from_secs(10), || {
        db::outbox::all(&mut conn)
            .ok()?
            .into_iter()
            .find(|o| o.status == "sent")
    })
    .await;
    assert!(
        sent.attempts >= 2,
        "took more than one attempt: {}",
        sent.attempts
    );
    assert_eq!(sent.last_error, None);
    assert_eq!(
        sent.message_id, mails[0].message_id,
        "same Message-ID across retries"
    );
}

async fn a_restarted_app_sends_what_its_predecessor_queued(backend: Backend) {
    let dir = TempDir::new();
    let db = TestDb::create(backend, dir.path());
    let forum_file = dir.path().join("forum.toml");
    std::fs::write(&forum_file, example_forum_toml()).expect("forum file");
    let mut smtp = SmtpServer::reserved(&dir.path().join("smtp"));
    let env = app_env(&db, &forum_file, &smtp.url(), dir.path());

    let mut first = Instance::start(&env, &dir.path().join("first.log"));
    for i in 0..3 {
        let r = first
            .http
            .register(&valid_registration(
                "zwickau",
                &format!("neustart{i}@example.org"),
            ))
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    first.kill();
    let mut conn = db.connect();
    let pending = db::outbox::count_by_status(&mut conn, db::outbox::PENDING).expect("count");
    assert_eq!(pending, 3, "mails wait in the outbox");

    smtp.restart();
    let _second = Instance::start(&env, &dir.path().join("second.log"));
    let mails = smtp.wait_for(3, Duration::from_secs(30)).await;
    let mut recipients: Vec<String> = mails.iter().flat_map(|m| m.rcpt_tos.clone()).collect();
    recipients.sort();
    assert_eq!(
        recipients,
        [
            "neustart0@example.org",
            "neustart1@example.org",
            "neustart2@example.org"
        ]
    );
    eventually("all marked sent", Duration::from_secs(10), || {
        (db::outbox::count_by_status(&mut conn, db::outbox::SENT).ok()? == 3).then_some(())
    })
    .await;
}
