//! The registration form: shown, submitted, and re-shown with every input kept when
//! something is wrong.

use super::csrf;
use super::errors::{PageError, log_unexpected};
use super::public::{forum_view, load_forum};
use super::rate_limit::{Door, retry_after_secs};
use super::views::{RegisterPage, SiteView, render};
use super::{AppState, see_other};
use crate::booking::register::WhenFull;
use crate::booking::{self, RegisterError};
use crate::db::sites::Site;
use crate::domain::{Lang, NewRegistration, RawRegistration};
use actix_web::http::StatusCode;
use actix_web::http::header::ContentType;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct SiteQuery {
    #[serde(default)]
    site: String,
}

/// Exactly what the browser sends; everything optional so a tampered form still
/// gets a friendly answer instead of a deserialisation error.
#[derive(Debug, Default, Deserialize)]
pub struct RegisterFormData {
    #[serde(default)]
    site: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    sector: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    accessibility_needs: String,
    #[serde(default)]
    privacy_consent: Option<String>,
    #[serde(default)]
    waitlist: Option<String>,
    #[serde(default)]
    csrf_token: String,
}

impl RegisterFormData {
    fn raw(&self) -> RawRegistration {
        RawRegistration {
            site: self.site.clone(),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            email: self.email.clone(),
            organisation: self.organisation.clone(),
            sector: self.sector.clone(),
            position: self.position.clone(),
            accessibility_needs: self.accessibility_needs.clone(),
            privacy_consent: self.privacy_consent.is_some(),
        }
    }
}

fn alternatives(sites: &[Site], except: &str) -> Vec<SiteView> {
    sites
        .iter()
        .filter(|s| s.slug != except && !s.is_full())
        .map(SiteView::new)
        .collect()
}

fn respond(
    status: StatusCode,
    page: &RegisterPage,
    cookie: Option<actix_web::cookie::Cookie<'static>>,
) -> Result<HttpResponse, PageError> {
    let mut response = HttpResponse::build(status);
    response.content_type(ContentType::html());
    if let Some(cookie) = cookie {
        response.cookie(cookie);
    }
    Ok(response.body(render(page)?))
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<SiteQuery>,
) -> Result<HttpResponse, PageError> {
    let (forum, sites) = load_forum(&state).await?;
    let (token, cookie) = csrf::token_for(&req, state.settings.is_https());
    let form = RawRegistration {
        site: query.site.clone(),
        ..RawRegistration::default()
    };
    let mut page = RegisterPage::new(forum_view(&forum), SiteView::list(&sites), form, token);
    if let Some(site) = sites.iter().find(|s| s.slug == query.site)
        && site.is_full()
    {
        page.alternatives = alternatives(&sites, &site.slug);
        // They came from "join the waiting list" on the forum page.
        page.waitlist = true;
    }
    respond(StatusCode::OK, &page, cookie)
}

pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    data: web::Form<RegisterFormData>,
) -> Result<HttpResponse, PageError> {
    let secure = state.settings.is_https();
    let data = data.into_inner();
    let (forum, sites) = load_forum(&state).await?;
    let (token, cookie) = csrf::token_for(&req, secure);
    let mut page = RegisterPage::new(
        forum_view(&forum),
        SiteView::list(&sites),
        data.raw(),
        token,
    );
    page.waitlist = data.waitlist.is_some();

    if let Err(wait) = state.rate_limiter.check(Door::Register, &req) {
        let secs = retry_after_secs(wait);
        page.set_general_error(format!(
            "Von Ihrem Anschluss kamen in kurzer Zeit sehr viele Anmeldungen. Bitte warten Sie {secs} Sekunden und senden Sie das Formular dann erneut – Ihre Eingaben sind erhalten."
        ));
        let mut response = respond(StatusCode::TOO_MANY_REQUESTS, &page, cookie)?;
        if let Ok(value) = secs.to_string().parse() {
            response
                .headers_mut()
                .insert(actix_web::http::header::RETRY_AFTER, value);
        }
        return Ok(response);
    }
    if !csrf::verify(&req, secure, &data.csrf_token) {
        page.set_general_error(
            "Ihre Sitzung ist abgelaufen oder das Formular kam nicht von dieser Seite. Ihre Eingaben sind erhalten – bitte senden Sie das Formular erneut ab.".into(),
        );
        return respond(StatusCode::FORBIDDEN, &page, cookie);
    }
    let new = match NewRegistration::parse(&page.form) {
        Ok(new) => new,
        Err(errors) => {
            page.set_errors(&errors);
            return respond(StatusCode::UNPROCESSABLE_ENTITY, &page, cookie);
        }
    };

    // Mails follow the language of the page the person registered on; the pages are
    // German only so far (the API takes Accept-Language).
    let lang = Lang::De;
    let when_full = if page.waitlist {
        WhenFull::JoinWaitlist
    } else {
        WhenFull::Refuse
    };
    let mail_context = state.mail_context.clone();
    let outcome = state
        .db(move |conn| booking::register(conn, &forum, &new, lang, when_full, &mail_context))
        .await;

    match outcome {
        Ok(booked) => {
            state.mail_worker.wake();
            tracing::info!(registration_id = booked.registration.id, site = %booked.site.slug, "registered via form");
            Ok(see_other(format!(
                "/registration/{}/thanks",
                booked.registration.manage_token
            )))
        }
        Err(RegisterError::SiteFull(site)) => {
            page.add_error(
                "site",
                format!("Der Standort {} ist leider ausgebucht. Bitte wählen Sie einen anderen Standort oder den Livestream – oder kreuzen Sie unten „Warteliste“ an, dann rücken Sie automatisch nach, sobald ein Platz frei wird.", site.name),
            );
            page.alternatives = alternatives(&sites, &site.slug);
            respond(StatusCode::CONFLICT, &page, cookie)
        }
        Err(RegisterError::AlreadyRegistered(site)) => {
            page.add_error(
                "email",
                format!("Mit dieser E-Mail-Adresse sind Sie bereits für den Standort {} angemeldet. Den Link zu Ihrer Anmeldung finden Sie in Ihrer Bestätigungs-E-Mail.", site.name),
            );
            respond(StatusCode::CONFLICT, &page, cookie)
        }
        Err(RegisterError::UnknownSite(_)) => {
            page.add_error("site", "Bitte wählen Sie einen Standort aus.".into());
            respond(StatusCode::UNPROCESSABLE_ENTITY, &page, cookie)
        }
        Err(RegisterError::RegistrationClosed(_)) => {
            page.forum.registration_open = false;
            respond(StatusCode::CONFLICT, &page, cookie)
        }
        Err(RegisterError::Unexpected(e)) => {
            let reference = log_unexpected(&e);
            page.set_general_error(
                format!("Ihre Anmeldung konnte wegen eines technischen Fehlers nicht gespeichert werden (Referenz {reference}). Ihre Eingaben sind erhalten – bitte versuchen Sie es gleich noch einmal."),
            );
            respond(StatusCode::SERVICE_UNAVAILABLE, &page, cookie)
        }
    }
}

/// Form bodies are small; anything larger is refused before parsing.
pub fn form_config() -> web::FormConfig {
    web::FormConfig::default().limit(16 * 1024).error_handler(|err, _req| {
        let status = match &err {
            actix_web::error::UrlencodedError::Overflow { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            actix_web::error::UrlencodedError::ContentType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            _ => StatusCode::BAD_REQUEST,
        };
        let page = super::views::ErrorPage::bad_request(
            "Das Formular konnte nicht gelesen werden. Bitte laden Sie die Seite neu und versuchen Sie es erneut.",
        );
        let body = render(&page).unwrap_or_default();
        actix_web::error::InternalError::from_response(
            err,
            HttpResponse::build(status).content_type(ContentType::html()).body(body),
        )
        .into()
    })
}
