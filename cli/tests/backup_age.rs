//! Encrypted backups (`cli/src/vault.rs`): age files written by `linli demo` and read by
//! every backup-reading command, refused when authentication fails, written 0600, and
//! interoperable with the reference `age` tool (Debian's `age` package, Go).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use age::secrecy::ExposeSecret;

mod common;
use common::{bin, fails, run};

const CREATED_AT: i64 = 1_790_000_000_000;
const PASSPHRASE: &str = "correct horse battery staple 社区";

fn tmp(name: &str) -> PathBuf {
    common::tmp("linli-backup-age-tests", name)
}

fn write(name: &str, text: &str) -> PathBuf {
    let p = tmp(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// `linli demo` (300 households, fixed time) into `name` with `extra` arguments.
fn demo(name: &str, extra: &[&str]) -> PathBuf {
    let path = tmp(name);
    let _ = std::fs::remove_file(&path);
    run(bin()
        .args(["demo", "--seed", "7", "--households", "300", "--created-at"])
        .arg(CREATED_AT.to_string())
        .args(extra)
        .arg("--out")
        .arg(&path));
    path
}

/// The plain demo's bytes, for comparison.
fn plain_demo(tag: &str) -> Vec<u8> {
    std::fs::read(demo(&format!("plain-{tag}.json"), &[])).unwrap()
}

/// `linli score FILE ARGS…` stdout (must succeed) and stderr.
fn score(file: &Path, args: &[&str]) -> (Vec<u8>, String) {
    let out = run(bin().arg("score").arg(file).args(args));
    (out.stdout, String::from_utf8(out.stderr).unwrap())
}

fn plain_score(tag: &str) -> Vec<u8> {
    score(
        &demo(&format!("plain-for-score-{tag}.json"), &[]),
        &["--allow-plain"],
    )
    .0
}

/// A fresh X25519 identity: (identity file path, recipient string).
fn x25519_key(name: &str) -> (PathBuf, String) {
    let id = age::x25519::Identity::generate();
    let path = write(name, &format!("# test key\n{}\n", id.to_string().expose_secret()));
    (path, id.to_public().to_string())
}

fn pass_file(tag: &str) -> PathBuf {
    write(
        &format!("pass-{tag}.txt"),
        &format!("{PASSPHRASE}\nsecond line ignored\n"),
    )
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn passphrase_round_trip_reads_what_the_plain_backup_holds() {
    let pass = pass_file("t1");
    let enc = demo("pass.age", &["--passphrase-file", pass.to_str().unwrap()]);
    let bytes = std::fs::read(&enc).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1\n-> scrypt "));
    assert!(
        !bytes.windows(9).any(|w| w == b"household"),
        "no plain JSON inside"
    );
    assert_eq!(mode(&enc), 0o600);

    // The passphrase file's first line only, with or without its newline.
    let same = write("pass-no-newline.txt", PASSPHRASE);
    let (out, err) = score(&enc, &["--passphrase-file", same.to_str().unwrap()]);
    assert_eq!(out, plain_score("t2"));
    assert!(
        !err.contains("warning"),
        "no warning for an encrypted backup: {err}"
    );

    // Every backup-reading command takes the flag.
    let p = pass.to_str().unwrap();
    run(bin().arg("allocate").arg(&enc).args(["--passphrase-file", p]));
    run(bin().arg("plans").arg(&enc).args(["--passphrase-file", p]));
    run(bin()
        .args(["pb", "--export"])
        .arg(&enc)
        .args(["--passphrase-file", p]));
    let folder = tmp("pass-published");
    let _ = std::fs::remove_dir_all(&folder);
    run(bin().arg("publish").arg(&enc).arg("--out").arg(&folder).args([
        "--data-only",
        "--at",
        "1790000000000",
        "--passphrase-file",
        p,
    ]));
    assert!(folder.join("snapshot.json").is_file());

    // Standard input too.
    let out = run(bin()
        .args(["score", "-", "--passphrase-file", p])
        .stdin(std::fs::File::open(&enc).unwrap()));
    assert_eq!(out.stdout, plain_score("t3"));
}

#[test]
fn missing_secret_names_the_flag_and_never_echoes_the_passphrase() {
    let pass = pass_file("t4");
    let enc = demo("pass-missing.age", &["--passphrase-file", pass.to_str().unwrap()]);
    let err = fails(bin().arg("score").arg(&enc));
    assert!(err.contains("--passphrase-file FILE"), "{err}");

    let (key, recipient) = x25519_key("missing.key");
    let enc = demo("x-missing.age", &["--recipient", &recipient]);
    let err = fails(bin().arg("allocate").arg(&enc));
    assert!(err.contains("--identity FILE"), "{err}");
    // A passphrase for a key-encrypted file: still the identity is asked for.
    let err = fails(
        bin()
            .arg("plans")
            .arg(&enc)
            .args(["--passphrase-file", pass.to_str().unwrap()]),
    );
    assert!(err.contains("--identity FILE"), "{err}");
    assert!(!err.contains(PASSPHRASE));
    let _ = key;
}

#[test]
fn x25519_round_trip_binary_and_armored_with_two_recipients() {
    let (key_a, rec_a) = x25519_key("a.key");
    let (key_b, rec_b) = x25519_key("b.key");
    let enc = demo("x.age", &["--recipient", &rec_a, "--recipient", &rec_b]);
    assert!(std::fs::read(&enc)
        .unwrap()
        .starts_with(b"age-encryption.org/v1\n-> X25519 "));
    assert_eq!(mode(&enc), 0o600);
    let want = plain_score("t5");
    for key in [&key_a, &key_b] {
        let (out, _) = score(&enc, &["--identity", key.to_str().unwrap()]);
        assert_eq!(out, want);
    }

    let armored = demo("x.age.asc", &["--recipient", &rec_a, "--armor"]);
    let text = std::fs::read_to_string(&armored).unwrap();
    assert!(
        text.starts_with("-----BEGIN AGE ENCRYPTED FILE-----\n"),
        "{text:.60}"
    );
    let (out, _) = score(&armored, &["--identity", key_a.to_str().unwrap()]);
    assert_eq!(out, want);
    // Armor after blank lines (pasted from a message) is read too.
    let pasted = tmp("x-pasted.age.asc");
    std::fs::write(&pasted, format!("\n  \n{text}")).unwrap();
    let (out, _) = score(&pasted, &["--identity", key_a.to_str().unwrap()]);
    assert_eq!(out, want);

    // A key that is not a recipient is refused.
    let (other, _) = x25519_key("other.key");
    let err = fails(
        bin()
            .arg("score")
            .arg(&enc)
            .args(["--identity", other.to_str().unwrap()]),
    );
    assert!(err.contains("none of the given keys"), "{err}");
}

#[test]
fn wrong_passphrase_is_refused_and_nothing_is_written() {
    let pass = pass_file("t6");
    let enc = demo("wrong.age", &["--passphrase-file", pass.to_str().unwrap()]);
    let wrong = write("wrong-pass.txt", "correct horse battery stapler\n");
    let folder = tmp("wrong-published");
    let _ = std::fs::remove_dir_all(&folder);
    let err = fails(bin().arg("publish").arg(&enc).arg("--out").arg(&folder).args([
        "--data-only",
        "--passphrase-file",
        wrong.to_str().unwrap(),
    ]));
    assert!(err.contains("wrong passphrase"), "{err}");
    assert!(err.contains("nothing was written"), "{err}");
    assert!(
        !err.contains("stapler") && !err.contains(PASSPHRASE),
        "no secret echoed: {err}"
    );
    assert!(!folder.exists(), "publish wrote nothing");
}

#[test]
fn one_flipped_byte_is_refused_in_the_payload_and_in_the_header() {
    let pass = pass_file("t7");
    let p = pass.to_str().unwrap();
    let enc = demo("flip.age", &["--passphrase-file", p]);
    let good = std::fs::read(&enc).unwrap();
    // The last payload chunk's ciphertext, then its tag, then the header's stanza body.
    let header_end = good.windows(4).position(|w| w == b"--- ").unwrap();
    let positions = [good.len() - 40, good.len() - 1, header_end - 5];
    for (i, at) in positions.into_iter().enumerate() {
        let mut bad = good.clone();
        bad[at] ^= 0x01;
        let file = tmp(&format!("flipped-{i}.age"));
        std::fs::write(&file, &bad).unwrap();
        let err = fails(bin().arg("score").arg(&file).args(["--passphrase-file", p]));
        assert!(
            err.contains("failed authentication")
                || err.contains("wrong passphrase or key, or the file was changed")
                || err.contains("damaged age file"),
            "byte {at}: {err}"
        );
    }
    // A cut file is refused too.
    let file = tmp("cut.age");
    std::fs::write(&file, &good[..good.len() - 100]).unwrap();
    let err = fails(bin().arg("score").arg(&file).args(["--passphrase-file", p]));
    assert!(err.contains("failed authentication"), "{err}");
}

#[test]
fn empty_passphrase_and_bad_recipient_are_refused() {
    let empty = write("empty-pass.txt", "\nsecond\n");
    let out = tmp("never.age");
    let _ = std::fs::remove_file(&out);
    let err = fails(
        bin()
            .args(["demo", "--seed", "1", "--households", "5", "--out"])
            .arg(&out)
            .args(["--passphrase-file", empty.to_str().unwrap()]),
    );
    assert!(err.contains("is empty"), "{err}");
    let err = fails(
        bin()
            .args(["demo", "--seed", "1", "--households", "5", "--out"])
            .arg(&out)
            .args(["--recipient", "AGE-SECRET-KEY-1QQQQQQ"]),
    );
    assert!(err.contains("not an age X25519 public key"), "{err}");
    assert!(
        !err.contains("QQQQQQ"),
        "a mistyped secret key is not echoed: {err}"
    );
    assert!(!out.exists());
    // A passphrase and recipients cannot be mixed (the age format forbids it).
    let pass = pass_file("t8");
    let (_, rec) = x25519_key("mix.key");
    let out2 = bin()
        .args(["demo", "--seed", "1", "--out"])
        .arg(&out)
        .args(["--passphrase-file", pass.to_str().unwrap(), "--recipient", &rec])
        .output()
        .unwrap();
    assert_eq!(out2.status.code(), Some(2));
}

#[test]
fn files_are_written_0600_even_over_a_world_readable_file() {
    let path = tmp("mode.json");
    std::fs::write(&path, b"old").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(mode(&path), 0o644);
    run(bin()
        .args(["demo", "--seed", "1", "--households", "5", "--out"])
        .arg(&path));
    assert_eq!(mode(&path), 0o600);
    assert_ne!(std::fs::read(&path).unwrap(), b"old");
    // No temporary file is left beside it.
    let dir = path.parent().unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn plain_backups_warn_unless_allowed() {
    let out = run(bin()
        .args(["demo", "--seed", "1", "--households", "5", "--out"])
        .arg(tmp("note.json")));
    let note = String::from_utf8(out.stderr).unwrap();
    assert!(note.contains("unencrypted") && note.contains("demo"), "{note}");

    let plain = demo("legacy.json", &[]);
    let (warned, err) = score(&plain, &[]);
    assert!(err.contains("unencrypted legacy backup"), "{err}");
    assert!(err.contains("not authenticated"), "{err}");
    let (quiet, err) = score(&plain, &["--allow-plain"]);
    assert!(err.is_empty(), "{err}");
    assert_eq!(warned, quiet);
}

// ---- Interoperability with the reference tool (Debian's `age`, Go) ----

/// The reference tool's binary `name`, or a failure saying how to install it.
fn reference(name: &str) -> Command {
    let found = Command::new(name).arg("--version").output();
    assert!(
        found.is_ok_and(|o| o.status.success()),
        "the reference `{name}` tool is missing: install it with `apt-get install -y age` \
         (or `bash scripts/setup.sh test`); this interoperability test does not pass without it"
    );
    Command::new(name)
}

/// A key made by `age-keygen`: (identity file, recipient).
fn keygen(name: &str) -> (PathBuf, String) {
    let path = tmp(name);
    let _ = std::fs::remove_file(&path);
    let out = reference("age-keygen").arg("-o").arg(&path).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&path).unwrap();
    let recipient = text
        .lines()
        .find_map(|l| l.strip_prefix("# public key: "))
        .unwrap()
        .to_owned();
    (path, recipient)
}

#[test]
fn reference_age_opens_a_linli_backup_and_linli_reads_a_reference_one() {
    let (key, recipient) = keygen("reference.key");
    let plain = plain_demo("t9");

    // linli → age -d
    for (name, extra) in [("to-ref.age", vec![]), ("to-ref.age.asc", vec!["--armor"])] {
        let mut args = vec!["--recipient", recipient.as_str()];
        args.extend(extra);
        let enc = demo(name, &args);
        let out = reference("age")
            .arg("-d")
            .arg("-i")
            .arg(&key)
            .arg(&enc)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.stdout, plain, "{name}: age -d gives back the plain backup");
    }

    // age -r → linli --identity
    let plain_file = tmp("ref-input.json");
    std::fs::write(&plain_file, &plain).unwrap();
    let want = plain_score("t10");
    for (name, armor) in [("from-ref.age", false), ("from-ref.age.asc", true)] {
        let enc = tmp(name);
        let _ = std::fs::remove_file(&enc);
        let mut cmd = reference("age");
        cmd.arg("-r").arg(&recipient).arg("-o").arg(&enc);
        if armor {
            cmd.arg("-a");
        }
        let out = cmd.arg(&plain_file).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let (got, err) = score(&enc, &["--identity", key.to_str().unwrap()]);
        assert_eq!(got, want, "{name}");
        assert!(!err.contains("warning"), "{err}");
    }
}
