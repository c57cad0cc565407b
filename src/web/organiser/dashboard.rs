//! The attendance dashboard: per site capacity, confirmed, waiting, cancelled, checked
//! in, still expected; registrations over time; stakeholder groups per site. Charts are
//! inline SVG drawn here, each with a table that says the same in text.

use super::auth::{self, Nav};
use crate::accounts::Role;
use crate::booking::organiser::{CapacityError, set_capacity as change_capacity};
use crate::db::{self, DbConnection};
use crate::domain::{Capacity, Lang, Localised, Sector, SiteKind, berlin_time};
use crate::i18n;
use crate::web::errors::{PageError, Problem};
use crate::web::views::{Layout, Visitor, render};
use crate::web::{AppState, percent_encode, private_html, see_other};
use actix_web::http::StatusCode;
use actix_web::http::header::CACHE_CONTROL;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    pub capacity: Option<i64>,
    pub confirmed: i64,
    pub waitlisted: i64,
    pub cancelled: i64,
    pub checked_in: i64,
    /// Confirmed but not checked in yet.
    pub expected: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SiteStats {
    pub slug: String,
    /// The name as the forum file has it (German); the JSON API shows this one.
    pub name: String,
    /// The name in the reader's language, for the dashboard page.
    #[serde(skip)]
    pub label: Localised,
    pub is_stream: bool,
    #[serde(flatten)]
    pub counts: Counts,
    /// Confirmed as a share of capacity, 0–100; `None` without a limit.
    pub fill_percent: Option<i64>,
    #[serde(skip)]
    pub sectors: Vec<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DayCount {
    pub date: NaiveDate,
    pub registrations: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub sites: Vec<SiteStats>,
    pub totals: Counts,
    /// People who opened their personal stream link at least once.
    pub stream_joined: i64,
    pub days: Vec<DayCount>,
}

/// Reads every number of the dashboard; each comes straight from a query, so it
/// always equals the database. Site labels are in `lang`.
pub fn load_stats(conn: &mut DbConnection, forum_id: i64, lang: Lang) -> Result<Stats, PageError> {
    let sites = db::sites::list_for_forum(conn, forum_id)?;
    let status = db::stats::status_counts(conn, forum_id)?;
    let checked_in = db::stats::checked_in_counts(conn, forum_id)?;
    let sectors = db::stats::sector_counts(conn, forum_id)?;
    let times = db::stats::registration_times(conn, forum_id)?;
    let stream_joined = db::registrations::count_stream_joined(conn, forum_id)?;
    let count = |site_id: i64, wanted: &str| {
        status
            .iter()
            .filter(|(id, s, _)| *id == site_id && s == wanted)
            .map(|(_, _, n)| *n)
            .sum::<i64>()
    };
    let mut totals = Counts::default();
    let sites: Vec<SiteStats> = sites
        .iter()
        .map(|site| {
            let confirmed = count(site.id, "confirmed");
            let checked = checked_in
                .iter()
                .find(|(id, _)| *id == site.id)
                .map_or(0, |(_, n)| *n);
            let counts = Counts {
                capacity: site.capacity.map(i64::from),
                confirmed,
                waitlisted: count(site.id, "waitlisted"),
                cancelled: count(site.id, "cancelled"),
                checked_in: checked,
                expected: confirmed - checked,
            };
            if let Some(capacity) = counts.capacity {
                totals.capacity = Some(totals.capacity.unwrap_or(0) + capacity);
            }
            totals.confirmed += counts.confirmed;
            totals.waitlisted += counts.waitlisted;
            totals.cancelled += counts.cancelled;
            totals.checked_in += counts.checked_in;
            totals.expected += counts.expected;
            SiteStats {
                slug: site.slug.clone(),
                name: site.name.clone(),
                label: site.name_in(lang),
                is_stream: site.kind() == SiteKind::Stream,
                fill_percent: counts.capacity.map(|c| {
                    if c == 0 {
                        100
                    } else {
                        (counts.confirmed * 100 / c).min(100)
                    }
                }),
                counts,
                sectors: Sector::ALL
                    .iter()
                    .map(|sector| {
                        sectors
                            .iter()
                            .filter(|(id, code, _)| *id == site.id && code == sector.code())
                            .map(|(_, _, n)| *n)
                            .sum()
                    })
                    .collect(),
            }
        })
        .collect();
    let mut per_day: BTreeMap<NaiveDate, i64> = BTreeMap::new();
    for created in times {
        *per_day
            .entry(berlin_time::to_local(created).date())
            .or_default() += 1;
    }
    let days = per_day
        .into_iter()
        .map(|(date, registrations)| DayCount {
            date,
            registrations,
        })
        .collect();
    Ok(Stats {
        sites,
        totals,
        stream_joined,
        days,
    })
}

pub struct Bar {
    pub x: i64,
    pub y: i64,
    pub height: i64,
    pub label: String,
    pub short_label: String,
    /// Date labels on every few bars only, so they never overlap.
    pub show_label: bool,
    pub count: i64,
}

pub struct SectorRow {
    pub label: &'static str,
    pub counts: Vec<i64>,
    pub total: i64,
}

#[derive(Template)]
#[template(path = "organiser/dashboard.html")]
struct DashboardPage {
    layout: Layout,
    nav: Nav,
    stats: Stats,
    updated_at: String,
    bars: Vec<Bar>,
    chart_width: i64,
    sector_rows: Vec<SectorRow>,
    message: Option<String>,
    error: Option<String>,
    mail: MailStatus,
}

/// Whether the mails went out: the worker retries what the server defers, but a mail
/// refused for good needs a person to act.
struct MailStatus {
    pending: i64,
    /// When the oldest waiting mail was queued, Berlin time.
    oldest_pending: Option<String>,
    undeliverable: Vec<UndeliverableRow>,
}

struct UndeliverableRow {
    registration_id: i64,
    name: String,
    recipient: String,
    kind: String,
    error: String,
    queued: String,
}

impl MailStatus {
    fn load(conn: &mut DbConnection, forum_id: i64, lang: Lang) -> Result<MailStatus, PageError> {
        let local = |t| i18n::short_datetime(berlin_time::to_local(t), lang);
        Ok(MailStatus {
            pending: db::outbox::count_by_status(conn, db::outbox::PENDING)?,
            oldest_pending: db::outbox::oldest_pending(conn)?.map(local),
            undeliverable: db::outbox::undeliverable(conn, forum_id)?
                .into_iter()
                .map(|m| UndeliverableRow {
                    registration_id: m.registration_id,
                    name: format!("{} {}", m.first_name, m.last_name),
                    recipient: m.recipient,
                    kind: super::participants::mail_kind_label(&m.kind, lang),
                    error: m.last_error.unwrap_or_default(),
                    queued: local(m.created_at),
                })
                .collect(),
        })
    }
}

const CHART_HEIGHT: i64 = 120;
const BAR_STEP: i64 = 14;
/// The chart is never narrower than this many bars, so one day is not one huge block.
const MIN_BARS: i64 = 40;

fn bars(days: &[DayCount], lang: Lang) -> Vec<Bar> {
    let max = days
        .iter()
        .map(|d| d.registrations)
        .max()
        .unwrap_or(1)
        .max(1);
    let every = (days.len() / 8).max(1);
    days.iter()
        .enumerate()
        .map(|(i, day)| {
            let height = (day.registrations * (CHART_HEIGHT - 15) / max).max(1);
            Bar {
                x: i64::try_from(i).unwrap_or(0) * BAR_STEP,
                y: CHART_HEIGHT - height,
                height,
                label: i18n::short_date(day.date, lang),
                short_label: match lang {
                    Lang::De => day.date.format("%d.%m.").to_string(),
                    Lang::En => day.date.format("%-d %b").to_string(),
                },
                show_label: i % every == 0,
                count: day.registrations,
            }
        })
        .collect()
}

/// Outcome of a capacity change, carried through the redirect as codes (never as
/// free text, so nobody can make the dashboard display words of their choosing).
#[derive(Debug, Default, Deserialize)]
pub struct DashboardQuery {
    #[serde(default)]
    done: String,
    #[serde(default)]
    error: String,
    #[serde(default)]
    site: String,
    #[serde(default)]
    confirmed: i64,
}

fn capacity_error(query: &DashboardQuery, stats: &Stats, lang: Lang) -> Option<String> {
    let site = stats.sites.iter().find(|s| s.slug == query.site)?;
    let (name, confirmed) = (&site.label.text, query.confirmed);
    match (query.error.as_str(), lang) {
        ("invalid", Lang::De) => Some(format!(
            "{name}: Bitte geben Sie die Kapazität als ganze Zahl zwischen 0 und 100000 an."
        )),
        ("invalid", Lang::En) => Some(format!(
            "{name}: Please give the capacity as a whole number between 0 and 100000."
        )),
        ("below_confirmed", Lang::De) => Some(format!(
            "Die Kapazität von {name} kann nicht unter {confirmed} sinken: So viele Personen sind bereits bestätigt. Stornierungen geben Plätze frei."
        )),
        ("below_confirmed", Lang::En) => Some(format!(
            "The capacity of {name} cannot go below {confirmed}: that many people are already confirmed. Cancellations free up seats."
        )),
        _ => None,
    }
}

pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<DashboardQuery>,
) -> Result<HttpResponse, PageError> {
    let current = auth::require(&req, &state, Role::Admin).await?;
    let visitor = Visitor::of(&req);
    let (forum_id, lang) = (state.forum_id, visitor.lang);
    let (forum, stats, mail) = state
        .db(move |conn| {
            let forum = db::forums::find_by_id(conn, forum_id)?;
            let stats = load_stats(conn, forum_id, lang)?;
            let mail = MailStatus::load(conn, forum_id, lang)?;
            Ok::<_, PageError>((forum, stats, mail))
        })
        .await?;
    let now_local = berlin_time::to_local(Utc::now().naive_utc());
    let sector_rows = Sector::ALL
        .iter()
        .enumerate()
        .map(|(i, sector)| {
            let counts: Vec<i64> = stats.sites.iter().map(|s| s.sectors[i]).collect();
            SectorRow {
                label: sector.label(lang),
                total: counts.iter().sum(),
                counts,
            }
        })
        .collect();
    let bars = bars(&stats.days, lang);
    let updated_date = i18n::long_date(now_local.date(), lang);
    let updated_time = now_local.format("%H:%M:%S");
    let page = DashboardPage {
        layout: Layout::for_forum(&visitor, visitor.tr("Übersicht", "Overview"), &forum),
        nav: current.nav(),
        chart_width: i64::try_from(bars.len()).unwrap_or(0).max(MIN_BARS) * BAR_STEP,
        bars,
        sector_rows,
        updated_at: match lang {
            Lang::De => format!("{updated_date}, {updated_time} Uhr"),
            Lang::En => format!("{updated_date}, {updated_time}"),
        },
        message: match query.done.as_str() {
            "capacity" => Some(
                visitor
                    .tr(
                        "Die Kapazität wurde geändert.",
                        "The capacity has been changed.",
                    )
                    .into(),
            ),
            _ => None,
        },
        error: capacity_error(&query, &stats, lang),
        stats,
        mail,
    };
    Ok(private_html(StatusCode::OK, render(&page)?, None))
}

