use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use proptest::prelude::*;

use super::checkpoint::{self, claimed_cosignatures, cosign, cosigned_message, verify_cosignature};
use super::witness::{check_extension, Refusal, WitnessLog};
use super::*;

/// Go's golang.org/x/mod/sumdb/note test key (`PRIVATE+KEY+PeterNeumann+c74f20a3+…`):
/// the base64 is the type byte 0x01 then the 32-byte seed.
fn peter() -> SigningKey {
    let raw = STANDARD
        .decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")
        .unwrap();
    assert_eq!(raw[0], ED25519);
    SigningKey::new("PeterNeumann", raw[1..].try_into().unwrap()).unwrap()
}

const PETER_TEXT: &str =
    "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_NOTE: &str = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n\n\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

#[test]
fn known_answer_go_sumdb_note_vector() {
    let key = peter();
    assert_eq!(
        key.verifier().to_string(),
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    );
    assert_eq!(key.key_id(), 0xc74f_20a3);
    let mut n = Note::new(PETER_TEXT).unwrap();
    n.sign(&key).unwrap();
    assert_eq!(n.encode(), PETER_NOTE);
    // Read back and verified with the published vkey alone.
    let vkey =
        VerifierKey::parse("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").unwrap();
    let read = Note::parse(PETER_NOTE.as_bytes()).unwrap();
    assert_eq!(read, n);
    assert_eq!(read.verify(&vkey), Ok(()));
}

#[test]
fn known_answer_c2sp_signed_note_example() {
    let vkey =
        VerifierKey::parse("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k").unwrap();
    let note = "This is an example message.\n\n\u{2014} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";
    let n = Note::parse(note.as_bytes()).unwrap();
    assert_eq!(n.verify(&vkey), Ok(()));
    assert_eq!(n.encode(), note);
    // Another key of the same name is a different key: not signed by it.
    let other = SigningKey::new("example.com/foo", [3; 32]).unwrap().verifier();
    assert!(matches!(n.verify(&other), Err(NoteError::NotSigned(_))));
}

#[test]
fn a_forged_line_with_the_right_name_and_id_is_refused() {
    let mut n = Note::parse(PETER_NOTE.as_bytes()).unwrap();
    let mut sig = n.signatures()[0].clone();
    sig.signature[10] ^= 1;
    n.add_signature(sig);
    assert_eq!(n.signatures().len(), 1);
    assert!(matches!(
        n.verify(&peter().verifier()),
        Err(NoteError::BadSignature(_))
    ));
}

#[test]
fn malformed_notes_are_refused() {
    for bad in [
        "",
        "no newline",
        "text\n",                                    // no signature block
        "text\n\n",                                  // no signature line
        "text\n\n- PeterNeumann AAAAAAA=\n",         // not an em dash
        "text\n\n\u{2014} PeterNeumann AAAA\n",      // under 5 bytes
        "text\n\n\u{2014} Peter+Neumann AAAAAAA=\n", // `+` in a name
        "te\u{7}xt\n\n\u{2014} PeterNeumann AAAAAAA=\n",
        "text\n\n\u{2014} PeterNeumann AAAAAAA=", // no final newline
    ] {
        assert!(Note::parse(bad.as_bytes()).is_err(), "{bad:?}");
    }
    assert!(Note::parse(&vec![b'a'; note::MAX_NOTE_BYTES + 1]).is_err());
    assert!(Note::new("no newline").is_err());
}

