//! Self-service through the personal link: the participant's page, cancelling, leaving
//! the waiting list, switching site, the calendar file, the stream link, and getting
//! the link again. Every change asks for confirmation first and is CSRF-protected.

use super::csrf;
use super::errors::PageError;
use super::public::forum_view;
use super::rate_limit::{Door, retry_after_secs};
use super::views::{
    ConfirmPage, Layout, PersonView, RegistrationPage, ResendLinkPage, SiteView, render,
};
use super::{AppState, private_html, see_other};
use crate::booking::{self, LifecycleError, lifecycle::Change};
use crate::db;
use crate::db::forums::Forum;
use crate::db::registrations::Registration;
use crate::db::sites::Site;
use crate::domain::{EmailAddress, Lang, RegistrationStatus, SiteKind, Token};
use crate::mail::calendar::Method;
use crate::mail::messages::{calendar_event, checkin_url};
use actix_web::http::StatusCode;
use actix_web::http::header::CACHE_CONTROL;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;

/// Everything the personal page shows, read in one go.
struct Personal {
    forum: Forum,
    registration: Registration,
    site: Site,
    sites: Vec<Site>,
    waitlist_position: Option<i64>,
}

async fn load(state: &AppState, token: &str) -> Result<Personal, PageError> {
    let token = Token::parse(token).ok_or(PageError::NotFound)?;
    let forum_id = state.forum_id;
    state
        .db(move |conn| {
            let forum = db::forums::find_by_id(conn, forum_id)?;
            let (registration, site) =
                db::registrations::find_by_manage_token(conn, token.as_str())?
                    .filter(|(r, _)| r.forum_id == forum_id)
                    .ok_or(PageError::NotFound)?;
            let sites = db::sites::list_for_forum(conn, forum_id)?;
            let waitlist_position = db::registrations::waitlist_position(conn, &registration)?;
            Ok::<_, PageError>(Personal {
                forum,
                registration,
                site,
                sites,
                waitlist_position,
            })
        })
        .await
}

#[derive(Debug, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
}

fn done_message(code: &str, p: &Personal) -> Option<String> {
    match code {
        "cancelled" => {
            Some("Ihre Anmeldung ist storniert. Eine Bestätigung ist per E-Mail unterwegs.".into())
        }
        "left" => Some(
            "Sie stehen nicht mehr auf der Warteliste. Eine Bestätigung ist per E-Mail unterwegs."
                .into(),
        ),
        "switched" => Some(format!(
            "Ihr Standort ist jetzt {}. Eine Bestätigung mit dem neuen Kalendereintrag ist per E-Mail unterwegs.",
            p.site.name
        )),
        _ => None,
    }
}

async fn page(
    req: &HttpRequest,
    state: &AppState,
    token: &str,
    just_registered: bool,
    done: &str,
) -> Result<HttpResponse, PageError> {
    let p = load(state, token).await?;
    let status = p.registration.status();
    let title = match (just_registered, status) {
        (true, RegistrationStatus::Waitlisted) => "Sie stehen auf der Warteliste",
        (true, _) => "Vielen Dank für Ihre Anmeldung",
        (false, _) => "Ihre Anmeldung",
    };
    let switch_options = match status {
        RegistrationStatus::Cancelled => Vec::new(),
        _ => p
            .sites
            .iter()
            .filter(|s| s.id != p.site.id && !s.is_full())
            .map(SiteView::new)
            .collect(),
    };
    let stream_link = (status == RegistrationStatus::Confirmed
        && p.site.kind() == SiteKind::Stream
        && p.forum.stream_url.is_some())
    .then(|| format!("/stream/{}", p.registration.stream_token));
    let (_, cookie) = csrf::token_for(req, state.settings.is_https());
    let view = RegistrationPage {
        layout: Layout::new(title, p.forum.title.clone()),
        forum: forum_view(&p.forum),
        site: SiteView::new(&p.site),
        person: PersonView::new(&p.registration),
        token: p.registration.manage_token.clone(),
        just_registered,
        confirmed: status == RegistrationStatus::Confirmed,
        waitlisted: status == RegistrationStatus::Waitlisted,
        cancelled: status == RegistrationStatus::Cancelled,
        waitlist_position: p.waitlist_position,
        switch_options,
        stream_link,
        checkin_qr: (status == RegistrationStatus::Confirmed && p.site.kind() == SiteKind::Venue)
            .then(|| {
                crate::qr::svg(
                    &checkin_url(&state.mail_context.public_url, &p.registration),
                    "QR-Code für den Check-in",
                )
            })
            .flatten(),
        retention_days: state.settings.retention_days,
        done: done_message(done, &p),
    };
    Ok(private_html(StatusCode::OK, render(&view)?, cookie))
}

pub async fn personal_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, PageError> {
    page(&req, &state, &token, false, &query.done).await
}

pub async fn thanks_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    page(&req, &state, &token, true, "").await
}

#[derive(Debug, Default, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    site: String,
}

