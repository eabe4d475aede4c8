//! Identicons: a small symmetric pattern drawn from a hash, so every commenter gets a
//! recognisable avatar without the reader's browser asking a third party.

/// Draws a 5×5 mirrored identicon as SVG from at least 4 bytes of a hash.
pub fn svg(hash: &[u8]) -> String {
    let byte = |i: usize| hash.get(i).copied().unwrap_or(0);
    let hue = u32::from(byte(0)) * 360 / 256;
    let sat = 45 + u32::from(byte(1)) % 20;
    let light = 40 + u32::from(byte(2)) % 15;
    let bits = u32::from_le_bytes([byte(3), byte(4), byte(5), byte(6)]);
    let mut out = String::with_capacity(900);
    out.push_str(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"-0.5 -0.5 6 6\" width=\"64\" height=\"64\">",
    );
    out.push_str("<rect x=\"-0.5\" y=\"-0.5\" width=\"6\" height=\"6\" fill=\"#f0f0f0\"/>");
    out.push_str(&format!(
        "<g fill=\"hsl({hue},{sat}%,{light}%)\" shape-rendering=\"crispEdges\">"
    ));
    for row in 0..5u32 {
        for col in 0..3u32 {
            if bits >> (row * 3 + col) & 1 == 1 {
                out.push_str(&format!(
                    "<rect x=\"{col}\" y=\"{row}\" width=\"1\" height=\"1\"/>"
                ));
                if col < 2 {
                    let mirror = 4 - col;
                    out.push_str(&format!(
                        "<rect x=\"{mirror}\" y=\"{row}\" width=\"1\" height=\"1\"/>"
                    ));
                }
            }
        }
    }
    out.push_str("</g></svg>");
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn same_hash_same_picture_different_hash_different_picture() {
        let a = super::svg(&[1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(a, super::svg(&[1, 2, 3, 4, 5, 6, 7]));
        assert_ne!(a, super::svg(&[9, 2, 3, 4, 5, 6, 7]));
        assert!(a.starts_with("<svg") && a.ends_with("</svg>"));
    }

    #[test]
    fn every_byte_value_draws() {
        for b in 0..=255u8 {
            assert!(super::svg(&[b; 16]).contains("hsl("));
        }
    }
}
