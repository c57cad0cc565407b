//! Queries on `sites`, including the one statement that takes a seat.

use super::DbConnection;
use super::schema::sites;
use crate::domain::{Lang, Localised, SiteDefinition, SiteKind};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sites)]
pub struct Site {
    pub id: i64,
    pub forum_id: i64,
    pub slug: String,
    pub kind: String,
    pub name: String,
    pub city: Option<String>,
    pub venue: Option<String>,
    pub address: Option<String>,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub focus: String,
    pub capacity: Option<i32>,
    pub confirmed_count: i32,
    pub sort_order: i32,
    pub name_en: Option<String>,
    pub focus_en: Option<String>,
}

impl Site {
    /// "Livestream" / "Live stream"; city names stay as they are.
    pub fn name_in(&self, lang: Lang) -> Localised {
        Localised::pick(lang, &self.name, self.name_en.as_deref())
    }

    pub fn focus_in(&self, lang: Lang) -> Localised {
        Localised::pick(lang, &self.focus, self.focus_en.as_deref())
    }

    pub fn kind(&self) -> SiteKind {
        // The CHECK constraint admits only the two codes.
        SiteKind::from_code(&self.kind).unwrap_or(SiteKind::Venue)
    }

    /// Free seats, or `None` when the site has no limit.
    pub fn available(&self) -> Option<i32> {
        self.capacity.map(|c| (c - self.confirmed_count).max(0))
    }

    pub fn is_full(&self) -> bool {
        self.available() == Some(0)
    }
}

#[derive(AsChangeset, Insertable)]
#[diesel(table_name = sites)]
#[diesel(treat_none_as_null = true)]
struct SiteValues<'a> {
    kind: &'a str,
    name: &'a str,
    city: Option<&'a str>,
    venue: Option<&'a str>,
    address: Option<&'a str>,
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    focus: &'a str,
    capacity: Option<i32>,
    sort_order: i32,
    name_en: Option<&'a str>,
    focus_en: Option<&'a str>,
}

pub fn list_for_forum(conn: &mut DbConnection, forum_id: i64) -> QueryResult<Vec<Site>> {
    sites::table
        .filter(sites::forum_id.eq(forum_id))
        .order((sites::sort_order.asc(), sites::id.asc()))
        .select(Site::as_select())
        .load(conn)
}

pub fn find_by_slug(
    conn: &mut DbConnection,
    forum_id: i64,
    slug: &str,
) -> QueryResult<Option<Site>> {
    sites::table
        .filter(sites::forum_id.eq(forum_id).and(sites::slug.eq(slug)))
        .select(Site::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_id(conn: &mut DbConnection, id: i64) -> QueryResult<Site> {
    sites::table.find(id).select(Site::as_select()).first(conn)
}

/// Takes one seat if one is free, in a single conditional statement: concurrent
/// callers are serialised by the row lock (PostgreSQL) or the write lock (SQLite),
/// and each sees the count the previous one left. Returns false when the site is full.
pub fn take_seat(conn: &mut DbConnection, site_id: i64) -> QueryResult<bool> {
    let updated = diesel::update(
        sites::table.filter(
            sites::id.eq(site_id).and(
                sites::capacity
                    .is_null()
                    .or(sites::confirmed_count.lt(sites::capacity.assume_not_null())),
            ),
        ),
    )
    .set(sites::confirmed_count.eq(sites::confirmed_count + 1))
    .execute(conn)?;
    Ok(updated == 1)
}

pub fn set_capacity(conn: &mut DbConnection, site_id: i64, capacity: i32) -> QueryResult<()> {
    diesel::update(sites::table.find(site_id))
        .set(sites::capacity.eq(Some(capacity)))
        .execute(conn)?;
    Ok(())
}

/// Gives a seat back (cancellation, switch). Never goes below zero.
pub fn release_seat(conn: &mut DbConnection, site_id: i64) -> QueryResult<bool> {
    let updated = diesel::update(
        sites::table.filter(sites::id.eq(site_id).and(sites::confirmed_count.gt(0))),
    )
    .set(sites::confirmed_count.eq(sites::confirmed_count - 1))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Locks the sites' rows in id order for the rest of the transaction, so that changes
/// touching two sites (a switch) cannot deadlock with one going the other way. SQLite
/// needs nothing: its write transactions already run one at a time.
pub fn lock(conn: &mut DbConnection, site_ids: &[i64]) -> QueryResult<()> {
    match conn {
        DbConnection::Postgres(c) => {
            sites::table
                .filter(sites::id.eq_any(site_ids))
                .order(sites::id.asc())
                .select(sites::id)
                .for_update()
                .load::<i64>(c)?;
            Ok(())
        }
        DbConnection::Sqlite(_) => Ok(()),
    }
}

/// Inserts a site or updates it by slug. Refuses to set a capacity below the seats
/// already taken; the caller turns that into a message for the operator.
pub fn upsert(
    conn: &mut DbConnection,
    forum_id: i64,
    def: &SiteDefinition,
    sort_order: i32,
) -> Result<SiteUpsert, diesel::result::Error> {
    let capacity = def
        .capacity
        .map(|c| i32::try_from(c.seats()).unwrap_or(i32::MAX));
    let values = SiteValues {
        kind: def.kind.code(),
        name: &def.name,
        city: def.city.as_deref(),
        venue: def.venue.as_deref(),
        address: def.address.as_deref(),
        starts_at: def.starts_at,
        ends_at: def.ends_at,
        focus: &def.focus,
        capacity,
        sort_order,
        name_en: def.name_en.as_deref(),
        focus_en: def.focus_en.as_deref(),
    };
    match find_by_slug(conn, forum_id, &def.slug)? {
        Some(existing) => {
            if let Some(cap) = capacity
                && cap < existing.confirmed_count
            {
                return Ok(SiteUpsert::CapacityBelowConfirmed {
                    confirmed: existing.confirmed_count,
                    requested: cap,
                });
            }
            diesel::update(sites::table.find(existing.id))
                .set(&values)
                .execute(conn)?;
            Ok(SiteUpsert::Updated)
        }
        None => {
            diesel::insert_into(sites::table)
                .values((
                    &values,
                    sites::forum_id.eq(forum_id),
                    sites::slug.eq(&def.slug),
                ))
                .execute(conn)?;
            Ok(SiteUpsert::Created)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SiteUpsert {
    Created,
    Updated,
    CapacityBelowConfirmed { confirmed: i32, requested: i32 },
}
