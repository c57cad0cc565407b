//! The `forumreg` command: serve (default), migrate, forum import.

use anyhow::Context;
use forumreg::accounts;
use forumreg::booking::{self, ImportError};
use forumreg::config::Settings;
use forumreg::db;
use forumreg::domain::ForumDefinition;
use forumreg::mail::MailContext;
use forumreg::startup::Application;
use std::process::ExitCode;

const USAGE: &str = "\
forumreg — registration for a one-day forum at several sites

USAGE:
    forumreg [serve]              migrate, import the forum file into an empty database, serve
    forumreg migrate              apply database migrations and exit
    forumreg forum import FILE    create or update a forum from a TOML file (idempotent)
    forumreg backup PATH          consistent copy of a SQLite database while it is in use
    forumreg purge [--dry-run]    anonymise registrations of forums held more than
                                  RETENTION_DAYS ago (default 90); --dry-run only counts
    forumreg organiser add EMAIL [--role admin|checkin]
                                  create an organiser account (or set a new password and
                                  role); the password is read from standard input
    forumreg help                 show this text

Configuration comes from environment variables; see README.md.";

#[actix_web::main]
async fn main() -> ExitCode {
    forumreg::telemetry::init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        [] | ["serve"] => serve().await,
        ["migrate"] => migrate(),
        ["forum", "import", file] => import(file),
        ["backup", path] => backup(path),
        ["purge"] => purge(false),
        ["purge", "--dry-run"] => purge(true),
        ["organiser", "add", email] => add_organiser(email, "admin"),
        ["organiser", "add", email, "--role", role]
        | ["organiser", "add", "--role", role, email] => add_organiser(email, role),
        ["help"] | ["--help"] | ["-h"] => {
            println!("{USAGE}");
            Ok(())
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("forumreg: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn settings() -> anyhow::Result<Settings> {
    Settings::from_env().map_err(|e| anyhow::anyhow!("configuration: {e}"))
}

async fn serve() -> anyhow::Result<()> {
    let settings = settings()?;
    let host = settings
        .listen_addr
        .rsplit_once(':')
        .map_or("127.0.0.1", |(h, _)| h)
        .to_string();
    let app = Application::build(settings).await?;
    // Scripts and tests read this line to learn the port when LISTEN_ADDR ends in :0.
    println!("forumreg listening on http://{host}:{}", app.port());
    tracing::info!(public_url = app.public_url(), "serving");
    app.run_until_stopped().await.context("server failed")
}

fn migrate() -> anyhow::Result<()> {
    let settings = settings()?;
    let mut conn = settings
        .database_url
        .connect()
        .context("cannot connect to the database")?;
    db::with_setup_lock(&mut conn, db::run_migrations)?;
    println!("database is up to date");
    Ok(())
}

fn import(file: &str) -> anyhow::Result<()> {
    let settings = settings()?;
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {file}"))?;
    let def = ForumDefinition::from_toml(&text).map_err(|e| anyhow::anyhow!("{file}: {e}"))?;
    let mail_context = MailContext::from_settings(&settings)?;
    let mut conn = settings
        .database_url
        .connect()
        .context("cannot connect to the database")?;
    let imported = db::with_setup_lock(&mut conn, |conn| {
        db::run_migrations(conn)?;
        Ok(booking::import_forum(conn, &def, &mail_context))
    })?;
    match imported {
        Ok(report) => {
            println!(
                "forum {:?} {}: {} sites created, {} updated, {} moved up from waiting lists",
                def.slug,
                if report.forum_created {
                    "created"
                } else {
                    "updated"
                },
                report.sites_created,
                report.sites_updated,
                report.promoted
            );
            Ok(())
        }
        Err(e @ ImportError::CapacityBelowConfirmed { .. }) => {
            Err(anyhow::anyhow!("{e}. Nothing was changed."))
        }
        Err(e) => Err(e.into()),
    }
}

fn read_password() -> anyhow::Result<String> {
    use std::io::{BufRead, IsTerminal, Write};
    let stdin = std::io::stdin();
    let interactive = stdin.is_terminal();
    if interactive {
        eprint!(
            "Password (at least {} characters): ",
            accounts::NewPassword::MIN_CHARS
        );
        let _ = std::io::stderr().flush();
        // Hide the typed password; `stty` is on every system this runs on.
        let _ = std::process::Command::new("stty").arg("-echo").status();
    }
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    if interactive {
        let _ = std::process::Command::new("stty").arg("echo").status();
        eprintln!();
    }
    read.context("cannot read the password")?;
    Ok(line)
}

fn add_organiser(email: &str, role: &str) -> anyhow::Result<()> {
    let role = accounts::Role::from_code(role)
        .ok_or_else(|| anyhow::anyhow!("--role must be admin or checkin, not {role:?}"))?;
    let password =
        accounts::NewPassword::parse(&read_password()?).map_err(|e| anyhow::anyhow!("{e}"))?;
    let settings = settings()?;
    let mut conn = settings
        .database_url
        .connect()
        .context("cannot connect to the database")?;
    db::with_setup_lock(&mut conn, db::run_migrations)?;
    let created = accounts::add_organiser(
        &mut conn,
        email,
        &password,
        role,
        chrono::Utc::now().naive_utc(),
    )?;
    println!(
        "organiser {} {} with role {}",
        accounts::normalise_email(email),
        if created {
            "created"
        } else {
            "updated (new password, sessions ended)"
        },
        role.code()
    );
    Ok(())
}

fn purge(dry_run: bool) -> anyhow::Result<()> {
    let settings = settings()?;
    let mut conn = settings
        .database_url
        .connect()
        .context("cannot connect to the database")?;
    db::with_setup_lock(&mut conn, db::run_migrations)?;
    let report = booking::privacy::purge(
        &mut conn,
        settings.retention_days,
        chrono::Utc::now().naive_utc(),
        dry_run,
    )?;
    println!(
        "{} {} registrations and {} mails (retention {} days after the forum)",
        if dry_run {
            "would anonymise"
        } else {
            "anonymised"
        },
        report.registrations,
        report.mails,
        settings.retention_days
    );
    Ok(())
}

fn backup(path: &str) -> anyhow::Result<()> {
    let settings = settings()?;
    let mut conn = settings
        .database_url
        .connect()
        .context("cannot connect to the database")?;
    db::backup_sqlite(&mut conn, std::path::Path::new(path))?;
    println!("backup written to {path}");
    Ok(())
}
