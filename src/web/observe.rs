//! Request ids, one log line per request, and the Prometheus metrics at `/metrics`.
//! Routes are recorded by their pattern (`/registration/{token}`), never by the path,
//! so no personal link ends up in logs or metrics.

use super::AppState;
use crate::db;
use crate::domain::Token;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{AUTHORIZATION, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use tracing::Instrument;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    /// Failed SMTP attempts (each retry counts), for alerting on a broken mail server.
    pub delivery_failures: AtomicU64,
}

impl Metrics {
    fn record(&self, route: &str, method: &str, status: u16, seconds: f64) {
        if let Ok(mut requests) = self.requests.lock() {
            *requests
                .entry((route.to_string(), method.to_string(), status))
                .or_default() += 1;
        }
        if let Ok(mut latency) = self.latency.lock() {
            let histogram = latency.entry(route.to_string()).or_default();
            for (i, bound) in BUCKETS.iter().enumerate() {
                if seconds <= *bound {
                    histogram.counts[i] += 1;
                }
            }
            histogram.count += 1;
            histogram.sum += seconds;
        }
    }

    pub fn delivery_failed(&self) {
        self.delivery_failures.fetch_add(1, Ordering::Relaxed);
    }
}

fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Gives each request an id (echoed as `X-Request-Id`), a tracing span carrying it, a
/// log line when it ends, and its place in the metrics.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let request_id = Token::generate().as_str()[..16].to_string();
    let route = req
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_string());
    let method = req.method().to_string();
    let metrics = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.metrics.clone());
    let span =
        tracing::info_span!("request", request_id = %request_id, method = %method, route = %route);
    let started = Instant::now();
    let mut response = next.call(req).instrument(span.clone()).await?;
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    if let Some(metrics) = metrics {
        metrics.record(&route, &method, status, seconds);
    }
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response
            .headers_mut()
            .insert(HeaderName::from_static("x-request-id"), value);
    }
    span.in_scope(|| {
        tracing::info!(
            status,
            duration_ms = (seconds * 1000.0).round() as u64,
            "request finished"
        );
    });
    Ok(response)
}

/// Prometheus text format. With `METRICS_TOKEN` set, only for `Authorization: Bearer <token>`.
pub async fn metrics(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if let Some(token) = &state.settings.metrics_token {
        let presented = req
            .headers()
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if presented != Some(token.as_str()) {
            return HttpResponse::Unauthorized()
                .insert_header(("WWW-Authenticate", "Bearer"))
                .finish();
        }
    }
    let forum_id = state.forum_id;
    let snapshot = state
        .db(move |conn| -> anyhow::Result<_> {
            let sites = db::sites::list_for_forum(conn, forum_id)?;
            let status = db::stats::status_counts(conn, forum_id)?;
            let pending = db::outbox::count_by_status(conn, db::outbox::PENDING)?;
            let failed = db::outbox::count_by_status(conn, db::outbox::FAILED)?;
            let oldest = db::outbox::oldest_pending(conn)?;
            Ok((sites, status, pending, failed, oldest))
        })
        .await;
    let (sites, status, pending, failed, oldest) = match snapshot {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = format!("{e:#}"), "metrics: database unavailable");
            return HttpResponse::build(StatusCode::SERVICE_UNAVAILABLE).finish();
        }
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# HELP forumreg_http_requests_total HTTP requests by route pattern, method and status."
    );
    let _ = writeln!(out, "# TYPE forumreg_http_requests_total counter");
    if let Ok(requests) = state.metrics.requests.lock() {
        for ((route, method, code), n) in requests.iter() {
            let _ = writeln!(
                out,
                "forumreg_http_requests_total{{route=\"{}\",method=\"{method}\",status=\"{code}\"}} {n}",
                label(route)
            );
        }
    }
    let _ = writeln!(
        out,
        "# HELP forumreg_http_request_duration_seconds Request latency by route pattern."
    );
    let _ = writeln!(
        out,
        "# TYPE forumreg_http_request_duration_seconds histogram"
    );
    if let Ok(latency) = state.metrics.latency.lock() {
        for (route, h) in latency.iter() {
            let route = label(route);
            for (bound, n) in BUCKETS.iter().zip(h.counts.iter()) {
                let _ = writeln!(
                    out,
                    "forumreg_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "forumreg_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "forumreg_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "forumreg_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.count
            );
        }
    }
    let _ = writeln!(
        out,
        "# HELP forumreg_registrations Registrations by site and status."
    );
    let _ = writeln!(out, "# TYPE forumreg_registrations gauge");
    for site in &sites {
        for code in ["confirmed", "waitlisted", "cancelled"] {
            let n: i64 = status
                .iter()
                .filter(|(id, s, _)| *id == site.id && s == code)
                .map(|(_, _, n)| n)
                .sum();
            let _ = writeln!(
                out,
                "forumreg_registrations{{site=\"{}\",status=\"{code}\"}} {n}",
                label(&site.slug)
            );
        }
    }
    let _ = writeln!(
        out,
        "# HELP forumreg_site_capacity Seats per site (absent: unlimited)."
    );
    let _ = writeln!(out, "# TYPE forumreg_site_capacity gauge");
    for site in &sites {
        if let Some(capacity) = site.capacity {
            let _ = writeln!(
                out,
                "forumreg_site_capacity{{site=\"{}\"}} {capacity}",
                label(&site.slug)
            );
        }
    }
    let age = oldest.map_or(0, |t| (Utc::now().naive_utc() - t).num_seconds().max(0));
    let _ = writeln!(
        out,
        "# HELP forumreg_outbox_pending Mails waiting in the outbox.\n# TYPE forumreg_outbox_pending gauge\nforumreg_outbox_pending {pending}"
    );
    let _ = writeln!(
        out,
        "# HELP forumreg_outbox_oldest_pending_age_seconds Age of the oldest waiting mail.\n# TYPE forumreg_outbox_oldest_pending_age_seconds gauge\nforumreg_outbox_oldest_pending_age_seconds {age}"
    );
    let _ = writeln!(
        out,
        "# HELP forumreg_outbox_failed Mails the SMTP server refused for good.\n# TYPE forumreg_outbox_failed gauge\nforumreg_outbox_failed {failed}"
    );
    let _ = writeln!(
        out,
        "# HELP forumreg_mail_delivery_failures_total Failed delivery attempts in this instance.\n# TYPE forumreg_mail_delivery_failures_total counter\nforumreg_mail_delivery_failures_total {}",
        state.metrics.delivery_failures.load(Ordering::Relaxed)
    );
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(out)
}
