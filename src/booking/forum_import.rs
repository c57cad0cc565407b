//! Creating or updating a forum from its file. Idempotent; never deletes registrations.

use super::lifecycle::fill_free_seats;
use crate::db::sites::SiteUpsert;
use crate::db::{self, DbConnection};
use crate::domain::ForumDefinition;
use crate::mail::MailContext;
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
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub forum_id: i64,
    pub forum_created: bool,
    pub sites_created: usize,
    pub sites_updated: usize,
    /// People moved up from waiting lists because a capacity was raised.
    pub promoted: usize,
}

/// Applies the definition in one transaction: either the whole file takes effect or none
/// of it. A raised capacity goes to the people waiting for that site straight away.
pub fn import_forum(
    conn: &mut DbConnection,
    def: &ForumDefinition,
    mail_context: &MailContext,
) -> Result<ImportReport, ImportError> {
    let now = Utc::now().naive_utc();
    db::write_transaction(conn, |conn| {
        let (forum_id, forum_created) = db::forums::upsert(conn, def, now)?;
        let mut report = ImportReport {
            forum_id,
            forum_created,
            sites_created: 0,
            sites_updated: 0,
            promoted: 0,
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
        let forum = db::forums::find_by_id(conn, forum_id)?;
        for site in db::sites::list_for_forum(conn, forum_id)? {
            report.promoted += fill_free_seats(conn, &forum, site.id, mail_context, now)?.len();
        }
        Ok(report)
    })
}
