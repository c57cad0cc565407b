//! Test harness: real SQLite files and PostgreSQL databases, a real SMTP server
//! (aiosmtpd over TCP), the app in-process on port 0 or as separate processes.

use awc::http::StatusCode;
use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use forumreg::accounts::{self, Role};
use forumreg::config::Settings;
use forumreg::db::{DatabaseUrl, DbConnection};
use forumreg::domain::Token;
use forumreg::startup::Application;
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates one `#[actix_web::test]` per backend for each listed async fn(Backend).
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[actix_web::test]
                async fn sqlite() {
                    super::$name($crate::helpers::Backend::Sqlite).await
                }
                #[actix_web::test]
                async fn postgres() {
                    super::$name($crate::helpers::Backend::Postgres).await
                }
            }
        )*
    };
}

/// A folder under the system temp dir, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        let path = std::env::temp_dir()
            .join("forumreg-tests")
            .join(Token::generate().as_str());
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn pg_admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

/// Replaces the database name in a PostgreSQL URL.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_part = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{host_part}/{name}?{q}"),
        None => format!("{host_part}/{name}"),
    }
}

/// A fresh, empty database for one test: a SQLite file or a new PostgreSQL database.
pub struct TestDb {
    pub url: String,
    pg_name: Option<String>,
}

impl TestDb {
    pub fn create(backend: Backend, dir: &Path) -> TestDb {
        match backend {
            Backend::Sqlite => TestDb {
                url: format!("sqlite://{}", dir.join("forumreg.sqlite3").display()),
                pg_name: None,
            },
            Backend::Postgres => {
                let admin = pg_admin_url();
                let name = format!("forumreg_test_{}", Token::generate().as_str());
                let mut conn = PgConnection::establish(&admin).unwrap_or_else(|e| {
                    panic!(
                        "PostgreSQL is required for the postgres tests and was not reachable at {admin}: {e}. \
                         Run the README's test command (scripts/test.sh), which starts one, or set TEST_DATABASE_URL."
                    )
                });
                conn.batch_execute(&format!("CREATE DATABASE {name}"))
                    .expect("create test database");
                TestDb {
                    url: with_database(&admin, &name),
                    pg_name: Some(name),
                }
            }
        }
    }

