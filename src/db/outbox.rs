//! Queries on `outbox`: queue a mail, lease the next due one, record the outcome.
//!
//! A worker leases a row (`locked_until`) before sending and never holds a transaction
//! across SMTP. A worker that dies leaves a lease that simply expires.

use super::DbConnection;
use super::schema::outbox;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Text, Timestamp};

pub const PENDING: &str = "pending";
pub const SENT: &str = "sent";
pub const FAILED: &str = "failed";

#[derive(Debug, Insertable)]
#[diesel(table_name = outbox)]
pub struct NewOutboxRow<'a> {
    pub registration_id: Option<i64>,
    pub kind: &'a str,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub body_text: &'a str,
    pub body_html: &'a str,
    pub message_id: &'a str,
    pub status: &'a str,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub attachment_name: Option<&'a str>,
    pub attachment_type: Option<&'a str>,
    pub attachment_body: Option<&'a str>,
    pub checkin_qr: Option<&'a str>,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, row: &NewOutboxRow<'_>) -> QueryResult<i64> {
    diesel::insert_into(outbox::table)
        .values(row)
        .returning(outbox::id)
        .get_result(conn)
}

/// A mail leased to one worker.
#[derive(Debug, Clone, QueryableByName)]
#[diesel(table_name = outbox)]
pub struct LeasedMail {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub message_id: String,
    pub attempts: i32,
    pub attachment_name: Option<String>,
    pub attachment_type: Option<String>,
    pub attachment_body: Option<String>,
    pub checkin_qr: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct OutboxEntry {
    pub id: i64,
    pub registration_id: Option<i64>,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub message_id: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_error: Option<String>,
    pub attachment_body: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

const LEASE_SQLITE: &str = "\
UPDATE outbox SET locked_until = ?, locked_by = ?, attempts = attempts + 1 \
WHERE id = (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? \
            AND (locked_until IS NULL OR locked_until < ?) ORDER BY next_attempt_at, id LIMIT 1) \
RETURNING id, recipient, subject, body_text, body_html, message_id, attempts, \
attachment_name, attachment_type, attachment_body, checkin_qr";

// SKIP LOCKED lets several instances lease different rows at the same moment
// instead of queueing behind one another's row lock.
const LEASE_POSTGRES: &str = "\
UPDATE outbox SET locked_until = $1, locked_by = $2, attempts = attempts + 1 \
WHERE id = (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $3 \
            AND (locked_until IS NULL OR locked_until < $4) ORDER BY next_attempt_at, id LIMIT 1 \
            FOR UPDATE SKIP LOCKED) \
RETURNING id, recipient, subject, body_text, body_html, message_id, attempts, \
attachment_name, attachment_type, attachment_body, checkin_qr";

/// Leases the next due mail to `worker` until `lease_until`, in one statement.
pub fn lease_next(
    conn: &mut DbConnection,
    worker: &str,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
) -> QueryResult<Option<LeasedMail>> {
    match conn {
        DbConnection::Sqlite(c) => diesel::sql_query(LEASE_SQLITE)
            .bind::<Timestamp, _>(lease_until)
            .bind::<Text, _>(worker)
            .bind::<Timestamp, _>(now)
            .bind::<Timestamp, _>(now)
            .get_result(c)
            .optional(),
        DbConnection::Postgres(c) => diesel::sql_query(LEASE_POSTGRES)
            .bind::<Timestamp, _>(lease_until)
            .bind::<Text, _>(worker)
            .bind::<Timestamp, _>(now)
            .bind::<Timestamp, _>(now)
            .get_result(c)
            .optional(),
    }
}

/// The row `id`, but only while `worker` still holds its lease.
type LeasedBy<'a> = diesel::dsl::Filter<
    outbox::table,
    diesel::dsl::And<diesel::dsl::Eq<outbox::id, i64>, diesel::dsl::Eq<outbox::locked_by, &'a str>>,
>;

fn leased_by(id: i64, worker: &str) -> LeasedBy<'_> {
    outbox::table.filter(outbox::id.eq(id).and(outbox::locked_by.eq(worker)))
}

/// Returns false if the lease was lost (another worker took over after it expired).
pub fn mark_sent(
    conn: &mut DbConnection,
    id: i64,
    worker: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(leased_by(id, worker))
        .set((
            outbox::status.eq(SENT),
            outbox::sent_at.eq(Some(now)),
            outbox::locked_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

pub fn schedule_retry(
    conn: &mut DbConnection,
    id: i64,
    worker: &str,
    next_attempt_at: NaiveDateTime,
    error: &str,
) -> QueryResult<bool> {
    let n = diesel::update(leased_by(id, worker))
        .set((
            outbox::next_attempt_at.eq(next_attempt_at),
            outbox::locked_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(Some(error)),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// The SMTP server refused the mail for good (e.g. unknown recipient): retrying
/// would never succeed, so it stays visible to organisers instead.
pub fn mark_failed(
    conn: &mut DbConnection,
    id: i64,
    worker: &str,
    error: &str,
) -> QueryResult<bool> {
    let n = diesel::update(leased_by(id, worker))
        .set((
            outbox::status.eq(FAILED),
            outbox::locked_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(Some(error)),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

pub fn for_registration(
    conn: &mut DbConnection,
    registration_id: i64,
) -> QueryResult<Vec<OutboxEntry>> {
    outbox::table
        .filter(outbox::registration_id.eq(registration_id))
        .order(outbox::id.asc())
        .select(OutboxEntry::as_select())
        .load(conn)
}

pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<OutboxEntry>> {
    outbox::table
        .order(outbox::id.asc())
        .select(OutboxEntry::as_select())
        .load(conn)
}

pub fn count_by_status(conn: &mut DbConnection, status: &str) -> QueryResult<i64> {
    outbox::table
        .filter(outbox::status.eq(status))
        .count()
        .get_result(conn)
}

/// Removes a registration's mails (they hold its name and address).
pub fn delete_for_registration(
    conn: &mut DbConnection,
    registration_id: i64,
) -> QueryResult<usize> {
    diesel::delete(outbox::table.filter(outbox::registration_id.eq(registration_id))).execute(conn)
}

/// A mail the mail server refused for good, and whom it was for.
#[derive(Debug, Queryable)]
pub struct Undeliverable {
    pub registration_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub recipient: String,
    pub kind: String,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
}

/// Every mail about this forum's registrations that can no longer be delivered to the
/// address they still have, oldest first: the organisers have to act on these.
pub fn undeliverable(conn: &mut DbConnection, forum_id: i64) -> QueryResult<Vec<Undeliverable>> {
    use super::schema::registrations;
    outbox::table
        .inner_join(registrations::table)
        .filter(registrations::forum_id.eq(forum_id))
        .filter(outbox::status.eq(FAILED))
        // Once the address is corrected, the old refusal needs nobody's attention.
        .filter(outbox::recipient.eq(registrations::email))
        .order(outbox::id.asc())
        .select((
            registrations::id,
            registrations::first_name,
            registrations::last_name,
            outbox::recipient,
            outbox::kind,
            outbox::last_error,
            outbox::created_at,
        ))
        .load(conn)
}

/// When the oldest mail still waiting was queued.
pub fn oldest_pending(conn: &mut DbConnection) -> QueryResult<Option<NaiveDateTime>> {
    outbox::table
        .filter(outbox::status.eq(PENDING))
        .select(diesel::dsl::min(outbox::created_at))
        .first(conn)
}
