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
use super::views::{Layout, PersonView, RegistrationPage, SiteView, Visitor, render};
use super::{AppState, private_html};
use crate::db;
use crate::db::forums::Forum;
use crate::db::registrations::Registration;
use crate::db::sites::Site;
use crate::domain::{Lang, RegistrationStatus, SiteKind, Token};
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

fn done_message(code: &str, p: &Personal, lang: Lang) -> Option<String> {
    match code {
        "cancelled" => Some(
            lang.tr(
                "Ihre Anmeldung ist storniert. Eine Bestätigung ist per E-Mail unterwegs.",
                "Your registration is cancelled. A confirmation is on its way by e-mail.",
            )
            .into(),
        ),
        "left" => Some(
            lang.tr(
                "Sie stehen nicht mehr auf der Warteliste. Eine Bestätigung ist per E-Mail unterwegs.",
                "You are no longer on the waiting list. A confirmation is on its way by e-mail.",
            )
            .into(),
        ),
        "switched" => {
            let site = p.site.name_in(lang).text;
            Some(match lang {
                Lang::De => format!(
                    "Ihr Standort ist jetzt {site}. Eine Bestätigung mit dem neuen Kalendereintrag ist per E-Mail unterwegs."
                ),
                Lang::En => format!(
                    "Your site is now {site}. A confirmation with the new calendar entry is on its way by e-mail."
                ),
            })
        }
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
    let visitor = Visitor::participant(req, p.registration.lang());
    let lang = visitor.lang;
    let status = p.registration.status();
    let title = match (just_registered, status) {
        (true, RegistrationStatus::Waitlisted) => visitor.tr(
            "Sie stehen auf der Warteliste",
            "You are on the waiting list",
        ),
        (true, _) => visitor.tr(
            "Vielen Dank für Ihre Anmeldung",
            "Thank you for registering",
        ),
        (false, _) => visitor.tr("Ihre Anmeldung", "Your registration"),
    };
    let switch_options = match status {
        RegistrationStatus::Cancelled => Vec::new(),
        _ => p
            .sites
            .iter()
            .filter(|s| s.id != p.site.id && !s.is_full())
            .map(|s| SiteView::new(s, lang))
            .collect(),
    };
    let stream_link = (status == RegistrationStatus::Confirmed
        && p.site.kind() == SiteKind::Stream
        && p.forum.stream_url.is_some())
    .then(|| format!("/stream/{}", p.registration.stream_token));
    let (_, cookie) = csrf::token_for(req, state.settings.is_https());
    let view = RegistrationPage {
        layout: Layout::for_forum(&visitor, title, &p.forum),
        forum: forum_view(&p.forum, lang),
        site: SiteView::new(&p.site, lang),
        person: PersonView::new(&p.registration, lang),
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
                    visitor.tr("QR-Code für den Check-in", "QR code for check-in"),
                )
            })
            .flatten(),
        retention_days: state.settings.retention_days,
        done: done_message(done, &p, lang),
    };
    Ok(super::lang::written_in(
        private_html(StatusCode::OK, render(&view)?, cookie),
        visitor.lang,
    ))
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
