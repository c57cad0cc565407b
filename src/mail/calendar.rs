//! iCalendar (RFC 5545) entries for a registration: attached to mails and offered as a
//! download. One UID per registration; SEQUENCE rises with every change, so calendar
//! programs replace the old entry on a switch and remove it on a cancellation.

use chrono::NaiveDateTime;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Publish,
    Cancel,
}

pub struct CalendarEvent {
    pub uid: String,
    pub sequence: i32,
    pub method: Method,
    pub summary: String,
    pub description: String,
    pub location: Option<String>,
    pub url: String,
    /// Berlin wall-clock times.
    pub starts_local: NaiveDateTime,
    pub ends_local: NaiveDateTime,
    pub stamp_utc: NaiveDateTime,
    pub organiser: String,
    pub organiser_email: String,
}

/// The time zone definition RFC 5545 requires next to every TZID used (EU rules).
const VTIMEZONE: &str = "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line to at most 75 octets per physical line, never inside a character.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
    out
}

impl CalendarEvent {
    pub fn method_name(&self) -> &'static str {
        match self.method {
            Method::Publish => "PUBLISH",
            Method::Cancel => "CANCEL",
        }
    }

    pub fn content_type(&self) -> String {
        format!(
            "text/calendar; charset=utf-8; method={}",
            self.method_name()
        )
    }

    pub fn to_ics(&self) -> String {
        let local = |t: NaiveDateTime| t.format("%Y%m%dT%H%M%S").to_string();
        let utc = |t: NaiveDateTime| t.format("%Y%m%dT%H%M%SZ").to_string();
        let mut lines = vec![
            "BEGIN:VCALENDAR".to_string(),
            "VERSION:2.0".to_string(),
            "PRODID:-//forumreg//Fachforum//DE".to_string(),
            "CALSCALE:GREGORIAN".to_string(),
            format!("METHOD:{}", self.method_name()),
        ];
        let mut ics = String::new();
        for line in lines.drain(..) {
            ics.push_str(&fold(&line));
        }
        ics.push_str(VTIMEZONE);
        let mut event = vec![
            "BEGIN:VEVENT".to_string(),
            format!("UID:{}", self.uid),
            format!("SEQUENCE:{}", self.sequence),
            format!("DTSTAMP:{}", utc(self.stamp_utc)),
            format!("DTSTART;TZID=Europe/Berlin:{}", local(self.starts_local)),
            format!("DTEND;TZID=Europe/Berlin:{}", local(self.ends_local)),
            format!("SUMMARY:{}", escape(&self.summary)),
            format!("DESCRIPTION:{}", escape(&self.description)),
            format!("URL:{}", self.url),
            format!(
                "ORGANIZER;CN={}:mailto:{}",
                escape(&self.organiser).replace(['"', ':'], ""),
                self.organiser_email
            ),
        ];
        if let Some(location) = &self.location {
            event.push(format!("LOCATION:{}", escape(location)));
        }
        event.push(match self.method {
            Method::Publish => "STATUS:CONFIRMED".to_string(),
            Method::Cancel => "STATUS:CANCELLED".to_string(),
        });
        event.push("END:VEVENT".to_string());
        event.push("END:VCALENDAR".to_string());
        for line in event {
            ics.push_str(&fold(&line));
        }
        ics
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(method: Method) -> String {
        let t = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("time");
        CalendarEvent {
            uid: "registration-7@forum.example.org".into(),
            sequence: 2,
            method,
            summary: "Fachforum Fachkräftesicherung Sachsen 2027 – Görlitz".into(),
            description: "Ihr Platz; Ihre Anmeldung, Ihr Link:\nhttps://x.example/registration/abc"
                .into(),
            location: Some("Hochschule Zittau/Görlitz, Furtstraße 2, 02826 Görlitz".into()),
            url: "https://x.example/registration/abc".into(),
            starts_local: t("2027-03-18 09:30"),
            ends_local: t("2027-03-18 15:30"),
            stamp_utc: t("2026-11-25 10:00"),
            organiser: "Landesagentur".into(),
            organiser_email: "fachforum@example.org".into(),
        }
        .to_ics()
    }

    #[test]
    fn lines_are_folded_escaped_and_crlf_terminated() {
        let ics = event(Method::Publish);
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "line over 75 octets: {line:?}");
            assert!(!line.contains('\n'));
        }
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains("DTSTART;TZID=Europe/Berlin:20270318T093000\r\n"));
        assert!(unfolded.contains("DTEND;TZID=Europe/Berlin:20270318T153000\r\n"));
        assert!(
            unfolded.contains("DESCRIPTION:Ihr Platz\\; Ihre Anmeldung\\, Ihr Link:\\nhttps://")
        );
        assert!(
            unfolded
                .contains("LOCATION:Hochschule Zittau/Görlitz\\, Furtstraße 2\\, 02826 Görlitz")
        );
        assert!(unfolded.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin"));
        assert!(unfolded.contains("METHOD:PUBLISH") && unfolded.contains("STATUS:CONFIRMED"));
    }

    #[test]
    fn a_cancellation_keeps_the_uid() {
        let ics = event(Method::Cancel).replace("\r\n ", "");
        assert!(ics.contains("METHOD:CANCEL") && ics.contains("STATUS:CANCELLED"));
        assert!(ics.contains("UID:registration-7@forum.example.org"));
    }
}
