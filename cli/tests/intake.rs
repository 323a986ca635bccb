//! Resident intake (`cli/src/intake.rs`, `linli_domain::intake`): payloads taken into a
//! real encrypted backup, replays, refusals that leave the file byte-identical, key
//! rotation, and interoperability of the domain's age code with the `age` crate (rage's
//! library) and the standard command-line tools (`rage`, or the reference `age`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::str::FromStr;

use age::secrecy::ExposeSecret;
use linli_domain::dataset::Dataset;
use linli_domain::intake::{self, IntakeKeys, SealEntropy, Submission};
use linli_domain::model::{RequestStatus, Urgency};
use linli_domain::requests::tracking::TrackingCode;

mod common;
use common::{bin, run};

const CREATED_AT: i64 = 1_790_000_000_000;
/// Monday 7 December 2026, 10:00 Beijing time.
const AT: i64 = 1_796_608_800_000;
const PASSPHRASE: &str = "intake test passphrase 社区";

fn tmp(name: &str) -> PathBuf {
    common::tmp("linli-intake-tests", name)
}

fn write(name: &str, bytes: &[u8]) -> PathBuf {
    let p = tmp(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// The passphrase file, written once per test process: the tests run in parallel, and
/// rewriting one shared file (truncate, then write) let another test read it empty.
fn pass() -> PathBuf {
    static PASS: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    PASS.get_or_init(|| write("pass.txt", format!("{PASSPHRASE}\n").as_bytes()))
        .clone()
}

/// A passphrase-encrypted demo backup `name`, with a first intake key made by
/// `intake-key --rotate`; returns it and the key.
fn backup(name: &str) -> (PathBuf, String) {
    let path = tmp(name);
    let _ = std::fs::remove_file(&path);
    run(bin()
        .args(["demo", "--seed", "7", "--households", "60", "--created-at"])
        .arg(CREATED_AT.to_string())
        .arg("--passphrase-file")
        .arg(pass())
        .arg("--out")
        .arg(&path));
    let out = run(&mut linli(
        &[
            "intake-key",
            "--rotate",
            "--guide",
            "王芳",
            "--at",
            &AT.to_string(),
        ],
        &path,
    ));
    let key = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(key.starts_with("age1"), "{key}");
    (path, key)
}

/// `linli ARGS BACKUP --passphrase-file …`.
fn linli(args: &[&str], backup: &Path) -> Command {
    let mut c = bin();
    c.args(&args[..1])
        .arg(backup)
        .args(&args[1..])
        .arg("--passphrase-file")
        .arg(pass());
    c
}

/// The dataset inside the encrypted backup (opened with the `age` crate).
fn dataset(path: &Path) -> Dataset {
    let bytes = std::fs::read(path).unwrap();
    let id = age::scrypt::Identity::new(PASSPHRASE.to_owned().into());
    let plain = age::decrypt(&id, &bytes).unwrap();
    linli_domain::backup::decode(&plain).unwrap().1
}

fn community() -> String {
    let d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig {
        seed: 7,
        households: 60,
        ..Default::default()
    });
    intake::community_id(&d.settings)
}

fn code(seed: u8) -> TrackingCode {
    TrackingCode::from_random([seed, 1, 2, 3, 4, 5, 6, 7, 8, 9])
}

fn request(seed: u8, community: &str) -> Submission {
    Submission::request(
        community,
        code(seed),
        "housing_repair",
        "楼道灯坏了",
        Urgency::High,
        None,
    )
    .unwrap()
}

/// `linli intake-seal`: the payload text of `s` for `key`, written to `name`.
fn seal_cli(s: &Submission, key: &str, name: &str) -> PathBuf {
    let json = write(&format!("{name}.json"), &s.encode().unwrap());
    let out = run(bin()
        .args(["intake-seal", "--recipient", key, "--json"])
        .arg(json));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("-----BEGIN AGE ENCRYPTED FILE-----\n"), "{text}");
    write(name, text.as_bytes())
}

