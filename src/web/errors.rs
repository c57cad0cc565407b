//! How failures reach people. Use [`PageError`] in HTML handlers and [`Problem`] in API
//! handlers. Expected outcomes (full site, invalid field) are answered where they occur;
//! these types carry the rest. An unexpected error is logged with its cause chain and a
//! reference id; the visitor sees the id, never the cause.

use super::views::{ErrorPage, Visitor, render};
use crate::domain::{FieldErrors, Lang, Phrase, Token};
use actix_web::http::StatusCode;
use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, ResponseError};
use serde_json::{Map, Value, json};
use std::fmt;

/// Logs `error` and returns the short id the visitor can quote to the organisers.
pub fn log_unexpected(error: &anyhow::Error) -> String {
    let reference = Token::generate().as_str()[..8].to_string();
    tracing::error!(reference = %reference, error = format!("{error:#}"), "unexpected error");
    reference
}

#[derive(Debug)]
pub enum PageError {
    NotFound,
    BadRequest(Phrase),
    /// A form without a valid CSRF token.
    Forbidden,
    /// The change is not possible in the current state; the text says why.
    Conflict(Phrase),
    /// An organiser page without a session: off to the login, then back to this path.
    LoginRequired(String),
    /// Logged in, but the account's role does not allow this.
    NotAllowed,
    /// Over the rate limit; try again after this many seconds.
    TooManyRequests(u64),
    Unexpected(anyhow::Error),
}

impl From<anyhow::Error> for PageError {
    fn from(e: anyhow::Error) -> Self {
        PageError::Unexpected(e)
    }
}

impl From<diesel::result::Error> for PageError {
    fn from(e: diesel::result::Error) -> Self {
        PageError::Unexpected(e.into())
    }
}

pub const UNKNOWN_SITE: Phrase =
    Phrase::new("Diesen Standort gibt es nicht.", "There is no such site.");

/// How a failed self-service or organiser change reads on a page.
impl From<crate::booking::LifecycleError> for PageError {
    fn from(e: crate::booking::LifecycleError) -> Self {
        use crate::booking::LifecycleError;
        match e {
            LifecycleError::NotFound => PageError::NotFound,
            LifecycleError::UnknownSite(_) => PageError::BadRequest(UNKNOWN_SITE),
            LifecycleError::TargetFull(_) => PageError::Conflict(Phrase::new(
                "Der gewünschte Standort ist inzwischen ausgebucht. Ihre Anmeldung bleibt unverändert.",
                "The site you chose has filled up in the meantime. Your registration is unchanged.",
            )),
            LifecycleError::Cancelled => PageError::Conflict(Phrase::new(
                "Diese Anmeldung ist storniert und kann nicht mehr geändert werden. Sie können sich neu anmelden.",
                "This registration is cancelled and can no longer be changed. You can register again.",
            )),
            LifecycleError::Unexpected(e) => PageError::Unexpected(e),
        }
    }
}

impl From<askama::Error> for PageError {
    fn from(e: askama::Error) -> Self {
        PageError::Unexpected(anyhow::Error::new(e).context("rendering a page"))
    }
}

impl fmt::Display for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PageError::NotFound => write!(f, "not found"),
            PageError::BadRequest(why) => write!(f, "bad request: {}", why.en),
            PageError::Forbidden => write!(f, "forbidden: CSRF token missing or wrong"),
            PageError::Conflict(why) => write!(f, "conflict: {}", why.en),
            PageError::LoginRequired(_) => write!(f, "login required"),
            PageError::NotAllowed => write!(f, "not allowed for this role"),
            PageError::TooManyRequests(secs) => write!(f, "rate limited for {secs} s"),
            PageError::Unexpected(e) => write!(f, "{e:#}"),
        }
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            PageError::NotFound => StatusCode::NOT_FOUND,
            PageError::BadRequest(_) => StatusCode::BAD_REQUEST,
            PageError::Forbidden => StatusCode::FORBIDDEN,
            PageError::Conflict(_) => StatusCode::CONFLICT,
            PageError::LoginRequired(_) => StatusCode::SEE_OTHER,
            PageError::NotAllowed => StatusCode::FORBIDDEN,
            PageError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            PageError::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let PageError::LoginRequired(next) = self {
            // Keep the slashes readable; everything else is encoded.
            let next = super::percent_encode(next).replace("%2F", "/");
            return HttpResponse::SeeOther()
                .insert_header((
                    actix_web::http::header::LOCATION,
                    format!("/organiser/login?next={next}"),
                ))
                .finish();
        }
        let reference = match self {
            PageError::Unexpected(e) => Some(log_unexpected(e)),
            _ => None,
        };
        // Rendered here in German; `lang::middleware` renders it again for the visitor.
        let body = self.page(&Visitor::default_for(Lang::De), reference.clone());
        let mut response = HttpResponse::build(self.status_code());
        response.content_type(ContentType::html());
        if let PageError::TooManyRequests(secs) = self {
            response.insert_header((actix_web::http::header::RETRY_AFTER, secs.to_string()));
        }
        let mut response = response.body(body);
        if let Some(reference) = reference {
            response.extensions_mut().insert(ErrorReference(reference));
        }
        response
    }
}