#[test]
fn vkeys_are_checked() {
    let good = peter().verifier().to_string();
    assert_eq!(
        VerifierKey::parse(&format!("  {good}\n")).unwrap().to_string(),
        good
    );
    assert!(matches!(
        VerifierKey::parse(&good.replace("c74f20a3", "c74f20a4")),
        Err(KeyError::KeyId { .. })
    ));
    assert!(VerifierKey::parse(&good.replace("c74f20a3", "C74F20A3")).is_err());
    assert!(VerifierKey::parse("PeterNeumann+c74f20a3").is_err());
    // Type 0x02 (ECDSA) is not read.
    let mut material = vec![0x02];
    material.extend_from_slice(peter().verifier().public_key());
    assert_eq!(
        VerifierKey::parse(&format!("PeterNeumann+c74f20a3+{}", STANDARD.encode(material))),
        Err(KeyError::Type(2))
    );
    assert_eq!(seed_from_hex("zz"), Err(KeyError::Seed));
    assert_eq!(seed_from_hex(&seed_to_hex(&[0xab; 32])), Ok([0xab; 32]));
}

#[test]
fn checkpoint_body_and_errors() {
    let cp = Checkpoint::of_snapshot("linli/x", 12, &"0f".repeat(32)).unwrap();
    assert_eq!(
        cp.body(),
        format!("linli/x\n12\n{}\n", STANDARD.encode([0x0f; 32]))
    );
    assert_eq!(Checkpoint::parse(&cp.body()), Ok(cp.clone()));
    assert_eq!(cp.hash_hex(), "0f".repeat(32));
    assert_eq!(
        Checkpoint::parse("linli/x\n012\nAA==\n"),
        Err(CheckpointError::Size)
    );
    assert_eq!(
        Checkpoint::parse("linli/x\n12\nAA==\n"),
        Err(CheckpointError::Hash)
    );
    assert_eq!(
        Checkpoint::parse("linli x\n12\nAA==\n"),
        Err(CheckpointError::Origin)
    );
    assert_eq!(
        Checkpoint::parse(&format!("{}ext\n", cp.body())),
        Err(CheckpointError::Lines)
    );
    assert!(Checkpoint::of_snapshot("linli/x", 1, "xyz").is_none());
}

#[test]
fn opening_a_checkpoint_checks_the_origin() {
    let key = SigningKey::new("linli/a", [1; 32]).unwrap();
    let cp = Checkpoint::of_snapshot("linli/b", 1, &"00".repeat(32)).unwrap();
    let note = cp.sign(&key).unwrap();
    assert!(matches!(
        checkpoint::open(note.encode().as_bytes(), &key.verifier()),
        Err(OpenError::Origin { .. })
    ));
}

#[test]
fn cosignature_layout_follows_the_spec() {
    let key = SigningKey::new("linli/a", [1; 32]).unwrap();
    let note = Checkpoint::of_snapshot("linli/a", 4, &"11".repeat(32))
        .unwrap()
        .sign(&key)
        .unwrap();
    let w = SigningKey::cosigner("street.example/w1", [9; 32]).unwrap();
    // Key ID over type 0x04, not 0x01.
    assert_eq!(
        w.key_id(),
        key_id("street.example/w1", 0x04, w.verifier().public_key())
    );
    assert_ne!(
        w.key_id(),
        SigningKey::new("street.example/w1", [9; 32]).unwrap().key_id()
    );
    let line = cosign(&note, &w, 1_679_315_147).unwrap();
    assert_eq!(line.signature.len(), 72);
    assert_eq!(&line.signature[..8], &1_679_315_147u64.to_be_bytes());
    // The signature is over the header, the time line and the body.
    let msg = cosigned_message(note.text(), 1_679_315_147);
    assert_eq!(msg, format!("cosignature/v1\ntime 1679315147\n{}", note.text()));
    let vk = w.verifier();
    assert!(vk.verify_raw(msg.as_bytes(), &line.signature[8..]));
    let mut cosigned = note.clone();
    cosigned.add_signature(line);
    // The publisher's signature still verifies, and the cosignature is read back.
    let reread = Note::parse(cosigned.encode().as_bytes()).unwrap();
    assert_eq!(reread.verify(&key.verifier()), Ok(()));
    assert_eq!(verify_cosignature(&reread, &vk), Ok(1_679_315_147));
    let claimed = claimed_cosignatures(&reread, "linli/a");
    assert_eq!(claimed.len(), 1);
    assert_eq!(
        (claimed[0].name.as_str(), claimed[0].timestamp),
        ("street.example/w1", 1_679_315_147)
    );
    // A cosigning key cannot sign notes, and a note key cannot cosign.
    assert!(cosign(&note, &key, 1).is_err());
    assert!(Note::new("x\n").unwrap().sign(&w).is_err());
    // A changed timestamp breaks the cosignature.
    let mut bad = reread.clone();
    let mut l = bad.signatures()[1].clone();
    l.signature[7] ^= 1;
    bad.add_signature(l);
    assert!(matches!(
        verify_cosignature(&bad, &vk),
        Err(NoteError::BadSignature(_))
    ));
}

