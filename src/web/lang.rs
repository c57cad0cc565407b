//! Which language a request wants: an explicit `lang` cookie, else Accept-Language.

use crate::domain::Lang;
use actix_web::HttpRequest;
use actix_web::http::header::ACCEPT_LANGUAGE;

pub fn request_lang(req: &HttpRequest) -> Lang {
    if let Some(lang) = req.cookie("lang").and_then(|c| Lang::from_code(c.value())) {
        return lang;
    }
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
