//! The JSON API (`/api/v1`). Every failure is an `application/problem+json` document
//! with a 4xx status and a stable `code`; no input produces a 500.

use super::AppState;
use super::errors::Problem;
use super::lang::request_lang;
use super::rate_limit::{Door, retry_after_secs};
use crate::booking::register::{RegistrationWindow, WhenFull, registration_window};
use crate::booking::{self, RegisterError};
use crate::db;
use crate::domain::{FieldError, FieldErrors, NewRegistration, RawRegistration};
use actix_web::error::JsonPayloadError;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde_json::{Value, json};

/// Request bodies larger than this are refused with 413 before they are parsed.
pub const JSON_LIMIT_BYTES: usize = 16 * 1024;

pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(JSON_LIMIT_BYTES)
        .error_handler(|err, _req| {
            let problem = match &err {
                JsonPayloadError::ContentType => Problem::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    "Send the body as application/json",
                ),
                JsonPayloadError::Overflow { .. }
                | JsonPayloadError::OverflowKnownLength { .. } => Problem::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    "Request body too large",
                )
                .detail(format!("The limit is {JSON_LIMIT_BYTES} bytes.")),
                other => Problem::new(StatusCode::BAD_REQUEST, "malformed_json", "Malformed JSON")
                    .detail(other.to_string()),
            };
            problem.into()
        })
}

pub async fn forum(state: web::Data<AppState>) -> Result<HttpResponse, Problem> {
    let forum_id = state.forum_id;
    let (forum, sites, waiting) = state
        .db(move |conn| {
            let forum = db::forums::find_by_id(conn, forum_id).map_err(anyhow::Error::from)?;
            let sites = db::sites::list_for_forum(conn, forum_id).map_err(anyhow::Error::from)?;
            let waiting = db::registrations::waitlisted_per_site(conn, forum_id)
                .map_err(anyhow::Error::from)?;
            Ok::<_, Problem>((forum, sites, waiting))
        })
        .await?;
    let sites: Vec<Value> = sites
        .iter()
        .map(|s| {
            let waitlisted = waiting
                .iter()
                .find(|(id, _)| *id == s.id)
                .map_or(0, |(_, n)| *n);
            json!({
                "slug": s.slug,
                "name": s.name,
                "name_en": s.name_en,
                "focus": s.focus,
                "focus_en": s.focus_en,
                "kind": s.kind().code(),
                "city": s.city,
                "venue": s.venue,
                "address": s.address,
                "starts_at": s.starts_at.format("%Y-%m-%dT%H:%M:%S").to_string(),
                "ends_at": s.ends_at.format("%Y-%m-%dT%H:%M:%S").to_string(),
                "capacity": s.capacity,
                "confirmed": s.confirmed_count,
                "available": s.available(),
                "waitlisted": waitlisted,
            })
        })
        .collect();
    let utc =
        |t: Option<chrono::NaiveDateTime>| t.map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string());
    Ok(HttpResponse::Ok().json(json!({
        "slug": forum.slug,
        "title": forum.title,
        "title_en": forum.title_en,
        "date": forum.event_date.to_string(),
        "timezone": "Europe/Berlin",
        "registration_open": registration_window(&forum, Utc::now().naive_utc()) == RegistrationWindow::Open,
        "registration_opens_at": utc(forum.registration_opens_at),
        "registration_closes_at": utc(forum.registration_closes_at),
        "sites": sites,
    })))
}

