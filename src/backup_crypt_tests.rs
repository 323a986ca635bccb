//! Unit tests of `backup_crypt` (native: `cargo test -p linli --lib backup_crypt`).
use super::*;

const PASS: &str = "correct horse battery staple \u{793e}\u{533a}";
const PLAIN: &[u8] = b"{\"format\":\"linli-backup\",\"payload\":{}}";

fn key() -> (String, String) {
    let id = age::x25519::Identity::generate();
    let secret = age::secrecy::ExposeSecret::expose_secret(&id.to_string()).to_owned();
    (secret, id.to_public().to_string())
}

#[test]
fn a_passphrase_backup_opens_only_with_its_passphrase() {
    let file = seal(PLAIN, &Seal::Passphrase(PASS.to_owned())).unwrap();
    assert!(file.starts_with(b"age-encryption.org/v1\n-> scrypt "));
    assert!(is_age(&file) && !is_plain_json(&file));
    // The reference tool's work factor is written.
    let header = String::from_utf8_lossy(&file[..80]);
    assert!(header.contains(" 18\n"), "{header}");
    assert_eq!(open(&file, PASS).unwrap(), PLAIN);
    assert_eq!(
        open(&file, "correct horse battery stapl"),
        Err(OpenError::WrongPassphrase)
    );
    let (secret, _) = key();
    assert_eq!(open(&file, &secret), Err(OpenError::NeedsPassphrase));
    assert_eq!(open(&file, ""), Err(OpenError::NeedsPassphrase));
}

#[test]
fn a_changed_or_cut_backup_fails_authentication() {
    let file = seal(PLAIN, &Seal::Passphrase(PASS.to_owned())).unwrap();
    let header_end = file.windows(4).position(|w| w == b"\n---").unwrap();
    // A byte of the payload, the header's MAC, or the end cut off.
    let mut payload = file.clone();
    let last = payload.len() - 3;
    payload[last] ^= 1;
    assert_eq!(open(&payload, PASS), Err(OpenError::Damaged));
    let mut mac = file.clone();
    mac[header_end + 6] = if mac[header_end + 6] == b'A' { b'B' } else { b'A' };
    assert_eq!(open(&mac, PASS), Err(OpenError::Damaged));
    assert_eq!(open(&file[..file.len() - 10], PASS), Err(OpenError::Damaged));
    assert!(open(&file[..header_end], PASS).is_err());
    // A whole header of an unknown version is invalid; a header cut short is damaged.
    assert_eq!(
        open(
            b"age-encryption.org/v2\n-> scrypt AAAA 18\nAAAA\n--- AAAA\n\x00\x01",
            PASS
        ),
        Err(OpenError::InvalidHeader)
    );
    assert_eq!(open(b"age-encryption.org/v2\n", PASS), Err(OpenError::Damaged));
}

#[test]
fn a_backup_to_keys_opens_with_any_of_their_secret_keys() {
    let (s1, p1) = key();
    let (s2, p2) = key();
    let (other, _) = key();
    let file = seal(PLAIN, &Seal::Recipients(vec![p1, p2])).unwrap();
    assert_eq!(open(&file, &s1).unwrap(), PLAIN);
    // An identity file's text, with its comment lines, works too.
    let file_text = format!("# created: today\n# public key: …\n{s2}\n");
    assert_eq!(open(&file, &file_text).unwrap(), PLAIN);
    assert_eq!(open(&file, &other), Err(OpenError::WrongIdentity));
    assert_eq!(open(&file, PASS), Err(OpenError::NeedsIdentity));
    assert_eq!(
        open(&file, "AGE-SECRET-KEY-1NOTAKEY"),
        Err(OpenError::BadIdentity)
    );
    assert!(seal(PLAIN, &Seal::Recipients(vec![])).is_err());
    assert!(seal(PLAIN, &Seal::Recipients(vec!["age1nope".into()])).is_err());
    assert!(seal(PLAIN, &Seal::Passphrase("short".into())).is_err());
}

#[test]
fn an_armored_backup_opens() {
    let (s, p) = key();
    let r = age::x25519::Recipient::from_str(&p).unwrap();
    let enc = age::Encryptor::with_recipients(std::iter::once(&r as &dyn age::Recipient)).unwrap();
    let mut out = Vec::new();
    let armored = age::armor::ArmoredWriter::wrap_output(&mut out, age::armor::Format::AsciiArmor).unwrap();
    let mut w = enc.wrap_output(armored).unwrap();
    w.write_all(PLAIN).unwrap();
    w.finish().unwrap().finish().unwrap();
    let mut pasted = b"\n  \n".to_vec();
    pasted.extend_from_slice(&out);
    assert!(is_age(&pasted));
    assert_eq!(open(&pasted, &s).unwrap(), PLAIN);
}

