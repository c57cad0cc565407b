//! Every page (in German and English) and mail the app renders is valid HTML according to the Nu Html Checker
//! (vnu), run on the real responses. The markup does not depend on the database, so
//! this runs once, on SQLite.

use crate::helpers::*;
use crate::pages::{prepare, tour, tour_forum};
use std::process::Command;

#[actix_web::test]
async fn every_page_and_mail_is_valid_html() {
    let jar = std::env::var("VNU_JAR").unwrap_or_else(|_| {
        panic!("VNU_JAR is not set: run scripts/test.sh, which installs the Nu Html Checker")
    });
    let app = spawn_app_with(Backend::Sqlite, &tour_forum()).await;
    let prepared = prepare(&app).await;
    let mut pages = tour(&app, &prepared, "de").await;
    pages.extend(tour(&app, &prepared, "en").await);
    // What every page needs beyond valid markup: its language, one h1, the landmarks
    // and a skip link to the main content, the footer links to the legal pages.
    for (name, html) in &pages {
        assert!(
            html.starts_with("<!DOCTYPE html>\n<html lang=\""),
            "{name}: lang"
        );
        assert_eq!(html.matches("<h1").count(), 1, "{name}: one h1");
        for landmark in ["<header", "<main id=\"main\"", "<footer", "<nav"] {
            assert!(html.contains(landmark), "{name}: {landmark}");
        }
        assert!(
            html.contains("<a class=\"skip-link\" href=\"#main\">"),
            "{name}: skip link first"
        );
        for link in ["/privacy", "/imprint", "/accessibility", "/leichte-sprache"] {
            assert!(
                html.contains(&format!("<li><a href=\"{link}\">")),
                "{name}: {link}"
            );
        }
    }
    for mail in &prepared.mails {
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
    assert!(pages.len() >= 60, "all pages collected in both languages");
    assert!(
        errors.is_empty(),
        "vnu found errors:\n{}",
        errors.join("\n")
    );
}
