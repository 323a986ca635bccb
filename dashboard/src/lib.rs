//! The residents' public disclosure dashboard (公示看板, SPEC §2.9).
//!
//! Two uses of one component, [`Dashboard`]:
//! - the **bundle** (`src/main.rs`, built by Trunk from `dashboard/index.html` into
//!   `dist/site/`): loads `snapshot.json` next to it, checks its hash and its link to the
//!   previous snapshot, and shows it. It links none of the workspace's code, so its first
//!   load stays small;
//! - the workspace's **preview** (`src/pages/dashboard.rs` in the app), which renders the
//!   snapshot it is about to publish with the same component: what the guide sees is what
//!   residents will see.
//!
//! Phone first, Chinese first (English on a switch), large type; every chart has a table
//! with the same figures, always read by screen readers and shown on request.

pub mod charts;
pub mod intake;
pub mod intake_job;
pub mod lazy;
mod plans;
pub use plans::mark_redactions;
mod view;

pub use plans::stage_name;
pub use view::{Dashboard, LoadErrorView};

use linli_domain::snapshot::file::DecodeError;

/// The dashboard's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

/// Picks the text of the language.
pub fn tr(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// Whether the snapshot's link to its predecessor was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainStatus {
    /// Still fetching the previous snapshot.
    Checking,
    /// The first snapshot: nothing before it.
    First,
    /// The previous snapshot was fetched and hashes to the value this one names.
    Verified { previous_sequence: u32 },
    /// The previous snapshot is missing or does not hash to the named value.
    Broken(String),
    /// The history could not be fetched (offline): not checked.
    Unchecked,
    /// The host answered that the history index or the previous snapshot is not there
    /// (HTTP 404 or another error status): the link cannot be verified. Not "offline".
    NotVerifiable,
    /// A preview in the workspace: not published yet.
    Preview,
}

/// Why the dashboard shows no figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// `snapshot.json` is not there (HTTP status, or network failure with no cache).
    Missing(String),
    /// The file was refused ([`DecodeError::code`]).
    Decode(DecodeError),
}

impl LoadError {
    /// A plain-language Chinese and English explanation, and what to do.
    pub fn message(&self, lang: Lang) -> (&'static str, String) {
        match self {
            Self::Missing(detail) => (
                tr(lang, "未找到公示数据", "No published data found"),
                format!(
                    "{} ({detail})",
                    tr(
                        lang,
                        "本看板旁没有 snapshot.json，可能尚未发布或网络中断。请稍后重试。",
                        "There is no snapshot.json next to this dashboard: not published yet, or the network failed. Please try again later."
                    )
                ),
            ),
            Self::Decode(e) => {
                let (title, text) = match e.code() {
                    "tampered" => (
                        tr(lang, "公示数据校验失败", "The published data failed its check"),
                        tr(
                            lang,
                            "公示数据与其校验码（SHA-256）不符，可能在发布后被改动。为免误导，本页不显示任何数字。请联系社区核实。",
                            "The data does not match its SHA-256 hash: it may have been changed after publication. To avoid showing anything false, no figures are shown. Please ask the community office.",
                        ),
                    ),
                    "newer" => (
                        tr(lang, "公示数据版本较新", "The data is of a newer version"),
                        tr(
                            lang,
                            "这份公示数据由更新版本的邻里生成，本页无法正确读取。请刷新页面以获取最新看板。",
                            "This data was written by a newer Linli; this page cannot read it correctly. Reload the page to get the latest dashboard.",
                        ),
                    ),
                    "empty" | "malformed" | "too_large" => (
                        tr(lang, "公示数据不完整", "The published data is incomplete"),
                        tr(
                            lang,
                            "公示数据不完整或已损坏（可能下载中断）。请刷新重试。",
                            "The data is incomplete or damaged (perhaps a broken download). Please reload.",
                        ),
                    ),
                    _ => (
                        tr(lang, "不是有效的公示数据", "Not valid published data"),
                        tr(
                            lang,
                            "snapshot.json 不是邻里的公示数据。请联系社区核实。",
                            "snapshot.json is not Linli published data. Please ask the community office.",
                        ),
                    ),
                };
                (title, format!("{text} [{}]", e.code()))
            }
        }
    }
}

