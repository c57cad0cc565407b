//! QR codes for check-in links: SVG for pages, an HTML table for mails (mail programs
//! block SVG and data URLs, but render table cells).

use qrcode::{Color, EcLevel, QrCode};

fn modules(data: &str) -> Option<(usize, Vec<bool>)> {
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M).ok()?;
    let width = code.width();
    let dark = code
        .to_colors()
        .into_iter()
        .map(|c| c == Color::Dark)
        .collect();
    Some((width, dark))
}

/// An inline SVG; `label` becomes its accessible name.
pub fn svg(data: &str, label: &str) -> Option<String> {
    let (width, dark) = modules(data)?;
    let quiet = 4;
    let size = width + 2 * quiet;
    let mut path = String::new();
    for (i, _) in dark.iter().enumerate().filter(|(_, d)| **d) {
        let (x, y) = (i % width + quiet, i / width + quiet);
        path.push_str(&format!("M{x} {y}h1v1h-1z"));
    }
    let label = label
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('"', "&quot;");
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" width=\"220\" height=\"220\" role=\"img\" aria-label=\"{label}\" shape-rendering=\"crispEdges\"><rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>"
    ))
}

/// A table of black and white cells that mail programs display as a QR code.
pub fn html_table(data: &str) -> Option<String> {
    let (width, dark) = modules(data)?;
    let quiet = 4;
    let size = width + 2 * quiet;
    let mut html = String::from(
        "<table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"border-collapse:collapse;background:#fff;\">",
    );
    for y in 0..size {
        html.push_str("<tr>");
        for x in 0..size {
            let inside = (quiet..quiet + width).contains(&x) && (quiet..quiet + width).contains(&y);
            let is_dark = inside && dark[(y - quiet) * width + (x - quiet)];
            let colour = if is_dark { "#000000" } else { "#ffffff" };
            html.push_str(&format!(
                "<td width=\"4\" height=\"4\" bgcolor=\"{colour}\" style=\"width:4px;height:4px;padding:0;background:{colour};\"></td>"
            ));
        }
        html.push_str("</tr>");
    }
    html.push_str("</table>");
    Some(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_both_forms() {
        let url =
            "https://anmeldung.example.org/organiser/checkin/0123456789abcdef0123456789abcdef";
        let svg = svg(url, "Check-in-Code").expect("svg");
        assert!(svg.starts_with("<svg") && svg.contains("aria-label=\"Check-in-Code\""));
        let table = html_table(url).expect("table");
        assert!(table.matches("#000000").count() > 100);
    }
}
