//! The signed folder: written by `snapshot::prepare` from the `publishing_key` setting and
//! checked by `publish::verify_signatures`.

use std::collections::BTreeMap;

use super::*;
use crate::demo::{generate, DemoConfig};
use crate::model::Setting;
use crate::snapshot::prepare::{prepare, PrepareError, PrepareOptions};
use crate::snapshot::publish::{
    self, checkpoint_path, verify_folder, verify_signatures, FolderError, Signed,
};

const NOW: i64 = 1_795_492_800_000;

fn demo(key: Option<[u8; 32]>) -> crate::dataset::Dataset {
    let mut d = generate(&DemoConfig {
        seed: 7,
        households: 300,
        year: 2026,
    });
    if let Some(seed) = key {
        d.settings.push(Setting {
            key: PUBLISHING_KEY_SETTING.to_owned(),
            value: format!("\"{}\"", seed_to_hex(&seed)),
        });
    }
    d
}

fn opts(at: i64) -> PrepareOptions {
    PrepareOptions {
        at,
        period: None,
        url: Some("https://example.org/a/".to_owned()),
    }
}

/// Two publications into one folder.
fn two(d: &crate::dataset::Dataset) -> BTreeMap<String, Vec<u8>> {
    let first = prepare(d, &[] as &[Vec<u8>], &opts(NOW)).unwrap();
    let second = prepare(d, std::slice::from_ref(&first.text), &opts(NOW + 3_600_000)).unwrap();
    let mut dir = BTreeMap::new();
    for f in first.files.into_iter().chain(second.files) {
        dir.insert(f.path, f.bytes);
    }
    dir
}

#[test]
fn a_keyed_publication_is_signed_and_verifies() {
    let d = demo(Some([11; 32]));
    let dir = two(&d);
    let read = |p: &str| dir.get(p).cloned();
    let chain = verify_folder(read).unwrap();
    let Signed::Signed {
        key,
        cosignatures,
        witnessed,
    } = verify_signatures(read, &chain, None, &[]).unwrap()
    else {
        panic!("not signed");
    };
    let origin = origin("Linli Demo Community, Hangzhou", "");
    let expected = SigningKey::new(&origin, [11; 32]).unwrap().verifier();
    assert_eq!(*key, expected);
    assert!(cosignatures.is_empty() && witnessed.is_empty());
    // The head checkpoint says sequence 2 and the head hash, signed by the origin.
    let head = String::from_utf8(dir[publish::CHECKPOINT_PATH].clone()).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD;
    let hash = super::seed_from_hex(&chain[1].sha256).unwrap();
    assert!(
        head.starts_with(&format!(
            "{origin}\n2\n{}\n\n\u{2014} {origin} ",
            base64::Engine::encode(&b64, hash)
        )),
        "{head}"
    );
    assert_eq!(
        dir[&checkpoint_path(2, &chain[1].sha256)],
        dir[publish::CHECKPOINT_PATH]
    );
    assert!(dir.contains_key(&checkpoint_path(1, &chain[0].sha256)));
    assert_eq!(
        String::from_utf8(dir[publish::VKEY_PATH].clone()).unwrap(),
        format!("{expected}\n")
    );
    // The notice prints the fingerprint and its QR code carries the head.
    let notice = String::from_utf8(dir[publish::NOTICE_PATH].clone()).unwrap();
    assert!(notice.contains(&expected.fingerprint()));
    assert_eq!(
        publish::head_url("https://example.org/a/#x", 2, &chain[1].sha256),
        format!("https://example.org/a/#head=2-{}", chain[1].sha256)
    );
    // The expected key passes; another one is refused, naming both fingerprints.
    assert!(verify_signatures(read, &chain, Some(&expected), &[]).is_ok());
    let other = SigningKey::new(&origin, [12; 32]).unwrap().verifier();
    let errs = verify_signatures(read, &chain, Some(&other), &[]).unwrap_err();
    assert!(errs[0].to_string().contains(&other.fingerprint()), "{errs:?}");
    // Deterministic: the same data, history and time give the same bytes.
    assert_eq!(two(&d), dir);
}

fn linli_domain_file_decode(b: &[u8]) -> crate::snapshot::Content {
    crate::snapshot::file::decode(b).unwrap().content
}

