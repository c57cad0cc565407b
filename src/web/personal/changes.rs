//! Changing a registration through the personal link: confirm, then cancel, leave the
//! waiting list, switch site, or delete it with all personal data.

use super::{Personal, load};
use crate::booking::{self, LifecycleError, lifecycle::Change};
use crate::db;
use crate::db::forums::Forum;
use crate::domain::{Lang, Phrase, RegistrationStatus, Token};
use crate::web::csrf;
use crate::web::errors::{PageError, UNKNOWN_SITE};
use crate::web::views::{ConfirmPage, Layout, Visitor, render};
use crate::web::{AppState, private_html, see_other};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

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
struct Ask {
    heading: Phrase,
    question: String,
    /// The last path segment of the change: `cancel` or `switch`.
    action: &'static str,
    button: Phrase,
    site: Option<String>,
}

fn confirm_page(
    req: &HttpRequest,
    visitor: &Visitor,
    state: &AppState,
    p: &Personal,
    ask: Ask,
) -> Result<HttpResponse, PageError> {
    let (csrf_token, cookie) = csrf::token_for(req, state.settings.is_https());
    let token = &p.registration.manage_token;
    let heading = ask.heading.get(visitor.lang);
    let view = ConfirmPage {
        layout: Layout::for_forum(visitor, heading, &p.forum),
        heading: heading.into(),
        question: ask.question,
        action: format!("/registration/{token}/{}", ask.action),
        button: ask.button.get(visitor.lang).into(),
        site: ask.site,
        csrf_token,
        back: format!("/registration/{token}"),
    };
    Ok(crate::web::lang::written_in(
        private_html(StatusCode::OK, render(&view)?, cookie),
        visitor.lang,
    ))
}

pub async fn confirm_cancel(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let p = load(&state, &token).await?;
    let visitor = Visitor::participant(&req, p.registration.lang());
    let site = p.site.name_in(visitor.lang).text;
    let ask = match p.registration.status() {
        RegistrationStatus::Cancelled => {
            return Ok(see_other(format!(
                "/registration/{}",
                p.registration.manage_token
            )));
        }
        RegistrationStatus::Waitlisted => Ask {
            heading: Phrase::new("Warteliste verlassen", "Leave the waiting list"),
            question: match visitor.lang {
                Lang::De => format!(
                    "Möchten Sie die Warteliste für {site} wirklich verlassen? Ihr Platz in der Reihe geht dabei verloren."
                ),
                Lang::En => format!(
                    "Do you really want to leave the waiting list for {site}? You will lose your place in the queue."
                ),
            },
            action: "cancel",
            button: Phrase::new("Ja, Warteliste verlassen", "Yes, leave the waiting list"),
            site: None,
        },
        RegistrationStatus::Confirmed => Ask {
            heading: Phrase::new("Anmeldung stornieren", "Cancel registration"),
            question: match visitor.lang {
                Lang::De => format!(
                    "Möchten Sie Ihre Anmeldung für {site} wirklich stornieren? Ihr Platz geht sofort an die nächste Person auf der Warteliste."
                ),
                Lang::En => format!(
                    "Do you really want to cancel your registration for {site}? Your seat goes straight to the next person on the waiting list."
                ),
            },
            action: "cancel",
            button: Phrase::new("Ja, verbindlich stornieren", "Yes, cancel for good"),
            site: None,
        },
    };
    confirm_page(&req, &visitor, &state, &p, ask)
}

pub async fn confirm_switch(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
    query: web::Query<SiteQuery>,
) -> Result<HttpResponse, PageError> {
    let p = load(&state, &token).await?;
    let visitor = Visitor::participant(&req, p.registration.lang());
    let target = p
        .sites
        .iter()
        .find(|s| s.slug == query.site)
        .ok_or(PageError::BadRequest(UNKNOWN_SITE))?;
    let (from, to) = (
        p.site.name_in(visitor.lang).text,
        target.name_in(visitor.lang).text,
    );
    let waitlisted = p.registration.status() == RegistrationStatus::Waitlisted;
    let question = match (visitor.lang, waitlisted) {
        (Lang::De, true) => format!(
            "Möchten Sie die Warteliste für {from} verlassen und einen freien Platz in {to} nehmen?"
        ),
        (Lang::En, true) => {
            format!(
                "Do you want to leave the waiting list for {from} and take a free seat in {to}?"
            )
        }
        (Lang::De, false) => format!(
            "Möchten Sie von {from} nach {to} wechseln? Ihr bisheriger Platz geht sofort an die nächste Person auf der Warteliste."
        ),
        (Lang::En, false) => format!(
            "Do you want to switch from {from} to {to}? Your current seat goes straight to the next person on the waiting list."
        ),
    };
    let ask = Ask {
        heading: Phrase::new("Standort wechseln", "Switch site"),
        question,
        action: "switch",
        button: Phrase::new("Ja, Standort wechseln", "Yes, switch site"),
        site: Some(target.slug.clone()),
    };
    confirm_page(&req, &visitor, &state, &p, ask)
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
        Err(e) => Err(e.into()),
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
    let visitor = Visitor::participant(&req, p.registration.lang());
    let ask = Ask {
        heading: Phrase::new("Anmeldung und Daten löschen", "Delete registration and data"),
        question: visitor.tr(
            "Möchten Sie Ihre Anmeldung und alle Ihre Angaben endgültig löschen? Ein Platz geht sofort an die nächste Person auf der Warteliste. Der persönliche Link funktioniert danach nicht mehr.",
            "Do you want to delete your registration and all your details for good? A seat goes straight to the next person on the waiting list. Your personal link will stop working.",
        )
        .into(),
        action: "delete",
        button: Phrase::new("Ja, endgültig löschen", "Yes, delete for good"),
        site: None,
    };
    confirm_page(&req, &visitor, &state, &p, ask)
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
        .await?;
    state.mail_worker.wake();
    Ok(see_other("/deleted"))
}

pub async fn deleted_page(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let forum_id = state.forum_id;
    let forum = state
        .db(move |conn| db::forums::find_by_id(conn, forum_id).map_err(PageError::from))
        .await?;
    let visitor = Visitor::of(&req);
    let heading = visitor.tr("Ihre Daten wurden gelöscht", "Your data has been deleted");
    let page = crate::web::views::ErrorPage {
        layout: Layout::for_forum(&visitor, heading, &forum),
        heading: heading.into(),
        message: visitor.tr(
            "Ihre Anmeldung und alle Ihre Angaben sind gelöscht; ein Platz ging an die nächste Person auf der Warteliste. Für die Statistik bleibt nur ein Zähler ohne Bezug zu Ihrer Person.",
            "Your registration and all your details are deleted; a seat went to the next person on the waiting list. Only a count with no link to you remains for the statistics.",
        )
        .into(),
        reference: None,
    };
    Ok(private_html(StatusCode::OK, render(&page)?, None))
}
