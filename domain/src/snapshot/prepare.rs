//! Preparing a publication: the one function the workspace (Publish) and `linli publish`
//! both call, so the same data, history and time give the same snapshot and files.
//!
//! [`prepare`] checks the published history, builds the next snapshot after it, checks
//! the privacy rules and the dashboard address, and returns the snapshot with every file
//! of the published folder ([`publish::folder`]). Nothing is written by it: the caller
//! stores or writes the result only when it is `Ok`, so an error leaves everything as it
//! was. [`next_snapshot`] is its first half (no address, no files), for the workspace's
//! preview.

use super::file::{self, ChainError};
use super::freetext;
use super::privacy::{self, Violation};
use super::publish::{self, check_dashboard_url, OutFile};
use super::{build, BuildOptions, Content, SnapshotError};
use crate::dataset::Dataset;
use crate::order::SortDyn;

/// The setting with the dashboard's public address (a JSON string): the workspace saves
/// it when publishing, and `linli publish` falls back to it without `--url`.
pub const PUBLIC_URL_KEY: &str = "public_url";

/// The dashboard address stored in `d`'s settings ([`PUBLIC_URL_KEY`]), if any.
pub fn public_url(d: &Dataset) -> Option<String> {
    d.settings
        .iter()
        .find(|s| s.key == PUBLIC_URL_KEY)
        .and_then(|s| serde_json::from_str::<String>(&s.value).ok())
}

/// The snapshots `d` itself published (its `snapshots` records' files, by id, oldest
/// first): the history a publication from the workspace follows.
pub fn stored_history(d: &Dataset) -> Vec<Vec<u8>> {
    let mut recs: Vec<_> = d.snapshots.iter().collect();
    recs.sort_by_key_dyn(|r| r.id);
    recs.into_iter().map(|r| r.json.clone().into_bytes()).collect()
}

/// When and what to publish.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrepareOptions {
    /// Publication time, ms since the Unix epoch.
    pub at: i64,
    /// The allocation period (`YYYY-Qn`); `None`: the latest with resources.
    pub period: Option<String>,
    /// The dashboard's address for the notice's QR code. `None` or blank: no code.
    pub url: Option<String>,
}

/// A prepared publication: the snapshot and the files of the published folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    pub content: Content,
    /// The snapshot file's text (`snapshot.json`).
    pub text: String,
    /// Its hash.
    pub sha256: String,
    /// How many snapshots were published before it.
    pub published_before: usize,
    /// Every file of the folder besides the dashboard's own ([`publish::folder`]).
    pub files: Vec<OutFile>,
}

/// Why nothing can be published. Each caller words it for its reader; the `Display`
/// texts are the workspace's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrepareError {
    /// The earlier snapshots do not verify.
    #[error("published history: {0}")]
    History(ChainError),
    /// The snapshot cannot be built.
    #[error("{0}")]
    Build(#[from] SnapshotError),
    /// The snapshot breaks privacy rules (every violation).
    #[error("privacy: {}", join(.0))]
    Privacy(Vec<Violation>),
    /// Free text holds personal data of the register or looks like a phone or identity
    /// number ([`freetext::gate`]): every field and kind, never the value.
    #[error("free text: {}", join_hits(.0))]
    FreeText(Vec<freetext::Hit>),
    /// The dashboard address is not empty nor an absolute http(s) address.
    #[error("`{0}` is not an absolute http(s) address")]
    Url(String),
    /// The folder's files cannot be made (the snapshot does not follow the history).
    #[error("{0}")]
    Folder(ChainError),
    /// The `publishing_key` setting is not a valid key (see [`crate::signing`]).
    #[error("publishing key: {0}")]
    Key(crate::signing::KeyError),
}

