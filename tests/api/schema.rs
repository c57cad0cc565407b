//! `src/db/schema.rs` must describe what the migrations build, on both backends.

use crate::helpers::*;
use crate::on_both_backends;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use forumreg::db::DbConnection;
use std::collections::BTreeMap;

on_both_backends!(schema_rs_matches_the_migrated_database);

/// table -> column -> (diesel type, nullable)
type Columns = BTreeMap<String, BTreeMap<String, (String, bool)>>;

fn parse_schema_rs() -> Columns {
    let text = include_str!("../../src/db/schema.rs");
    let mut tables = Columns::new();
    let mut current: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if let Some(name) = line.strip_suffix(" (id) {") {
            current = Some(name.to_string());
            tables.insert(name.to_string(), BTreeMap::new());
        } else if line == "}" {
            current = None;
        } else if let (Some(table), Some((column, ty))) = (&current, line.split_once(" -> ")) {
            let ty = ty.trim_end_matches(',');
            let (ty, nullable) = match ty
                .strip_prefix("Nullable<")
                .and_then(|t| t.strip_suffix('>'))
            {
                Some(inner) => (inner.to_string(), true),
                None => (ty.to_string(), false),
            };
            if let Some(columns) = tables.get_mut(table) {
                columns.insert(column.to_string(), (ty, nullable));
            }
        }
    }
    tables
}

#[derive(QueryableByName)]
struct PgColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Text)]
    is_nullable: String,
}

#[derive(QueryableByName)]
struct SqliteTable {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct SqliteColumn {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    r#type: String,
    #[diesel(sql_type = BigInt)]
    notnull: i64,
    #[diesel(sql_type = BigInt)]
    pk: i64,
}

fn diesel_type(database_type: &str) -> String {
    match database_type.to_ascii_lowercase().as_str() {
        "bigint" => "BigInt",
        "integer" => "Integer",
        "text" => "Text",
        "timestamp" | "timestamp without time zone" => "Timestamp",
        "date" => "Date",
        other => return format!("unmapped({other})"),
    }
    .to_string()
}

fn database_columns(conn: &mut DbConnection) -> Columns {
    let mut tables = Columns::new();
    match conn {
        DbConnection::Postgres(c) => {
            let rows: Vec<PgColumn> = diesel::sql_query(
                "SELECT table_name::text AS table_name, column_name::text AS column_name, \
                 data_type::text AS data_type, is_nullable::text AS is_nullable \
                 FROM information_schema.columns WHERE table_schema = 'public' \
                 AND table_name <> '__diesel_schema_migrations'",
            )
            .load(c)
            .expect("information_schema");
            for row in rows {
                tables.entry(row.table_name).or_default().insert(
                    row.column_name,
                    (diesel_type(&row.data_type), row.is_nullable == "YES"),
                );
            }
        }
        DbConnection::Sqlite(c) => {
            let names: Vec<SqliteTable> = diesel::sql_query(
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' AND name <> '__diesel_schema_migrations'",
            )
            .load(c)
            .expect("sqlite_master");
            for table in names {
                let columns: Vec<SqliteColumn> = diesel::sql_query(format!(
                    "SELECT name, type, \"notnull\", pk FROM pragma_table_info('{}')",
                    table.name
                ))
                .load(c)
                .expect("table_info");
                let entry = tables.entry(table.name.clone()).or_default();
                for column in columns {
                    // SQLite's rowid alias must be declared INTEGER; it holds 64-bit values.
                    let ty = if column.pk == 1 {
                        "BigInt".to_string()
                    } else {
                        diesel_type(&column.r#type)
                    };
                    entry.insert(column.name, (ty, column.notnull == 0 && column.pk == 0));
                }
            }
        }
    }
    tables
}

async fn schema_rs_matches_the_migrated_database(backend: Backend) {
    let app = spawn_app(backend).await;
    let declared = parse_schema_rs();
    assert!(
        declared.len() >= 4 && declared.values().all(|c| !c.is_empty()),
        "parsed schema.rs: {declared:?}"
    );
    let actual = database_columns(&mut app.conn());
    assert_eq!(
        declared, actual,
        "src/db/schema.rs drifted from the {backend:?} migrations"
    );
}
