//! QR codes for check-in links: SVG for pages, an HTML table for mails (mail programs
//! block SVG and data URLs, but render table cells).

use qrcode::{Color, EcLevel, QrCode};

fn modules(data: &str) -> Option<(usize, Vec<bool>)> {
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::L).ok()?;
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

/// A table of black and white cells that mail programs display as a QR code. Runs of
/// one colour share a cell (`colspan`), which keeps the mail small.
pub fn html_table(data: &str) -> Option<String> {
    const MODULE_PX: usize = 4;
    let (width, dark) = modules(data)?;
    let quiet = 4;
    let size = width + 2 * quiet;
    let is_dark = |x: usize, y: usize| {
        (quiet..quiet + width).contains(&x)
            && (quiet..quiet + width).contains(&y)
            && dark[(y - quiet) * width + (x - quiet)]
    };
    let mut html = format!(
        "<table role=\"img\" aria-label=\"QR-Code für den Check-in\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" width=\"{}\" style=\"border-collapse:collapse;background:#fff;\">",
        size * MODULE_PX
    );
    for y in 0..size {
        html.push_str(&format!(
            "<tr height={MODULE_PX} style=\"height:{MODULE_PX}px\">"
        ));
        let mut x = 0;
        while x < size {
            let colour = is_dark(x, y);
            let run = (x..size).take_while(|&i| is_dark(i, y) == colour).count();
            let hex = if colour { "#000" } else { "#fff" };
            // Unquoted attributes are valid HTML and save a third of the bytes.
            html.push_str(&format!(
                "<td colspan={run} width={} bgcolor={hex}></td>",
                run * MODULE_PX
            ));
            x += run;
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
        assert!(table.matches("bgcolor=#000>").count() > 100);
        assert!(table.len() < 40_000, "{} bytes", table.len());
        // Every row spans the full width.
        let first_row =
            &table[table.find("<tr").expect("row")..table.find("</tr>").expect("row end")];
        let span: usize = first_row
            .split("colspan=")
            .skip(1)
            .filter_map(|p| p.split(' ').next()?.parse::<usize>().ok())
            .sum();
        assert!(span >= 21 + 8, "{span}");
    }
}
