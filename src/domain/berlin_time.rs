//! Europe/Berlin wall-clock time and UTC. The forum happens in Saxony, so programme
//! times are Berlin times; comparisons with "now" and calendar files need UTC.
//!
//! Germany follows the EU rule since 1996: summer time (UTC+2) from the last Sunday of
//! March, 01:00 UTC, to the last Sunday of October, 01:00 UTC; otherwise UTC+1. That
//! rule is all this module knows, which spares a time-zone database.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let first_of_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }
    .unwrap_or(NaiveDate::MIN);
    let mut day = first_of_next - Duration::days(1);
    while day.weekday() != Weekday::Sun {
        day -= Duration::days(1);
    }
    day
}

fn is_summer_time(utc: NaiveDateTime) -> bool {
    let one_am = NaiveTime::from_hms_opt(1, 0, 0).unwrap_or(NaiveTime::MIN);
    let start = last_sunday(utc.year(), 3).and_time(one_am);
    let end = last_sunday(utc.year(), 10).and_time(one_am);
    start <= utc && utc < end
}

/// UTC offset in hours at the given UTC instant.
pub fn offset_hours(utc: NaiveDateTime) -> i64 {
    if is_summer_time(utc) { 2 } else { 1 }
}

pub fn to_local(utc: NaiveDateTime) -> NaiveDateTime {
    utc + Duration::hours(offset_hours(utc))
}

/// The UTC instant of a Berlin wall-clock time. In the hour that does not exist in
/// spring and the one that occurs twice in autumn, summer time is assumed.
pub fn to_utc(local: NaiveDateTime) -> NaiveDateTime {
    let summer = local - Duration::hours(2);
    if is_summer_time(summer) {
        summer
    } else {
        local - Duration::hours(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("datetime")
    }

    #[test]
    fn winter_and_summer_offsets() {
        assert_eq!(to_utc(at("2027-03-18 09:30")), at("2027-03-18 08:30"));
        assert_eq!(to_utc(at("2027-06-01 09:30")), at("2027-06-01 07:30"));
        assert_eq!(to_local(at("2027-06-01 07:30")), at("2027-06-01 09:30"));
        assert_eq!(to_local(at("2026-12-24 23:30")), at("2026-12-25 00:30"));
    }

    #[test]
    fn switch_days() {
        // 2027: summer time from 28 March, 01:00 UTC to 31 October, 01:00 UTC.
        assert_eq!(
            last_sunday(2027, 3),
            NaiveDate::from_ymd_opt(2027, 3, 28).expect("date")
        );
        assert_eq!(
            last_sunday(2027, 10),
            NaiveDate::from_ymd_opt(2027, 10, 31).expect("date")
        );
        assert_eq!(offset_hours(at("2027-03-28 00:59")), 1);
        assert_eq!(offset_hours(at("2027-03-28 01:00")), 2);
        assert_eq!(offset_hours(at("2027-10-31 00:59")), 2);
        assert_eq!(offset_hours(at("2027-10-31 01:00")), 1);
    }

    #[test]
    fn local_round_trips_outside_the_switch_hours() {
        let mut t = at("2027-01-01 00:00");
        while t < at("2028-01-01 00:00") {
            let utc = to_utc(t);
            let local_again = to_local(utc);
            let ambiguous = t.month() == 10 && t.day() > 24 && t.hour_of_day() == 2;
            let missing = t.month() == 3 && t.day() > 24 && t.hour_of_day() == 2;
            if !ambiguous && !missing {
                assert_eq!(local_again, t, "{t}");
            }
            t += Duration::minutes(59);
        }
    }

    trait Hour {
        fn hour_of_day(&self) -> u32;
    }
    impl Hour for NaiveDateTime {
        fn hour_of_day(&self) -> u32 {
            chrono::Timelike::hour(self)
        }
    }
}
