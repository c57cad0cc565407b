//! Builds the running application — database, mail worker, HTTP server — the same way
//! for `main` and for the tests (which listen on port 0).

use crate::booking;
use crate::config::Settings;
use crate::db::{self, Pool};
use crate::domain::{ForumDefinition, Token};
use crate::jobs;
use crate::mail::{MailContext, MailWorker, Transport, WorkerHandle};
use crate::web::{self, AppState, security_headers};
use actix_web::dev::Server;
use actix_web::{App, HttpServer};
use anyhow::Context;
use lettre::message::Mailbox;
use std::net::TcpListener;
use std::sync::Arc;

pub struct Application {
    port: u16,
    public_url: String,
    server: Server,
    worker: WorkerHandle,
    worker_task: tokio::task::JoinHandle<()>,
    reminders: tokio::task::JoinHandle<()>,
    retention: tokio::task::JoinHandle<()>,
}

impl Application {
    pub async fn build(mut settings: Settings) -> anyhow::Result<Application> {
        let listener = TcpListener::bind(&settings.listen_addr)
            .with_context(|| format!("cannot listen on {}", settings.listen_addr))?;
        let port = listener.local_addr()?.port();
        if settings.public_url.is_none() {
            // Links must carry the real port, also when LISTEN_ADDR asked for port 0.
            let host = settings
                .listen_addr
                .rsplit_once(':')
                .map_or("127.0.0.1", |(h, _)| h);
            settings.public_url = Some(format!("http://{host}:{port}"));
        }
        let settings = Arc::new(settings);
        let pool = db::connect_pool(&settings.database_url, settings.db_pool_size)?;
        let mail_context = MailContext::from_settings(&settings)?;
        let forum_id = {
            let (pool, settings, context) = (pool.clone(), settings.clone(), mail_context.clone());
            tokio::task::spawn_blocking(move || prepare_database(&pool, &settings, &context))
                .await
                .context("database preparation task failed")??
        };

        let from: Mailbox = settings
            .mail_from
            .parse()
            .with_context(|| format!("MAIL_FROM {:?} is not a mailbox", settings.mail_from))?;
        let transport = Transport::from_settings(
            settings.smtp_url.as_deref(),
            settings.mail_dir.clone(),
            settings.smtp_timeout,
        )?;
        let metrics = Arc::new(web::observe::Metrics::default());
        let (worker, worker_task) = MailWorker {
            metrics: metrics.clone(),
            pool: pool.clone(),
            transport,
            from,
            worker_id: format!(
                "pid{}-{}",
                std::process::id(),
                &Token::generate().as_str()[..8]
            ),
            poll_interval: settings.mail_poll_interval,
            lease: settings.mail_lease,
        }
        .spawn();

        let reminders = jobs::spawn_reminders(
            pool.clone(),
            mail_context.clone(),
            settings.reminder_lead,
            settings.reminder_check_interval,
            worker.clone(),
        );
        let retention = jobs::spawn_retention(
            pool.clone(),
            settings.retention_days,
            settings.retention_check_interval,
        );
        let state = actix_web::web::Data::new(AppState {
            pool,
            forum_id,
            settings: settings.clone(),
            mail_worker: worker.clone(),
            mail_context,
            rate_limiter: Arc::new(web::rate_limit::RateLimiter::new(&settings)),
            metrics,
        });
        let https = settings.is_https();
        let mut server = HttpServer::new(move || {
            App::new()
                .wrap(actix_web::middleware::from_fn(web::lang::middleware))
                .wrap(actix_web::middleware::from_fn(web::observe::middleware))
                .wrap(security_headers::default_headers(https))
                .app_data(state.clone())
                .app_data(web::register_form::form_config())
                .configure(web::routes)
        })
        .listen(listener)?
        // Slow clients (or slowloris attacks) may not hold connections open for long.
        .client_request_timeout(settings.client_timeout)
        .client_disconnect_timeout(std::time::Duration::from_secs(2))
        .shutdown_timeout(15);
        if let Some(workers) = settings.http_workers {
            server = server.workers(workers.max(1));
        }
        Ok(Application {
            port,
            public_url: settings.public_url().to_string(),
            server: server.run(),
            worker,
            worker_task,
            reminders,
            retention,
        })
    }

    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until the server stops (SIGINT/SIGTERM or a handle), then stops the worker.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        self.reminders.abort();
        self.retention.abort();
        self.worker.stop();
        let _ = self.worker_task.await;
        result
    }
}

/// Migrates, imports the forum file into an empty database, and picks the forum to serve.
pub fn prepare_database(
    pool: &Pool,
    settings: &Settings,
    mail_context: &MailContext,
) -> anyhow::Result<i64> {
    let mut conn = pool.get().context("cannot connect to the database")?;
    db::with_setup_lock(&mut conn, |conn| {
        db::run_migrations(conn)?;
        if db::forums::count(conn)? == 0 {
            let path = &settings.forum_file;
            let text = std::fs::read_to_string(path).with_context(|| {
                format!(
                    "the database holds no forum and {} cannot be read",
                    path.display()
                )
            })?;
            let def = ForumDefinition::from_toml(&text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            let report = booking::import_forum(conn, &def, mail_context)?;
            tracing::info!(forum = %def.slug, sites = report.sites_created, file = %path.display(), "imported forum into empty database");
        }
        Ok(())
    })?;
    let forum = match &settings.forum_slug {
        Some(slug) => db::forums::find_by_slug(&mut conn, slug)?
            .with_context(|| format!("FORUM_SLUG {slug:?}: no such forum in the database"))?,
        None => db::forums::find_latest(&mut conn)?.context("the database holds no forum")?,
    };
    Ok(forum.id)
}