#[test]
fn witness_refusals() {
    let chain =
        |n: u64, tag: &str| -> Vec<(u64, String)> { (1..=n).map(|i| (i, format!("{tag}{i}"))).collect() };
    let mut log = WitnessLog::new("linli/x", "K");
    assert_eq!(check_extension(&log, "K", &chain(3, "a")), Ok(()));
    log.record(3, "a3", 10);
    log.record(3, "a3", 11);
    assert_eq!(log.heads.len(), 1);
    assert_eq!(log.newest().unwrap().cosigned_at, 11);
    assert_eq!(check_extension(&log, "K", &chain(3, "a")), Ok(()));
    assert_eq!(check_extension(&log, "K", &chain(5, "a")), Ok(()));
    assert!(matches!(
        check_extension(&log, "L", &chain(5, "a")),
        Err(Refusal::KeyChanged { .. })
    ));
    assert_eq!(
        check_extension(&log, "K", &chain(2, "a")),
        Err(Refusal::Rollback { stored: 3, found: 2 })
    );
    assert!(matches!(
        check_extension(&log, "K", &chain(3, "b")),
        Err(Refusal::Rewritten { sequence: 3, .. })
    ));
    assert!(matches!(
        check_extension(&log, "K", &chain(4, "b")),
        Err(Refusal::Fork { sequence: 3, .. })
    ));
    assert_eq!(check_extension(&log, "K", &[]), Err(Refusal::Missing(3)));
}

