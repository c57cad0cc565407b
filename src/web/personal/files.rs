//! What the personal link hands out: the data as JSON, the calendar file, the stream.

use super::load;
use crate::db;
use crate::domain::{RegistrationStatus, Token};
use crate::mail::calendar::Method;
use crate::mail::messages::calendar_event;
use crate::web::AppState;
use crate::web::errors::PageError;
use actix_web::http::header::CACHE_CONTROL;
use actix_web::{HttpResponse, web};
use chrono::Utc;

/// Everything stored about the participant, as JSON (GDPR Art. 15 and 20).
pub async fn data_export(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let p = load(&state, &token).await?;
    let registration_id = p.registration.id;
    let mails = state
        .db(move |conn| {
            db::outbox::for_registration(conn, registration_id).map_err(PageError::from)
        })
        .await?;
    let r = &p.registration;
    let body = serde_json::json!({
        "forum": { "title": p.forum.title, "date": p.forum.event_date.to_string(), "organiser": p.forum.organiser, "contact_email": p.forum.contact_email },
        "registration": {
            "status": r.status,
            "site": p.site.name,
            "first_name": r.first_name,
            "last_name": r.last_name,
            "email": r.email,
            "organisation": r.organisation,
            "sector": r.sector,
            "position": r.position,
            "accessibility_needs": r.accessibility_needs,
            "language": r.locale,
            "consent": { "privacy_notice_version": r.consent_version, "given_at_utc": r.consent_at.to_string() },
            "registered_at_utc": r.created_at.to_string(),
            "waitlist_position": p.waitlist_position,
            "checked_in_at_utc": r.checked_in_at.map(|t| t.to_string()),
            "stream_first_opened_at_utc": r.stream_joined_at.map(|t| t.to_string()),
        },
        "mails": mails.iter().map(|m| serde_json::json!({
            "kind": m.kind,
            "subject": m.subject,
            "status": m.status,
            "queued_at_utc": m.created_at.to_string(),
            "sent_at_utc": m.sent_at.map(|t| t.to_string()),
        })).collect::<Vec<_>>(),
    });
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"meine-daten.json\"",
        ))
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(body.to_string()))
}

/// The registration as a calendar file, the same entry the mails carry.
pub async fn calendar(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let p = load(&state, &token).await?;
    let method = match p.registration.status() {
        RegistrationStatus::Confirmed => Method::Publish,
        RegistrationStatus::Cancelled => Method::Cancel,
        RegistrationStatus::Waitlisted => return Err(PageError::NotFound),
    };
    let event = calendar_event(
        &p.forum,
        &p.site,
        &p.registration,
        &state.mail_context,
        method,
        Utc::now().naive_utc(),
    );
    Ok(HttpResponse::Ok()
        .content_type(event.content_type())
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"fachforum.ics\"",
        ))
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(event.to_ics()))
}

/// The personal stream link: notes the first visit, then sends the browser to the stream.
pub async fn stream(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let token = Token::parse(&token).ok_or(PageError::NotFound)?;
    let forum_id = state.forum_id;
    let target = state
        .db(move |conn| {
            let forum = db::forums::find_by_id(conn, forum_id)?;
            let Some((registration, _)) =
                db::registrations::find_by_stream_token(conn, token.as_str())?
            else {
                return Err(PageError::NotFound);
            };
            if registration.forum_id != forum_id
                || registration.status() != RegistrationStatus::Confirmed
            {
                return Err(PageError::NotFound);
            }
            let url = forum.stream_url.ok_or(PageError::NotFound)?;
            if db::registrations::mark_stream_joined(conn, registration.id, Utc::now().naive_utc())?
            {
                tracing::info!(
                    registration_id = registration.id,
                    "joined the stream for the first time"
                );
            }
            Ok::<_, PageError>(url)
        })
        .await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, target))
        .insert_header((CACHE_CONTROL, "no-store"))
        .finish())
}