/// Fetches a file relative to the page and returns its bytes.
///
/// # Errors
///
/// A message naming the file and the HTTP status or network failure.
pub async fn fetch_bytes(path: &str) -> Result<Vec<u8>, String> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let window = web_sys::window().ok_or("no window")?;
    let resp = JsFuture::from(window.fetch_with_str(path))
        .await
        .map_err(|e| e.as_string().unwrap_or_else(|| format!("{path}: network error")))?;
    let resp: web_sys::Response = resp.dyn_into().map_err(|_| format!("{path}: not a response"))?;
    if !resp.ok() {
        return Err(format!("{path}: HTTP {}", resp.status()));
    }
    let body = resp
        .array_buffer()
        .map_err(|_| format!("{path}: unreadable body"))?;
    let buf = JsFuture::from(body)
        .await
        .map_err(|_| format!("{path}: unreadable body"))?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}

/// `12345678` fen → `¥123,456.78`.
pub fn yuan(fen: i64) -> String {
    linli_domain::money::format_yuan(fen)
}

/// Milliseconds → `12.34` (two decimals, rounded down), for the timing attributes the
/// benchmarks read. Integer formatting: `{:.2}` on a float pulls the whole exact float
/// formatter (about 2 KiB brotli) into the residents' first load.
///
/// ```
/// assert_eq!(linli_dashboard::ms2(12.3456), "12.34");
/// assert_eq!(linli_dashboard::ms2(0.05), "0.05");
/// assert_eq!(linli_dashboard::ms2(-1.0), "0.00");
/// ```
pub fn ms2(ms: f64) -> String {
    // Negative or not a number (a clock that went back): 0.
    let centi = if ms > 0.0 { (ms * 100.0) as u64 } else { 0 };
    format!("{}.{:02}", centi / 100, centi % 100)
}

/// Basis points → `12.34%`.
pub fn pct(bp: i64) -> String {
    let sign = if bp < 0 { "-" } else { "" };
    let a = bp.unsigned_abs();
    format!("{sign}{}.{:02}%", a / 100, a % 100)
}

/// A change of a share in percentage points: `197` → `1.97 个百分点` / `1.97 pp` (a
/// share's change is not a percentage of itself).
pub fn pp(l: Lang, bp: i64) -> String {
    let a = bp.unsigned_abs();
    format!("{}.{:02} {}", a / 100, a % 100, tr(l, "个百分点", "pp"))
}

/// A short amount for a chart's centre, in the language's units, rounded down:
/// Chinese `¥49.3万`, English `¥493k` / `¥1.23M` (the exact figure is in the table).
///
/// ```
/// use linli_dashboard::{short_yuan, Lang};
/// assert_eq!(short_yuan(Lang::Zh, 49_305_000), "¥49.3万");
/// assert_eq!(short_yuan(Lang::En, 49_305_000), "¥493k");
/// assert_eq!(short_yuan(Lang::En, 123_456_700), "¥1.23M");
/// assert_eq!(short_yuan(Lang::En, 4_500_000), "¥45.0k");
/// assert_eq!(short_yuan(Lang::Zh, 900_000), "¥9000");
/// ```
pub fn short_yuan(l: Lang, fen: i64) -> String {
    let y = fen.max(0) / 100;
    match l {
        Lang::Zh if y >= 10_000 => format!("¥{}.{}万", y / 10_000, (y % 10_000) / 1_000),
        Lang::En if y >= 1_000_000 => format!("¥{}.{:02}M", y / 1_000_000, (y % 1_000_000) / 10_000),
        Lang::En if y >= 100_000 => format!("¥{}k", y / 1_000),
        Lang::En if y >= 10_000 => format!("¥{}.{}k", y / 1_000, (y % 1_000) / 100),
        _ => format!("¥{y}"),
    }
}

/// What a resident's lookup of a typed tracking code finds in the snapshot's requests
/// section (which holds salted keys, never codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// Nothing typed.
    Empty,
    /// Not a tracking code (length, a character, or the check symbol).
    Invalid,
    /// A valid code that this publication does not list (e.g. received after it).
    NotFound,
    /// The entry's index.
    Found(usize),
}

