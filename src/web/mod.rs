//! The HTTP layer: routes, request parsing, rendering. Thin by design: handlers turn
//! requests into domain values, call a use case in `booking` or a query in `db` inside
//! one blocking task, and turn the outcome into a page or JSON.

pub mod api;
pub mod csrf;
pub mod errors;
pub mod lang;
pub mod layout;
pub mod observe;
pub mod organiser;
pub mod personal;
pub mod public;
pub mod rate_limit;
pub mod register_form;
pub mod security_headers;
pub mod views;

use crate::config::Settings;
use crate::db::{DbConnection, Pool};
use crate::mail::{MailContext, WorkerHandle};
use actix_web::web;
use std::sync::Arc;

/// Shared by every request.
#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub forum_id: i64,
    pub settings: Arc<Settings>,
    pub mail_worker: WorkerHandle,
    pub mail_context: MailContext,
    pub rate_limiter: Arc<rate_limit::RateLimiter>,
    pub metrics: Arc<observe::Metrics>,
}

impl AppState {
    /// Runs `f` with a pooled connection on a blocking thread: pool checkout and
    /// queries never block the async workers.
    pub async fn db<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<anyhow::Error> + Send + 'static,
    {
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool
                .get()
                .map_err(|e| E::from(anyhow::Error::new(e).context("no database connection")))?;
            f(&mut conn)
        })
        .await
        .map_err(|e| E::from(anyhow::anyhow!("blocking task failed: {e}")))?
    }
}

/// 303 See Other: where every successful form post ends.
pub fn see_other(location: impl Into<String>) -> actix_web::HttpResponse {
    actix_web::HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, location.into()))
        .finish()
}

/// Percent-encodes a value for a URL query (RFC 3986 unreserved characters stay).
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A page with personal data: never stored by shared caches or the back-forward cache.
pub fn private_html(
    status: actix_web::http::StatusCode,
    body: String,
    cookie: Option<actix_web::cookie::Cookie<'static>>,
) -> actix_web::HttpResponse {
    let mut response = actix_web::HttpResponse::build(status);
    response
        .content_type(actix_web::http::header::ContentType::html())
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"));
    if let Some(cookie) = cookie {
        response.cookie(cookie);
    }
    response.body(body)
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/").route(web::get().to(public::forum_page)))
        .service(web::resource("/healthz").route(web::get().to(public::healthz)))
        .service(web::resource("/metrics").route(web::get().to(observe::metrics)))
        .service(web::resource("/privacy").route(web::get().to(public::privacy_page)))
        .service(web::resource("/imprint").route(web::get().to(public::imprint_page)))
        .service(web::resource("/accessibility").route(web::get().to(public::accessibility_page)))
        .service(web::resource("/leichte-sprache").route(web::get().to(public::easy_language_page)))
        .service(web::resource("/static/style.css").route(web::get().to(public::stylesheet)))
        .service(
            web::resource("/static/dashboard.js").route(web::get().to(public::dashboard_script)),
        )
        .service(
            web::resource("/register")
                .route(web::get().to(register_form::show))
                .route(web::post().to(register_form::submit)),
        )
        .service(
            web::resource("/resend-link")
                .route(web::get().to(personal::resend_form))
                .route(web::post().to(personal::resend)),
        )
        .service(
            web::resource("/registration/{token}").route(web::get().to(personal::personal_page)),
        )
        .service(
            web::resource("/registration/{token}/thanks")
                .route(web::get().to(personal::thanks_page)),
        )
        .service(
            web::resource("/registration/{token}/cancel")
                .route(web::get().to(personal::confirm_cancel))
                .route(web::post().to(personal::cancel)),
        )
        .service(
            web::resource("/registration/{token}/switch")
                .route(web::get().to(personal::confirm_switch))
                .route(web::post().to(personal::switch)),
        )
        .service(
            web::resource("/registration/{token}/calendar.ics")
                .route(web::get().to(personal::calendar)),
        )
        .service(web::resource("/stream/{token}").route(web::get().to(personal::stream)))
        .service(
            web::resource("/registration/{token}/delete")
                .route(web::get().to(personal::confirm_delete))
                .route(web::post().to(personal::delete)),
        )
        .service(
            web::resource("/registration/{token}/data.json")
                .route(web::get().to(personal::data_export)),
        )
        .service(web::resource("/deleted").route(web::get().to(personal::deleted_page)))
        .service(
            web::scope("/api/v1")
                .app_data(api::json_config())
                .service(web::resource("/forum").route(web::get().to(api::forum)))
                .service(web::resource("/registrations").route(web::post().to(api::register)))
                .default_service(web::to(api::not_found)),
        )
        .configure(organiser::routes)
        .default_service(web::to(public::not_found));
}