    pub fn connect(&self) -> DbConnection {
        DatabaseUrl::parse(&self.url)
            .expect("test database url")
            .connect()
            .expect("connect to test database")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = &self.pg_name
            && let Ok(mut conn) = PgConnection::establish(&pg_admin_url())
        {
            let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// One mail as the SMTP server received it, decoded by Python's e-mail package.
#[derive(Debug, Clone, Deserialize)]
pub struct ReceivedMail {
    pub rcpt_tos: Vec<String>,
    pub to: String,
    pub subject: String,
    pub message_id: String,
    pub content_type: String,
    pub text: Option<String>,
    pub html: Option<String>,
    pub attachments: Vec<ReceivedAttachment>,
    pub inline_images: Vec<InlineImage>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct InlineImage {
    pub content_id: String,
    pub content_type: String,
    pub size: usize,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ReceivedAttachment {
    pub filename: Option<String>,
    pub content_type: String,
    pub method: Option<String>,
    pub content: Option<String>,
}

impl ReceivedMail {
    /// The personal page's path, from the link in the text part.
    pub fn personal_path(&self) -> String {
        let text = self.text.as_deref().expect("text part");
        let start = text
            .find("/registration/")
            .expect("personal link in the mail");
        text[start..]
            .chars()
            .take_while(|c| !c.is_whitespace())
            .collect()
    }

    /// The calendar attachment, unfolded (RFC 5545 line folding removed).
    pub fn calendar(&self) -> Option<String> {
        self.attachments
            .iter()
            .find(|a| a.content_type == "text/calendar")
            .and_then(|a| a.content.clone())
            .map(|ics| ics.replace("\r\n ", "").replace("\n ", ""))
    }
}

/// A real SMTP server (aiosmtpd) listening on a local TCP port.
pub struct SmtpServer {
    pub port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

impl SmtpServer {
    pub fn start(dir: &Path) -> SmtpServer {
        // A free port can be taken by another test between our probe and Python's bind;
        // then try another one.
        for _ in 0..5 {
            if let Some(server) = Self::try_start_on(free_port(), dir) {
                return server;
            }
        }
        panic!("SMTP sink did not start (is aiosmtpd installed? run scripts/test.sh)");
    }

    /// A port and folder for a server that is not running yet (SMTP "down").
    pub fn reserved(dir: &Path) -> SmtpServer {
        SmtpServer {
            port: free_port(),
            dir: dir.to_path_buf(),
            child: None,
        }
    }

    /// Starts (again) on the same port and folder.
    pub fn restart(&mut self) {
        self.stop();
        let started = Self::start_on(self.port, &self.dir);
        *self = started;
    }

    pub fn start_on(port: u16, dir: &Path) -> SmtpServer {
        for _ in 0..10 {
            if let Some(server) = Self::try_start_on(port, dir) {
                return server;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("SMTP sink did not start on port {port} (is aiosmtpd installed?)");
    }

    fn try_start_on(port: u16, dir: &Path) -> Option<SmtpServer> {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_sink.py");
        let mut child = Command::new(std::env::var("PYTHON").unwrap_or_else(|_| "python3".into()))
            .arg(&script)
            .arg(port.to_string())
            .arg(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect(
                "start python3 smtp_sink.py (needs python3 with aiosmtpd: pip install aiosmtpd)",
            );
        let stdout = child.stdout.take().expect("sink stdout");
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        if line.trim() == "READY" {
            return Some(SmtpServer {
                port,
                dir: dir.to_path_buf(),
                child: Some(child),
            });
        }
        let _ = child.kill();
        let _ = child.wait();
        None
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn mails(&self) -> Vec<ReceivedMail> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| {
                        p.extension().is_some_and(|x| x == "json")
                            && !p
                                .file_name()
                                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                    })
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files
            .iter()
            .map(|p| {
                let text = std::fs::read_to_string(p).expect("read mail json");
                serde_json::from_str(&text).expect("mail json")
            })
            .collect()
    }

    /// Waits until at least `count` mails arrived; panics after `timeout`.
    pub async fn wait_for(&self, count: usize, timeout: Duration) -> Vec<ReceivedMail> {
        let start = Instant::now();
        loop {
            let mails = self.mails();
            if mails.len() >= count {
                return mails;
            }
            assert!(
                start.elapsed() < timeout,
                "expected {count} mails within {timeout:?}, got {}",
                mails.len()
            );
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A forum file with the given sites; `None` capacity makes a stream site.
pub fn forum_toml(sites: &[(&str, Option<u32>)]) -> String {
    let mut toml = String::from(
        r#"slug = "testforum"
title = "Testforum Fachkräfte"
date = "2099-06-01"
description = "Ein Forum für Tests."
organiser = "Testagentur"
contact_email = "kontakt@example.org"
privacy_notice = "Wir verarbeiten Ihre Daten nur für dieses Forum."
privacy_version = "test-1"
"#,
    );
    for (slug, capacity) in sites {
        match capacity {
            Some(c) => toml.push_str(&format!(
                "\n[[sites]]\nslug = \"{slug}\"\nkind = \"venue\"\nname = \"Ort {slug}\"\ncity = \"Stadt {slug}\"\nvenue = \"Saal {slug}\"\naddress = \"Straße 1, 01000 {slug}\"\nstarts = \"09:00\"\nends = \"16:00\"\nfocus = \"Schwerpunkt {slug}\"\ncapacity = {c}\n"
            )),
            None => toml.push_str(&format!(
                "\n[[sites]]\nslug = \"{slug}\"\nkind = \"stream\"\nname = \"Livestream\"\nstarts = \"09:00\"\nends = \"16:00\"\n"
            )),
        }
    }
    toml
}

pub fn example_forum_toml() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("forum.example.toml"))
        .expect("forum.example.toml")
}

/// The environment an app instance runs with in tests.
pub fn app_env(
    db: &TestDb,
    forum_file: &Path,
    smtp_url: &str,
    dir: &Path,
) -> HashMap<String, String> {
    [
        ("DATABASE_URL", db.url.clone()),
        ("LISTEN_ADDR", "127.0.0.1:0".to_string()),
        ("FORUM_FILE", forum_file.display().to_string()),
        ("SMTP_URL", smtp_url.to_string()),
        (
            "MAIL_FROM",
            "Fachforum Test <forum@test.example.org>".to_string(),
        ),
        ("MAIL_DIR", dir.join("mail-files").display().to_string()),
        ("MAIL_POLL_INTERVAL_MS", "100".to_string()),
        ("MAIL_LEASE_SECS", "3".to_string()),
        ("SMTP_TIMEOUT_SECS", "2".to_string()),
        ("HTTP_WORKERS", "2".to_string()),
        // Most tests fire many requests from one address; rate limits have their own test.
        ("RATE_LIMIT_PER_MINUTE", "0".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: awc::http::header::HeaderMap,
    pub body: String,
    pub cookies: Vec<(String, String)>,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
}

pub fn client() -> awc::Client {
    awc::Client::builder()
        .disable_redirects()
        .timeout(Duration::from_secs(120))
        .connector(awc::Connector::new().limit(300))
        .finish()
}

pub async fn collect(
    mut response: awc::ClientResponse<
        impl futures_util::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>>
        + Unpin,
    >,
) -> TestResponse {
    let cookies = response
        .cookies()
        .map(|cs| {
            cs.iter()
                .map(|c| (c.name().to_string(), c.value().to_string()))
                .collect()
        })
        .unwrap_or_default();
    let body = response
        .body()
        .limit(4 * 1024 * 1024)
        .await
        .expect("response body");
    TestResponse {
        status: response.status(),
        headers: response.headers().clone(),
        body: String::from_utf8_lossy(&body).into_owned(),
        cookies,
    }
}

/// A CSRF cookie and the token that goes with it, as a browser would hold them.
pub struct FormSession {
    pub cookie: String,
    pub token: String,
}

/// Speaks HTTP to one app (in-process or a separate process).
#[derive(Clone)]
pub struct Http {
    pub address: String,
    pub client: awc::Client,
}

impl Http {
    pub fn new(address: String) -> Http {
        Http {
            address,
            client: client(),
        }
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        let response = self
            .client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("GET");
        collect(response).await
    }

    pub async fn register(&self, body: &Value) -> TestResponse {
        let response = self
            .client
            .post(format!("{}/api/v1/registrations", self.address))
            .send_json(body)
            .await
            .expect("POST registration");
        collect(response).await
    }

    pub async fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> TestResponse {
        let response = self
            .client
            .post(format!("{}{path}", self.address))
            .insert_header(("Content-Type", content_type))
            .send_body(body)
            .await
            .expect("POST");
        collect(response).await
    }

    pub async fn forum(&self) -> Value {
        let response = self.get("/api/v1/forum").await;
        assert_eq!(response.status, StatusCode::OK);
        response.json()
    }

    /// Opens the form like a browser and keeps the CSRF cookie and token.
    pub async fn form_session(&self) -> FormSession {
        let page = self.get("/register").await;
        assert_eq!(page.status, StatusCode::OK);
        let (_, cookie) = page
            .cookies
            .iter()
            .find(|(name, _)| name.contains("forumreg_csrf"))
            .cloned()
            .expect("CSRF cookie set by the form page");
        FormSession {
            cookie,
            token: csrf_token_in(&page.body),
        }
    }

    pub async fn post_form(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        session: Option<&FormSession>,
    ) -> TestResponse {
        let mut fields: Vec<(&str, &str)> = fields.to_vec();
        let mut request = self.client.post(format!("{}{path}", self.address));
        if let Some(session) = session {
            request =
                request.insert_header(("Cookie", format!("forumreg_csrf={}", session.cookie)));
            fields.push(("csrf_token", &session.token));
        }
        collect(request.send_form(&fields).await.expect("POST form")).await
    }
}

impl Http {
    /// GET with the given Cookie header (an organiser session).
    pub async fn get_as(&self, path: &str, cookies: &str) -> TestResponse {
        let response = self
            .client
            .get(format!("{}{path}", self.address))
            .insert_header(("Cookie", cookies.to_string()))
            .send()
            .await
            .expect("GET");
        collect(response).await
    }

    /// POST a form with the given Cookie header and no other additions.
    pub async fn post_as(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        cookies: &str,
    ) -> TestResponse {
        let response = self
            .client
            .post(format!("{}{path}", self.address))
            .insert_header(("Cookie", cookies.to_string()))
            .send_form(&fields)
            .await
            .expect("POST");
        collect(response).await
    }
}

pub fn csrf_token_in(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).expect("csrf field in form") + marker.len();
    html[start..start + 32].to_string()
}

/// The app running inside the test process, with its own database and SMTP server.
pub struct TestApp {
    pub http: Http,
    pub db: TestDb,
    pub smtp: SmtpServer,
    pub dir: TempDir,
}

impl std::ops::Deref for TestApp {
    type Target = Http;
    fn deref(&self) -> &Http {
        &self.http
    }
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, &example_forum_toml()).await
}

pub async fn spawn_app_with(backend: Backend, forum: &str) -> TestApp {
    spawn_app_full(backend, forum, true).await
}

/// The app with its SMTP server down: mail must wait in the outbox.
pub async fn spawn_app_smtp_down(backend: Backend) -> TestApp {
    spawn_app_full(backend, &example_forum_toml(), false).await
}

/// The app with extra environment settings (e.g. an https PUBLIC_URL).
pub async fn spawn_app_env(backend: Backend, extra: &[(&str, &str)]) -> TestApp {
    spawn_app_configured(backend, &example_forum_toml(), true, extra).await
}

async fn spawn_app_full(backend: Backend, forum: &str, smtp_up: bool) -> TestApp {
    spawn_app_configured(backend, forum, smtp_up, &[]).await
}

async fn spawn_app_configured(
    backend: Backend,
    forum: &str,
    smtp_up: bool,
    extra: &[(&str, &str)],
) -> TestApp {
    let dir = TempDir::new();
    let db = TestDb::create(backend, dir.path());
    let smtp_dir = dir.path().join("smtp");
    let smtp = if smtp_up {
        SmtpServer::start(&smtp_dir)
    } else {
        SmtpServer::reserved(&smtp_dir)
    };
    let forum_file = dir.path().join("forum.toml");
    std::fs::write(&forum_file, forum).expect("write forum file");
    let mut env = app_env(&db, &forum_file, &smtp.url(), dir.path());
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let settings = Settings::from_lookup(|k| env.get(k).cloned()).expect("settings");
    let app = Application::build(settings).await.expect("app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    actix_web::rt::spawn(app.run_until_stopped());
    TestApp {
        http: Http::new(address),
        db,
        smtp,
        dir,
    }
}

impl TestApp {
    pub fn conn(&self) -> DbConnection {
        self.db.connect()
    }
}

pub fn valid_registration(site: &str, email: &str) -> Value {
    serde_json::json!({
        "site": site,
        "first_name": "Jürgen",
        "last_name": "Groß",
        "email": email,
        "organisation": "Handwerkskammer Dresden",
        "sector": "chamber",
        "position": "Referent Fachkräftesicherung",
        "privacy_consent": true,
    })
}

/// A separate `forumreg` process, as in production behind a load balancer.
pub struct Instance {
    child: Child,
    pub http: Http,
}

impl Instance {
    /// SIGTERM, as systemd sends it; returns whether the process then exited cleanly.
    pub async fn terminate(&mut self, within: Duration) -> bool {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let start = Instant::now();
        while start.elapsed() < within {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.success();
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        false
    }
}

impl Instance {
    pub fn start(env: &HashMap<String, String>, log: &Path) -> Instance {
        let log_file = std::fs::File::create(log).expect("instance log");
        let mut child = Command::new(env!("CARGO_BIN_EXE_forumreg"))
            .envs(env)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file)
            .spawn()
            .expect("start forumreg");
        let stdout = child.stdout.take().expect("instance stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(address) = line.strip_prefix("forumreg listening on ") {
                    let _ = tx.send(address.trim().to_string());
                }
            }
        });
        let address = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| {
                panic!(
                    "instance did not start; its log:\n{}",
                    std::fs::read_to_string(log).unwrap_or_default()
                )
            });
        Instance {
            child,
            http: Http::new(address),
        }
    }

    /// SIGKILL: no graceful shutdown, as when a machine dies.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Polls `check` until it returns Some, or panics with `what` after `timeout`.
pub async fn eventually<T>(
    what: &str,
    timeout: Duration,
    mut check: impl FnMut() -> Option<T>,
) -> T {
    let start = Instant::now();
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(
            start.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The password of every organiser account the tests create.
pub const ORGANISER_PASSWORD: &str = "ein-langes-passwort-2027";

pub fn add_organiser(app: &TestApp, email: &str, role: Role) {
    let mut conn = app.conn();
    let password = accounts::NewPassword::parse(ORGANISER_PASSWORD).expect("password");
    accounts::add_organiser(
        &mut conn,
        email,
        &password,
        role,
        chrono::Utc::now().naive_utc(),
    )
    .expect("organiser");
}

/// A logged-in organiser as a browser holds it.
pub struct Organiser {
    /// The CSRF cookie and the session cookie, for a `Cookie` header.
    pub cookies: String,
    /// The session's token for organiser forms.
    pub csrf: String,
    /// `forumreg_csrf=…` alone, and the token public forms echo with it.
    pub form_cookie: String,
    pub form_token: String,
}

pub async fn try_login(
    http: &Http,
    email: &str,
    password: &str,
    next: &str,
) -> (TestResponse, String) {
    let page = http.get("/organiser/login").await;
    let csrf_cookie = page
        .cookies
        .iter()
        .find(|(n, _)| n == "forumreg_csrf")
        .map(|(_, v)| v.clone())
        .expect("csrf cookie");
    let token = csrf_token_in(&page.body);
    let cookies = format!("forumreg_csrf={csrf_cookie}");
    let response = http
        .post_as(
            "/organiser/login",
            &[
                ("email", email),
                ("password", password),
                ("csrf_token", &token),
                ("next", next),
            ],
            &cookies,
        )
        .await;
    (response, cookies)
}

pub async fn login(http: &Http, email: &str) -> Organiser {
    let (response, csrf_cookies) = try_login(http, email, ORGANISER_PASSWORD, "").await;
    assert_eq!(
        response.status,
        StatusCode::SEE_OTHER,
        "login: {}",
        response.body
    );
    let session = response
        .cookies
        .iter()
        .find(|(n, _)| n == "forumreg_session")
        .map(|(_, v)| v.clone())
        .expect("session cookie");
    let cookies = format!("{csrf_cookies}; forumreg_session={session}");
    let page = http.get_as("/organiser/checkin", &cookies).await;
    assert_eq!(page.status, StatusCode::OK);
    Organiser {
        csrf: csrf_token_in(&page.body),
        cookies,
        // Public forms echo the cookie's own value (double submit).
        form_token: csrf_cookies
            .trim_start_matches("forumreg_csrf=")
            .to_string(),
        form_cookie: csrf_cookies,
    }
}