#[test]
fn files_are_told_apart_by_their_first_bytes() {
    assert!(is_plain_json(b"  {\"format\": \"linli-backup\"}"));
    assert!(is_plain_json(b"\xEF\xBB\xBF{}"));
    assert!(!is_plain_json(b"age-encryption.org/v1\n"));
    assert!(!is_age(b" age-encryption.org/v1"));
    assert!(!is_age(b"") && !is_plain_json(b""));
}

#[test]
fn recipients_are_checked_line_by_line() {
    let (s, p) = key();
    let (_, q) = key();
    let text = format!("# street office\n{p}\n\n  {q}  \n{p}\n");
    assert_eq!(parse_recipients(&text).unwrap(), vec![p.clone(), q.clone()]);
    assert_eq!(parse_recipients("").unwrap(), Vec::<String>::new());
    assert_eq!(
        parse_recipients(&format!("{p}\nage1xyz\n")),
        Err(BadRecipient {
            line: 2,
            is_secret: false
        })
    );
    assert_eq!(
        parse_recipients(&format!("{p}\n{q}\n{s}\n")),
        Err(BadRecipient {
            line: 3,
            is_secret: true
        })
    );
}

#[test]
fn strength_hints_grow_with_length_and_variety() {
    assert_eq!(strength("short"), Strength::TooShort);
    assert_eq!(strength("12345678901"), Strength::TooShort);
    assert_eq!(strength("aaaaaaaaaaaaaaaa"), Strength::Weak);
    assert_eq!(strength("abcdefghijkl"), Strength::Weak);
    assert_eq!(strength("abcdefgh1234"), Strength::Fair);
    assert_eq!(strength("Correct-Horse-42"), Strength::Strong);
    assert_eq!(strength(PASS), Strength::Strong);
    // Twelve Chinese characters are twelve characters.
    assert_ne!(strength("\u{793e}\u{533a}\u{5c45}\u{6c11}\u{6570}\u{636e}\u{5907}\u{4efd}\u{53e3}\u{4ee4}\u{5f88}\u{957f}\u{554a}"), Strength::TooShort);
}

#[test]
fn the_worker_protocol_round_trips() {
    let job = serde_json::to_string(&Job::Seal(Seal::Passphrase(PASS.to_owned()))).unwrap();
    let (reply, bytes) = run(&job, PLAIN);
    assert_eq!(reply, Reply::Done);
    let file = bytes.unwrap();
    let job = serde_json::to_string(&Job::Open(PASS.to_owned())).unwrap();
    assert_eq!(run(&job, &file), (Reply::Done, Some(PLAIN.to_vec())));
    let job = serde_json::to_string(&Job::Open("wrong passphrase!".to_owned())).unwrap();
    assert_eq!(
        run(&job, &file),
        (Reply::Refused(OpenError::WrongPassphrase), None)
    );
    assert!(matches!(run("{", PLAIN), (Reply::Failed(_), None)));
}

/// An enrolment: an armored age file (the `age -a` format) that the same `open` reads,
/// with the one-time code as passphrase, and its QR code as SVG; a text too long for a
/// QR code is told, not drawn.
#[test]
fn enrolments_are_armored_and_drawn_as_qr_codes() {
    let code = linli_domain::replication::enrol::code([7; 10]);
    let job = serde_json::to_string(&Job::SealArmored(Seal::Passphrase(code.as_str().to_owned()))).unwrap();
    let (reply, bytes) = run(&job, PLAIN);
    assert_eq!(reply, Reply::Done);
    let text = String::from_utf8(bytes.unwrap()).unwrap();
    assert!(text.starts_with("-----BEGIN AGE ENCRYPTED FILE-----\n"), "{text}");
    assert!(text.trim_end().ends_with("-----END AGE ENCRYPTED FILE-----"));
    assert!(text.lines().all(|l| l.len() <= 64));
    assert_eq!(open(text.as_bytes(), code.as_str()).unwrap(), PLAIN);
    let typed = linli_domain::replication::enrol::passphrase(&code.display().to_lowercase()).unwrap();
    assert_eq!(open(text.as_bytes(), &typed).unwrap(), PLAIN, "the code as typed");
    assert_eq!(
        open(text.as_bytes(), "0000-0000-0000-0000-0"),
        Err(OpenError::WrongPassphrase)
    );
    let (reply, svg) = run(&serde_json::to_string(&Job::Qr).unwrap(), text.as_bytes());
    assert_eq!(reply, Reply::Done);
    let svg = String::from_utf8(svg.unwrap()).unwrap();
    assert!(
        svg.contains("<svg") && svg.contains("<path"),
        "{}",
        &svg[..svg.len().min(200)]
    );
    let (reply, none) = run(&serde_json::to_string(&Job::Qr).unwrap(), &[b'x'; 4_000]);
    assert!(matches!(reply, Reply::Failed(_)) && none.is_none());
}
