//! Who registered: the searchable list, one registration with its mails and actions,
//! the CSV export for Excel, and the printable attendance list.

use super::auth::{self, CsrfForm, Nav};
use crate::accounts::Role;
use crate::booking::organiser::{EmailChangeError, correct_email, resend_confirmation};
use crate::db;
use crate::db::outbox::OutboxEntry;
use crate::db::registrations::Registration;
use crate::db::sites::Site;
use crate::db::stats::{ParticipantFilter, SortOrder};
use crate::domain::{
    EmailAddress, Lang, Localised, Phrase, RegistrationStatus, Sector, berlin_time,
};
use crate::i18n;
use crate::web::errors::PageError;
use crate::web::views::{Layout, PersonView, Visitor, render};
use crate::web::{AppState, percent_encode, private_html, see_other};
use actix_web::http::StatusCode;
use actix_web::http::header::CACHE_CONTROL;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::NaiveDateTime;
use serde::Deserialize;

const PAGE_SIZE: i64 = 50;

/// A stored UTC moment as Berlin wall-clock time in a table.
fn local_time(t: NaiveDateTime, lang: Lang) -> String {
    i18n::short_datetime(berlin_time::to_local(t), lang)
}

fn status_label(status: &str, lang: Lang) -> &'static str {
    match RegistrationStatus::from_code(status) {
        Some(RegistrationStatus::Confirmed) => lang.tr("bestätigt", "confirmed"),
        Some(RegistrationStatus::Waitlisted) => lang.tr("Warteliste", "waiting list"),
        Some(RegistrationStatus::Cancelled) => lang.tr("storniert", "cancelled"),
        None => lang.tr("unbekannt", "unknown"),
    }
}

fn sector_label(code: &str, lang: Lang) -> String {
    Sector::parse(code).map_or_else(|_| code.to_string(), |s| s.label(lang).to_string())
}

/// "Deutsch" / "English" as the reader calls it: which language a participant uses.
fn language_name(of: Lang, reader: Lang) -> &'static str {
    match of {
        Lang::De => reader.tr("Deutsch", "German"),
        Lang::En => reader.tr("Englisch", "English"),
    }
}

/// What a mail in the outbox was about, by its kind code (`MailKind::code`).
pub(super) fn mail_kind_label(kind: &str, lang: Lang) -> String {
    let (de, en) = match kind {
        "confirmation" => ("Anmeldebestätigung", "Confirmation"),
        "waitlisted" => ("Platz auf der Warteliste", "Place on the waiting list"),
        "promoted" => ("Nachgerückt", "Moved up from the waiting list"),
        "switched" => ("Standortwechsel", "Change of site"),
        "cancelled" => ("Stornierung", "Cancellation"),
        "left_waitlist" => ("Warteliste verlassen", "Left the waiting list"),
        "link" => ("Persönlicher Link", "Personal link"),
        "reminder" => ("Erinnerung", "Reminder"),
        other => return other.to_string(),
    };
    lang.tr(de, en).to_string()
}

#[derive(Debug, Default, Deserialize, Clone)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    site: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    sector: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    page: i64,
}

impl ListQuery {
    fn filter(&self, sites: &[Site]) -> ParticipantFilter {
        ParticipantFilter {
            search: Some(self.q.clone()).filter(|q| !q.trim().is_empty()),
            site_id: sites.iter().find(|s| s.slug == self.site).map(|s| s.id),
            status: RegistrationStatus::from_code(&self.status).map(|s| s.code().to_string()),
            sector: Sector::parse(&self.sector)
                .ok()
                .map(|s| s.code().to_string()),
            sort: match self.sort.as_str() {
                "newest" => SortOrder::Newest,
                "oldest" => SortOrder::Oldest,
                "site" => SortOrder::Site,
                _ => SortOrder::Name,
            },
        }
    }

