//! Queries on `registrations`.

use super::DbConnection;
use super::schema::{registrations, sites};
use super::sites::Site;
use crate::domain::{Lang, RegistrationStatus};
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
    pub stream_token: String,
    pub waitlisted_at: Option<NaiveDateTime>,
    pub cancelled_at: Option<NaiveDateTime>,
    pub stream_joined_at: Option<NaiveDateTime>,
    pub reminder_queued_at: Option<NaiveDateTime>,
    pub calendar_sequence: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub checked_in_at: Option<NaiveDateTime>,
    pub checked_in_by: Option<i64>,
    pub anonymised_at: Option<NaiveDateTime>,
}

impl Registration {
    /// The language the registration was made in; its mails and pages use it.
    pub fn lang(&self) -> Lang {
        Lang::from_code(&self.locale).unwrap_or_default()
    }

    pub fn status(&self) -> RegistrationStatus {
        // The CHECK constraint admits only the three codes.
        RegistrationStatus::from_code(&self.status).unwrap_or(RegistrationStatus::Cancelled)
    }

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
    pub stream_token: &'a str,
    pub waitlisted_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, row: &NewRegistrationRow<'_>) -> QueryResult<Registration> {
    diesel::insert_into(registrations::table)
        .values(row)
        .returning(registrations::all_columns)
        .get_result(conn)
}

/// The registration (and its site) that holds this e-mail in the forum, unless cancelled.
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
                .and(registrations::email_key.eq(email_key))
                .and(registrations::status.ne(CANCELLED)),
        )
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

/// The secrets that identify a registration in a URL.
#[derive(Debug, Clone, Copy)]
enum Secret {
    /// The personal link from the mails.
    Manage,
    /// The personal stream link.
    Stream,
    /// The check-in QR code.
    Checkin,
}

fn find_by_secret(
    conn: &mut DbConnection,
    secret: Secret,
    value: &str,
) -> QueryResult<Option<(Registration, Site)>> {
    let query = registrations::table.inner_join(sites::table).into_boxed();
    let query = match secret {
        Secret::Manage => query.filter(registrations::manage_token.eq(value)),
        Secret::Stream => query.filter(registrations::stream_token.eq(value)),
        Secret::Checkin => query.filter(registrations::checkin_code.eq(value)),
    };
    query
        .select((Registration::as_select(), Site::as_select()))
        .first(conn)
        .optional()
}

pub fn find_by_manage_token(
    conn: &mut DbConnection,
    token: &str,
) -> QueryResult<Option<(Registration, Site)>> {
    find_by_secret(conn, Secret::Manage, token)
}

pub fn find_by_stream_token(
    conn: &mut DbConnection,
    token: &str,
) -> QueryResult<Option<(Registration, Site)>> {
    find_by_secret(conn, Secret::Stream, token)
}

pub fn find_by_checkin_code(
    conn: &mut DbConnection,
    code: &str,
) -> QueryResult<Option<(Registration, Site)>> {
    find_by_secret(conn, Secret::Checkin, code)
}

const CONFIRMED: &str = "confirmed";
const WAITLISTED: &str = "waitlisted";
const CANCELLED: &str = "cancelled";

/// The next person in line for a site: strict first come, first served.
pub fn first_waitlisted(
    conn: &mut DbConnection,
    site_id: i64,
) -> QueryResult<Option<Registration>> {
    registrations::table
        .filter(
            registrations::site_id
                .eq(site_id)
                .and(registrations::status.eq(WAITLISTED)),
        )
        .order((registrations::waitlisted_at.asc(), registrations::id.asc()))
        .select(Registration::as_select())
        .first(conn)
        .optional()
}

