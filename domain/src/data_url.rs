//! `data:` URLs (RFC 2397) for pictures the apps draw themselves (QR codes).

/// `data:image/svg+xml,…` of `svg`, every byte but ASCII letters, digits and
/// ` -_.:/=;,` percent-encoded: an `<img>` shows it as a picture (no script runs in
/// one), and no markup is ever put into a page.
///
/// ```
/// use linli_domain::data_url::svg;
/// assert_eq!(svg(b"<svg a=\"1\">"), "data:image/svg+xml,%3Csvg a=%221%22%3E");
/// assert_eq!(svg("二".as_bytes()), "data:image/svg+xml,%E4%BA%8C");
/// ```
pub fn svg(svg: &[u8]) -> String {
    let mut out = String::with_capacity(svg.len() * 2);
    out.push_str("data:image/svg+xml,");
    for &b in svg {
        if b.is_ascii_alphanumeric() || b" -_.:/=;,".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