    /// The query string for another page of the same list.
    fn with_page(&self, page: i64) -> String {
        let pairs = [
            ("q", self.q.as_str()),
            ("site", self.site.as_str()),
            ("status", self.status.as_str()),
            ("sector", self.sector.as_str()),
            ("sort", self.sort.as_str()),
        ];
        let mut query: Vec<String> = pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", percent_encode(v)))
            .collect();
        query.push(format!("page={page}"));
        query.join("&")
    }
}

pub struct Row {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub organisation: String,
    pub sector: String,
    pub site: Localised,
    pub status: &'static str,
    pub registered: String,
    pub checked_in: Option<String>,
}

impl Row {
    fn new(registration: &Registration, site: &Site, lang: Lang) -> Row {
        Row {
            id: registration.id,
            name: format!("{}, {}", registration.last_name, registration.first_name),
            email: registration.email.clone(),
            organisation: registration.organisation.clone(),
            sector: sector_label(&registration.sector, lang),
            site: site.name_in(lang),
            status: status_label(&registration.status, lang),
            registered: local_time(registration.created_at, lang),
            checked_in: registration.checked_in_at.map(|t| local_time(t, lang)),
        }
    }
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
    /// `Some("de")` for a German site name shown untranslated on an English page.
    pub lang: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "organiser/participants.html")]
struct ListPage {
    layout: Layout,
    nav: Nav,
    query: ListQuery,
    rows: Vec<Row>,
    total: i64,
    page: i64,
    pages: i64,
    previous: Option<String>,
    next: Option<String>,
    sites: Vec<Choice>,
    statuses: Vec<Choice>,
    sectors: Vec<Choice>,
    sorts: Vec<Choice>,
}

fn choices(options: &[(&str, &str)], selected: &str) -> Vec<Choice> {
    options
        .iter()
        .map(|(value, label)| Choice {
            value: value.to_string(),
            label: label.to_string(),
            selected: *value == selected,
            lang: None,
        })
        .collect()
}

pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    let current = auth::require(&req, &state, Role::Admin).await?;
    let visitor = Visitor::of(&req);
    let lang = visitor.lang;
    let query = query.into_inner();
    let page = query.page.max(1);
    let (forum_id, q) = (state.forum_id, query.clone());
    let (forum, sites, rows, total) = state
        .db(move |conn| {
            let forum = db::forums::find_by_id(conn, forum_id)?;
            let sites = db::sites::list_for_forum(conn, forum_id)?;
            let filter = q.filter(&sites);
            let (rows, total) = db::stats::participants(
                conn,
                forum_id,
                &filter,
                (page - 1) * PAGE_SIZE,
                PAGE_SIZE,
            )?;
            Ok::<_, PageError>((forum, sites, rows, total))
        })
        .await?;
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let mut site_choices = choices(&[("", lang.tr("alle Standorte", "all sites"))], &query.site);
    site_choices.extend(sites.iter().map(|s| {
        let name = s.name_in(lang);
        Choice {
            value: s.slug.clone(),
            selected: s.slug == query.site,
            lang: name.lang_attr(lang),
            label: name.text,
        }
    }));
    let sector_codes: Vec<(&str, &str)> = Sector::ALL
        .iter()
        .map(|s| (s.code(), s.label(lang)))
        .collect();
    let mut sector_options = vec![("", lang.tr("alle Gruppen", "all groups"))];
    sector_options.extend(sector_codes);
    let view = ListPage {
        layout: Layout::for_forum(&visitor, visitor.tr("Teilnehmende", "Participants"), &forum),
        nav: current.nav(),
        rows: rows.iter().map(|(r, s)| Row::new(r, s, lang)).collect(),
        total,
        page,
        pages,
        previous: (page > 1).then(|| query.with_page(page - 1)),
        next: (page < pages).then(|| query.with_page(page + 1)),
        sites: site_choices,
        statuses: choices(
            &[
                ("", lang.tr("alle", "all")),
                ("confirmed", status_label("confirmed", lang)),
                ("waitlisted", status_label("waitlisted", lang)),
                ("cancelled", status_label("cancelled", lang)),
            ],
            &query.status,
        ),
        sectors: choices(&sector_options, &query.sector),
        sorts: choices(
            &[
                ("name", "Name"),
                ("newest", lang.tr("neueste zuerst", "newest first")),
                ("oldest", lang.tr("älteste zuerst", "oldest first")),
                ("site", lang.tr("Standort", "Site")),
            ],
            if query.sort.is_empty() {
                "name"
            } else {
                &query.sort
            },
        ),
        query,
    };
    Ok(private_html(StatusCode::OK, render(&view)?, None))
}

