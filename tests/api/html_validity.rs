//! Every page and mail the app renders is valid HTML according to the Nu Html Checker
//! (vnu), run on the real responses. The markup does not depend on the database, so
//! this runs once, on SQLite.

use crate::helpers::*;
use awc::http::StatusCode;
use forumreg::accounts::{self, NewPassword, Role};
use forumreg::db;
use std::process::Command;
use std::time::Duration;

#[actix_web::test]
async fn every_page_and_mail_is_valid_html() {
    let jar = std::env::var("VNU_JAR").unwrap_or_else(|_| {
        panic!("VNU_JAR is not set: run scripts/test.sh, which installs the Nu Html Checker")
    });
    let app = spawn_app_with(
        Backend::Sqlite,
        &forum_toml(&[("a", Some(1)), ("b", Some(5)), ("stream", None)]),
    )
    .await;
    app.register(&valid_registration("a", "erste@example.org"))
        .await;
    let mut waiting = valid_registration("a", "zweite@example.org");
    waiting["waitlist"] = serde_json::json!(true);
    app.register(&waiting).await;
    app.register(&valid_registration("stream", "online@example.org"))
        .await;
    let mails = app.smtp.wait_for(3, Duration::from_secs(20)).await;

    let mut conn = app.conn();
    accounts::add_organiser(
        &mut conn,
        "admin@example.org",
        &NewPassword::parse("ein-langes-passwort").expect("password"),
        Role::Admin,
        chrono::Utc::now().naive_utc(),
    )
    .expect("organiser");
    let forum = db::forums::find_latest(&mut conn)
        .expect("q")
        .expect("forum");
    let (first, _) = db::registrations::find_by_email_key(&mut conn, forum.id, "erste@example.org")
        .expect("q")
        .expect("r");

    // Log in like a browser.
    let login = app.get("/organiser/login").await;
    let csrf_cookie = login
        .cookies
        .iter()
        .find(|(n, _)| n == "forumreg_csrf")
        .map(|(_, v)| v.clone())
        .expect("cookie");
    let cookies = format!("forumreg_csrf={csrf_cookie}");
    let token = csrf_token_in(&login.body);
    let logged_in = app
        .post_as(
            "/organiser/login",
            &[
                ("email", "admin@example.org"),
                ("password", "ein-langes-passwort"),
                ("csrf_token", &token),
            ],
            &cookies,
        )
        .await;
    let session = logged_in
        .cookies
        .iter()
        .find(|(n, _)| n == "forumreg_session")
        .map(|(_, v)| v.clone())
        .expect("session");
    let organiser = format!("{cookies}; forumreg_session={session}");

    let personal = mails
        .iter()
        .find(|m| m.rcpt_tos == ["erste@example.org"])
        .expect("mail")
        .personal_path();
    let form_session = app.form_session().await;
    let form_errors = app
        .post_form(
            "/register",
            &[("site", "a"), ("email", "kaputt")],
            Some(&form_session),
        )
        .await;
    let resend_errors = app
        .post_form("/resend-link", &[("email", "kaputt")], Some(&form_session))
        .await;
    let login_error = app
        .post_as(
            "/organiser/login",
            &[
                ("email", "x@example.org"),
                ("password", "falsch"),
                ("csrf_token", &token),
            ],
            &cookies,
        )
        .await;

    let mut pages: Vec<(String, String)> = vec![
        ("form-errors".into(), form_errors.body),
        ("resend-errors".into(), resend_errors.body),
        ("login-error".into(), login_error.body),
    ];
    for path in [
        "/".to_string(),
        "/register".into(),
        "/register?site=a".into(),
        "/privacy".into(),
        "/imprint".into(),
        "/accessibility".into(),
        "/resend-link".into(),
        "/does-not-exist".into(),
        personal.clone(),
        format!("{personal}/thanks"),
        format!("{personal}/cancel"),
        format!("{personal}/switch?site=b"),
        format!("{personal}/delete"),
        "/organiser/login".into(),
    ] {
        let page = app.get(&path).await;
        assert!(
            page.status.is_success() || page.status == StatusCode::NOT_FOUND,
            "{path}: {}",
            page.status
        );
        pages.push((path, page.body));
    }
    for path in [
        "/organiser".to_string(),
        "/organiser/participants".into(),
        "/organiser/participants?q=zweite&status=waitlisted".into(),
        format!("/organiser/participants/{}", first.id),
        "/organiser/attendance?site=a".into(),
        "/organiser/checkin?q=erste".into(),
        format!("/organiser/checkin/{}", first.checkin_code),
    ] {
        let page = app.get_as(&path, &organiser).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        pages.push((path, page.body));
    }
    for mail in &mails {
        pages.push((
            format!("mail to {}", mail.rcpt_tos[0]),
            mail.html.clone().expect("html part"),
        ));
    }

    let dir = app.dir.path().join("html");
    std::fs::create_dir_all(&dir).expect("dir");
    let mut files = Vec::new();
    for (i, (name, html)) in pages.iter().enumerate() {
        let file = dir.join(format!("{i:02}.html"));
        std::fs::write(&file, html).expect("write page");
        files.push((file, name.clone()));
    }
    let output = Command::new("java")
        .args(["-jar", &jar, "--errors-only", "--format", "json"])
        .args(files.iter().map(|(f, _)| f))
        .output()
        .expect("run java -jar vnu.jar");
    let report: serde_json::Value = serde_json::from_slice(&output.stderr)
        .or_else(|_| serde_json::from_slice(&output.stdout))
        .unwrap_or_else(|e| {
            panic!(
                "vnu output is not JSON ({e}): {}",
                String::from_utf8_lossy(&output.stderr)
            )
        });
    let messages = report["messages"].as_array().cloned().unwrap_or_default();
    let errors: Vec<String> = messages
        .iter()
        .filter(|m| m["type"] == "error" || m["subType"] == "fatal")
        .map(|m| {
            let url = m["url"].as_str().unwrap_or("");
            let page = files
                .iter()
                .find(|(f, _)| {
                    url.ends_with(
                        &f.file_name()
                            .map(|n| n.to_string_lossy().to_string())
                            .unwrap_or_default(),
                    )
                })
                .map_or("?", |(_, name)| name.as_str());
            format!("{page}: line {}: {}", m["lastLine"], m["message"])
        })
        .collect();
    assert!(pages.len() >= 25, "all pages collected");
    assert!(
        errors.is_empty(),
        "vnu found errors:\n{}",
        errors.join("\n")
    );
}
