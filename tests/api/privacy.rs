//! Personal data only as long as needed: retention, download, deletion.

use crate::forum::run_import;
use crate::helpers::*;
use crate::on_both_backends;
use awc::http::StatusCode;
use forumreg::db;
use std::process::Command;
use std::time::Duration;

on_both_backends!(
    retention_runs_by_itself,
    retention_anonymises_personal_data_and_keeps_the_statistics,
    participants_download_and_delete_their_data,
);

fn purge(db: &TestDb, dry_run: bool, retention_days: &str) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_forumreg"));
    command.arg("purge");
    if dry_run {
        command.arg("--dry-run");
    }
    let output = command
        .env("DATABASE_URL", &db.url)
        .env("RETENTION_DAYS", retention_days)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run forumreg purge");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// (site, status, sector) → count, the statistics that must survive anonymisation.
fn statistics(conn: &mut db::DbConnection) -> Vec<(i64, String, i64)> {
    let forum = db::forums::find_latest(conn).expect("q").expect("forum");
    let mut stats = db::stats::status_counts(conn, forum.id).expect("status");
    stats.extend(db::stats::sector_counts(conn, forum.id).expect("sectors"));
    stats.sort();
    stats
}

async fn retention_anonymises_personal_data_and_keeps_the_statistics(backend: Backend) {
    let app = spawn_app_with(backend, &forum_toml(&[("a", Some(2)), ("stream", None)])).await;
    for (i, sector) in ["chamber", "science", "company"].iter().enumerate() {
        let mut body = valid_registration("a", &format!("alt{i}@example.org"));
        body["sector"] = serde_json::json!(sector);
        body["accessibility_needs"] = serde_json::json!("Rollstuhl");
        body["waitlist"] = serde_json::json!(true);
        assert_eq!(app.register(&body).await.status, StatusCode::CREATED);
    }
    app.smtp.wait_for(3, Duration::from_secs(20)).await;
    let mut conn = app.conn();
    let before = statistics(&mut conn);

    // The forum is still ahead: nothing to purge.
    assert!(purge(&app.db, true, "90").contains("would anonymise 0 registrations"));

    // Move the forum 100 days into the past.
    let past = (chrono::Utc::now() - chrono::Duration::days(100)).date_naive();
    let file = app.dir.path().join("past.toml");
    std::fs::write(
        &file,
        forum_toml(&[("a", Some(2)), ("stream", None)]).replace("2099-06-01", &past.to_string()),
    )
    .expect("write");
    let (ok, out) = run_import(&app.db, &file);
    assert!(ok, "{out}");
    assert!(
        purge(&app.db, true, "120").contains("would anonymise 0 registrations"),
        "within 120 days"
    );

    let dry = purge(&app.db, true, "90");
    assert!(
        dry.contains("would anonymise 3 registrations and 3 mails"),
        "{dry}"
    );
    assert_eq!(db::registrations::count_all(&mut conn).expect("count"), 3);
    assert!(
        db::registrations::find_by_email_key(&mut conn, 1, "alt0@example.org")
            .expect("q")
            .is_some(),
        "dry run changes nothing"
    );

    let real = purge(&app.db, false, "90");
    assert!(
        real.contains("anonymised 3 registrations and 3 mails"),
        "{real}"
    );
    let forum = db::forums::find_latest(&mut conn)
        .expect("q")
        .expect("forum");
    let (rows, _) =
        db::stats::participants(&mut conn, forum.id, &Default::default(), 0, 100).expect("list");
    assert_eq!(rows.len(), 3, "the rows stay for the statistics");
    for (r, _) in &rows {
        assert!(r.anonymised_at.is_some());
        assert_eq!(
            (
                r.first_name.as_str(),
                r.last_name.as_str(),
                r.organisation.as_str()
            ),
            ("–", "–", "–")
        );
        assert!(r.email.ends_with("@invalid") && !r.email.contains("alt"));
        assert_eq!(
            (r.position.as_deref(), r.accessibility_needs.as_deref()),
            (None, None)
        );
    }
    assert!(
        db::outbox::all(&mut conn).expect("outbox").is_empty(),
        "mails with names and addresses are gone"
    );
    assert_eq!(
        statistics(&mut conn),
        before,
        "counts per site, status and group unchanged"
    );
    let old_link = app.smtp.mails()[0].personal_path();
    assert_eq!(
        app.get(&old_link).await.status,
        StatusCode::NOT_FOUND,
        "old personal links are dead"
    );

    assert!(
        purge(&app.db, false, "90").contains("anonymised 0 registrations"),
        "idempotent"
    );
}