#[derive(Debug, Deserialize)]
pub struct SiteQuery {
    #[serde(default)]
    site: String,
}

/// What a confirmation step asks and which change it leads to.
struct Ask<'a> {
    heading: &'a str,
    question: String,
    /// The last path segment of the change: `cancel` or `switch`.
    action: &'a str,
    button: &'a str,
    site: Option<String>,
}

fn confirm_page(
    req: &HttpRequest,
    state: &AppState,
    p: &Personal,
    ask: Ask<'_>,
) -> Result<HttpResponse, PageError> {
    let (csrf_token, cookie) = csrf::token_for(req, state.settings.is_https());
    let token = &p.registration.manage_token;
    let view = ConfirmPage {
        layout: Layout::new(ask.heading, p.forum.title.clone()),
        heading: ask.heading.into(),
        question: ask.question,
        action: format!("/registration/{token}/{}", ask.action),
        button: ask.button.into(),
        site: ask.site,
        csrf_token,
        back: format!("/registration/{token}"),
    };
    Ok(private_html(StatusCode::OK, render(&view)?, cookie))
}

pub async fn confirm_cancel(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let p = load(&state, &token).await?;
    let ask = match p.registration.status() {
        RegistrationStatus::Cancelled => {
            return Ok(see_other(format!(
                "/registration/{}",
                p.registration.manage_token
            )));
        }
        RegistrationStatus::Waitlisted => Ask {
            heading: "Warteliste verlassen",
            question: format!(
                "Möchten Sie die Warteliste für {} wirklich verlassen? Ihr Platz in der Reihe geht dabei verloren.",
                p.site.name
            ),
            action: "cancel",
            button: "Ja, Warteliste verlassen",
            site: None,
        },
        RegistrationStatus::Confirmed => Ask {
            heading: "Anmeldung stornieren",
            question: format!(
                "Möchten Sie Ihre Anmeldung für {} wirklich stornieren? Ihr Platz geht sofort an die nächste Person auf der Warteliste.",
                p.site.name
            ),
            action: "cancel",
            button: "Ja, verbindlich stornieren",
            site: None,
        },
    };
    confirm_page(&req, &state, &p, ask)
}

pub async fn confirm_switch(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
    query: web::Query<SiteQuery>,
) -> Result<HttpResponse, PageError> {
    let p = load(&state, &token).await?;
    let target = p
        .sites
        .iter()
        .find(|s| s.slug == query.site)
        .ok_or(PageError::BadRequest("Diesen Standort gibt es nicht."))?;
    let question = if p.registration.status() == RegistrationStatus::Waitlisted {
        format!(
            "Möchten Sie die Warteliste für {} verlassen und einen freien Platz in {} nehmen?",
            p.site.name, target.name
        )
    } else {
        format!(
            "Möchten Sie von {} nach {} wechseln? Ihr bisheriger Platz geht sofort an die nächste Person auf der Warteliste.",
            p.site.name, target.name
        )
    };
    let ask = Ask {
        heading: "Standort wechseln",
        question,
        action: "switch",
        button: "Ja, Standort wechseln",
        site: Some(target.slug.clone()),
    };
    confirm_page(&req, &state, &p, ask)
}

/// Runs a self-service change after the CSRF check; answers with a redirect to the
/// personal page, or with the page and a message when the change is not possible.
async fn act(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: String,
    form: ActionForm,
    action: fn(
        &mut db::DbConnection,
        &Forum,
        &str,
        &str,
        &crate::mail::MailContext,
    ) -> Result<Change, LifecycleError>,
) -> Result<HttpResponse, PageError> {
    let token = Token::parse(&token).ok_or(PageError::NotFound)?;
    if !csrf::verify(&req, state.settings.is_https(), &form.csrf_token) {
        return Err(PageError::Forbidden);
    }
    let (forum_id, context, site) = (
        state.forum_id,
        state.mail_context.clone(),
        form.site.clone(),
    );
    let manage_token = token.as_str().to_string();
    let outcome = state
        .db(move |conn| {
            let forum = db::forums::find_by_id(conn, forum_id).map_err(anyhow::Error::from)?;
            action(conn, &forum, &manage_token, &site, &context)
        })
        .await;
    let base = format!("/registration/{}", token.as_str());
    match outcome {
        Ok(change) => {
            state.mail_worker.wake();
            let done = match change {
                Change::Cancelled => "?done=cancelled",
                Change::LeftWaitlist => "?done=left",
                Change::Switched { .. } => "?done=switched",
                Change::AlreadyCancelled | Change::Unchanged => "",
            };
            Ok(see_other(format!("{base}{done}")))
        }
        Err(LifecycleError::NotFound) => Err(PageError::NotFound),
        Err(LifecycleError::UnknownSite(_)) => {
            Err(PageError::BadRequest("Diesen Standort gibt es nicht."))
        }
        Err(LifecycleError::TargetFull(_)) => Err(PageError::Conflict(
            "Der gewünschte Standort ist inzwischen ausgebucht. Ihre Anmeldung bleibt unverändert.",
        )),
        Err(LifecycleError::Cancelled) => Err(PageError::Conflict(
            "Diese Anmeldung ist storniert und kann nicht mehr geändert werden. Sie können sich neu anmelden.",
        )),
        Err(LifecycleError::Unexpected(e)) => Err(PageError::Unexpected(e)),
    }
}

