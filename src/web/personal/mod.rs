//! Self-service through the personal link: the participant's page here; changes
//! (cancel, leave the waiting list, switch, delete) in `changes`, downloads and the
//! stream link in `files`, getting the link again in `resend`. Every change asks for
//! confirmation first and is CSRF-protected.

mod changes;
mod files;
mod resend;

pub use changes::{
    cancel, confirm_cancel, confirm_delete, confirm_switch, delete, deleted_page, switch,
};
pub use files::{calendar, data_export, stream};
pub use resend::{resend, resend_form};

use super::csrf;
use super::errors::PageError;
use super::public::forum_view;
use super::views::{Layout, PersonView, RegistrationPage, SiteView, render};
use super::{AppState, private_html};
use crate::db;
use crate::db::forums::Forum;
use crate::db::registrations::Registration;
use crate::db::sites::Site;
use crate::domain::{RegistrationStatus, SiteKind, Token};
use crate::mail::messages::checkin_url;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

/// Everything the personal page shows, read in one go.
pub(super) struct Personal {
    forum: Forum,
    registration: Registration,
    site: Site,
    sites: Vec<Site>,
    waitlist_position: Option<i64>,
}

pub(super) async fn load(state: &AppState, token: &str) -> Result<Personal, PageError> {
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
