//! Check-in on the day: open a participant's code (scanned QR) or find them by name,
//! then press "check in". Open to `checkin` and `admin` accounts.

use super::auth::{self, CsrfForm, Nav};
use crate::accounts::Role;
use crate::booking::organiser::{CheckIn, check_in as record_check_in};
use crate::db;
use crate::db::registrations::Registration;
use crate::db::sites::Site;
use crate::db::stats::ParticipantFilter;
use crate::domain::{Lang, Localised, Phrase, RegistrationStatus, Token, berlin_time};
use crate::web::errors::PageError;
use crate::web::views::{Layout, Visitor, render};
use crate::web::{AppState, private_html, see_other};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

pub struct Person {
    pub name: String,
    pub organisation: String,
    pub site: Localised,
    pub code: String,
    pub status: RegistrationStatus,
    /// "09:12 Uhr" / "09:12" when already checked in.
    pub checked_in_at: Option<String>,
    pub checked_in_by: Option<String>,
}

impl Person {
    fn new(registration: &Registration, site: &Site, by: Option<String>, lang: Lang) -> Person {
        Person {
            name: registration.full_name(),
            organisation: registration.organisation.clone(),
            site: site.name_in(lang),
            code: registration.checkin_code.clone(),
            status: registration.status(),
            checked_in_at: registration.checked_in_at.map(|t| {
                let time = berlin_time::to_local(t).format("%H:%M");
                match lang {
                    Lang::De => format!("{time} Uhr"),
                    Lang::En => time.to_string(),
                }
            }),
            checked_in_by: by,
        }
    }

    pub fn confirmed(&self) -> bool {
        self.status == RegistrationStatus::Confirmed
    }
}

#[derive(Template)]
#[template(path = "organiser/checkin.html")]
struct CheckinPage {
    layout: Layout,
    nav: Nav,
    person: Person,
    done: bool,
}

#[derive(Template)]
#[template(path = "organiser/checkin_search.html")]
struct SearchPage {
    layout: Layout,
    nav: Nav,
    q: String,
    people: Vec<Person>,
    searched: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

pub async fn search(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, PageError> {
    let current = auth::require(&req, &state, Role::Checkin).await?;
    let visitor = Visitor::of(&req);
    let lang = visitor.lang;
    let (forum_id, q) = (state.forum_id, query.q.trim().to_string());
    let searched = !q.is_empty();
    let people = if searched {
        state
            .db(move |conn| {
                let filter = ParticipantFilter {
                    search: Some(q),
                    status: Some("confirmed".into()),
                    ..Default::default()
                };
                let (rows, _) = db::stats::participants(conn, forum_id, &filter, 0, 30)?;
                Ok::<_, PageError>(
                    rows.iter()
                        .map(|(r, s)| Person::new(r, s, None, lang))
                        .collect(),
                )
            })
            .await?
    } else {
        Vec::new()
    };
    let view = SearchPage {
        layout: Layout::new(&visitor, "Check-in", visitor.tr("Fachforum", "Forum")),
        nav: current.nav(),
        q: query.q.clone(),
        people,
        searched,
    };
    Ok(private_html(StatusCode::OK, render(&view)?, None))
}

async fn load(
    state: &AppState,
    code: &str,
) -> Result<(Registration, Site, Option<String>), PageError> {
    let code = Token::parse(code).ok_or(PageError::NotFound)?;
    let forum_id = state.forum_id;
    state
        .db(move |conn| {
            let (registration, site) =
                db::registrations::find_by_checkin_code(conn, code.as_str())?
                    .filter(|(r, _)| r.forum_id == forum_id)
                    .ok_or(PageError::NotFound)?;
            let by = match registration.checked_in_by {
                Some(id) => db::organisers::find_by_id(conn, id)?.map(|o| o.email),
                None => None,
            };
            Ok((registration, site, by))
        })
        .await
}

#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    code: web::Path<String>,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, PageError> {
    let current = auth::require(&req, &state, Role::Checkin).await?;
    let (registration, site, by) = load(&state, &code).await?;
    let visitor = Visitor::of(&req);
    let view = CheckinPage {
        layout: Layout::new(
            &visitor,
            format!("Check-in: {}", registration.full_name()),
            visitor.tr("Fachforum", "Forum"),
        ),
        nav: current.nav(),
        person: Person::new(&registration, &site, by, visitor.lang),
        done: query.done == "1",
    };
    Ok(private_html(StatusCode::OK, render(&view)?, None))
}

pub async fn check_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    code: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let current = auth::require(&req, &state, Role::Checkin).await?;
    current.verify_csrf(&form.csrf_token)?;
    let (registration, _, _) = load(&state, &code).await?;
    let organiser_id = current.organiser.id;
    let code = registration.checkin_code.clone();
    let outcome = state
        .db(move |conn| record_check_in(conn, &registration, organiser_id).map_err(PageError::from))
        .await?;
    match outcome {
        CheckIn::Done | CheckIn::Already(_) => {
            Ok(see_other(format!("/organiser/checkin/{code}?done=1")))
        }
        CheckIn::NoSeat(_) => Err(PageError::Conflict(Phrase::new(
            "Diese Person hat keinen bestätigten Platz (Warteliste oder storniert) und kann nicht eingecheckt werden.",
            "This person has no confirmed seat (waiting list or cancelled) and cannot be checked in.",
        ))),
    }
}