pub struct MailRow {
    pub kind: String,
    pub status: &'static str,
    pub attempts: i32,
    pub created: String,
    pub sent: Option<String>,
    pub last_error: Option<String>,
}

impl MailRow {
    fn new(entry: &OutboxEntry, lang: Lang) -> MailRow {
        MailRow {
            kind: mail_kind_label(&entry.kind, lang),
            status: match entry.status.as_str() {
                "sent" => lang.tr("versendet", "sent"),
                "failed" => lang.tr("endgültig fehlgeschlagen", "failed for good"),
                _ if entry.last_error.is_some() => lang.tr("wird erneut versucht", "being retried"),
                _ => lang.tr("in der Warteschlange", "queued"),
            },
            attempts: entry.attempts,
            created: local_time(entry.created_at, lang),
            sent: entry.sent_at.map(|t| local_time(t, lang)),
            last_error: entry.last_error.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "organiser/participant.html")]
struct DetailPage {
    layout: Layout,
    nav: Nav,
    id: i64,
    person: PersonView,
    site: Localised,
    status: String,
    registered: String,
    consent: String,
    checked_in: Option<String>,
    checkin_path: String,
    show_needs: bool,
    cancellable: bool,
    mails: Vec<MailRow>,
    done: Option<&'static str>,
    /// The language the participant registered in (and gets mails in).
    language: &'static str,
    /// The address in the correction form: the current one, or what was typed.
    email_value: String,
    email_error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
}

async fn load_registration(state: &AppState, id: i64) -> Result<(Registration, Site), PageError> {
    let forum_id = state.forum_id;
    state
        .db(move |conn| {
            db::registrations::find_by_id(conn, id)
                .map_err(|e| match e {
                    diesel::result::Error::NotFound => PageError::NotFound,
                    other => PageError::from(other),
                })
                .and_then(|(r, s)| {
                    if r.forum_id == forum_id {
                        Ok((r, s))
                    } else {
                        Err(PageError::NotFound)
                    }
                })
        })
        .await
}

pub async fn detail(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, PageError> {
    let current = auth::require(&req, &state, Role::Admin).await?;
    let (registration, site) = load_registration(&state, *id).await?;
    detail_page(
        &req,
        &state,
        &current,
        &registration,
        &site,
        &query.done,
        None,
    )
    .await
}

/// An address typed into the correction form and why it was refused, shown again.
struct EmailInput {
    value: String,
    error: String,
}

async fn detail_page(
    req: &HttpRequest,
    state: &AppState,
    current: &auth::Current,
    registration: &Registration,
    site: &Site,
    done: &str,
    email_input: Option<EmailInput>,
) -> Result<HttpResponse, PageError> {
    let (forum_id, registration_id) = (state.forum_id, registration.id);
    let (forum, mails) = state
        .db(move |conn| {
            let forum = db::forums::find_by_id(conn, forum_id)?;
            Ok::<_, PageError>((forum, db::outbox::for_registration(conn, registration_id)?))
        })
        .await?;
    let visitor = Visitor::of(req);
    let lang = visitor.lang;
    // A refused correction answers 422 and says so first in the title.
    let (status, title) = match &email_input {
        Some(_) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "{}{}",
                lang.tr("Fehler: ", "Error: "),
                registration.full_name()
            ),
        ),
        None => (StatusCode::OK, registration.full_name()),
    };
    let view = DetailPage {
        layout: Layout::for_forum(&visitor, title, &forum),
        nav: current.nav(),
        id: registration.id,
        person: PersonView::new(registration, lang),
        site: site.name_in(lang),
        status: status_label(&registration.status, lang).to_string(),
        registered: local_time(registration.created_at, lang),
        consent: format!(
            "{} ({} {})",
            local_time(registration.consent_at, lang),
            lang.tr("Fassung", "version"),
            registration.consent_version
        ),
        checked_in: registration.checked_in_at.map(|t| local_time(t, lang)),
        checkin_path: format!("/organiser/checkin/{}", registration.checkin_code),
        // Accessibility needs are health-adjacent data: admins only (this page is).
        show_needs: current.is_admin(),
        cancellable: registration.status() != RegistrationStatus::Cancelled,
        language: language_name(registration.lang(), lang),
        mails: mails.iter().map(|m| MailRow::new(m, lang)).collect(),
        done: match done {
            "resent" => Some(lang.tr(
                "Die Bestätigung wird erneut versendet.",
                "The confirmation is being sent again.",
            )),
            "cancelled" => Some(lang.tr(
                "Die Anmeldung ist storniert; der Platz ging an die Warteliste.",
                "The registration is cancelled; the seat went to the waiting list.",
            )),
            "email" => Some(lang.tr(
                "Die E-Mail-Adresse ist geändert; die Bestätigung geht an die neue Adresse.",
                "The e-mail address is changed; the confirmation goes to the new address.",
            )),
            _ => None,
        },
        email_value: email_input
            .as_ref()
            .map_or_else(|| registration.email.clone(), |i| i.value.clone()),
        email_error: email_input.map(|i| i.error),
    };
    Ok(private_html(status, render(&view)?, None))
}

