//! Public pages that only read: the forum page, the privacy notice, health, assets.

use super::AppState;
use super::csrf;
use super::errors::PageError;
use super::views::{
    ForumPage, ForumView, Layout, PrivacyPage, SiteView, TextPage, paragraphs, render,
};
use crate::booking::registration_window;
use crate::db;
use crate::db::forums::Forum;
use crate::db::sites::Site;
use actix_web::http::header::{CACHE_CONTROL, ContentType};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;

pub fn html(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(ContentType::html())
        .body(body)
}

/// The forum and its sites with current seat counts, read together.
pub async fn load_forum(state: &AppState) -> Result<(Forum, Vec<Site>), PageError> {
    let forum_id = state.forum_id;
    state
        .db(move |conn| {
            let forum = db::forums::find_by_id(conn, forum_id)?;
            let sites = db::sites::list_for_forum(conn, forum_id)?;
            Ok::<_, PageError>((forum, sites))
        })
        .await
}

pub fn forum_view(forum: &Forum) -> ForumView {
    ForumView::new(forum, registration_window(forum, Utc::now().naive_utc()))
}

pub async fn forum_page(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let forum_id = state.forum_id;
    let (forum, sites, waiting) = state
        .db(move |conn| {
            let forum = db::forums::find_by_id(conn, forum_id)?;
            let sites = db::sites::list_for_forum(conn, forum_id)?;
            let waiting = db::registrations::waitlisted_per_site(conn, forum_id)?;
            Ok::<_, PageError>((forum, sites, waiting))
        })
        .await?;
    let (csrf_token, cookie) = csrf::token_for(&req, state.settings.is_https());
    let page = ForumPage {
        layout: Layout::new(forum.title.clone(), forum.title.clone()),
        forum: forum_view(&forum),
        sites: SiteView::list_with_waiting(&sites, &waiting),
        csrf_token,
    };
    let mut response = HttpResponse::Ok();
    response.content_type(ContentType::html());
    if let Some(cookie) = cookie {
        response.cookie(cookie);
    }
    Ok(response.body(render(&page)?))
}

pub async fn privacy_page(state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let (forum, _) = load_forum(&state).await?;
    let page = PrivacyPage {
        layout: Layout::new("Datenschutzhinweise", forum.title.clone()),
        paragraphs: forum
            .privacy_notice
            .split("\n\n")
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect(),
        version: forum.privacy_version.clone(),
        forum: forum_view(&forum),
    };
    Ok(html(render(&page)?))
}

pub async fn imprint_page(state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let (forum, _) = load_forum(&state).await?;
    let text = forum
        .imprint
        .clone()
        .unwrap_or_else(|| format!("{}\n\nE-Mail: {}", forum.organiser, forum.contact_email));
    let page = TextPage {
        layout: Layout::new("Impressum", forum.title.clone()),
        heading: "Impressum".into(),
        paragraphs: paragraphs(&text),
        contact: None,
    };
    Ok(html(render(&page)?))
}

/// The accessibility statement BITV 2.0 asks of public bodies, with a feedback contact.
pub async fn accessibility_page(state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let (forum, _) = load_forum(&state).await?;
    let text = forum.accessibility_statement.clone().unwrap_or_else(|| {
        format!(
            "{} ist bemüht, diese Anmeldeseite im Einklang mit der Barrierefreie-Informationstechnik-Verordnung (BITV 2.0) und den Web Content Accessibility Guidelines (WCAG) 2.1 Stufe AA barrierefrei zugänglich zu machen.\n\nSind Ihnen Mängel beim barrierefreien Zugang aufgefallen oder brauchen Sie Informationen in einer anderen Form? Schreiben Sie uns; wir antworten innerhalb von zwei Wochen.",
            forum.organiser
        )
    });
    let contact = forum
        .accessibility_contact
        .clone()
        .unwrap_or_else(|| forum.contact_email.clone());
    let page = TextPage {
        layout: Layout::new("Erklärung zur Barrierefreiheit", forum.title.clone()),
        heading: "Erklärung zur Barrierefreiheit".into(),
        paragraphs: paragraphs(&text),
        contact: Some(("Feedback zur Barrierefreiheit".into(), contact)),
    };
    Ok(html(render(&page)?))
}

pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let answer = state
        .db(|conn| {
            use diesel::connection::SimpleConnection;
            conn.batch_execute("SELECT 1").map_err(anyhow::Error::from)
        })
        .await;
    match answer {
        Ok(()) => HttpResponse::Ok()
            .content_type(ContentType::plaintext())
            .body("ok"),
        Err(e) => {
            tracing::warn!(error = format!("{e:#}"), "health check failed");
            HttpResponse::ServiceUnavailable()
                .content_type(ContentType::plaintext())
                .body("database unavailable")
        }
    }
}

pub async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((CACHE_CONTROL, "public, max-age=3600"))
        .body(include_str!("../../static/style.css"))
}

pub async fn dashboard_script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((CACHE_CONTROL, "public, max-age=3600"))
        .body(include_str!("../../static/dashboard.js"))
}

pub async fn not_found(_req: HttpRequest) -> Result<HttpResponse, PageError> {
    Err(PageError::NotFound)
}