/// Looks `typed` up: normalised and hashed with the section's salt by
/// [`linli_domain::snapshot::request_key`], the same function the snapshot was built with.
pub fn lookup(section: &linli_domain::snapshot::RequestsPublic, typed: &str) -> Lookup {
    if typed.trim().is_empty() {
        return Lookup::Empty;
    }
    if linli_domain::requests::tracking::TrackingCode::parse(typed).is_err() {
        return Lookup::Invalid;
    }
    match linli_domain::snapshot::request_key(&section.salt, typed) {
        Some(key) => section
            .entries
            .binary_search_by(|e| e.key.as_str().cmp(&key))
            .map_or(Lookup::NotFound, Lookup::Found),
        None => Lookup::NotFound,
    }
}

/// A tracking code as typed → its canonical form (upper case; spaces and hyphens
/// dropped; Crockford's I/L → 1, O → 0).
pub fn normalize_code(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'I' | 'L' => '1',
            'O' => '0',
            c => c,
        })
        .collect()
}

/// Today's day count (since 1970-01-01) in China Standard Time, from ms since the epoch.
pub fn cst_day(ms: f64) -> i64 {
    ((ms as i64) + 8 * 3_600_000).div_euclid(86_400_000)
}

/// `YYYY-MM-DD` → day count.
pub fn day_of(s: &str) -> Option<i64> {
    let mut it = s.split('-');
    let y: i64 = it.next()?.parse().ok()?;
    let m: u32 = it.next()?.parse().ok()?;
    let d: u32 = it.next()?.parse().ok()?;
    Some(linli_domain::date::days_from_civil(y, m, d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_finds_a_request_by_its_typed_code_only() {
        use linli_domain::requests::tracking::TrackingCode;
        let d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig {
            households: 80,
            ..Default::default()
        });
        let s =
            linli_domain::snapshot::build(&d, &linli_domain::snapshot::BuildOptions::at(1_790_000_000_000))
                .unwrap();
        let r = &d.requests[3];
        let typed = TrackingCode::parse(&r.tracking_code)
            .unwrap()
            .display()
            .to_lowercase()
            .replace('0', "o");
        let Lookup::Found(i) = lookup(&s.requests, &typed) else {
            panic!("not found: {typed}")
        };
        assert_eq!(s.requests.entries[i].status, r.status.code());
        assert_eq!(lookup(&s.requests, "  "), Lookup::Empty);
        assert_eq!(lookup(&s.requests, "ZZZZ-ZZZZ"), Lookup::Invalid);
        // A valid code that is not in the register.
        let other = TrackingCode::from_random([9; 10]);
        assert!(d.requests.iter().all(|q| q.tracking_code != other.as_str()));
        assert_eq!(lookup(&s.requests, other.as_str()), Lookup::NotFound);
        // An older layout read for its seal: no section, nothing found.
        let empty = linli_domain::snapshot::RequestsPublic::default();
        assert_eq!(lookup(&empty, &r.tracking_code), Lookup::NotFound);
    }

    #[test]
    fn codes_are_normalised_as_crockford_reads_them() {
        assert_eq!(normalize_code(" ab-cd io l "), "ABCD101");
    }

    #[test]
    fn percentages_and_money() {
        assert_eq!(pct(1234), "12.34%");
        assert_eq!(pct(-5), "-0.05%");
        assert_eq!(yuan(12_345_678), "¥123,456.78");
    }

    #[test]
    fn every_decode_error_has_a_message() {
        for e in [
            DecodeError::Empty,
            DecodeError::Malformed("x".into()),
            DecodeError::Foreign("x".into()),
            DecodeError::Newer { found: 9 },
            DecodeError::HashMismatch {
                recorded: "a".into(),
                computed: "b".into(),
            },
            DecodeError::Content("x".into()),
        ] {
            let code = e.code();
            let (title, text) = LoadError::Decode(e).message(Lang::Zh);
            assert!(!title.is_empty() && text.contains(code));
        }
    }
}