#[derive(Debug, Default, Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    email: String,
}

/// Corrects the participant's address and sends their confirmation to the new one.
pub async fn change_email(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<EmailForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    let csrf = CsrfForm {
        csrf_token: form.csrf_token.clone(),
    };
    let (current, registration, site) = admin_action(&req, &state, *id, &csrf).await?;
    let lang = Visitor::of(&req).lang;
    let error = match EmailAddress::parse(&form.email) {
        Err(e) => e.message(lang),
        Ok(email) => {
            let (forum_id, context, id) =
                (state.forum_id, state.mail_context.clone(), registration.id);
            let outcome = state
                .db(move |conn| {
                    let forum =
                        db::forums::find_by_id(conn, forum_id).map_err(anyhow::Error::from)?;
                    Ok::<_, PageError>(correct_email(conn, &forum, id, &email, &context))
                })
                .await?;
            match outcome {
                Ok(()) => {
                    tracing::info!(
                        registration_id = id,
                        organiser_id = current.organiser.id,
                        "e-mail address corrected by an organiser"
                    );
                    state.mail_worker.wake();
                    return Ok(see_other(format!(
                        "/organiser/participants/{id}?done=email"
                    )));
                }
                Err(EmailChangeError::Taken) => lang
                    .tr(
                        "Mit dieser Adresse ist bereits eine andere Person angemeldet.",
                        "Another person is already registered with this address.",
                    )
                    .to_string(),
                Err(EmailChangeError::Cancelled) => lang
                    .tr(
                        "Die Anmeldung ist storniert; ihre Adresse lässt sich nicht mehr ändern.",
                        "The registration is cancelled; its address can no longer be changed.",
                    )
                    .to_string(),
                Err(EmailChangeError::Unexpected(e)) => return Err(PageError::Unexpected(e)),
            }
        }
    };
    let input = EmailInput {
        value: form.email,
        error,
    };
    detail_page(
        &req,
        &state,
        &current,
        &registration,
        &site,
        "",
        Some(input),
    )
    .await
}