/// The dashboard's numbers as JSON, for scripts and for the tests.
pub async fn stats_json(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Problem> {
    let current = auth::current(&req, &state)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    match current {
        None => {
            return Err(Problem::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Login required",
            ));
        }
        Some(c) if !c.is_admin() => {
            return Err(Problem::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Admins only",
            ));
        }
        Some(_) => {}
    }
    let forum_id = state.forum_id;
    let stats = state
        .db(move |conn| load_stats(conn, forum_id, Lang::De).map_err(|e| anyhow::anyhow!("{e}")))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "no-store"))
        .json(stats))
}

#[derive(Debug, Default, Deserialize)]
pub struct CapacityForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    capacity: String,
}

pub async fn set_capacity(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    form: web::Form<CapacityForm>,
) -> Result<HttpResponse, PageError> {
    let current = auth::require(&req, &state, Role::Admin).await?;
    current.verify_csrf(&form.csrf_token)?;
    let back = |query: String| Ok(see_other(format!("/organiser?{query}")));
    let capacity = match form
        .capacity
        .trim()
        .parse::<i64>()
        .map_err(|_| ())
        .and_then(|n| Capacity::new(n).map_err(|_| ()))
    {
        Ok(c) => c,
        Err(()) => return back(format!("error=invalid&site={}", percent_encode(&slug))),
    };
    let (forum_id, context, site) = (state.forum_id, state.mail_context.clone(), slug.clone());
    let outcome = state
        .db(move |conn| {
            let forum = db::forums::find_by_id(conn, forum_id).map_err(anyhow::Error::from)?;
            change_capacity(conn, &forum, &site, capacity, &context)
        })
        .await;
    match outcome {
        Ok(_) => {
            state.mail_worker.wake();
            back("done=capacity".into())
        }
        Err(CapacityError::BelowConfirmed { confirmed }) => back(format!(
            "error=below_confirmed&site={}&confirmed={confirmed}",
            percent_encode(&slug)
        )),
        Err(CapacityError::UnknownSite(_)) => Err(PageError::NotFound),
        Err(CapacityError::Unexpected(e)) => Err(PageError::Unexpected(e)),
    }
}