async fn participants_download_and_delete_their_data(backend: Backend) {
    let app = spawn_app_with(backend, &forum_toml(&[("a", Some(1)), ("stream", None)])).await;
    let mut body = valid_registration("a", "loeschen@example.org");
    body["accessibility_needs"] = serde_json::json!("Induktionsschleife");
    app.register(&body).await;
    let mut waiting = valid_registration("a", "nachruecker@example.org");
    waiting["waitlist"] = serde_json::json!(true);
    app.register(&waiting).await;
    let mails = app.smtp.wait_for(2, Duration::from_secs(20)).await;
    let path = mails
        .iter()
        .find(|m| m.rcpt_tos == ["loeschen@example.org"])
        .expect("mail")
        .personal_path();

    let data = app.get(&format!("{path}/data.json")).await;
    assert_eq!(data.status, StatusCode::OK);
    assert!(
        data.header("content-disposition")
            .is_some_and(|d| d.contains("attachment"))
    );
    let json = data.json();
    assert_eq!(json["registration"]["email"], "loeschen@example.org");
    assert_eq!(
        json["registration"]["accessibility_needs"],
        "Induktionsschleife"
    );
    assert_eq!(
        json["registration"]["consent"]["privacy_notice_version"],
        "test-1"
    );
    assert_eq!(json["mails"][0]["kind"], "confirmation");
    assert_eq!(
        app.get(&format!("/registration/{}/data.json", "0".repeat(32)))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let confirm = app.get(&format!("{path}/delete")).await;
    assert!(confirm.body.contains("endgültig löschen"));
    let forged = app.post_form(&format!("{path}/delete"), &[], None).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let session = app.form_session().await;
    let deleted = app
        .post_form(&format!("{path}/delete"), &[], Some(&session))
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert_eq!(deleted.header("location").as_deref(), Some("/deleted"));
    assert!(
        app.get("/deleted")
            .await
            .body
            .contains("Ihre Daten wurden gelöscht")
    );
    assert_eq!(
        app.get(&path).await.status,
        StatusCode::NOT_FOUND,
        "the link no longer works"
    );

    let mut conn = app.conn();
    let forum = db::forums::find_latest(&mut conn)
        .expect("q")
        .expect("forum");
    assert!(
        db::registrations::find_by_email_key(&mut conn, forum.id, "loeschen@example.org")
            .expect("q")
            .is_none()
    );
    let (next, _) =
        db::registrations::find_by_email_key(&mut conn, forum.id, "nachruecker@example.org")
            .expect("q")
            .expect("r");
    assert_eq!(
        next.status, "confirmed",
        "the freed seat went to the next in line"
    );
    let outbox = db::outbox::all(&mut conn).expect("outbox");
    assert!(
        outbox.iter().all(|m| m.recipient != "loeschen@example.org"),
        "their mails are gone"
    );
    let stats = statistics(&mut conn);
    assert!(
        stats.contains(&(stats[0].0, "cancelled".to_string(), 1)),
        "still counted as a cancellation: {stats:?}"
    );
}

async fn retention_runs_by_itself(backend: Backend) {
    let app = spawn_app_env(
        backend,
        &[("RETENTION_DAYS", "30"), ("RETENTION_CHECK_SECS", "1")],
    )
    .await;
    app.register(&valid_registration("riesa", "automatisch@example.org"))
        .await;
    let mut conn = app.conn();
    actix_web::rt::time::sleep(Duration::from_millis(1500)).await;
    let forum = db::forums::find_latest(&mut conn)
        .expect("q")
        .expect("forum");
    assert!(
        db::registrations::find_by_email_key(&mut conn, forum.id, "automatisch@example.org")
            .expect("q")
            .is_some(),
        "the forum is ahead: nothing happens"
    );
    let past = (chrono::Utc::now() - chrono::Duration::days(45)).date_naive();
    let file = app.dir.path().join("past.toml");
    std::fs::write(
        &file,
        example_forum_toml().replace("2027-03-18", &past.to_string()),
    )
    .expect("write");
    let (ok, out) = run_import(&app.db, &file);
    assert!(ok, "{out}");
    eventually(
        "the background job anonymises",
        Duration::from_secs(15),
        || {
            db::registrations::find_by_email_key(&mut conn, forum.id, "automatisch@example.org")
                .ok()?
                .is_none()
                .then_some(())
        },
    )
    .await;
}

#[actix_web::test]
async fn sqlite_backups_are_consistent_copies() {
    let app = spawn_app(Backend::Sqlite).await;
    for i in 0..3 {
        app.register(&valid_registration("riesa", &format!("b{i}@example.org")))
            .await;
    }
    let target = app.dir.path().join("backup.sqlite3");
    let run = |target: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_forumreg"))
            .arg("backup")
            .arg(target)
            .env("DATABASE_URL", &app.db.url)
            .env("RUST_LOG", "warn")
            .output()
            .expect("run forumreg backup")
    };
    let output = run(&target);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut copy = forumreg::db::DatabaseUrl::parse(&target.display().to_string())
        .expect("url")
        .connect()
        .expect("open the copy");
    assert_eq!(db::registrations::count_all(&mut copy).expect("count"), 3);
    let again = run(&target);
    assert!(!again.status.success(), "never overwrites a file");
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
}