/// The common start of every action on one registration: an admin session, its form
/// token, and the registration of this forum.
async fn admin_action(
    req: &HttpRequest,
    state: &AppState,
    id: i64,
    form: &CsrfForm,
) -> Result<(auth::Current, Registration, Site), PageError> {
    let current = auth::require(req, state, Role::Admin).await?;
    current.verify_csrf(&form.csrf_token)?;
    let (registration, site) = load_registration(state, id).await?;
    Ok((current, registration, site))
}

pub async fn resend(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let (_, registration, site) = admin_action(&req, &state, *id, &form).await?;
    let (forum_id, context, id) = (state.forum_id, state.mail_context.clone(), registration.id);
    let queued = state
        .db(move |conn| {
            let forum = db::forums::find_by_id(conn, forum_id).map_err(anyhow::Error::from)?;
            db::write_transaction(conn, |conn| {
                resend_confirmation(conn, &forum, &registration, &site, &context)
            })
            .map_err(PageError::from)
        })
        .await?;
    if !queued {
        return Err(PageError::Conflict(Phrase::new(
            "Für eine stornierte Anmeldung gibt es keine Bestätigung.",
            "A cancelled registration has no confirmation to send.",
        )));
    }
    state.mail_worker.wake();
    Ok(see_other(format!(
        "/organiser/participants/{id}?done=resent"
    )))
}

/// Cancels as if the participant had done it: the seat goes to the next in line.
pub async fn cancel(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let (current, registration, _) = admin_action(&req, &state, *id, &form).await?;
    let (forum_id, context, id) = (state.forum_id, state.mail_context.clone(), registration.id);
    state
        .db(move |conn| {
            let forum = db::forums::find_by_id(conn, forum_id).map_err(anyhow::Error::from)?;
            crate::booking::cancel(conn, &forum, &registration.manage_token, &context)
                .map_err(PageError::from)
        })
        .await?;
    tracing::info!(
        registration_id = id,
        organiser_id = current.organiser.id,
        "cancelled by an organiser"
    );
    state.mail_worker.wake();
    Ok(see_other(format!(
        "/organiser/participants/{id}?done=cancelled"
    )))
}

#[derive(Debug, Default, Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    site: String,
    /// Accessibility needs are left out unless asked for explicitly.
    #[serde(default)]
    needs: String,
}

