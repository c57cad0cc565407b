//! CSRF protection for HTML forms: a random token in a cookie that the form must echo.
//!
//! A cross-site page can make the browser send the cookie but cannot read it, so it
//! cannot put the matching value into the form. SameSite=Strict adds a second fence.
//! The JSON API needs no token: it accepts only `application/json`, which a cross-site
//! form cannot send without a CORS preflight we never approve.

use crate::domain::Token;
use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite};

pub const FIELD: &str = "csrf_token";

fn cookie_name(secure: bool) -> &'static str {
    // The __Host- prefix pins the cookie to this host and path and requires Secure.
    if secure {
        "__Host-forumreg_csrf"
    } else {
        "forumreg_csrf"
    }
}

/// The token for a form, and the cookie to set when the browser has none yet.
pub fn token_for(req: &HttpRequest, secure: bool) -> (String, Option<Cookie<'static>>) {
    if let Some(existing) = req
        .cookie(cookie_name(secure))
        .and_then(|c| Token::parse(c.value()))
    {
        return (existing.into_string(), None);
    }
    let token = Token::generate().into_string();
    let cookie = Cookie::build(cookie_name(secure), token.clone())
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .finish();
    (token, Some(cookie))
}

/// True when the submitted token matches the cookie, compared in constant time.
pub fn verify(req: &HttpRequest, secure: bool, submitted: &str) -> bool {
    let Some(cookie) = req.cookie(cookie_name(secure)) else {
        return false;
    };
    let (a, b) = (cookie.value().as_bytes(), submitted.as_bytes());
    if a.len() != b.len() || a.is_empty() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
