//! Public pages that only read: the forum page, the privacy notice, health, assets.

use super::AppState;
use super::csrf;
use super::errors::PageError;
use super::views::{
    EasyLanguagePage, ForumPage, ForumView, Layout, PrivacyPage, SiteView, TextPage, Visitor,
    paragraphs, render,
};
use crate::booking::registration_window;
use crate::db;
use crate::db::forums::Forum;
use crate::db::sites::Site;
use crate::domain::{Lang, Localised};
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

pub fn forum_view(forum: &Forum, lang: Lang) -> ForumView {
    ForumView::new(
        forum,
        registration_window(forum, Utc::now().naive_utc()),
        lang,
    )
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
    let visitor = Visitor::of(&req);
    let title = forum.title_in(visitor.lang).text;
    let page = ForumPage {
        layout: Layout::new(&visitor, title.clone(), title),
        forum: forum_view(&forum, visitor.lang),
        sites: SiteView::list_with_waiting(&sites, &waiting, visitor.lang),
        csrf_token,
    };
    let mut response = HttpResponse::Ok();
    response.content_type(ContentType::html());
    if let Some(cookie) = cookie {
        response.cookie(cookie);
    }
    Ok(response.body(render(&page)?))
}

pub async fn privacy_page(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let (forum, _) = load_forum(&state).await?;
    let visitor = Visitor::of(&req);
    let notice = forum.privacy_notice_in(visitor.lang);
    let page = PrivacyPage {
        layout: Layout::for_forum(
            &visitor,
            visitor.tr("Datenschutzhinweise", "Privacy notice"),
            &forum,
        ),
        paragraphs: paragraphs(&notice.text),
        text_lang: notice.lang_attr(visitor.lang),
        session_hours: crate::accounts::SESSION_HOURS,
        version: forum.privacy_version.clone(),
        forum: forum_view(&forum, visitor.lang),
    };
    Ok(html(render(&page)?))
}

pub async fn imprint_page(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let (forum, _) = load_forum(&state).await?;
    let visitor = Visitor::of(&req);
    let organiser = forum.organiser_in(visitor.lang);
    let text = forum.imprint_in(visitor.lang).unwrap_or_else(|| Localised {
        text: format!(
            "{}\n\n{}: {}",
            organiser.text,
            visitor.tr("E-Mail", "E-mail"),
            forum.contact_email
        ),
        lang: organiser.lang,
    });
    let heading = visitor.tr("Impressum", "Imprint");
    let page = TextPage {
        layout: Layout::for_forum(&visitor, heading, &forum),
        heading: heading.into(),
        paragraphs: paragraphs(&text.text),
        text_lang: text.lang_attr(visitor.lang),
        contact: None,
    };
    Ok(html(render(&page)?))
}

/// The accessibility statement BITV 2.0 asks of public bodies, with a feedback contact.
pub async fn accessibility_page(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let (forum, _) = load_forum(&state).await?;
    let visitor = Visitor::of(&req);
    let organiser = forum.organiser_in(visitor.lang);
    let text = forum
        .accessibility_statement_in(visitor.lang)
        .unwrap_or_else(|| Localised {
            text: match visitor.lang {
                Lang::De => format!(
                    "{} ist bemüht, diese Anmeldeseite im Einklang mit der Barrierefreie-Informationstechnik-Verordnung (BITV 2.0) und den Web Content Accessibility Guidelines (WCAG) 2.1 Stufe AA barrierefrei zugänglich zu machen.\n\nSind Ihnen Mängel beim barrierefreien Zugang aufgefallen oder brauchen Sie Informationen in einer anderen Form? Schreiben Sie uns; wir antworten innerhalb von zwei Wochen.",
                    organiser.text
                ),
                Lang::En => format!(
                    "{} strives to make this registration site accessible in accordance with the German Accessible Information Technology Ordinance (BITV 2.0) and the Web Content Accessibility Guidelines (WCAG) 2.1 level AA.\n\nHave you noticed barriers, or do you need information in another form? Write to us; we answer within two weeks.",
                    organiser.text
                ),
            },
            lang: visitor.lang,
        });
    let contact = forum
        .accessibility_contact
        .clone()
        .unwrap_or_else(|| forum.contact_email.clone());
    let heading = visitor.tr("Erklärung zur Barrierefreiheit", "Accessibility statement");
    let page = TextPage {
        layout: Layout::for_forum(&visitor, heading, &forum),
        heading: heading.into(),
        paragraphs: paragraphs(&text.text),
        text_lang: text.lang_attr(visitor.lang),
        contact: Some((
            visitor
                .tr("Feedback zur Barrierefreiheit", "Accessibility feedback")
                .into(),
            contact,
        )),
    };
    Ok(html(render(&page)?))
}

pub async fn easy_language_page(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let (forum, sites) = load_forum(&state).await?;
    let visitor = Visitor::of(&req);
    let page = EasyLanguagePage {
        layout: Layout::for_forum(&visitor, visitor.tr("Leichte Sprache", "Easy Read"), &forum),
        forum: forum_view(&forum, visitor.lang),
        sites: SiteView::list(&sites, visitor.lang),
        sign_language_url: forum.sign_language_url.clone(),
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
