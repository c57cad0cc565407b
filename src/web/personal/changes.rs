//! Changing a registration through the personal link: confirm, then cancel, leave the
//! waiting list, switch site, or delete it with all personal data.

use super::{Personal, load};
use crate::booking::{self, LifecycleError, lifecycle::Change};
use crate::db;
use crate::db::forums::Forum;
use crate::domain::{RegistrationStatus, Token};
use crate::web::csrf;
use crate::web::errors::PageError;
use crate::web::views::{ConfirmPage, Layout, render};
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
        .await?;
    state.mail_worker.wake();
    Ok(see_other("/deleted"))
}

pub async fn deleted_page(state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let forum_id = state.forum_id;
    let forum = state
        .db(move |conn| db::forums::find_by_id(conn, forum_id).map_err(PageError::from))
        .await?;
    let page = crate::web::views::ErrorPage {
        layout: Layout::new("Ihre Daten wurden gelöscht", forum.title.clone()),
        heading: "Ihre Daten wurden gelöscht".into(),
        message: "Ihre Anmeldung und alle Ihre Angaben sind gelöscht; ein Platz ging an die nächste Person auf der Warteliste. Für die Statistik bleibt nur ein Zähler ohne Bezug zu Ihrer Person.".into(),
        reference: None,
    };
    Ok(private_html(StatusCode::OK, render(&page)?, None))
}
