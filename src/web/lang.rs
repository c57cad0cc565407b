//! Which language a request wants, and how a choice is remembered.
//!
//! Order: a `?lang=` on the URL (the switch in every page header), then the `lang`
//! cookie that switch leaves behind, then the browser's Accept-Language, then German.
//! The switch is a plain link to the same page, so it works without JavaScript, keeps
//! the visitor where they are and needs no redirect target that could be abused.

use super::errors::PageError;
use crate::domain::Lang;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{ACCEPT_LANGUAGE, CONTENT_LANGUAGE, CONTENT_TYPE, HeaderValue, VARY};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse};

pub const COOKIE: &str = "lang";

fn query_lang(query: &str) -> Option<Lang> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == "lang")
        .and_then(|(_, value)| Lang::from_code(value))
}

pub fn request_lang(req: &HttpRequest) -> Lang {
    chosen_lang(req).unwrap_or_else(|| accept_language(req))
}

/// The language the visitor picked with the switch (now or earlier), if they did.
pub fn chosen_lang(req: &HttpRequest) -> Option<Lang> {
    query_lang(req.query_string())
        .or_else(|| req.cookie(COOKIE).and_then(|c| Lang::from_code(c.value())))
}

fn accept_language(req: &HttpRequest) -> Lang {
    let header = req
        .headers()
        .get(ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // Languages are listed by preference; the first one we speak wins.
    header
        .split(',')
        .filter_map(|part| part.split(';').next())
        .filter_map(|tag| tag.trim().split('-').next())
        .find_map(Lang::from_code)
        .unwrap_or_default()
}

/// Marks a page rendered in a language other than the request's own preference.
pub fn written_in(mut response: HttpResponse, lang: Lang) -> HttpResponse {
    response
        .headers_mut()
        .insert(CONTENT_LANGUAGE, HeaderValue::from_static(lang.code()));
    response
}

/// This page in `lang`: the same path and query, with `lang` set.
pub fn switch_href(req: &HttpRequest, lang: Lang) -> String {
    let mut query: Vec<&str> = req
        .query_string()
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.starts_with("lang="))
        .collect();
    let choice = format!("lang={}", lang.code());
    query.push(&choice);
    // "//host" or "/\host" would make the link leave the site (a 404 page echoes any path).
    let path = req.path().trim_start_matches(['/', '\\']);
    format!("/{path}?{}", query.join("&"))
}

/// Remembers a language chosen with `?lang=`, answers error pages in the visitor's
/// language and tells caches that HTML differs by language.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let chosen = query_lang(req.query_string());
    let remembered = req.cookie(COOKIE).and_then(|c| Lang::from_code(c.value()));
    let secure = req.connection_info().scheme() == "https";
    let response = next.call(req).await?.map_into_boxed_body();
    let lang = request_lang(response.request());

    // Error responses are built without the request; render them again in its language.
    let localised = response
        .response()
        .error()
        .and_then(|e| e.as_error::<PageError>())
        .and_then(|e| e.localised_response(response.response(), response.request()));
    let mut response = match localised {
        Some(localised) => response.into_response(localised),
        None => response,
    };

    let is_html = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html {
        let headers = response.headers_mut();
        // A handler that chose the language by other means (a participant's own pages
        // follow the registration) has said so already.
        if !headers.contains_key(CONTENT_LANGUAGE) {
            headers.insert(CONTENT_LANGUAGE, HeaderValue::from_static(lang.code()));
        }
        headers.insert(VARY, HeaderValue::from_static("Accept-Language, Cookie"));
    }
    if let Some(chosen) = chosen
        && remembered != Some(chosen)
    {
        let cookie = Cookie::build(COOKIE, chosen.code())
            .path("/")
            .http_only(true)
            .secure(secure)
            .same_site(SameSite::Lax)
            .max_age(Duration::days(365))
            .finish();
        // A cookie that cannot be added only means the choice is not remembered.
        let _ = response.response_mut().add_cookie(&cookie);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn the_choice_beats_the_cookie_beats_the_browser() {
        let req = TestRequest::default()
            .insert_header((ACCEPT_LANGUAGE, "en-GB,en;q=0.9"))
            .to_http_request();
        assert_eq!(request_lang(&req), Lang::En);
        let req = TestRequest::default()
            .insert_header((ACCEPT_LANGUAGE, "fr-FR, de;q=0.8, en;q=0.5"))
            .to_http_request();
        assert_eq!(request_lang(&req), Lang::De);
        let req = TestRequest::default()
            .insert_header((ACCEPT_LANGUAGE, "en"))
            .cookie(Cookie::new(COOKIE, "de"))
            .to_http_request();
        assert_eq!(request_lang(&req), Lang::De);
        let req = TestRequest::with_uri("/register?site=riesa&lang=en")
            .cookie(Cookie::new(COOKIE, "de"))
            .to_http_request();
        assert_eq!(request_lang(&req), Lang::En);
        let req = TestRequest::default().to_http_request();
        assert_eq!(request_lang(&req), Lang::De);
    }

    #[test]
    fn the_switch_keeps_the_page_and_its_query() {
        let req = TestRequest::with_uri("/register?site=riesa&lang=de").to_http_request();
        assert_eq!(switch_href(&req, Lang::En), "/register?site=riesa&lang=en");
        let req = TestRequest::with_uri("/").to_http_request();
        assert_eq!(switch_href(&req, Lang::En), "/?lang=en");
        let req = TestRequest::with_uri("//evil.example/x").to_http_request();
        assert_eq!(switch_href(&req, Lang::En), "/evil.example/x?lang=en");
        let req = TestRequest::with_uri("/%5Cevil.example").to_http_request();
        assert_eq!(
            switch_href(&req, Lang::En),
            "/%5Cevil.example?lang=en",
            "an encoded backslash stays encoded, which browsers do not read as a slash"
        );
    }
}
