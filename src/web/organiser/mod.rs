//! The organiser area: login, dashboard, participants, exports and check-in. Every
//! route here requires a session (anonymous pages → login, the JSON API → 401);
//! `checkin` accounts reach only the check-in pages. State changes are POSTs carrying
//! the session's CSRF token.

pub mod auth;
pub mod checkin;
pub mod dashboard;
pub mod participants;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/organiser/login")
            .route(web::get().to(auth::login_form))
            .route(web::post().to(auth::login)),
    )
    .service(web::resource("/organiser/logout").route(web::post().to(auth::logout)))
    .service(web::resource("/organiser").route(web::get().to(dashboard::page)))
    .service(web::resource("/organiser/api/stats").route(web::get().to(dashboard::stats_json)))
    .service(
        web::resource("/organiser/sites/{slug}/capacity")
            .route(web::post().to(dashboard::set_capacity)),
    )
    .service(web::resource("/organiser/participants").route(web::get().to(participants::list)))
    .service(
        web::resource("/organiser/participants/{id}").route(web::get().to(participants::detail)),
    )
    .service(
        web::resource("/organiser/participants/{id}/email")
            .route(web::post().to(participants::change_email)),
    )
    .service(
        web::resource("/organiser/participants/{id}/resend")
            .route(web::post().to(participants::resend)),
    )
    .service(
        web::resource("/organiser/participants/{id}/cancel")
            .route(web::post().to(participants::cancel)),
    )
    .service(web::resource("/organiser/export.csv").route(web::get().to(participants::export_csv)))
    .service(web::resource("/organiser/attendance").route(web::get().to(participants::attendance)))
    .service(web::resource("/organiser/checkin").route(web::get().to(checkin::search)))
    .service(
        web::resource("/organiser/checkin/{code}")
            .route(web::get().to(checkin::show))
            .route(web::post().to(checkin::check_in)),
    );
}