fn intake(backup: &Path, payloads: &[&Path]) -> Output {
    let mut c = linli(&["intake", "--guide", "王芳", "--at", &AT.to_string()], backup);
    c.args(payloads);
    c.output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn payloads_are_taken_into_an_encrypted_backup_once() {
    let (b, key) = backup("take.age");
    let c = community();
    let p = seal_cli(&request(1, &c), &key, "p1.txt");
    let before = std::fs::read(&b).unwrap();
    let o = intake(&b, &[&p]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let line = stdout(&o);
    assert!(
        line.starts_with(&format!("{}: taken in: request ", p.display())),
        "{line}"
    );
    assert!(line.contains(&code(1).display()), "{line}");
    let after = std::fs::read(&b).unwrap();
    assert_ne!(after, before);
    assert!(
        after.starts_with(b"age-encryption.org/v1\n-> scrypt "),
        "still encrypted with the passphrase"
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&b).unwrap().permissions().mode() & 0o777, 0o600);
    let d = dataset(&b);
    let r = d
        .requests
        .iter()
        .find(|r| r.tracking_code == code(1).as_str())
        .unwrap();
    assert_eq!(r.status, RequestStatus::Received);
    assert_eq!(r.received_at, AT);
    assert_eq!(r.due_at, AT + 24 * 3_600_000, "high → red: 24 hours");
    let e = d.audit_log.iter().max_by_key(|e| e.id).unwrap();
    assert_eq!(
        (e.actor.as_str(), e.entity_id, e.action.as_str()),
        ("王芳", r.id, "create")
    );

    // The same payload again (from standard input, whitespace mangled): already taken in,
    // the file not rewritten.
    let text = std::fs::read_to_string(&p).unwrap().replace('\n', "\r\n  ");
    let mut child = linli(&["intake", "--guide", "王芳", "-"], &b)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    assert!(
        stdout(&o).contains("standard input: already taken in: request"),
        "{}",
        stdout(&o)
    );
    assert_eq!(std::fs::read(&b).unwrap(), after, "byte-identical");
}

#[test]
fn refused_payloads_leave_the_backup_byte_identical() {
    let (b, key) = backup("refuse.age");
    let c = community();
    let taken = seal_cli(&request(2, &c), &key, "taken.txt");
    assert!(intake(&b, &[&taken]).status.success());
    let before = std::fs::read(&b).unwrap();
    let other = Submission::request(
        "linli/another-community",
        code(3),
        "housing_repair",
        "x",
        Urgency::Low,
        None,
    )
    .unwrap();
    let mut cut = std::fs::read_to_string(seal_cli(&request(4, &c), &key, "cut-src.txt")).unwrap();
    cut.truncate(cut.len() - 60);
    let same_code =
        Submission::request(&c, code(2), "housing_repair", "另一件事", Urgency::Low, None).unwrap();
    let foreign_key = age::x25519::Identity::generate().to_public().to_string();
    let cases = [
        (seal_cli(&other, &key, "other.txt"), "wrong_community"),
        (write("cut.txt", cut.as_bytes()), "truncated"),
        (seal_cli(&same_code, &key, "same-code.txt"), "code_taken"),
        (seal_cli(&request(5, &c), &foreign_key, "foreign.txt"), "no_key"),
        (
            write("big.txt", &vec![b'A'; intake::MAX_TEXT_BYTES + 10]),
            "too_large",
        ),
        (write("junk.txt", "请尽快处理".as_bytes()), "malformed"),
        (
            seal_cli(
                &Submission::rating(&c, code(2), 5, None).unwrap(),
                &key,
                "early-rating.txt",
            ),
            "not_rateable",
        ),
    ];
    for (p, want) in &cases {
        let o = intake(&b, &[p]);
        assert!(!o.status.success(), "{want}");
        let out = stdout(&o);
        assert!(
            out.contains(": refused: ") && out.contains(&format!("({want})")),
            "{want}: {out}"
        );
        assert!(String::from_utf8_lossy(&o.stderr).contains("the backup is unchanged"));
        assert_eq!(std::fs::read(&b).unwrap(), before, "{want}: byte-identical");
    }
    // A good payload with a bad one: the good one is taken in, the exit code says one failed.
    let good = seal_cli(&request(6, &c), &key, "good.txt");
    let o = intake(&b, &[&good, &cases[0].0]);
    assert!(!o.status.success());
    let out = stdout(&o);
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(out.lines().next().unwrap().contains("taken in"), "{out}");
    assert!(dataset(&b)
        .requests
        .iter()
        .any(|r| r.tracking_code == code(6).as_str()));
}

#[test]
fn rotation_keeps_late_payloads_and_a_deleted_key_refuses_them() {
    let (b, key1) = backup("rotate.age");
    let c = community();
    let late = seal_cli(&request(7, &c), &key1, "late.txt");
    let later = seal_cli(&request(8, &c), &key1, "later.txt");
    // Printing the key changes nothing.
    let before = std::fs::read(&b).unwrap();
    let o = run(&mut linli(&["intake-key"], &b));
    assert_eq!(stdout(&o).trim(), key1);
    assert_eq!(std::fs::read(&b).unwrap(), before);
    // Rotating needs a guide and keeps the old key.
    let o = linli(&["intake-key", "--rotate"], &b).output().unwrap();
    assert!(!o.status.success());
    assert_eq!(std::fs::read(&b).unwrap(), before);
    let o = run(&mut linli(&["intake-key", "--rotate", "--guide", "李强"], &b));
    let key2 = stdout(&o).trim().to_owned();
    assert!(key2.starts_with("age1") && key2 != key1);
    assert!(String::from_utf8_lossy(&o.stderr).contains(&format!("retired key 1 ({key1}")));
    let d = dataset(&b);
    let keys = IntakeKeys::from_settings(&d.settings).unwrap();
    assert_eq!(keys.public_key(), Some(key2.as_str()));
    assert_eq!(d.audit_log.iter().max_by_key(|e| e.id).unwrap().actor, "李强");
    // The age crate derives the same public key from the stored secret.
    let secret = &keys.current.as_ref().unwrap().secret;
    let id = age::x25519::Identity::from_str(secret).unwrap();
    assert_eq!(id.to_public().to_string(), key2);
    // A payload sealed to the retired key is still taken in.
    assert!(intake(&b, &[&late]).status.success());
    // Deleted: refused, nothing changed.
    run(&mut linli(
        &["intake-key", "--delete-retired", "1", "--guide", "李强"],
        &b,
    ));
    let before = std::fs::read(&b).unwrap();
    let o = intake(&b, &[&later]);
    assert!(!o.status.success());
    assert!(stdout(&o).contains("(no_key)"), "{}", stdout(&o));
    assert_eq!(std::fs::read(&b).unwrap(), before);
    let o = linli(&["intake-key", "--delete-retired", "1", "--guide", "李强"], &b)
        .output()
        .unwrap();
    assert!(!o.status.success());
}

#[test]
fn a_backup_sealed_to_keys_is_written_back_to_the_given_recipients() {
    let holder = age::x25519::Identity::generate();
    let id_file = write(
        "holder.key",
        format!("{}\n", holder.to_string().expose_secret()).as_bytes(),
    );
    let rec = holder.to_public().to_string();
    let b = tmp("x25519.age");
    let _ = std::fs::remove_file(&b);
    run(bin()
        .args([
            "demo",
            "--seed",
            "7",
            "--households",
            "60",
            "--recipient",
            &rec,
            "--out",
        ])
        .arg(&b));
    let before = std::fs::read(&b).unwrap();
    let mut c = bin();
    c.args(["intake-key"])
        .arg(&b)
        .args(["--rotate", "--guide", "王芳", "--identity"])
        .arg(&id_file);
    let o = c.output().unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--recipient"));
    assert_eq!(std::fs::read(&b).unwrap(), before);
    let mut c = bin();
    c.args(["intake-key"])
        .arg(&b)
        .args(["--rotate", "--guide", "王芳", "--recipient", &rec, "--identity"])
        .arg(&id_file);
    let key = stdout(&run(&mut c)).trim().to_owned();
    let plain = age::decrypt(&holder, &std::fs::read(&b).unwrap()).unwrap();
    let d = linli_domain::backup::decode(&plain).unwrap().1;
    assert_eq!(
        IntakeKeys::from_settings(&d.settings).unwrap().public_key(),
        Some(key.as_str())
    );
}

// ---- The domain's age code against the age crate (rage's library) ----

#[test]
fn domain_payloads_open_with_the_age_crate_and_age_crate_payloads_open_in_the_domain() {
    let holder = age::x25519::Identity::generate();
    let keys = IntakeKeys::default()
        .rotate(holder.to_string().expose_secret(), "2026-12-07")
        .unwrap();
    let recipient = holder.to_public().to_string();
    assert_eq!(keys.public_key(), Some(recipient.as_str()));
    for seed in 0..20u8 {
        let s = request(seed, "linli/x");
        let mut entropy = [0u8; 64];
        getrandom::getrandom(&mut entropy).unwrap();
        // domain → age crate
        let text = intake::seal(&s, &recipient, &SealEntropy::from_bytes(&entropy)).unwrap();
        let reader = age::armor::ArmoredReader::new(text.as_bytes());
        let dec = age::Decryptor::new(reader).unwrap();
        let mut plain = Vec::new();
        std::io::Read::read_to_end(
            &mut dec
                .decrypt(std::iter::once(&holder as &dyn age::Identity))
                .unwrap(),
            &mut plain,
        )
        .unwrap();
        assert_eq!(plain, s.encode().unwrap());
        // age crate → domain
        let to = age::x25519::Recipient::from_str(&recipient).unwrap();
        let enc = age::encrypt_and_armor(&to, &s.encode().unwrap()).unwrap();
        assert_eq!(intake::open(enc.as_bytes(), &keys).unwrap().submission, s);
        let bin = age::encrypt(&to, &s.encode().unwrap()).unwrap();
        assert_eq!(intake::open(&bin, &keys).unwrap().submission, s);
    }
    // A file for two recipients (an auditor's and the community's) opens too.
    let auditor = age::x25519::Identity::generate();
    let recipients: Vec<Box<dyn age::Recipient + Send>> = vec![
        Box::new(auditor.to_public()),
        Box::new(age::x25519::Recipient::from_str(&recipient).unwrap()),
    ];
    let enc = age::Encryptor::with_recipients(recipients.iter().map(|r| r.as_ref() as &dyn age::Recipient))
        .unwrap();
    let mut out = Vec::new();
    let mut w = enc.wrap_output(&mut out).unwrap();
    let s = request(99, "linli/x");
    w.write_all(&s.encode().unwrap()).unwrap();
    w.finish().unwrap();
    assert_eq!(intake::open(&out, &keys).unwrap().submission, s);
    // A passphrase-sealed file is not for the community's keys.
    let pass = age::scrypt::Recipient::new("x".to_owned().into());
    let mut pass_rec = pass;
    pass_rec.set_work_factor(10);
    let enc = age::encrypt(&pass_rec, &s.encode().unwrap()).unwrap();
    assert_eq!(intake::open(&enc, &keys).unwrap_err().code(), "no_key");
}

// ---- The standard tools: rage, or the reference age ----

/// The first standard age tool found: `rage`, then `age` (Go). `None` (with a printed
/// message) when neither is installed.
fn standard_tool() -> Option<(&'static str, &'static str)> {
    for (tool, keygen) in [("rage", "rage-keygen"), ("age", "age-keygen")] {
        let ok = |c: &str| {
            Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        };
        if ok(tool) && ok(keygen) {
            return Some((tool, keygen));
        }
    }
    None
}

#[test]
fn a_payload_made_by_the_standard_tool_is_taken_in_and_ours_opens_with_it() {
    let Some((tool, keygen)) = standard_tool() else {
        println!(
            "SKIPPED: neither `rage` nor `age` is installed (cargo install rage --locked, or \
             apt-get install age; scripts/setup.sh test installs age)"
        );
        return;
    };
    println!("standard tool: {tool}");
    let (b, key) = backup("standard.age");
    let c = community();
    // tool -a -r KEY → linli intake
    let json = write("std-request.json", &request(11, &c).encode().unwrap());
    let payload = tmp("std-payload.txt");
    let _ = std::fs::remove_file(&payload);
    let o = Command::new(tool)
        .args(["-a", "-r", &key, "-o"])
        .arg(&payload)
        .arg(&json)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = intake(&b, &[&payload]);
    assert!(
        o.status.success(),
        "{}\n{}",
        stdout(&o),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(stdout(&o).contains("taken in: request"), "{}", stdout(&o));
    // The domain's sealing → tool -d with a key made by the tool's keygen.
    let key_file = tmp("std.key");
    let _ = std::fs::remove_file(&key_file);
    let o = Command::new(keygen).arg("-o").arg(&key_file).output().unwrap();
    assert!(o.status.success());
    let secret = std::fs::read_to_string(&key_file)
        .unwrap()
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
        .unwrap()
        .to_owned();
    let id = intake::Identity::parse(&secret).unwrap();
    let s = request(12, &c);
    let text = intake::seal(&s, &id.recipient(), &SealEntropy::from_bytes(&[5; 64])).unwrap();
    let sealed = write("ours.txt", text.as_bytes());
    let o = Command::new(tool)
        .args(["-d", "-i"])
        .arg(&key_file)
        .arg(&sealed)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(o.stdout, s.encode().unwrap());
}