fn join_hits(v: &[freetext::Hit]) -> String {
    v.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

fn join(v: &[Violation]) -> String {
    v.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

/// The next snapshot of `d` after `history` (snapshot files, oldest first), checked
/// against the privacy rules, alone and against the previous snapshot
/// ([`privacy::check_pair`]), and its free text against the register
/// ([`freetext::gate`]).
///
/// # Errors
///
/// [`PrepareError::History`], [`PrepareError::Build`], [`PrepareError::Privacy`] or
/// [`PrepareError::FreeText`].
pub fn next_snapshot<B: AsRef<[u8]>>(
    d: &Dataset,
    history: &[B],
    at: i64,
    period: Option<String>,
) -> Result<Content, PrepareError> {
    let chain = file::verify_chain(history).map_err(PrepareError::History)?;
    let mut opts = BuildOptions::at(at);
    opts.period = period;
    opts.previous = chain.last().map(|s| (s.content.sequence, s.sha256.clone()));
    // Rounding steps never get finer within a period (`super::disclosure::steps_of`).
    opts.steps_at_least = chain
        .last()
        .filter(|s| s.full)
        .and_then(|s| super::disclosure::steps_of(&s.content));
    let content = build(d, &opts)?;
    // Free text against the register first (names, rooms, phones, identity numbers): its
    // refusal names the field as the guide knows it.
    let hits = freetext::gate(d, &content);
    if !hits.is_empty() {
        return Err(PrepareError::FreeText(hits));
    }
    let mut violations = privacy::check(&content);
    // Against the previous snapshot too (an older layout is read for its seal only).
    if let Some(prev) = chain.last().filter(|s| s.full) {
        violations.extend(privacy::check_pair(&prev.content, &content));
    }
    if violations.is_empty() {
        Ok(content)
    } else {
        Err(PrepareError::Privacy(violations))
    }
}

/// Prepares the publication of `d` after `history` (the snapshot files published
/// before, oldest first): the next snapshot and every file of the published folder.
///
/// # Errors
///
/// [`PrepareError`]: a history that does not verify, a snapshot that cannot be built or
/// breaks a privacy rule, an address that is not empty nor absolute http(s).
///
/// # Examples
///
/// ```
/// use linli_domain::snapshot::prepare::{prepare, PrepareOptions};
/// let d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig {
///     households: 300,
///     ..Default::default()
/// });
/// let opts = PrepareOptions { at: 1_795_492_800_000, ..Default::default() };
/// let first = prepare(&d, &[] as &[Vec<u8>], &opts).unwrap();
/// assert_eq!(first.content.sequence, 1);
/// let second = prepare(&d, &[first.text.clone()], &opts).unwrap();
/// assert_eq!(second.content.previous_sha256.as_deref(), Some(first.sha256.as_str()));
/// ```
pub fn prepare<B: AsRef<[u8]>>(
    d: &Dataset,
    history: &[B],
    opts: &PrepareOptions,
) -> Result<Publication, PrepareError> {
    let content = next_snapshot(d, history, opts.at, opts.period.clone())?;
    if let Some(u) = &opts.url {
        if check_dashboard_url(u).is_err() {
            return Err(PrepareError::Url(u.clone()));
        }
    }
    let url = opts.url.as_deref().filter(|u| !u.trim().is_empty());
    // Signed when the dataset holds a publishing key, named after the community's origin.
    let origin = crate::signing::origin(&content.community.name_en, &content.community.name_zh);
    let key = crate::signing::publishing_key(d, &origin).map_err(PrepareError::Key)?;
    let files = publish::folder_signed(history, &content, url, key.as_ref()).map_err(PrepareError::Folder)?;
    let (text, sha256) = file::encode(&content);
    Ok(Publication {
        content,
        text,
        sha256,
        published_before: history.len(),
        files,
    })
}

/// The publication of what `d` has already published (its stored history, the last
/// snapshot the head), its files as they are stored: the folder offered again after a
/// redaction ([`super::freetext::redact_history`]), signed as [`prepare`] signs.
///
/// # Errors
///
/// [`PrepareError::History`] (nothing published, or a history that does not verify),
/// [`PrepareError::Key`].
pub fn republish(d: &Dataset) -> Result<Publication, PrepareError> {
    let history = stored_history(d);
    let chain = file::verify_chain(&history).map_err(PrepareError::History)?;
    let Some(head) = chain.last() else {
        return Err(PrepareError::History(ChainError::MissingStart {
            index: 0,
            sequence: 0,
        }));
    };
    let content = head.content.clone();
    let origin = crate::signing::origin(&content.community.name_en, &content.community.name_zh);
    let key = crate::signing::publishing_key(d, &origin).map_err(PrepareError::Key)?;
    let url = public_url(d).filter(|u| !u.trim().is_empty() && check_dashboard_url(u).is_ok());
    let files =
        publish::folder_of_history(&history, url.as_deref(), key.as_ref()).map_err(PrepareError::Folder)?;
    Ok(Publication {
        text: String::from_utf8_lossy(history.last().map_or(&[][..], Vec::as_slice)).into_owned(),
        sha256: head.sha256.clone(),
        published_before: history.len() - 1,
        content,
        files,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{generate, DemoConfig};
    use crate::model::{Setting, SnapshotRecord};

    /// 2026-11-24 12:00 China time.
    const NOW: i64 = 1_795_492_800_000;

    fn demo() -> Dataset {
        generate(&DemoConfig {
            seed: 7,
            households: 300,
            year: 2026,
        })
    }

    fn opts(at: i64, url: Option<&str>) -> PrepareOptions {
        PrepareOptions {
            at,
            period: None,
            url: url.map(str::to_owned),
        }
    }

    fn file<'a>(p: &'a Publication, path: &str) -> &'a [u8] {
        &p.files.iter().find(|f| f.path == path).unwrap().bytes
    }

    #[test]
    fn first_publication_is_the_built_snapshot_with_its_folder() {
        let d = demo();
        let p = prepare(&d, &[] as &[Vec<u8>], &opts(NOW, Some("https://example.org/a/"))).unwrap();
        let built = build(&d, &BuildOptions::at(NOW)).unwrap();
        assert_eq!(p.content, built);
        assert_eq!((p.text.clone(), p.sha256.clone()), file::encode(&built));
        assert_eq!(p.published_before, 0);
        // `snapshot.json` is the file without its requests section, which is
        // `requests.json`; the history keeps the whole file.
        let (head, requests) = file::split_requests(p.text.as_bytes()).unwrap();
        assert_eq!(file(&p, publish::SNAPSHOT_PATH), head.as_slice());
        assert_eq!(file(&p, publish::REQUESTS_PATH), requests.as_slice());
        assert!(p
            .files
            .iter()
            .any(|f| f.path.starts_with("snapshots/0") && f.bytes == p.text.as_bytes()));
        assert!(head.len() + requests.len() < p.text.len());
        assert_eq!(file::decode(&head).unwrap().sha256, p.sha256);
        let notice = String::from_utf8(file(&p, publish::NOTICE_PATH).to_vec()).unwrap();
        assert!(notice.contains(&p.sha256) && notice.contains("<svg"));
        // The folder verifies on its own.
        let chain =
            publish::verify_folder(|path| p.files.iter().find(|f| f.path == path).map(|f| f.bytes.clone()))
                .unwrap();
        assert_eq!(chain.len(), 1);
    }

    #[test]
    fn a_publication_follows_the_history_and_is_deterministic() {
        let d = demo();
        let first = prepare(&d, &[] as &[Vec<u8>], &opts(NOW, None)).unwrap();
        let history = vec![first.text.clone().into_bytes()];
        let second = prepare(&d, &history, &opts(NOW + 3_600_000, None)).unwrap();
        assert_eq!(second.content.sequence, 2);
        assert_eq!(
            second.content.previous_sha256.as_deref(),
            Some(first.sha256.as_str())
        );
        assert_eq!(second.published_before, 1);
        assert_eq!(
            prepare(&d, &history, &opts(NOW + 3_600_000, None)).unwrap(),
            second
        );
        assert_eq!(
            next_snapshot(&d, &history, NOW + 3_600_000, None).unwrap(),
            second.content
        );
        // The history as the workspace stores it gives the same result.
        let mut stored = d.clone();
        stored.snapshots.push(SnapshotRecord {
            id: 1,
            published_at: NOW,
            sha256: first.sha256.clone(),
            previous_sha256: None,
            json: first.text.clone(),
        });
        assert_eq!(stored_history(&stored), history);
    }

    #[test]
    fn errors_say_why_and_nothing_is_made() {
        let d = demo();
        let first = prepare(&d, &[] as &[Vec<u8>], &opts(NOW, None)).unwrap();
        let tampered = first.text.replacen("\"budget_fen\":", "\"budget_fen\":1", 1);
        let e = prepare(&d, &[tampered], &opts(NOW, None)).unwrap_err();
        assert!(matches!(e, PrepareError::History(_)), "{e}");
        assert!(e.to_string().starts_with("published history: "), "{e}");

        let e = prepare(&d, &[] as &[Vec<u8>], &opts(NOW, Some("example.org"))).unwrap_err();
        assert_eq!(e, PrepareError::Url("example.org".to_owned()));

        // A history that starts in the middle.
        let second = prepare(&d, std::slice::from_ref(&first.text), &opts(NOW, None)).unwrap();
        let e = next_snapshot(&d, &[second.text], NOW, None).unwrap_err();
        assert!(
            matches!(e, PrepareError::History(ChainError::MissingStart { .. })),
            "{e}"
        );
    }

    #[test]
    fn a_blank_address_means_no_qr_code() {
        let d = demo();
        let blank = prepare(&d, &[] as &[Vec<u8>], &opts(NOW, Some("  "))).unwrap();
        let none = prepare(&d, &[] as &[Vec<u8>], &opts(NOW, None)).unwrap();
        assert_eq!(blank, none);
    }

    #[test]
    fn the_stored_address_is_read_from_the_settings() {
        let mut d = demo();
        d.settings.retain(|s| s.key != PUBLIC_URL_KEY);
        assert_eq!(public_url(&d), None);
        d.settings.push(Setting {
            key: PUBLIC_URL_KEY.to_owned(),
            value: "\"https://example.org/a/\"".to_owned(),
        });
        assert_eq!(public_url(&d).as_deref(), Some("https://example.org/a/"));
    }
}
