//! Standard base64 with padding (RFC 4648 §4), strict: what signed notes, checkpoints and
//! vkeys use. A thin wrapper over the `base64` crate's `STANDARD` engine (canonical
//! padding required, no whitespace), so that every caller uses the same two functions.
//! The residents' bundle does not link this module (it checks checkpoints by hash in
//! `dashboard/trust.js`), so the crate costs nothing against its 200 KiB budget.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

/// Encodes `bytes`.
///
/// ```
/// assert_eq!(linli_domain::signing::b64::encode(b"hi!?"), "aGkhPw==");
/// ```
#[must_use]
pub fn encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Decodes strict standard base64 (padding required, no whitespace); `None` otherwise.
///
/// ```
/// use linli_domain::signing::b64::decode;
/// assert_eq!(decode("aGkhPw==").as_deref(), Some(&b"hi!?"[..]));
/// assert_eq!(decode("aGkhPw"), None);
/// assert_eq!(decode("aGkh Pw=="), None);
/// ```
#[must_use]
pub fn decode(s: &str) -> Option<Vec<u8>> {
    STANDARD.decode(s).ok()
}
