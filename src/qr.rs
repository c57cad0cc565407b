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

/// Pixels per QR module in the PNG; 4 gives a code of about 160 px that phones read
/// from a screen or a printout.
pub const PNG_SCALE: usize = 4;

/// A black-and-white PNG (1 bit per pixel) for mails, which block SVG and data URLs but
/// show inline images. Deflate "stored" blocks keep the encoder tiny; at one bit per
/// pixel the file is still only a few kilobytes.
pub fn png(data: &str) -> Option<Vec<u8>> {
    let (width, dark) = modules(data)?;
    let quiet = 4;
    let side = (width + 2 * quiet) * PNG_SCALE;
    let row_bytes = side.div_ceil(8);
    let mut raw = Vec::with_capacity((row_bytes + 1) * side);
    for py in 0..side {
        raw.push(0); // filter type "none"
        let y = py / PNG_SCALE;
        let mut row = vec![0xffu8; row_bytes];
        for px in 0..side {
            let x = px / PNG_SCALE;
            let inside = (quiet..quiet + width).contains(&x) && (quiet..quiet + width).contains(&y);
            if inside && dark[(y - quiet) * width + (x - quiet)] {
                row[px / 8] &= !(0x80 >> (px % 8));
            }
        }
        raw.extend_from_slice(&row);
    }
    let side = u32::try_from(side).ok()?;
    let mut png = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&side.to_be_bytes());
    ihdr.extend_from_slice(&side.to_be_bytes());
    ihdr.extend_from_slice(&[1, 0, 0, 0, 0]); // 1 bit, greyscale, deflate, adaptive filter, no interlace
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &zlib_stored(&raw));
    chunk(&mut png, b"IEND", &[]);
    Some(png)
}

fn chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    png.extend_from_slice(&u32::try_from(data.len()).unwrap_or(0).to_be_bytes());
    let start = png.len();
    png.extend_from_slice(kind);
    png.extend_from_slice(data);
    let crc = crc32(&png[start..]);
    png.extend_from_slice(&crc.to_be_bytes());
}

fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = data.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        out.push(u8::from(i + 1 == blocks.len()));
        let len = u16::try_from(block.len()).unwrap_or(u16::MAX);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for byte in data {
        a = (a + u32::from(*byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for byte in data {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_svg_and_png() {
        let url =
            "https://anmeldung.example.org/organiser/checkin/0123456789abcdef0123456789abcdef";
        let svg = svg(url, "Check-in-Code").expect("svg");
        assert!(svg.starts_with("<svg") && svg.contains("aria-label=\"Check-in-Code\""));

        let png = png(url).expect("png");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert!(png.len() < 8_000, "{} bytes", png.len());
        // Read the pixels back (stored deflate blocks) and compare with the modules.
        let side = u32::from_be_bytes([png[16], png[17], png[18], png[19]]) as usize;
        let idat = png.windows(4).position(|w| w == b"IDAT").expect("IDAT") + 4;
        let (mut raw, mut at) = (Vec::new(), idat + 2);
        loop {
            let last = png[at] & 1 == 1;
            let len = u16::from_le_bytes([png[at + 1], png[at + 2]]) as usize;
            raw.extend_from_slice(&png[at + 5..at + 5 + len]);
            at += 5 + len;
            if last {
                break;
            }
        }
        let (width, dark) = modules(url).expect("modules");
        let row_bytes = side.div_ceil(8);
        let pixel =
            |x: usize, y: usize| raw[y * (row_bytes + 1) + 1 + x / 8] & (0x80 >> (x % 8)) == 0;
        for (i, is_dark) in dark.iter().enumerate() {
            let (mx, my) = (i % width + 4, i / width + 4);
            assert_eq!(
                pixel(mx * PNG_SCALE + 1, my * PNG_SCALE + 2),
                *is_dark,
                "module {mx},{my}"
            );
        }
        assert!(!pixel(0, 0), "quiet zone is white");
    }

    #[test]
    fn crc_matches_the_png_reference() {
        assert_eq!(crc32(b"IEND"), 0xae42_6082);
    }
}
