//! Typed settings from environment variables, with defaults that make `cargo run` work
//! alone. Settings are passed in, never read from globals, so tests can vary them.

use crate::db::DatabaseUrl;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: DatabaseUrl,
    /// `host:port`; port 0 picks a free port (tests).
    pub listen_addr: String,
    /// Base of every link in mails and pages, without a trailing slash. When unset,
    /// the app fills it in from the address it actually listens on (see `startup`).
    pub public_url: Option<String>,
    /// `smtp://host:port` (plain), `smtp://host:port?tls=required` (STARTTLS) or
    /// `smtps://host:port`, with optional `user:password@`. `None`: write `.eml` files.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub mail_dir: PathBuf,
    /// Imported when the database holds no forum yet.
    pub forum_file: PathBuf,
    /// Which forum to serve when the database holds several; default: the newest.
    pub forum_slug: Option<String>,
    pub db_pool_size: u32,
    pub http_workers: Option<usize>,
    /// How often the mail worker looks for due mail when nobody woke it.
    pub mail_poll_interval: Duration,
    /// How long a worker may hold a mail before another worker may take it over.
    pub mail_lease: Duration,
    pub smtp_timeout: Duration,
    /// How long before a site starts its participants get the reminder mail.
    pub reminder_lead: Duration,
    /// How often each instance looks for reminders that are due.
    pub reminder_check_interval: Duration,
    /// Requests per client address and window on the public forms and the login; 0 = off.
    pub rate_limit_per_minute: u32,
    pub rate_limit_window: Duration,
    /// How long a client may take to send its request head before it gets a 408.
    pub client_timeout: Duration,
    /// When set, `/metrics` wants `Authorization: Bearer <token>`.
    pub metrics_token: Option<String>,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Days after the forum until personal data is anonymised.
    pub retention_days: u32,
    /// How often each instance looks for data past its retention period.
    pub retention_check_interval: Duration,
}

impl Settings {
    pub fn from_env() -> Result<Settings, String> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    /// Reads settings through `lookup`, so tests can supply a map instead of the environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Settings, String> {
        let get = |key: &str| {
            lookup(key)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let database_url = DatabaseUrl::parse(
            &get("DATABASE_URL").unwrap_or_else(|| "sqlite://forumreg.sqlite3".into()),
        )?;
        let listen_addr = get("LISTEN_ADDR").unwrap_or_else(|| "127.0.0.1:8080".into());
        let public_url = get("PUBLIC_URL").map(|u| u.trim_end_matches('/').to_string());
        if let Some(url) = &public_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(format!(
                "PUBLIC_URL {url:?} must start with http:// or https://"
            ));
        }
        let number = |key: &str, default: u64| -> Result<u64, String> {
            match get(key) {
                None => Ok(default),
                Some(v) => v
                    .parse()
                    .map_err(|_| format!("{key} must be a whole number, not {v:?}")),
            }
        };
        let default_pool = match database_url {
            DatabaseUrl::Sqlite(_) => 8,
            DatabaseUrl::Postgres(_) => 10,
        };
        Ok(Settings {
            database_url,
            listen_addr,
            public_url,
            smtp_url: get("SMTP_URL"),
            mail_from: get("MAIL_FROM").unwrap_or_else(|| "Fachforum <fachforum@localhost>".into()),
            mail_dir: PathBuf::from(get("MAIL_DIR").unwrap_or_else(|| "mail-out".into())),
            forum_file: PathBuf::from(
                get("FORUM_FILE").unwrap_or_else(|| "forum.example.toml".into()),
            ),
            forum_slug: get("FORUM_SLUG"),
            db_pool_size: u32::try_from(number("DATABASE_POOL_SIZE", default_pool)?.max(1))
                .map_err(|_| "DATABASE_POOL_SIZE is too large".to_string())?,
            http_workers: get("HTTP_WORKERS")
                .map(|v| {
                    v.parse::<usize>()
                        .map_err(|_| format!("HTTP_WORKERS {v:?} is not a number"))
                })
                .transpose()?,
            mail_poll_interval: Duration::from_millis(
                number("MAIL_POLL_INTERVAL_MS", 2000)?.max(10),
            ),
            mail_lease: Duration::from_secs(number("MAIL_LEASE_SECS", 120)?.max(1)),
            smtp_timeout: Duration::from_secs(number("SMTP_TIMEOUT_SECS", 30)?.max(1)),
            reminder_lead: Duration::from_secs(number("REMINDER_LEAD_HOURS", 24)? * 3600),
            reminder_check_interval: Duration::from_secs(
                number("REMINDER_CHECK_SECS", 300)?.max(1),
            ),
            rate_limit_per_minute: u32::try_from(number("RATE_LIMIT_PER_MINUTE", 30)?)
                .map_err(|_| "RATE_LIMIT_PER_MINUTE is too large".to_string())?,
            rate_limit_window: Duration::from_secs(number("RATE_LIMIT_WINDOW_SECS", 60)?.max(1)),
            metrics_token: get("METRICS_TOKEN"),
            client_timeout: Duration::from_secs(number("CLIENT_TIMEOUT_SECS", 10)?.max(1)),
            trusted_proxies: get("TRUSTED_PROXIES")
                .map(|list| {
                    list.split(',')
                        .map(|ip| {
                            ip.trim().parse().map_err(|_| {
                                format!("TRUSTED_PROXIES: {ip:?} is not an IP address")
                            })
                        })
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()?
                .unwrap_or_default(),
            retention_days: u32::try_from(number("RETENTION_DAYS", 90)?)
                .map_err(|_| "RETENTION_DAYS is too large".to_string())?,
            retention_check_interval: Duration::from_secs(
                number("RETENTION_CHECK_SECS", 3600)?.max(1),
            ),
        })
    }

    pub fn public_url(&self) -> &str {
        self.public_url
            .as_deref()
            .unwrap_or("http://127.0.0.1:8080")
    }

    pub fn is_https(&self) -> bool {
        self.public_url().starts_with("https://")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_run_alone_on_sqlite() {
        let s = settings(&[]).expect("defaults");
        assert!(matches!(s.database_url, DatabaseUrl::Sqlite(_)));
        assert_eq!(s.public_url, None);
        assert!(s.smtp_url.is_none());
    }

    #[test]
    fn backend_follows_the_url_scheme() {
        let s = settings(&[("DATABASE_URL", "postgres://u@h/db")]).expect("pg");
        assert!(matches!(s.database_url, DatabaseUrl::Postgres(_)));
        let s = settings(&[("DATABASE_URL", "/tmp/x.db")]).expect("path");
        assert_eq!(s.database_url, DatabaseUrl::Sqlite("/tmp/x.db".into()));
        assert!(settings(&[("DATABASE_URL", "mysql://h/db")]).is_err());
        assert!(settings(&[("MAIL_LEASE_SECS", "soon")]).is_err());
    }
}