/// The id an unexpected error was logged under, so a second rendering quotes the same one.
#[derive(Clone)]
struct ErrorReference(String);

impl PageError {
    fn page(&self, visitor: &Visitor, reference: Option<String>) -> String {
        let page = match self {
            PageError::NotFound | PageError::LoginRequired(_) => ErrorPage::not_found(visitor),
            PageError::BadRequest(why) => ErrorPage::bad_request(visitor, *why),
            PageError::Forbidden => ErrorPage::forbidden(visitor),
            PageError::Conflict(why) => ErrorPage::conflict(visitor, *why),
            PageError::NotAllowed => ErrorPage::not_allowed(visitor),
            PageError::TooManyRequests(secs) => ErrorPage::too_many_requests(visitor, *secs),
            PageError::Unexpected(_) => {
                ErrorPage::unexpected(visitor, reference.unwrap_or_default())
            }
        };
        render(&page).unwrap_or_else(|_| "Fehler / Error".to_string())
    }

    /// The error page again, for this request: in its language, with its language switch.
    /// `None` where there is no page to redo (the login redirect).
    pub fn localised_response(
        &self,
        response: &HttpResponse,
        req: &actix_web::HttpRequest,
    ) -> Option<HttpResponse> {
        if matches!(self, PageError::LoginRequired(_)) {
            return None;
        }
        let reference = response
            .extensions()
            .get::<ErrorReference>()
            .map(|r| r.0.clone());
        let body = self.page(&Visitor::of(req), reference);
        let mut localised = HttpResponse::build(response.status());
        for (name, value) in response.headers() {
            localised.append_header((name.clone(), value.clone()));
        }
        Some(localised.body(body))
    }
}

/// An RFC 9457 problem document (`application/problem+json`).
#[derive(Debug)]
pub struct Problem {
    status: StatusCode,
    code: &'static str,
    title: String,
    detail: Option<String>,
    extra: Map<String, Value>,
    retry_after: Option<u64>,
}

impl Problem {
    pub fn new(status: StatusCode, code: &'static str, title: impl Into<String>) -> Problem {
        Problem {
            status,
            code,
            title: title.into(),
            detail: None,
            extra: Map::new(),
            retry_after: None,
        }
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Problem {
        self.detail = Some(detail.into());
        self
    }

    pub fn with(mut self, key: &str, value: Value) -> Problem {
        self.extra.insert(key.to_string(), value);
        self
    }

    pub fn rate_limited(secs: u64) -> Problem {
        let mut problem = Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "Too many requests",
        )
        .detail(format!(
            "Too many requests from this address. Try again in {secs} seconds."
        ));
        problem.retry_after = Some(secs);
        problem
    }

    pub fn validation(errors: &FieldErrors, lang: Lang) -> Problem {
        let fields: Map<String, Value> = errors
            .iter()
            .map(|(field, errs)| {
                let messages = errs.iter().map(|e| Value::from(e.message(lang))).collect();
                (field.to_string(), Value::Array(messages))
            })
            .collect();
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "Invalid fields",
        )
        .with("errors", Value::Object(fields))
    }

    pub fn unexpected(error: &anyhow::Error) -> Problem {
        let reference = log_unexpected(error);
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Internal error",
        )
        .detail("Something went wrong on our side. Please quote the reference when you contact us.")
        .with("reference", json!(reference))
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status, self.code)
    }
}

impl From<anyhow::Error> for Problem {
    fn from(e: anyhow::Error) -> Self {
        Problem::unexpected(&e)
    }
}

impl ResponseError for Problem {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut body = Map::new();
        body.insert(
            "type".into(),
            json!(format!("urn:forumreg:problem:{}", self.code)),
        );
        body.insert("title".into(), json!(self.title));
        body.insert("status".into(), json!(self.status.as_u16()));
        body.insert("code".into(), json!(self.code));
        if let Some(detail) = &self.detail {
            body.insert("detail".into(), json!(detail));
        }
        body.extend(self.extra.clone());
        let mut response = HttpResponse::build(self.status);
        response.content_type("application/problem+json");
        if let Some(secs) = self.retry_after {
            response.insert_header((actix_web::http::header::RETRY_AFTER, secs.to_string()));
        }
        response.body(Value::Object(body).to_string())
    }
}
