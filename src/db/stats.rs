//! Read-only queries for the organiser area: counts for the dashboard and the
//! participant list with search, filters, sorting and pages.

use super::DbConnection;
use super::registrations::Registration;
use super::schema::{registrations, sites};
use super::sites::Site;
use chrono::NaiveDateTime;
use diesel::prelude::*;

type Db = <DbConnection as diesel::Connection>::Backend;

#[diesel::declare_sql_function]
extern "SQL" {
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// (site id, status, count) for every site and status that has registrations.
pub fn status_counts(
    conn: &mut DbConnection,
    forum_id: i64,
) -> QueryResult<Vec<(i64, String, i64)>> {
    registrations::table
        .filter(registrations::forum_id.eq(forum_id))
        .group_by((registrations::site_id, registrations::status))
        .select((
            registrations::site_id,
            registrations::status,
            diesel::dsl::count_star(),
        ))
        .load(conn)
}

/// (site id, checked-in count) among confirmed registrations.
pub fn checked_in_counts(conn: &mut DbConnection, forum_id: i64) -> QueryResult<Vec<(i64, i64)>> {
    registrations::table
        .filter(
            registrations::forum_id
                .eq(forum_id)
                .and(registrations::status.eq("confirmed"))
                .and(registrations::checked_in_at.is_not_null()),
        )
        .group_by(registrations::site_id)
        .select((registrations::site_id, diesel::dsl::count_star()))
        .load(conn)
}

/// (site id, sector, count) among confirmed registrations.
pub fn sector_counts(
    conn: &mut DbConnection,
    forum_id: i64,
) -> QueryResult<Vec<(i64, String, i64)>> {
    registrations::table
        .filter(
            registrations::forum_id
                .eq(forum_id)
                .and(registrations::status.eq("confirmed")),
        )
        .group_by((registrations::site_id, registrations::sector))
        .select((
            registrations::site_id,
            registrations::sector,
            diesel::dsl::count_star(),
        ))
        .load(conn)
}

/// When each registration of the forum was made (UTC), for the chart over time.
pub fn registration_times(
    conn: &mut DbConnection,
    forum_id: i64,
) -> QueryResult<Vec<NaiveDateTime>> {
    registrations::table
        .filter(registrations::forum_id.eq(forum_id))
        .select(registrations::created_at)
        .order(registrations::created_at.asc())
        .load(conn)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortOrder {
    #[default]
    Name,
    Newest,
    Oldest,
    Site,
}

#[derive(Debug, Clone, Default)]
pub struct ParticipantFilter {
    /// Matched against first and last name, e-mail and organisation, ignoring case.
    pub search: Option<String>,
    pub site_id: Option<i64>,
    pub status: Option<String>,
    pub sector: Option<String>,
    pub sort: SortOrder,
}

type Boxed<'a> =
    diesel::dsl::IntoBoxed<'a, diesel::dsl::InnerJoin<registrations::table, sites::table>, Db>;

fn escape_like(term: &str) -> String {
    term.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

fn filtered(forum_id: i64, filter: &ParticipantFilter) -> Boxed<'static> {
    let mut query = registrations::table
        .inner_join(sites::table)
        .into_boxed()
        .filter(registrations::forum_id.eq(forum_id));
    if let Some(term) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let pattern = format!("%{}%", escape_like(&term.to_lowercase()));
        query = query.filter(
            lower(registrations::first_name)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(registrations::last_name)
                    .like(pattern.clone())
                    .escape('\\'))
                .or(lower(registrations::email)
                    .like(pattern.clone())
                    .escape('\\'))
                .or(lower(registrations::organisation)
                    .like(pattern)
                    .escape('\\')),
        );
    }
    if let Some(site_id) = filter.site_id {
        query = query.filter(registrations::site_id.eq(site_id));
    }
    if let Some(status) = filter.status.clone() {
        query = query.filter(registrations::status.eq(status));
    }
    if let Some(sector) = filter.sector.clone() {
        query = query.filter(registrations::sector.eq(sector));
    }
    query
}

/// One page of matching registrations and the total number of matches.
pub fn participants(
    conn: &mut DbConnection,
    forum_id: i64,
    filter: &ParticipantFilter,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<(Registration, Site)>, i64)> {
    let total = filtered(forum_id, filter).count().get_result(conn)?;
    let query = filtered(forum_id, filter);
    let query = match filter.sort {
        SortOrder::Name => query.order((
            registrations::last_name.asc(),
            registrations::first_name.asc(),
            registrations::id.asc(),
        )),
        SortOrder::Newest => query.order(registrations::id.desc()),
        SortOrder::Oldest => query.order(registrations::id.asc()),
        SortOrder::Site => query.order((
            sites::sort_order.asc(),
            registrations::last_name.asc(),
            registrations::id.asc(),
        )),
    };
    let rows = query
        .offset(offset)
        .limit(limit)
        .select((Registration::as_select(), Site::as_select()))
        .load(conn)?;
    Ok((rows, total))
}
