//! A small W3C WebDriver client over HTTP (awc), enough to drive headless Chromium
//! through chromedriver: open pages, find elements, type, click, press keys, run axe.

use crate::helpers::{TempDir, free_port};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    client: awc::Client,
    artefacts: PathBuf,
    _profile: TempDir,
}

pub const TAB: &str = "\u{E004}";
pub const ENTER: &str = "\u{E007}";
pub const SPACE: &str = "\u{E00D}";
pub const SHIFT_TAB: &str = "\u{E008}\u{E004}\u{E008}";

impl Browser {
    pub async fn start(artefacts: &Path) -> Browser {
        Self::start_with(artefacts, None).await
    }

    /// A phone-sized browser: the viewport is `width` CSS pixels wide (WCAG reflow is
    /// tested at 320, what 1280 pixels become at 400 % zoom).
    pub async fn start_narrow(artefacts: &Path, width: u32) -> Browser {
        Self::start_with(artefacts, Some(width)).await
    }

    async fn start_with(artefacts: &Path, width: Option<u32>) -> Browser {
        let driver_path = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let port = free_port();
        let driver = Command::new(&driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "start {driver_path} ({e}); run scripts/test.sh, which installs chromium-driver"
                )
            });
        let base = format!("http://127.0.0.1:{port}");
        let client = awc::Client::builder()
            .timeout(Duration::from_secs(60))
            .finish();
        let started = Instant::now();
        while client.get(format!("{base}/status")).send().await.is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = TempDir::new();
        let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let mut capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": binary,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1024,900",
                    format!("--user-data-dir={}", profile.path().display()),
                    // A German participant's browser, whatever the machine's locale;
                    // the English journeys choose English with the switch on the page.
                    "--lang=de-DE", "--accept-lang=de-DE,de",
                ],
                "prefs": {"intl.accept_languages": "de-DE,de"},
            },
        }}});
        if let Some(width) = width {
            capabilities["capabilities"]["alwaysMatch"]["goog:chromeOptions"]["mobileEmulation"] =
                json!({"deviceMetrics": {"width": width, "height": 700, "pixelRatio": 1.0}});
        }
        let mut response = client
            .post(format!("{base}/session"))
            .send_json(&capabilities)
            .await
            .expect("new session");
        let body: Value = response.json().limit(1 << 20).await.expect("session json");
        let session = body["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {body}"))
            .to_string();
        Browser {
            driver,
            base,
            session,
            client,
            artefacts: artefacts.to_path_buf(),
            _profile: profile,
        }
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let request = match method {
            "GET" => self.client.get(url),
            "DELETE" => self.client.delete(url),
            _ => self.client.post(url),
        };
        let mut response = match body {
            Some(body) => request.send_json(&body).await,
            None if method == "POST" => request.send_json(&json!({})).await,
            None => request.send().await,
        }
        .unwrap_or_else(|e| panic!("webdriver {method} {path}: {e}"));
        let value: Value = response
            .json()
            .limit(32 << 20)
            .await
            .expect("webdriver json");
        value["value"].clone()
    }

    pub async fn goto(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url }))).await;
    }

    pub async fn source(&self) -> String {
        self.call("GET", "/source", None)
            .await
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    pub async fn title(&self) -> String {
        self.call("GET", "/title", None)
            .await
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    pub async fn url(&self) -> String {
        self.call("GET", "/url", None)
            .await
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// The element for a CSS selector; waits up to 10 s for it to appear.
    pub async fn find(&self, css: &str) -> String {
        let started = Instant::now();
        loop {
            let value = self
                .call(
                    "POST",
                    "/element",
                    Some(json!({"using": "css selector", "value": css})),
                )
                .await;
            if let Some(id) = value
                .as_object()
                .and_then(|o| o.values().next())
                .and_then(Value::as_str)
                && value.get("error").is_none()
            {
                return id.to_string();
            }
            if started.elapsed() > Duration::from_secs(10) {
                self.keep_evidence(&format!("missing {css}")).await;
                panic!("no element {css:?} on {}", self.url().await);
            }
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn click(&self, css: &str) {
        let id = self.find(css).await;
        self.call("POST", &format!("/element/{id}/click"), None)
            .await;
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css).await;
        self.call("POST", &format!("/element/{id}/clear"), None)
            .await;
        self.call(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({ "text": text })),
        )
        .await;
    }

    /// Keys sent to whatever has the focus, as a keyboard user would press them.
    pub async fn press(&self, keys: &str) {
        let mut actions = Vec::new();
        let mut shift = false;
        for key in keys.chars() {
            if key == '\u{E008}' {
                actions.push(json!({"type": if shift { "keyUp" } else { "keyDown" }, "value": key.to_string()}));
                shift = !shift;
                continue;
            }
            actions.push(json!({"type": "keyDown", "value": key.to_string()}));
            actions.push(json!({"type": "keyUp", "value": key.to_string()}));
        }
        self.call(
            "POST",
            "/actions",
            Some(json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})),
        )
        .await;
    }

    /// The id attribute of the focused element ("" for none).
    pub async fn focused_id(&self) -> String {
        self.script("return document.activeElement ? document.activeElement.id : '';")
            .await
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// Presses Tab until the element with `id` has the focus (at most 60 times).
    pub async fn tab_to(&self, id: &str) {
        for _ in 0..60 {
            if self.focused_id().await == id {
                return;
            }
            self.press(TAB).await;
        }
        self.keep_evidence(&format!("tab to {id}")).await;
        panic!("Tab never reached #{id}");
    }

    pub async fn script(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
        .await
    }

    /// Waits until the page source contains `text`.
    pub async fn wait_for_text(&self, text: &str) {
        let started = Instant::now();
        while !self.source().await.contains(text) {
            if started.elapsed() > Duration::from_secs(10) {
                self.keep_evidence(&format!("waiting for {text}")).await;
                panic!("{text:?} never appeared on {}", self.url().await);
            }
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Runs axe-core on the current page; returns "rule: description (n nodes)" per violation.
    pub async fn axe_violations(&self, axe_source: &str) -> Vec<String> {
        self.script(axe_source).await;
        let url = format!("{}/session/{}/execute/async", self.base, self.session);
        let script = "const done = arguments[arguments.length - 1];\
            axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa','best-practice']}})\
              .then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' (' + v.nodes.length + ' nodes: ' + v.nodes.map(n => n.target.join(' ')).join(', ') + ')')))\
              .catch(e => done(['axe failed: ' + e]));";
        let mut response = self
            .client
            .post(url)
            .send_json(&json!({"script": script, "args": []}))
            .await
            .expect("axe");
        let value: Value = response.json().limit(8 << 20).await.expect("axe json");
        value["value"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_else(|| vec![format!("axe: {value}")])
    }

    /// A screenshot and the HTML of the page, kept for a failing test.
    pub async fn keep_evidence(&self, name: &str) {
        let safe: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        // Created only when there is evidence to keep.
        let _ = std::fs::create_dir_all(&self.artefacts);
        let html = self.source().await;
        let _ = std::fs::write(self.artefacts.join(format!("{safe}.html")), html);
        if let Some(png) = self.call("GET", "/screenshot", None).await.as_str() {
            use base64_decode::decode;
            if let Some(bytes) = decode(png) {
                let _ = std::fs::write(self.artefacts.join(format!("{safe}.png")), bytes);
            }
        }
    }

    pub async fn quit(mut self) {
        self.call("DELETE", "", None).await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}

/// Base64 for screenshots, without another dependency.
mod base64_decode {
    pub fn decode(text: &str) -> Option<Vec<u8>> {
        let value = |c: u8| -> Option<u32> {
            Some(match c {
                b'A'..=b'Z' => c - b'A',
                b'a'..=b'z' => c - b'a' + 26,
                b'0'..=b'9' => c - b'0' + 52,
                b'+' => 62,
                b'/' => 63,
                _ => return None,
            } as u32)
        };
        let bytes: Vec<u8> = text
            .bytes()
            .filter(|b| *b != b'=' && !b.is_ascii_whitespace())
            .collect();
        let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
        for chunk in bytes.chunks(4) {
            let mut n = 0u32;
            for (i, c) in chunk.iter().enumerate() {
                n |= value(*c)? << (18 - 6 * i);
            }
            out.push((n >> 16) as u8);
            if chunk.len() > 2 {
                out.push((n >> 8) as u8);
            }
            if chunk.len() > 3 {
                out.push(n as u8);
            }
        }
        Some(out)
    }
}