/// One CSV field for Excel: quoted when needed, and a leading `= + - @` neutralised so
/// a name cannot become a formula.
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// All registrations (or one site's) as CSV that Excel opens correctly: UTF-8 with BOM,
/// `;` between fields, one header row.
pub async fn export_csv(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<ExportQuery>,
) -> Result<HttpResponse, PageError> {
    auth::require(&req, &state, Role::Admin).await?;
    let forum_id = state.forum_id;
    let (site_slug, with_needs) = (query.site.clone(), query.needs == "1");
    let (rows, file_part) = state
        .db(move |conn| {
            let sites = db::sites::list_for_forum(conn, forum_id)?;
            let site = sites.iter().find(|s| s.slug == site_slug);
            if !site_slug.is_empty() && site.is_none() {
                return Err(PageError::NotFound);
            }
            let filter = ParticipantFilter {
                site_id: site.map(|s| s.id),
                sort: SortOrder::Site,
                ..Default::default()
            };
            let (rows, _) = db::stats::participants(conn, forum_id, &filter, 0, i64::MAX)?;
            Ok((rows, site.map(|s| s.slug.clone())))
        })
        .await?;
    // Headers and labels in the organiser's language; the separator stays `;` and dates
    // stay numeric so spreadsheets read them whatever the language.
    let lang = Visitor::of(&req).lang;
    let mut header = vec![
        lang.tr("Nachname", "Last name"),
        lang.tr("Vorname", "First name"),
        lang.tr("E-Mail", "E-mail"),
        lang.tr("Organisation", "Organisation"),
        lang.tr("Gruppe", "Group"),
        lang.tr("Funktion", "Position"),
        lang.tr("Standort", "Site"),
        lang.tr("Status", "Status"),
        lang.tr("Angemeldet am", "Registered at"),
        lang.tr("Eingecheckt am", "Checked in at"),
        lang.tr("Sprache", "Language"),
    ];
    if with_needs {
        header.push(lang.tr("Hinweise Barrierefreiheit", "Access needs"));
    }
    let when = |t: NaiveDateTime| match lang {
        Lang::De => local_time(t, lang),
        Lang::En => berlin_time::to_local(t)
            .format("%Y-%m-%d %H:%M")
            .to_string(),
    };
    let mut csv = String::from("\u{feff}");
    csv.push_str(&header.join(";"));
    csv.push_str("\r\n");
    for (r, site) in &rows {
        let mut fields = vec![
            r.last_name.clone(),
            r.first_name.clone(),
            r.email.clone(),
            r.organisation.clone(),
            sector_label(&r.sector, lang),
            r.position.clone().unwrap_or_default(),
            site.name_in(lang).text,
            status_label(&r.status, lang).to_string(),
            when(r.created_at),
            r.checked_in_at.map(when).unwrap_or_default(),
            language_name(r.lang(), lang).to_string(),
        ];
        if with_needs {
            fields.push(r.accessibility_needs.clone().unwrap_or_default());
        }
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        csv.push_str(&line.join(";"));
        csv.push_str("\r\n");
    }
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!(
                "attachment; filename=\"{}-{}.csv\"",
                lang.tr("teilnehmende", "participants"),
                file_part.as_deref().unwrap_or(lang.tr("alle", "all"))
            ),
        ))
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(csv))
}

pub struct AttendanceRow {
    pub name: String,
    pub organisation: String,
}

#[derive(Template)]
#[template(path = "organiser/attendance.html")]
struct AttendancePage {
    layout: Layout,
    nav: Nav,
    forum_title: Localised,
    date: String,
    site: Localised,
    rows: Vec<AttendanceRow>,
}

/// A print-friendly attendance list for one site: name, organisation, signature.
pub async fn attendance(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<ExportQuery>,
) -> Result<HttpResponse, PageError> {
    let current = auth::require(&req, &state, Role::Admin).await?;
    let (forum_id, slug) = (state.forum_id, query.site.clone());
    let (forum, site, rows) = state
        .db(move |conn| {
            let forum = db::forums::find_by_id(conn, forum_id)?;
            let site =
                db::sites::find_by_slug(conn, forum_id, &slug)?.ok_or(PageError::NotFound)?;
            let filter = ParticipantFilter {
                site_id: Some(site.id),
                status: Some("confirmed".into()),
                ..Default::default()
            };
            let (rows, _) = db::stats::participants(conn, forum_id, &filter, 0, i64::MAX)?;
            Ok::<_, PageError>((forum, site, rows))
        })
        .await?;
    let visitor = Visitor::of(&req);
    let lang = visitor.lang;
    let site_name = site.name_in(lang);
    let view = AttendancePage {
        layout: Layout::for_forum(
            &visitor,
            format!(
                "{} {}",
                visitor.tr("Anwesenheitsliste", "Attendance list"),
                site_name.text
            ),
            &forum,
        ),
        nav: current.nav(),
        forum_title: forum.title_in(lang),
        date: i18n::long_date(forum.event_date, lang),
        site: site_name,
        rows: rows
            .iter()
            .map(|(r, _)| AttendanceRow {
                name: format!("{}, {}", r.last_name, r.first_name),
                organisation: r.organisation.clone(),
            })
            .collect(),
    };
    Ok(private_html(StatusCode::OK, render(&view)?, None))
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("Müller"), "Müller");
        assert_eq!(csv_field("A; B"), "\"A; B\"");
        assert_eq!(csv_field("Sag \"Hallo\""), "\"Sag \"\"Hallo\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-5"), "'-5");
    }
}
