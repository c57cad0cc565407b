//! Creating or updating a forum from its file. Idempotent; never deletes registrations.

use crate::db::sites::SiteUpsert;
use crate::db::{self, DbConnection};
use crate::domain::ForumDefinition;
use chrono::Utc;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(
        "site {site:?} already has {confirmed} confirmed registrations; its capacity cannot be lowered to {requested}"
    )]
    CapacityBelowConfirmed {
        site: String,
        confirmed: i32,
        requested: i32,
    },
    #[error("database error during import: {0}")]
    Database(#[from] diesel::result::Error),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub forum_id: i64,
    pub forum_created: bool,
    pub sites_created: usize,
    pub sites_updated: usize,
}

/// Applies the definition in one transaction: either the whole file takes effect or none of it.
pub fn import_forum(
    conn: &mut DbConnection,
    def: &ForumDefinition,
) -> Result<ImportReport, ImportError> {
    let now = Utc::now().naive_utc();
    db::write_transaction(conn, |conn| {
        let (forum_id, forum_created) = db::forums::upsert(conn, def, now)?;
        let mut report = ImportReport {
            forum_id,
            forum_created,
            sites_created: 0,
            sites_updated: 0,
        };
        for (index, site) in def.sites.iter().enumerate() {
            let order = i32::try_from(index).unwrap_or(i32::MAX);
            match db::sites::upsert(conn, forum_id, site, order)? {
                SiteUpsert::Created => report.sites_created += 1,
                SiteUpsert::Updated => report.sites_updated += 1,
                SiteUpsert::CapacityBelowConfirmed {
                    confirmed,
                    requested,
                } => {
                    return Err(ImportError::CapacityBelowConfirmed {
                        site: site.slug.clone(),
                        confirmed,
                        requested,
                    });
                }
            }
        }
        Ok(report)
    })
}
