//! Logging in and out, and the guard every organiser handler calls first.

use crate::accounts::{self, LoginError, Role};
use crate::db;
use crate::db::organisers::Organiser;
use crate::domain::{Lang, Token};
use crate::web::AppState;
use crate::web::csrf;
use crate::web::errors::PageError;
use crate::web::rate_limit::{Door, retry_after_secs};
use crate::web::views::{Layout, Visitor, render};
use actix_web::cookie::{Cookie, SameSite, time};
use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, ContentType, LOCATION, RETRY_AFTER};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-forumreg_session"
    } else {
        "forumreg_session"
    }
}

/// The logged-in organiser of this request.
pub struct Current {
    pub organiser: Organiser,
    pub role: Role,
    pub csrf_token: String,
}

impl Current {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// State-changing organiser requests carry the session's own CSRF token.
    pub fn verify_csrf(&self, submitted: &str) -> Result<(), PageError> {
        let (a, b) = (self.csrf_token.as_bytes(), submitted.as_bytes());
        let same =
            a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0;
        if same {
            Ok(())
        } else {
            Err(PageError::Forbidden)
        }
    }

    pub fn nav(&self) -> Nav {
        Nav {
            email: self.organiser.email.clone(),
            is_admin: self.is_admin(),
            csrf_token: self.csrf_token.clone(),
        }
    }
}

/// What the organiser navigation shows on every organiser page.
pub struct Nav {
    pub email: String,
    pub is_admin: bool,
    pub csrf_token: String,
}

/// The session behind the request's cookie, if any.
pub async fn current(req: &HttpRequest, state: &AppState) -> Result<Option<Current>, PageError> {
    let secure = state.settings.is_https();
    let Some(token) = req
        .cookie(cookie_name(secure))
        .and_then(|c| Token::parse(c.value()))
    else {
        return Ok(None);
    };
    let found = state
        .db(move |conn| {
            db::organisers::find_session(
                conn,
                &accounts::session_key(token.as_str()),
                Utc::now().naive_utc(),
            )
            .map_err(PageError::from)
        })
        .await?;
    Ok(found.and_then(|(session, organiser)| {
        let role = Role::from_code(&organiser.role)?;
        Some(Current {
            organiser,
            role,
            csrf_token: session.csrf_token,
        })
    }))
}

/// Lets the request through only with a session and, for `Role::Admin`, an admin account.
pub async fn require(
    req: &HttpRequest,
    state: &AppState,
    role: Role,
) -> Result<Current, PageError> {
    let Some(current) = current(req, state).await? else {
        let next = match req.query_string() {
            "" => req.path().to_string(),
            query => format!("{}?{query}", req.path()),
        };
        return Err(PageError::LoginRequired(next));
    };
    if role == Role::Admin && !current.is_admin() {
        return Err(PageError::NotAllowed);
    }
    Ok(current)
}

#[derive(Template)]
#[template(path = "organiser/login.html")]
struct LoginPage {
    layout: Layout,
    csrf_token: String,
    email: String,
    next: String,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

/// Only paths inside the organiser area; anything else could send people elsewhere.
fn safe_next(next: &str) -> Option<String> {
    (next.starts_with("/organiser") && !next.starts_with("//") && !next.contains("://"))
        .then(|| next.to_string())
}

fn login_page(
    req: &HttpRequest,
    state: &AppState,
    status: StatusCode,
    email: String,
    next: String,
    error: Option<String>,
) -> Result<HttpResponse, PageError> {
    let (csrf_token, cookie) = csrf::token_for(req, state.settings.is_https());
    let visitor = Visitor::of(req);
    let title = if error.is_some() {
        visitor.tr(
            "Fehler: Anmeldung für Organisatoren",
            "Error: Organiser sign-in",
        )
    } else {
        visitor.tr("Anmeldung für Organisatoren", "Organiser sign-in")
    };
    let page = LoginPage {
        layout: Layout::new(&visitor, title, visitor.tr("Fachforum", "Forum")),
        csrf_token,
        email,
        next,
        error,
    };
    let mut response = HttpResponse::build(status);
    response
        .content_type(ContentType::html())
        .insert_header((CACHE_CONTROL, "no-store"));
    if let Some(cookie) = cookie {
        response.cookie(cookie);
    }
    Ok(response.body(render(&page)?))
}

pub async fn login_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, PageError> {
    let next = safe_next(&query.next).unwrap_or_default();
    login_page(&req, &state, StatusCode::OK, String::new(), next, None)
}

#[derive(Debug, Default, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    csrf_token: String,
}

pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    let secure = state.settings.is_https();
    if !csrf::verify(&req, secure, &form.csrf_token) {
        return Err(PageError::Forbidden);
    }
    state
        .rate_limiter
        .check(Door::Login, &req)
        .map_err(|wait| PageError::TooManyRequests(retry_after_secs(wait)))?;
    // Behind a trusted proxy this is the client's address, not the proxy's.
    let address = state
        .rate_limiter
        .client_address(&req)
        .map(|ip| ip.to_string())
        .unwrap_or_default();
    let (email, password) = (form.email.clone(), form.password);
    let outcome = state
        .db(move |conn| accounts::login(conn, &email, &password, &address, Utc::now().naive_utc()))
        .await;
    let next = safe_next(&form.next);
    let lang = Visitor::of(&req).lang;
    match outcome {
        Ok(logged_in) => {
            let target = next.unwrap_or_else(|| match Role::from_code(&logged_in.organiser.role) {
                Some(Role::Checkin) => "/organiser/checkin".to_string(),
                _ => "/organiser".to_string(),
            });
            let cookie = Cookie::build(cookie_name(secure), logged_in.session_token)
                .path("/")
                .http_only(true)
                .secure(secure)
                // Lax, not Strict: a check-in link scanned with the phone's camera
                // arrives as a top-level navigation and must find the session.
                .same_site(SameSite::Lax)
                .max_age(time::Duration::hours(accounts::SESSION_HOURS))
                .finish();
            tracing::info!(organiser_id = logged_in.organiser.id, "organiser logged in");
            Ok(HttpResponse::SeeOther()
                .cookie(cookie)
                .insert_header((LOCATION, target))
                .finish())
        }
        Err(LoginError::Invalid) => login_page(
            &req,
            &state,
            StatusCode::UNAUTHORIZED,
            form.email,
            next.unwrap_or_default(),
            Some(
                lang.tr(
                    "E-Mail-Adresse oder Passwort stimmen nicht.",
                    "The e-mail address or the password is wrong.",
                )
                .into(),
            ),
        ),
        Err(LoginError::Throttled { retry_after }) => {
            // Rounded up: "in 0 minutes" would invite an immediate, refused retry.
            let minutes = (retry_after.num_seconds() + 59) / 60;
            let mut response = login_page(
                &req,
                &state,
                StatusCode::TOO_MANY_REQUESTS,
                form.email,
                next.unwrap_or_default(),
                Some(match lang {
                    Lang::De if minutes == 1 => "Zu viele fehlgeschlagene Anmeldeversuche. Bitte versuchen Sie es in einer Minute erneut.".to_string(),
                    Lang::De => format!(
                        "Zu viele fehlgeschlagene Anmeldeversuche. Bitte versuchen Sie es in {minutes} Minuten erneut."
                    ),
                    Lang::En if minutes == 1 => "Too many failed sign-in attempts. Please try again in a minute.".to_string(),
                    Lang::En => format!(
                        "Too many failed sign-in attempts. Please try again in {minutes} minutes."
                    ),
                }),
            )?;
            if let Ok(value) = retry_after.num_seconds().to_string().parse() {
                response.headers_mut().insert(RETRY_AFTER, value);
            }
            Ok(response)
        }
        Err(LoginError::Unexpected(e)) => Err(PageError::Unexpected(e)),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf_token: String,
}

pub async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let current = require(&req, &state, Role::Checkin).await?;
    current.verify_csrf(&form.csrf_token)?;
    let secure = state.settings.is_https();
    if let Some(token) = req
        .cookie(cookie_name(secure))
        .map(|c| c.value().to_string())
    {
        state
            .db(move |conn| {
                db::organisers::delete_session(conn, &accounts::session_key(&token))
                    .map_err(PageError::from)
            })
            .await?;
    }
    let mut gone = Cookie::build(cookie_name(secure), "").path("/").finish();
    gone.make_removal();
    Ok(HttpResponse::SeeOther()
        .cookie(gone)
        .insert_header((LOCATION, "/organiser/login"))
        .finish())
}
