//! Database access for both backends: the connection type, the pool, migrations and
//! write transactions. All SQL of the application lives in this folder; a file per table.
//! Backend-specific SQL appears only as an explicit `match` on [`DbConnection`].

pub mod forums;
pub mod organisers;
pub mod outbox;
pub mod registrations;
pub mod schema;
pub mod sites;
pub mod stats;

use anyhow::Context;
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::r2d2;
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use std::path::PathBuf;
use std::time::Duration;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// One connection type for the whole code base; the variant is chosen from the URL
/// (never by `establish`, which would try each backend in turn and hide the errors).
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Where the data lives, parsed from `DATABASE_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Postgres(String),
    Sqlite(PathBuf),
}

impl DatabaseUrl {
    /// `postgres://…`/`postgresql://…` select PostgreSQL; `sqlite://PATH`, `sqlite:PATH`
    /// or a plain path select a SQLite file.
    pub fn parse(raw: &str) -> Result<DatabaseUrl, String> {
        let raw = raw.trim();
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(raw.to_string()));
        }
        let path = raw
            .strip_prefix("sqlite://")
            .or_else(|| raw.strip_prefix("sqlite:"))
            .unwrap_or(raw);
        if path.is_empty() {
            return Err("DATABASE_URL is empty".into());
        }
        if path.contains("://") {
            return Err(format!(
                "DATABASE_URL {raw:?}: only postgres:// and sqlite:// URLs (or a file path) are supported"
            ));
        }
        Ok(DatabaseUrl::Sqlite(PathBuf::from(path)))
    }

    pub fn backend(&self) -> Backend {
        match self {
            DatabaseUrl::Postgres(_) => Backend::Postgres,
            DatabaseUrl::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// Opens one connection with the settings every connection of this backend needs.
    pub fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        match self {
            DatabaseUrl::Postgres(url) => PgConnection::establish(url)
                .map(DbConnection::Postgres)
                .map_err(r2d2::Error::ConnectionError),
            DatabaseUrl::Sqlite(path) => {
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    // A missing folder would surface as an opaque "unable to open database".
                    let _ = std::fs::create_dir_all(parent);
                }
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())
                    .map_err(r2d2::Error::ConnectionError)?;
                // Foreign keys are off by default in SQLite; the busy timeout lets
                // concurrent writers queue instead of failing with SQLITE_BUSY.
                conn.batch_execute(
                    "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 15000; \
                     PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;",
                )
                .map_err(r2d2::Error::QueryError)?;
                // SQLite's own lower() folds only ASCII, so a search for "schröder" would
                // miss "Schröder". Replace it, for this connection, with Rust's Unicode
                // lowercasing, which matches what PostgreSQL does.
                stats::lower_utils::register_impl(&mut conn, |text: String| text.to_lowercase())
                    .map_err(r2d2::Error::QueryError)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

impl DbConnection {
    pub fn backend(&self) -> Backend {
        match self {
            DbConnection::Postgres(_) => Backend::Postgres,
            DbConnection::Sqlite(_) => Backend::Sqlite,
        }
    }
}

/// r2d2 glue that opens connections through [`DatabaseUrl::connect`].
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: DatabaseUrl,
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        self.url.connect()
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        <DbConnection as Connection>::TransactionManager::is_broken_transaction_manager(conn)
    }
}

pub type Pool = r2d2::Pool<ConnectionManager>;
pub type PooledConnection = r2d2::PooledConnection<ConnectionManager>;

pub fn connect_pool(url: &DatabaseUrl, size: u32) -> anyhow::Result<Pool> {
    r2d2::Pool::builder()
        .max_size(size)
        .connection_timeout(Duration::from_secs(15))
        .build(ConnectionManager { url: url.clone() })
        .with_context(|| format!("cannot open the {:?} database", url.backend()))
}

/// Applies the embedded migrations of the connection's backend.
pub fn run_migrations(conn: &mut DbConnection) -> anyhow::Result<()> {
    let applied = match conn {
        DbConnection::Sqlite(c) => c
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map(|v| v.len())
            .map_err(|e| anyhow::anyhow!("SQLite migration failed: {e}"))?,
        DbConnection::Postgres(c) => c
            .run_pending_migrations(POSTGRES_MIGRATIONS)
            .map(|v| v.len())
            .map_err(|e| anyhow::anyhow!("PostgreSQL migration failed: {e}"))?,
    };
    if applied > 0 {
        tracing::info!(applied, "database migrations applied");
    }
    Ok(())
}

/// Runs start-up work (migrations, first import) so that instances starting at the same
/// moment take turns: on PostgreSQL under a session advisory lock; SQLite needs none
/// because its migrations and imports each run in one write transaction.
pub fn with_setup_lock<T>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    const SETUP_LOCK: i64 = 7_243_001;
    if conn.backend() == Backend::Sqlite {
        return f(conn);
    }
    conn.batch_execute(&format!("SELECT pg_advisory_lock({SETUP_LOCK})"))?;
    let result = f(conn);
    let unlocked = conn.batch_execute(&format!("SELECT pg_advisory_unlock({SETUP_LOCK})"));
    let value = result?;
    unlocked?;
    Ok(value)
}

/// Runs `f` in a transaction that may write. On SQLite it starts with `BEGIN IMMEDIATE`
/// so the write lock is taken up front: a deferred transaction that reads first and
/// writes later can fail with SQLITE_BUSY instead of waiting its turn.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConnection::Postgres(_) => conn.transaction(f),
        DbConnection::Sqlite(inner) => {
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
            match f(conn) {
                Ok(value) => {
                    <DbConnection as Connection>::TransactionManager::commit_transaction(conn)?;
                    Ok(value)
                }
                Err(e) => {
                    <DbConnection as Connection>::TransactionManager::rollback_transaction(conn)?;
                    Err(e)
                }
            }
        }
    }
}

/// True when the error is a unique-constraint violation (e.g. a second registration).
pub fn is_unique_violation(error: &diesel::result::Error) -> bool {
    matches!(
        error,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

/// Writes a consistent copy of a SQLite database to `target` while the app keeps
/// running (`VACUUM INTO`). PostgreSQL has its own tools (`pg_dump`).
pub fn backup_sqlite(conn: &mut DbConnection, target: &std::path::Path) -> anyhow::Result<()> {
    use diesel::RunQueryDsl;
    match conn {
        DbConnection::Sqlite(c) => {
            if target.exists() {
                anyhow::bail!("{} exists already; choose a new file", target.display());
            }
            diesel::sql_query("VACUUM INTO ?")
                .bind::<diesel::sql_types::Text, _>(target.to_string_lossy().to_string())
                .execute(c)
                .with_context(|| format!("backup to {}", target.display()))?;
            Ok(())
        }
        DbConnection::Postgres(_) => anyhow::bail!(
            "forumreg backup copies SQLite databases; for PostgreSQL use pg_dump (see README)"
        ),
    }
}
