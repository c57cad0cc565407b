//! Queries on `registrations`.

use super::DbConnection;
use super::schema::{registrations, sites};
use super::sites::Site;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = registrations)]
pub struct Registration {
    pub id: i64,
    pub forum_id: i64,
    pub site_id: i64,
    pub status: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub email_key: String,
    pub organisation: String,
    pub sector: String,
    pub position: Option<String>,
    pub accessibility_needs: Option<String>,
    pub locale: String,
    pub consent_version: String,
    pub consent_at: NaiveDateTime,
    pub manage_token: String,
    pub checkin_code: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Registration {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = registrations)]
pub struct NewRegistrationRow<'a> {
    pub forum_id: i64,
    pub site_id: i64,
    pub status: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub email: &'a str,
    pub email_key: &'a str,
    pub organisation: &'a str,
    pub sector: &'a str,
    pub position: Option<&'a str>,
    pub accessibility_needs: Option<&'a str>,
    pub locale: &'a str,
    pub consent_version: &'a str,
    pub consent_at: NaiveDateTime,
    pub manage_token: &'a str,
    pub checkin_code: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, row: &NewRegistrationRow<'_>) -> QueryResult<Registration> {
    diesel::insert_into(registrations::table)
        .values(row)
        .returning(registrations::all_columns)
        .get_result(conn)
}

/// The registration (and its site) that already holds this e-mail in the forum.
pub fn find_by_email_key(
    conn: &mut DbConnection,
    forum_id: i64,
    email_key: &str,
) -> QueryResult<Option<(Registration, Site)>> {
    registrations::table
        .inner_join(sites::table)
        .filter(
            registrations::forum_id
                .eq(forum_id)
                .and(registrations::email_key.eq(email_key)),
        )
        .select((Registration::as_select(), Site::as_select()))
        .first(conn)
        .optional()
}

pub fn find_by_manage_token(
    conn: &mut DbConnection,
    token: &str,
) -> QueryResult<Option<(Registration, Site)>> {
    registrations::table
        .inner_join(sites::table)
        .filter(registrations::manage_token.eq(token))
        .select((Registration::as_select(), Site::as_select()))
        .first(conn)
        .optional()
}

pub fn count_for_site(conn: &mut DbConnection, site_id: i64, status: &str) -> QueryResult<i64> {
    registrations::table
        .filter(
            registrations::site_id
                .eq(site_id)
                .and(registrations::status.eq(status)),
        )
        .count()
        .get_result(conn)
}

pub fn count_all(conn: &mut DbConnection) -> QueryResult<i64> {
    registrations::table.count().get_result(conn)
}