/// Reads the fields the API knows from a JSON object; a value of the wrong type is an
/// error for that field, a missing one is left empty for the domain rules to judge.
fn raw_from_json(body: &Value) -> Result<(RawRegistration, WhenFull, FieldErrors), Problem> {
    let Some(map) = body.as_object() else {
        return Err(Problem::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            "Expected a JSON object",
        ));
    };
    let mut errors = FieldErrors::default();
    let mut text = |field: &'static str| -> String {
        match map.get(field) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(_) => {
                errors.add(field, FieldError::WrongType { expected: "string" });
                String::new()
            }
        }
    };
    let mut raw = RawRegistration {
        site: text("site"),
        first_name: text("first_name"),
        last_name: text("last_name"),
        email: text("email"),
        organisation: text("organisation"),
        sector: text("sector"),
        position: text("position"),
        accessibility_needs: text("accessibility_needs"),
        privacy_consent: false,
    };
    match map.get("privacy_consent") {
        None | Some(Value::Null) => {}
        Some(Value::Bool(b)) => raw.privacy_consent = *b,
        Some(_) => errors.add(
            "privacy_consent",
            FieldError::WrongType {
                expected: "boolean",
            },
        ),
    }
    let when_full = match map.get("waitlist") {
        Some(Value::Bool(true)) => WhenFull::JoinWaitlist,
        None | Some(Value::Null) | Some(Value::Bool(false)) => WhenFull::Refuse,
        Some(_) => {
            errors.add(
                "waitlist",
                FieldError::WrongType {
                    expected: "boolean",
                },
            );
            WhenFull::Refuse
        }
    };
    Ok((raw, when_full, errors))
}

fn merge(type_errors: FieldErrors, rule_errors: FieldErrors) -> FieldErrors {
    let mut merged = type_errors.clone();
    for (field, errs) in rule_errors.iter() {
        // "wrong type" already says it all; "required" on top would only confuse.
        if type_errors.get(field).is_none() {
            for e in errs {
                merged.add(field, e.clone());
            }
        }
    }
    merged
}

pub async fn register(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<Value>,
) -> Result<HttpResponse, Problem> {
    if let Err(wait) = state.rate_limiter.check(Door::Register, &req) {
        return Err(Problem::rate_limited(retry_after_secs(wait)));
    }
    let lang = request_lang(&req);
    let (raw, when_full, type_errors) = raw_from_json(&body)?;
    let new = match NewRegistration::parse(&raw) {
        Ok(new) if type_errors.is_empty() => new,
        Ok(_) => return Err(Problem::validation(&type_errors, lang)),
        Err(rule_errors) => {
            return Err(Problem::validation(&merge(type_errors, rule_errors), lang));
        }
    };
    let forum_id = state.forum_id;
    let mail_context = state.mail_context.clone();
    let outcome = state
        .db(move |conn| {
            let forum = db::forums::find_by_id(conn, forum_id).map_err(anyhow::Error::from)?;
            booking::register(conn, &forum, &new, lang, when_full, &mail_context)
        })
        .await;
    match outcome {
        Ok(booked) => {
            state.mail_worker.wake();
            tracing::info!(registration_id = booked.registration.id, site = %booked.site.slug, "registered via API");
            let mut body = json!({
                "id": booked.registration.id,
                "status": booked.registration.status,
                "site": booked.site.slug,
            });
            if let Some(position) = booked.waitlist_position {
                body["waitlist_position"] = json!(position);
            }
            Ok(HttpResponse::Created().json(body))
        }
        Err(RegisterError::SiteFull(site)) => {
            Err(
                Problem::new(StatusCode::CONFLICT, "site_full", "Site is full")
                    .detail(format!("Site {} has no free seat left.", site.slug))
                    .with("site", json!(site.slug)),
            )
        }
        Err(RegisterError::AlreadyRegistered(site)) => Err(Problem::new(
            StatusCode::CONFLICT,
            "already_registered",
            "Already registered",
        )
        .detail(format!(
            "This e-mail address is already registered for site {}.",
            site.slug
        ))
        .with("site", json!(site.slug))),
        Err(RegisterError::UnknownSite(_)) => {
            let mut errors = FieldErrors::default();
            errors.add("site", FieldError::UnknownSite);
            Err(Problem::validation(&errors, lang))
        }
        Err(RegisterError::RegistrationClosed(_)) => Err(Problem::new(
            StatusCode::CONFLICT,
            "registration_closed",
            "Registration is closed",
        )),
        Err(RegisterError::Unexpected(e)) => Err(Problem::unexpected(&e)),
    }
}

pub async fn not_found() -> Result<HttpResponse, Problem> {
    Err(Problem::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "No such resource",
    ))
}