#[test]
fn the_signature_does_not_change_the_snapshot() {
    let signed = two(&demo(Some([11; 32])));
    let unsigned = two(&demo(None));
    // The key is a setting, not published: the published figures and texts are the same.
    // (Since the free-text commitments, #15 item 3, the key also keys the secret salts of
    // the text commitments, so the hashed content differs by its commitments and salts:
    // compared here with those set aside.)
    let open = |dir: &std::collections::BTreeMap<String, Vec<u8>>| {
        let mut c = linli_domain_file_decode(&dir[publish::SNAPSHOT_PATH]);
        c.texts = Default::default();
        c.previous_sha256 = None;
        c.requests = Default::default();
        c.requests_sha256 = String::new();
        c.texts_sha256 = String::new();
        c
    };
    assert!(open(&signed) == open(&unsigned), "the same published content");
    assert!(!unsigned.contains_key(publish::CHECKPOINT_PATH) && !unsigned.contains_key(publish::VKEY_PATH));
    let read = |p: &str| unsigned.get(p).cloned();
    let chain = verify_folder(read).unwrap();
    assert_eq!(verify_signatures(read, &chain, None, &[]), Ok(Signed::NotSigned));
    // Asked for a key, an unsigned folder fails.
    let k = SigningKey::new("linli/x", [1; 32]).unwrap().verifier();
    assert!(verify_signatures(read, &chain, Some(&k), &[]).is_err());
    let notice = String::from_utf8(unsigned[publish::NOTICE_PATH].clone()).unwrap();
    assert!(notice.contains("未签名"));
}

#[test]
fn tampered_or_missing_signatures_are_refused() {
    let dir = two(&demo(Some([11; 32])));
    let chain = verify_folder(|p: &str| dir.get(p).cloned()).unwrap();
    // One byte of the head's signature changed.
    let mut bad = dir.clone();
    let head = bad.get_mut(publish::CHECKPOINT_PATH).unwrap();
    let n = head.len();
    head[n - 5] = if head[n - 5] == b'A' { b'B' } else { b'A' };
    let errs = verify_signatures(|p: &str| bad.get(p).cloned(), &chain, None, &[]).unwrap_err();
    assert!(
        matches!(&errs[0], FolderError::Signature { path, .. } if path == publish::CHECKPOINT_PATH),
        "{errs:?}"
    );
    // The first snapshot's checkpoint replaced by the second's: refused as the wrong head.
    let mut bad = dir.clone();
    bad.insert(
        checkpoint_path(1, &chain[0].sha256),
        dir[publish::CHECKPOINT_PATH].clone(),
    );
    let errs = verify_signatures(|p: &str| bad.get(p).cloned(), &chain, None, &[]).unwrap_err();
    assert!(errs[0].to_string().contains("not snapshot 1"), "{errs:?}");
    // The key file removed while the checkpoint stays.
    let mut bad = dir.clone();
    bad.remove(publish::VKEY_PATH);
    assert!(verify_signatures(|p: &str| bad.get(p).cloned(), &chain, None, &[]).is_err());
    // A witness required but absent.
    let w = SigningKey::cosigner("street.example/w", [3; 32])
        .unwrap()
        .verifier();
    let errs = verify_signatures(|p: &str| dir.get(p).cloned(), &chain, None, &[w]).unwrap_err();
    assert!(errs[0].to_string().contains("witness"), "{errs:?}");
}

#[test]
fn a_missing_history_index_is_not_verifiable() {
    let dir = two(&demo(None));
    let mut bad = dir.clone();
    bad.remove(publish::INDEX_PATH);
    let errs = verify_folder(|p: &str| bad.get(p).cloned()).unwrap_err();
    assert_eq!(errs, vec![FolderError::NotVerifiable { sequence: 2 }]);
    assert!(errs[0].to_string().contains("not verifiable"));
}

#[test]
fn a_bad_key_setting_stops_the_publication() {
    let mut d = demo(None);
    d.settings.push(Setting {
        key: PUBLISHING_KEY_SETTING.to_owned(),
        value: "\"not hex\"".to_owned(),
    });
    let e = prepare(&d, &[] as &[Vec<u8>], &opts(NOW)).unwrap_err();
    assert_eq!(e, PrepareError::Key(KeyError::Seed));
}