pub async fn cancel(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, PageError> {
    act(
        req,
        state,
        token.into_inner(),
        form.into_inner(),
        |conn, forum, token, _, context| booking::cancel(conn, forum, token, context),
    )
    .await
}

pub async fn switch(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, PageError> {
    act(
        req,
        state,
        token.into_inner(),
        form.into_inner(),
        booking::switch_site,
    )
    .await
}

pub async fn confirm_delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let p = load(&state, &token).await?;
    let ask = Ask {
        heading: "Anmeldung und Daten löschen",
        question: "Möchten Sie Ihre Anmeldung und alle Ihre Angaben endgültig löschen? Ein Platz geht sofort an die nächste Person auf der Warteliste. Der persönliche Link funktioniert danach nicht mehr.".into(),
        action: "delete",
        button: "Ja, endgültig löschen",
        site: None,
    };
    confirm_page(&req, &state, &p, ask)
}

pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, PageError> {
    let token = Token::parse(&token).ok_or(PageError::NotFound)?;
    if !csrf::verify(&req, state.settings.is_https(), &form.csrf_token) {
        return Err(PageError::Forbidden);
    }
    let (forum_id, context) = (state.forum_id, state.mail_context.clone());
    state
        .db(move |conn| {
            let forum = db::forums::find_by_id(conn, forum_id).map_err(anyhow::Error::from)?;
            crate::booking::privacy::delete_registration(conn, &forum, token.as_str(), &context)
        })
        .await
        .map_err(|e| match e {
            LifecycleError::NotFound => PageError::NotFound,
            other => PageError::Unexpected(anyhow::anyhow!("{other}")),
        })?;
    state.mail_worker.wake();
    Ok(see_other("/deleted"))
}

pub async fn deleted_page(state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let forum_id = state.forum_id;
    let forum = state
        .db(move |conn| db::forums::find_by_id(conn, forum_id).map_err(PageError::from))
        .await?;
    let page = super::views::ErrorPage {
        layout: Layout::new("Ihre Daten wurden gelöscht", forum.title.clone()),
        heading: "Ihre Daten wurden gelöscht".into(),
        message: "Ihre Anmeldung und alle Ihre Angaben sind gelöscht; ein Platz ging an die nächste Person auf der Warteliste. Für die Statistik bleibt nur ein Zähler ohne Bezug zu Ihrer Person.".into(),
        reference: None,
    };
    Ok(private_html(StatusCode::OK, render(&page)?, None))
}

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

#[derive(Debug, Default, Deserialize)]
pub struct ResendForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    email: String,
}

async fn resend_page(
    req: &HttpRequest,
    state: &AppState,
    status: StatusCode,
    email: String,
    error: Option<String>,
    sent: bool,
) -> Result<HttpResponse, PageError> {
    let forum_id = state.forum_id;
    let forum = state
        .db(move |conn| db::forums::find_by_id(conn, forum_id).map_err(PageError::from))
        .await?;
    let (csrf_token, cookie) = csrf::token_for(req, state.settings.is_https());
    let title = if error.is_some() {
        "Fehler: Link erneut senden"
    } else {
        "Link erneut senden"
    };
    let view = ResendLinkPage {
        layout: Layout::new(title, forum.title.clone()),
        forum: forum_view(&forum),
        csrf_token,
        email,
        error,
        sent,
    };
    Ok(private_html(status, render(&view)?, cookie))
}

pub async fn resend_form(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    resend_page(&req, &state, StatusCode::OK, String::new(), None, false).await
}

/// Always the same answer for a valid address, registered or not: the page must not
/// reveal who is registered.
pub async fn resend(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<ResendForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    if !csrf::verify(&req, state.settings.is_https(), &form.csrf_token) {
        return Err(PageError::Forbidden);
    }
    state
        .rate_limiter
        .check(Door::ResendLink, &req)
        .map_err(|wait| PageError::TooManyRequests(retry_after_secs(wait)))?;
    let email = match EmailAddress::parse(&form.email) {
        Ok(email) => email,
        Err(e) => {
            return resend_page(
                &req,
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                form.email,
                Some(e.message(Lang::De)),
                false,
            )
            .await;
        }
    };
    let (forum_id, context) = (state.forum_id, state.mail_context.clone());
    state
        .db(move |conn| {
            let forum = db::forums::find_by_id(conn, forum_id)?;
            booking::resend_link(conn, &forum, &email, &context).map_err(PageError::from)
        })
        .await?;
    state.mail_worker.wake();
    resend_page(&req, &state, StatusCode::OK, String::new(), None, true).await
}
