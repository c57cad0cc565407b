//! Capacity is law: concurrent requests for the last seats never overbook a site.

use crate::helpers::*;
use crate::on_both_backends;
use awc::http::StatusCode;
use forumreg::db;
use futures_util::future::join_all;

on_both_backends!(
    two_hundred_requests_for_the_last_five_seats,
    same_address_at_the_same_moment_gets_one_seat
);

/// Fires `count` registrations at once, each with its own address; returns the statuses
/// and problem codes.
pub async fn fire(
    http: &[&Http],
    site: &str,
    count: usize,
    prefix: &str,
) -> Vec<(StatusCode, String)> {
    let requests = (0..count).map(|i| {
        let http = http[i % http.len()].clone();
        let body = valid_registration(site, &format!("{prefix}{i}@example.org"));
        async move {
            let r = http.register(&body).await;
            let code = if r.status == StatusCode::CREATED {
                "created".to_string()
            } else {
                r.json()["code"].as_str().unwrap_or("?").to_string()
            };
            (r.status, code)
        }
    });
    join_all(requests).await
}

pub fn tally(results: &[(StatusCode, String)]) -> (usize, usize) {
    let created = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    let full = results
        .iter()
        .filter(|(s, c)| *s == StatusCode::CONFLICT && c == "site_full")
        .count();
    (created, full)
}

pub fn assert_site_holds(conn: &mut db::DbConnection, slug: &str, expected: i64) {
    let forum = db::forums::find_latest(conn)
        .expect("query")
        .expect("forum");
    let site = db::sites::find_by_slug(conn, forum.id, slug)
        .expect("query")
        .expect("site");
    assert_eq!(i64::from(site.confirmed_count), expected, "seat counter");
    let rows = db::registrations::count_for_site(conn, site.id, "confirmed").expect("count");
    assert_eq!(rows, expected, "confirmed registrations in the database");
    assert!(
        site.capacity.is_some_and(|c| site.confirmed_count <= c),
        "never above capacity"
    );
}

async fn two_hundred_requests_for_the_last_five_seats(backend: Backend) {
    let app = spawn_app_with(
        backend,
        &forum_toml(&[("letzte", Some(10)), ("stream", None)]),
    )
    .await;
    let early = fire(&[&app.http], "letzte", 5, "early").await;
    assert_eq!(tally(&early), (5, 0));

    let results = fire(&[&app.http], "letzte", 200, "rush").await;
    let (created, full) = tally(&results);
    assert_eq!(
        created, 5,
        "exactly the five free seats are given: {results:?}"
    );
    assert_eq!(full, 195, "everyone else hears the site is full");

    let mut conn = app.conn();
    assert_site_holds(&mut conn, "letzte", 10);
    assert_eq!(db::registrations::count_all(&mut conn).expect("count"), 10);
    assert_eq!(
        db::outbox::all(&mut conn).expect("outbox").len(),
        10,
        "one mail per seat"
    );
    let site = &app.forum().await["sites"][0];
    assert_eq!(
        (site["confirmed"].as_i64(), site["available"].as_i64()),
        (Some(10), Some(0))
    );
}

async fn same_address_at_the_same_moment_gets_one_seat(backend: Backend) {
    let app = spawn_app_with(
        backend,
        &forum_toml(&[("gross", Some(100)), ("stream", None)]),
    )
    .await;
    let requests = (0..30).map(|i| {
        let http = app.http.clone();
        // Same person, different spelling and different sites.
        let email = if i % 2 == 0 {
            "Doppelt@Example.org"
        } else {
            "doppelt@example.ORG"
        };
        let site = if i % 3 == 0 { "stream" } else { "gross" };
        async move { http.register(&valid_registration(site, email)).await }
    });
    let responses = join_all(requests).await;
    let created = responses
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    let duplicates = responses
        .iter()
        .filter(|r| r.status == StatusCode::CONFLICT && r.json()["code"] == "already_registered")
        .count();
    assert_eq!((created, duplicates), (1, 29));
    let mut conn = app.conn();
    assert_eq!(db::registrations::count_all(&mut conn).expect("count"), 1);
    let forum = app.forum().await;
    let seats: i64 = forum["sites"]
        .as_array()
        .expect("sites")
        .iter()
        .filter_map(|s| s["confirmed"].as_i64())
        .sum();
    assert_eq!(seats, 1, "refused attempts hold no seat");
}
