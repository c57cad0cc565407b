//! Queries on `organisers`, `organiser_sessions` and `login_failures`.

use super::DbConnection;
use super::schema::{login_failures, organiser_sessions, organisers};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = organisers)]
pub struct Organiser {
    pub id: i64,
    pub email: String,
    pub password_hash: String,
    pub role: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = organiser_sessions)]
pub struct Session {
    pub id: i64,
    /// The hash of the cookie's token (see `accounts::session_key`), never the token.
    pub token: String,
    pub organiser_id: i64,
    pub csrf_token: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

pub fn find_by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<Organiser>> {
    organisers::table
        .filter(organisers::email.eq(email))
        .select(Organiser::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_id(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Organiser>> {
    organisers::table
        .find(id)
        .select(Organiser::as_select())
        .first(conn)
        .optional()
}

/// Creates the account, or sets a new password and role if it exists. Returns true when created.
pub fn upsert(
    conn: &mut DbConnection,
    email: &str,
    password_hash: &str,
    role: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let updated = diesel::update(organisers::table.filter(organisers::email.eq(email)))
        .set((
            organisers::password_hash.eq(password_hash),
            organisers::role.eq(role),
        ))
        .execute(conn)?;
    if updated == 1 {
        // Existing sessions were opened with the old password.
        let ids = organisers::table
            .filter(organisers::email.eq(email))
            .select(organisers::id);
        diesel::delete(
            organiser_sessions::table.filter(organiser_sessions::organiser_id.eq_any(ids)),
        )
        .execute(conn)?;
        return Ok(false);
    }
    diesel::insert_into(organisers::table)
        .values((
            organisers::email.eq(email),
            organisers::password_hash.eq(password_hash),
            organisers::role.eq(role),
            organisers::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(true)
}

pub fn create_session(
    conn: &mut DbConnection,
    organiser_id: i64,
    token: &str,
    csrf_token: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(organiser_sessions::table)
        .values((
            organiser_sessions::token.eq(token),
            organiser_sessions::organiser_id.eq(organiser_id),
            organiser_sessions::csrf_token.eq(csrf_token),
            organiser_sessions::created_at.eq(now),
            organiser_sessions::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The live session behind a cookie, with its organiser.
pub fn find_session(
    conn: &mut DbConnection,
    token: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<(Session, Organiser)>> {
    organiser_sessions::table
        .inner_join(organisers::table)
        .filter(
            organiser_sessions::token
                .eq(token)
                .and(organiser_sessions::expires_at.gt(now)),
        )
        .select((Session::as_select(), Organiser::as_select()))
        .first(conn)
        .optional()
}

pub fn delete_session(conn: &mut DbConnection, token: &str) -> QueryResult<()> {
    diesel::delete(organiser_sessions::table.filter(organiser_sessions::token.eq(token)))
        .execute(conn)?;
    Ok(())
}

pub fn delete_expired_sessions(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(organiser_sessions::table.filter(organiser_sessions::expires_at.le(now)))
        .execute(conn)
}

pub fn record_login_failure(
    conn: &mut DbConnection,
    key: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(login_failures::table)
        .values((
            login_failures::throttle_key.eq(key),
            login_failures::failed_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn login_failures_since(
    conn: &mut DbConnection,
    key: &str,
    since: NaiveDateTime,
) -> QueryResult<i64> {
    login_failures::table
        .filter(
            login_failures::throttle_key
                .eq(key)
                .and(login_failures::failed_at.gt(since)),
        )
        .count()
        .get_result(conn)
}

pub fn clear_login_failures(conn: &mut DbConnection, key: &str) -> QueryResult<()> {
    diesel::delete(login_failures::table.filter(login_failures::throttle_key.eq(key)))
        .execute(conn)?;
    Ok(())
}

pub fn delete_login_failures_before(
    conn: &mut DbConnection,
    before: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(login_failures::table.filter(login_failures::failed_at.le(before))).execute(conn)
}
