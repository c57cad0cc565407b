//! The registration form: shown, submitted, and re-shown with every input kept when
//! something is wrong.

use super::csrf;
use super::errors::{PageError, log_unexpected};
use super::public::{forum_view, load_forum};
use super::rate_limit::{Door, retry_after_secs};
use super::views::{RegisterPage, SiteView, Visitor, render};
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

fn alternatives(sites: &[Site], except: &str, lang: Lang) -> Vec<SiteView> {
    sites
        .iter()
        .filter(|s| s.slug != except && !s.is_full())
        .map(|s| SiteView::new(s, lang))
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
    let visitor = Visitor::of(&req);
    let lang = visitor.lang;
    let form = RawRegistration {
        site: query.site.clone(),
        ..RawRegistration::default()
    };
    let mut page = RegisterPage::new(
        &visitor,
        forum_view(&forum, lang),
        SiteView::list(&sites, lang),
        form,
        token,
    );
    if let Some(site) = sites.iter().find(|s| s.slug == query.site)
        && site.is_full()
    {
        page.alternatives = alternatives(&sites, &site.slug, lang);
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
    let visitor = Visitor::of(&req);
    // Mails follow the language of the page the person registered on.
    let lang = visitor.lang;
    let mut page = RegisterPage::new(
        &visitor,
        forum_view(&forum, lang),
        SiteView::list(&sites, lang),
        data.raw(),
        token,
    );
    page.waitlist = data.waitlist.is_some();

    if let Err(wait) = state.rate_limiter.check(Door::Register, &req) {
        let secs = retry_after_secs(wait);
        page.set_general_error(match lang {
            Lang::De => format!(
                "Von Ihrem Anschluss kamen in kurzer Zeit sehr viele Anmeldungen. Bitte warten Sie {secs} Sekunden und senden Sie das Formular dann erneut – Ihre Eingaben sind erhalten."
            ),
            Lang::En => format!(
                "Very many registrations came from your connection in a short time. Please wait {secs} seconds, then send the form again – everything you entered is kept."
            ),
        });
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
            lang.tr(
                "Ihre Sitzung ist abgelaufen oder das Formular kam nicht von dieser Seite. Ihre Eingaben sind erhalten – bitte senden Sie das Formular erneut ab.",
                "Your session has expired or the form did not come from this site. Everything you entered is kept – please send the form again.",
            )
            .into(),
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
            let name = site.name_in(lang).text;
            page.add_error(
                "site",
                match lang {
                    Lang::De => format!("Der Standort {name} ist leider ausgebucht. Bitte wählen Sie einen anderen Standort oder den Livestream – oder kreuzen Sie unten „Warteliste“ an, dann rücken Sie automatisch nach, sobald ein Platz frei wird."),
                    Lang::En => format!("Sorry, {name} is fully booked. Please choose another site or the live stream – or tick “Waiting list” below to move up automatically as soon as a seat frees up."),
                },
            );
            page.alternatives = alternatives(&sites, &site.slug, lang);
            respond(StatusCode::CONFLICT, &page, cookie)
        }
        Err(RegisterError::AlreadyRegistered(site)) => {
            let name = site.name_in(lang).text;
            page.add_error(
                "email",
                match lang {
                    Lang::De => format!("Mit dieser E-Mail-Adresse sind Sie bereits für den Standort {name} angemeldet. Den Link zu Ihrer Anmeldung finden Sie in Ihrer Bestätigungs-E-Mail."),
                    Lang::En => format!("This e-mail address is already registered for {name}. The link to your registration is in your confirmation e-mail."),
                },
            );
            respond(StatusCode::CONFLICT, &page, cookie)
        }
        Err(RegisterError::UnknownSite(_)) => {
            page.add_error(
                "site",
                lang.tr(
                    "Bitte wählen Sie einen Standort aus.",
                    "Please choose a site.",
                )
                .into(),
            );
            respond(StatusCode::UNPROCESSABLE_ENTITY, &page, cookie)
        }
        Err(RegisterError::RegistrationClosed(_)) => {
            page.forum.registration_open = false;
            respond(StatusCode::CONFLICT, &page, cookie)
        }
        Err(RegisterError::Unexpected(e)) => {
            let reference = log_unexpected(&e);
            page.set_general_error(match lang {
                Lang::De => format!("Ihre Anmeldung konnte wegen eines technischen Fehlers nicht gespeichert werden (Referenz {reference}). Ihre Eingaben sind erhalten – bitte versuchen Sie es gleich noch einmal."),
                Lang::En => format!("A technical fault kept your registration from being saved (reference {reference}). Everything you entered is kept – please try again in a moment."),
            });
            respond(StatusCode::SERVICE_UNAVAILABLE, &page, cookie)
        }
    }
}

/// Form bodies are small; anything larger is refused before parsing.
pub fn form_config() -> web::FormConfig {
    web::FormConfig::default().limit(16 * 1024).error_handler(|err, req| {
        let status = match &err {
            actix_web::error::UrlencodedError::Overflow { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            actix_web::error::UrlencodedError::ContentType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            _ => StatusCode::BAD_REQUEST,
        };
        let page = super::views::ErrorPage::bad_request(
            &Visitor::of(req),
            crate::domain::Phrase::new(
                "Das Formular konnte nicht gelesen werden. Bitte laden Sie die Seite neu und versuchen Sie es erneut.",
                "The form could not be read. Please reload the page and try again.",
            ),
        );
        let body = render(&page).unwrap_or_default();
        actix_web::error::InternalError::from_response(
            err,
            HttpResponse::build(status).content_type(ContentType::html()).body(body),
        )
        .into()
    })
}