#[test]
fn the_key_setting_is_read() {
    use crate::model::Setting;
    let mut d = crate::dataset::Dataset::default();
    assert!(publishing_key(&d, "linli/x").unwrap().is_none());
    d.settings.push(Setting {
        key: PUBLISHING_KEY_SETTING.to_owned(),
        value: format!("\"{}\"", seed_to_hex(&[4; 32])),
    });
    let k = publishing_key(&d, "linli/x").unwrap().unwrap();
    assert_eq!(
        k.verifier(),
        SigningKey::new("linli/x", [4; 32]).unwrap().verifier()
    );
    d.settings[0].value = "\"abc\"".to_owned();
    assert_eq!(publishing_key(&d, "linli/x").unwrap_err(), KeyError::Seed);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn sign_verify_round_trip_and_tamper(seed in any::<[u8; 32]>(), other in any::<[u8; 32]>(),
                                         lines in proptest::collection::vec("[a-zA-Z0-9 /.,]{1,40}", 1..5),
                                         flip in any::<prop::sample::Index>()) {
        let text = lines.join("\n") + "\n";
        let key = SigningKey::new("linli/p", seed).unwrap();
        let mut n = Note::new(&text).unwrap();
        n.sign(&key).unwrap();
        let encoded = n.encode();
        let read = Note::parse(encoded.as_bytes()).unwrap();
        prop_assert_eq!(&read, &n);
        prop_assert_eq!(read.verify(&key.verifier()), Ok(()));
        // Same seed, same bytes (deterministic).
        let mut again = Note::new(&text).unwrap();
        again.sign(&key).unwrap();
        prop_assert_eq!(again.encode(), encoded.clone());
        // A wrong key of the same name: not signed by it.
        if other != seed {
            let wrong = SigningKey::new("linli/p", other).unwrap().verifier();
            prop_assert!(read.verify(&wrong).is_err());
        }
        // One changed byte of the text: refused (malformed, or bad signature).
        let mut bytes = encoded.into_bytes();
        let i = flip.index(text.len());
        bytes[i] ^= 0x01;
        match Note::parse(&bytes) {
            Err(_) => {}
            Ok(t) => prop_assert!(t.verify(&key.verifier()).is_err()),
        }
    }

    #[test]
    fn checkpoints_round_trip(seed in any::<[u8; 32]>(), size in any::<u64>(), hash in any::<[u8; 32]>(),
                              ts in 0u64..=i64::MAX as u64, wseed in any::<[u8; 32]>()) {
        let key = SigningKey::new("linli/p", seed).unwrap();
        let cp = Checkpoint { origin: "linli/p".to_owned(), size, hash };
        let note = cp.sign(&key).unwrap();
        let (back, _) = checkpoint::open(note.encode().as_bytes(), &key.verifier()).unwrap();
        prop_assert_eq!(&back, &cp);
        let w = SigningKey::cosigner("w.example/1", wseed).unwrap();
        let mut cosigned = note.clone();
        cosigned.add_signature(cosign(&note, &w, ts).unwrap());
        let read = Note::parse(cosigned.encode().as_bytes()).unwrap();
        prop_assert_eq!(verify_cosignature(&read, &w.verifier()), Ok(ts));
        prop_assert!(read.verify(&key.verifier()).is_ok());
        // A cosignature over another size does not verify on this one.
        let other = Checkpoint { size: size.wrapping_add(1), ..cp };
        let mut moved = other.sign(&key).unwrap();
        moved.add_signature(read.signatures()[1].clone());
        prop_assert!(verify_cosignature(&moved, &w.verifier()).is_err());
    }

    #[test]
    fn origins_are_key_names(en in "\\PC{0,60}", zh in "\\PC{0,20}") {
        let o = origin(&en, &zh);
        prop_assert!(valid_key_name(&o));
        prop_assert!(o.starts_with("linli/"));
        let cp = Checkpoint { origin: o.clone(), size: 1, hash: [0; 32] };
        prop_assert_eq!(Checkpoint::parse(&cp.body()), Ok(cp));
    }
}

#[test]
fn private_key_text_matches_go() {
    // Go's note package encodes Peter Neumann's key as this text.
    let text = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    assert_eq!(peter().to_private_text(), text);
    assert_eq!(
        SigningKey::from_private_text(text).unwrap().verifier(),
        peter().verifier()
    );
    assert!(matches!(
        SigningKey::from_private_text(&text.replace("c74f20a3", "c74f20a4")),
        Err(KeyError::KeyId { .. })
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Base64 may hold `+`: key texts are split on the first two `+` only.
    #[test]
    fn key_texts_round_trip(seed in any::<[u8; 32]>(), witness in any::<bool>()) {
        let k = if witness {
            SigningKey::cosigner("street.example/w", seed).unwrap()
        } else {
            SigningKey::new("linli/p", seed).unwrap()
        };
        let v = k.verifier();
        prop_assert_eq!(VerifierKey::parse(&v.to_string()), Ok(v.clone()));
        let back = SigningKey::from_private_text(&k.to_private_text()).unwrap();
        prop_assert_eq!(back.verifier(), v);
        prop_assert_eq!(back.seed(), seed);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// base64 round-trips, and whatever it accepts is canonical: it re-encodes to the
    /// same text (so one note has one encoding, and a signature covers exactly it).
    #[test]
    fn b64_round_trips_and_accepts_only_canonical_text(bytes in proptest::collection::vec(any::<u8>(), 0..80),
                                    junk in "[A-Za-z0-9+/= ]{0,12}") {
        let e = b64::encode(&bytes);
        prop_assert_eq!(e.len(), bytes.len().div_ceil(3) * 4);
        prop_assert_eq!(b64::decode(&e), Some(bytes));
        if let Some(d) = b64::decode(&junk) {
            prop_assert_eq!(b64::encode(&d), junk);
        }
    }
}
