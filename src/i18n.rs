//! Dates and times as people in Germany (and English readers) expect to read them.
//! Forum times are Europe/Berlin wall-clock times and are shown as stored.

use crate::domain::Lang;
use chrono::{Datelike, NaiveDate, NaiveDateTime};

const WEEKDAYS_DE: [&str; 7] = [
    "Montag",
    "Dienstag",
    "Mittwoch",
    "Donnerstag",
    "Freitag",
    "Samstag",
    "Sonntag",
];
const WEEKDAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS_DE: [&str; 12] = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// "Donnerstag, 18. März 2027" / "Thursday, 18 March 2027".
pub fn long_date(date: NaiveDate, lang: Lang) -> String {
    let weekday = date.weekday().num_days_from_monday() as usize;
    let month = date.month0() as usize;
    match lang {
        Lang::De => format!(
            "{}, {}. {} {}",
            WEEKDAYS_DE[weekday],
            date.day(),
            MONTHS_DE[month],
            date.year()
        ),
        Lang::En => format!(
            "{}, {} {} {}",
            WEEKDAYS_EN[weekday],
            date.day(),
            MONTHS_EN[month],
            date.year()
        ),
    }
}

/// "09:30–15:30 Uhr" / "09:30–15:30".
pub fn time_range(start: NaiveDateTime, end: NaiveDateTime, lang: Lang) -> String {
    let range = format!("{}–{}", start.format("%H:%M"), end.format("%H:%M"));
    match lang {
        Lang::De => format!("{range} Uhr"),
        Lang::En => range,
    }
}

const MONTHS_EN_SHORT: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A Berlin wall-clock moment in tables: "25.11.2026 14:05" / "25 Nov 2026, 14:05".
pub fn short_datetime(local: NaiveDateTime, lang: Lang) -> String {
    match lang {
        Lang::De => local.format("%d.%m.%Y %H:%M").to_string(),
        Lang::En => format!(
            "{} {} {}, {}",
            local.day(),
            MONTHS_EN_SHORT[local.month0() as usize],
            local.year(),
            local.format("%H:%M")
        ),
    }
}

/// A day in tables: "25.11.2026" / "25 Nov 2026".
pub fn short_date(date: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::De => date.format("%d.%m.%Y").to_string(),
        Lang::En => format!(
            "{} {} {}",
            date.day(),
            MONTHS_EN_SHORT[date.month0() as usize],
            date.year()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_naturally() {
        let date = NaiveDate::from_ymd_opt(2027, 3, 18).expect("date");
        assert_eq!(long_date(date, Lang::De), "Donnerstag, 18. März 2027");
        assert_eq!(long_date(date, Lang::En), "Thursday, 18 March 2027");
        let at = date.and_hms_opt(9, 5, 0).expect("time");
        assert_eq!(short_datetime(at, Lang::De), "18.03.2027 09:05");
        assert_eq!(short_datetime(at, Lang::En), "18 Mar 2027, 09:05");
        assert_eq!(short_date(date, Lang::En), "18 Mar 2027");
    }
}
