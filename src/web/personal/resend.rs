//! "Send me my link again": the same answer for every address.

use crate::booking::{self};
use crate::db;
use crate::domain::EmailAddress;
use crate::web::csrf;
use crate::web::errors::PageError;
use crate::web::public::forum_view;
use crate::web::rate_limit::{Door, retry_after_secs};
use crate::web::views::{Layout, ResendLinkPage, Visitor, render};
use crate::web::{AppState, private_html};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

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
    let visitor = Visitor::of(req);
    let title = if error.is_some() {
        visitor.tr("Fehler: Link erneut senden", "Error: send the link again")
    } else {
        visitor.tr("Link erneut senden", "Send the link again")
    };
    let view = ResendLinkPage {
        layout: Layout::for_forum(&visitor, title, &forum),
        forum: forum_view(&forum, visitor.lang),
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
                Some(e.message(crate::web::lang::request_lang(&req))),
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
