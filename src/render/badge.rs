//! A coverage badge as a standalone SVG (the flat shields.io look), so a README can show the
//! number without a third-party service. Pure: returns the bytes.

/// Approximate width of a text in Verdana 11px, the badge font: 7 px per character is close
/// enough for digits, `%` and short labels, and errs on the wide side.
fn text_width(s: &str) -> u32 {
    s.chars().count() as u32 * 7 + 10
}

/// The colour of a percentage in hundredths: red below 50% through bright green from 90%.
pub fn color(hundredths: u32) -> &'static str {
    match hundredths {
        9000.. => "#4c1",
        8000..=8999 => "#97ca00",
        7000..=7999 => "#a4a61d",
        6000..=6999 => "#dfb317",
        5000..=5999 => "#fe7d37",
        _ => "#e05d44",
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `label | value` with the value's background in `color`.
pub fn svg(label: &str, value: &str, color: &str) -> Vec<u8> {
    let (lw, vw) = (text_width(label), text_width(value));
    let w = lw + vw;
    let (label, value) = (escape(label), escape(value));
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="20" role="img" aria-label="{label}: {value}"><title>{label}: {value}</title><linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient><clipPath id="r"><rect width="{w}" height="20" rx="3" fill="#fff"/></clipPath><g clip-path="url(#r)"><rect width="{lw}" height="20" fill="#555"/><rect x="{lw}" width="{vw}" height="20" fill="{color}"/><rect width="{w}" height="20" fill="url(#s)"/></g><g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11"><text x="{lx}" y="14">{label}</text><text x="{vx}" y="14">{value}</text></g></svg>
"##,
        lx = lw / 2,
        vx = lw + vw / 2,
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn badge_is_well_formed_svg_with_the_value_and_colour() {
        let bytes = svg("coverage", "80.85%", color(8085));
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(
            text.contains(">80.85%</text>") && text.contains("fill=\"#97ca00\""),
            "{text}"
        );
        let mut reader = quick_xml::Reader::from_reader(&bytes[..]);
        let mut buf = Vec::new();
        loop {
            match reader.read_event_into(&mut buf) {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("not well-formed: {e}"),
            }
            buf.clear();
        }
        assert!(
            String::from_utf8(svg("a<b", "&", "#e05d44"))
                .unwrap()
                .contains("a&lt;b")
        );
        assert_eq!(
            (color(10_000), color(4999), color(9000)),
            ("#4c1", "#e05d44", "#4c1")
        );
    }
}