/// 1 for the first in line. `None` when the registration is not waiting.
pub fn waitlist_position(
    conn: &mut DbConnection,
    registration: &Registration,
) -> QueryResult<Option<i64>> {
    let Some(joined) = registration.waitlisted_at else {
        return Ok(None);
    };
    let ahead: i64 = registrations::table
        .filter(
            registrations::site_id
                .eq(registration.site_id)
                .and(registrations::status.eq(WAITLISTED))
                .and(
                    registrations::waitlisted_at
                        .lt(joined)
                        .or(registrations::waitlisted_at
                            .eq(joined)
                            .and(registrations::id.lt(registration.id))),
                ),
        )
        .count()
        .get_result(conn)?;
    Ok(Some(ahead + 1))
}

/// Moves a confirmed registration (whose seat was not available) onto the waiting list.
pub fn mark_waitlisted(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(
        registrations::table.filter(
            registrations::id
                .eq(id)
                .and(registrations::status.eq(CONFIRMED)),
        ),
    )
    .set((
        registrations::status.eq(WAITLISTED),
        registrations::waitlisted_at.eq(Some(now)),
        registrations::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Gives a waiting registration the seat its caller has just taken at `site_id` (its
/// own site on promotion, another one on a switch).
pub fn confirm_waitlisted(
    conn: &mut DbConnection,
    id: i64,
    site_id: i64,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        registrations::table.filter(
            registrations::id
                .eq(id)
                .and(registrations::status.eq(WAITLISTED)),
        ),
    )
    .set((
        registrations::site_id.eq(site_id),
        registrations::status.eq(CONFIRMED),
        registrations::waitlisted_at.eq(None::<NaiveDateTime>),
        registrations::calendar_sequence.eq(registrations::calendar_sequence + 1),
        registrations::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Cancels the registration if it is still `from`; false when someone else changed it first.
pub fn cancel(
    conn: &mut DbConnection,
    id: i64,
    from: RegistrationStatus,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        registrations::table.filter(
            registrations::id
                .eq(id)
                .and(registrations::status.eq(from.code())),
        ),
    )
    .set((
        registrations::status.eq(CANCELLED),
        registrations::waitlisted_at.eq(None::<NaiveDateTime>),
        registrations::cancelled_at.eq(Some(now)),
        registrations::calendar_sequence.eq(registrations::calendar_sequence + 1),
        registrations::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Moves a confirmed registration from one site to another (the caller moves the seats).
pub fn move_to_site(
    conn: &mut DbConnection,
    id: i64,
    from_site: i64,
    to_site: i64,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        registrations::table.filter(
            registrations::id
                .eq(id)
                .and(registrations::site_id.eq(from_site))
                .and(registrations::status.eq(CONFIRMED)),
        ),
    )
    .set((
        registrations::site_id.eq(to_site),
        registrations::calendar_sequence.eq(registrations::calendar_sequence + 1),
        registrations::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn find_by_id(conn: &mut DbConnection, id: i64) -> QueryResult<(Registration, Site)> {
    registrations::table
        .inner_join(sites::table)
        .filter(registrations::id.eq(id))
        .select((Registration::as_select(), Site::as_select()))
        .first(conn)
}

/// Records the first time the personal stream link was opened.
pub fn mark_stream_joined(
    conn: &mut DbConnection,
    id: i64,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        registrations::table.filter(
            registrations::id
                .eq(id)
                .and(registrations::stream_joined_at.is_null()),
        ),
    )
    .set(registrations::stream_joined_at.eq(Some(now)))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn count_stream_joined(conn: &mut DbConnection, forum_id: i64) -> QueryResult<i64> {
    registrations::table
        .filter(
            registrations::forum_id
                .eq(forum_id)
                .and(registrations::stream_joined_at.is_not_null()),
        )
        .count()
        .get_result(conn)
}

/// Waiting registrations per site id.
pub fn waitlisted_per_site(conn: &mut DbConnection, forum_id: i64) -> QueryResult<Vec<(i64, i64)>> {
    registrations::table
        .filter(
            registrations::forum_id
                .eq(forum_id)
                .and(registrations::status.eq(WAITLISTED)),
        )
        .group_by(registrations::site_id)
        .select((registrations::site_id, diesel::dsl::count_star()))
        .load(conn)
}

/// Confirmed registrations whose site starts before `starts_before_local` (Berlin time)
/// and after `starts_after_local`, and that have no reminder queued yet.
pub fn due_for_reminder(
    conn: &mut DbConnection,
    starts_after_local: NaiveDateTime,
    starts_before_local: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<(Registration, Site)>> {
    registrations::table
        .inner_join(sites::table)
        .filter(
            registrations::status
                .eq(CONFIRMED)
                .and(registrations::reminder_queued_at.is_null())
                .and(sites::starts_at.le(starts_before_local))
                .and(sites::starts_at.gt(starts_after_local)),
        )
        .order(registrations::id.asc())
        .limit(limit)
        .select((Registration::as_select(), Site::as_select()))
        .load(conn)
}

/// Claims the reminder for one registration; false if another worker already did.
pub fn mark_reminder_queued(
    conn: &mut DbConnection,
    id: i64,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        registrations::table.filter(
            registrations::id
                .eq(id)
                .and(registrations::reminder_queued_at.is_null())
                .and(registrations::status.eq(CONFIRMED)),
        ),
    )
    .set(registrations::reminder_queued_at.eq(Some(now)))
    .execute(conn)?;
    Ok(n == 1)
}

/// Replaces the e-mail address (and its key), e.g. after a typo the mail server refused.
pub fn set_email(
    conn: &mut DbConnection,
    registration_id: i64,
    email: &str,
    email_key: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(registrations::table.find(registration_id))
        .set((
            registrations::email.eq(email),
            registrations::email_key.eq(email_key),
            registrations::updated_at.eq(now),
        ))
        .execute(conn)
}

/// Checks a confirmed participant in once; false when already checked in (or not confirmed).
pub fn check_in(
    conn: &mut DbConnection,
    id: i64,
    organiser_id: i64,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        registrations::table.filter(
            registrations::id
                .eq(id)
                .and(registrations::status.eq(CONFIRMED))
                .and(registrations::checked_in_at.is_null()),
        ),
    )
    .set((
        registrations::checked_in_at.eq(Some(now)),
        registrations::checked_in_by.eq(Some(organiser_id)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Registrations of forums that took place on or before `held_before` whose personal
/// data is still there.
pub fn due_for_anonymisation(
    conn: &mut DbConnection,
    held_before: chrono::NaiveDate,
) -> QueryResult<Vec<i64>> {
    use super::schema::forums;
    registrations::table
        .inner_join(forums::table)
        .filter(
            forums::event_date
                .le(held_before)
                .and(registrations::anonymised_at.is_null()),
        )
        .select(registrations::id)
        .order(registrations::id.asc())
        .load(conn)
}

/// Replaces every personal field with a neutral value and every token with a fresh one
/// nobody knows. Site, status, group and times stay for the statistics.
pub fn anonymise(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> QueryResult<bool> {
    use crate::domain::Token;
    let placeholder = format!("anonymisiert-{id}@invalid");
    let n = diesel::update(
        registrations::table.filter(
            registrations::id
                .eq(id)
                .and(registrations::anonymised_at.is_null()),
        ),
    )
    .set((
        registrations::first_name.eq("–"),
        registrations::last_name.eq("–"),
        registrations::email.eq(&placeholder),
        registrations::email_key.eq(&placeholder),
        registrations::organisation.eq("–"),
        registrations::position.eq(None::<String>),
        registrations::accessibility_needs.eq(None::<String>),
        registrations::manage_token.eq(Token::generate().as_str()),
        registrations::checkin_code.eq(Token::generate().as_str()),
        registrations::stream_token.eq(Token::generate().as_str()),
        registrations::anonymised_at.eq(Some(now)),
        registrations::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(n == 1)
}
