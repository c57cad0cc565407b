//! Queries on `forums`.

use super::DbConnection;
use super::schema::forums;
use crate::domain::{ForumDefinition, Lang, Localised};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = forums)]
pub struct Forum {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub event_date: NaiveDate,
    pub description: String,
    pub organiser: String,
    pub contact_email: String,
    pub contact_phone: Option<String>,
    pub stream_url: Option<String>,
    pub privacy_notice: String,
    pub privacy_version: String,
    pub registration_opens_at: Option<NaiveDateTime>,
    pub registration_closes_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub imprint: Option<String>,
    pub accessibility_statement: Option<String>,
    pub accessibility_contact: Option<String>,
    pub title_en: Option<String>,
    pub description_en: Option<String>,
    pub organiser_en: Option<String>,
    pub privacy_notice_en: Option<String>,
    pub imprint_en: Option<String>,
    pub accessibility_statement_en: Option<String>,
    pub sign_language_url: Option<String>,
}

impl Forum {
    pub fn title_in(&self, lang: Lang) -> Localised {
        Localised::pick(lang, &self.title, self.title_en.as_deref())
    }

    pub fn description_in(&self, lang: Lang) -> Localised {
        Localised::pick(lang, &self.description, self.description_en.as_deref())
    }

    pub fn organiser_in(&self, lang: Lang) -> Localised {
        Localised::pick(lang, &self.organiser, self.organiser_en.as_deref())
    }

    pub fn privacy_notice_in(&self, lang: Lang) -> Localised {
        Localised::pick(
            lang,
            &self.privacy_notice,
            self.privacy_notice_en.as_deref(),
        )
    }

    /// `None` when the forum file has no imprint at all.
    pub fn imprint_in(&self, lang: Lang) -> Option<Localised> {
        self.imprint
            .as_deref()
            .map(|de| Localised::pick(lang, de, self.imprint_en.as_deref()))
    }

    pub fn accessibility_statement_in(&self, lang: Lang) -> Option<Localised> {
        self.accessibility_statement
            .as_deref()
            .map(|de| Localised::pick(lang, de, self.accessibility_statement_en.as_deref()))
    }
}

#[derive(AsChangeset, Insertable)]
#[diesel(table_name = forums)]
#[diesel(treat_none_as_null = true)]
struct ForumValues<'a> {
    slug: &'a str,
    title: &'a str,
    event_date: NaiveDate,
    description: &'a str,
    organiser: &'a str,
    contact_email: &'a str,
    contact_phone: Option<&'a str>,
    stream_url: Option<&'a str>,
    privacy_notice: &'a str,
    privacy_version: &'a str,
    registration_opens_at: Option<NaiveDateTime>,
    registration_closes_at: Option<NaiveDateTime>,
    imprint: Option<&'a str>,
    accessibility_statement: Option<&'a str>,
    accessibility_contact: Option<&'a str>,
    title_en: Option<&'a str>,
    description_en: Option<&'a str>,
    organiser_en: Option<&'a str>,
    privacy_notice_en: Option<&'a str>,
    imprint_en: Option<&'a str>,
    accessibility_statement_en: Option<&'a str>,
    sign_language_url: Option<&'a str>,
    updated_at: NaiveDateTime,
}

pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
    forums::table.count().get_result(conn)
}

pub fn find_by_slug(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<Forum>> {
    forums::table
        .filter(forums::slug.eq(slug))
        .select(Forum::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_id(conn: &mut DbConnection, id: i64) -> QueryResult<Forum> {
    forums::table
        .find(id)
        .select(Forum::as_select())
        .first(conn)
}

/// The forum an instance serves when none is named: the one imported last.
pub fn find_latest(conn: &mut DbConnection) -> QueryResult<Option<Forum>> {
    forums::table
        .order(forums::id.desc())
        .select(Forum::as_select())
        .first(conn)
        .optional()
}

/// Inserts or updates the forum row by slug; returns its id and whether it was new.
pub fn upsert(
    conn: &mut DbConnection,
    def: &ForumDefinition,
    now: NaiveDateTime,
) -> QueryResult<(i64, bool)> {
    let values = ForumValues {
        slug: &def.slug,
        title: &def.title,
        event_date: def.date,
        description: &def.description,
        organiser: &def.organiser,
        contact_email: &def.contact_email,
        contact_phone: def.contact_phone.as_deref(),
        stream_url: def.stream_url.as_deref(),
        privacy_notice: &def.privacy_notice,
        privacy_version: &def.privacy_version,
        registration_opens_at: def.registration_opens_at,
        registration_closes_at: def.registration_closes_at,
        imprint: def.imprint.as_deref(),
        accessibility_statement: def.accessibility_statement.as_deref(),
        accessibility_contact: def.accessibility_contact.as_deref(),
        title_en: def.english.title.as_deref(),
        description_en: def.english.description.as_deref(),
        organiser_en: def.english.organiser.as_deref(),
        privacy_notice_en: def.english.privacy_notice.as_deref(),
        imprint_en: def.english.imprint.as_deref(),
        accessibility_statement_en: def.english.accessibility_statement.as_deref(),
        sign_language_url: def.sign_language_url.as_deref(),
        updated_at: now,
    };
    match find_by_slug(conn, &def.slug)? {
        Some(existing) => {
            diesel::update(forums::table.find(existing.id))
                .set(&values)
                .execute(conn)?;
            Ok((existing.id, false))
        }
        None => {
            let id = diesel::insert_into(forums::table)
                .values((&values, forums::created_at.eq(now)))
                .returning(forums::id)
                .get_result(conn)?;
            Ok((id, true))
        }
    }
}
