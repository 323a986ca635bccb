//! Attacks on the CLI from issue #15 ("Hardening"), each of which succeeded before:
//! `linli verify` following a symbolic link out of the folder, reading a huge file or a
//! FIFO; `linli pb` running without end on a tiny `.pb` file; a parse error repeating a
//! 200,000-digit value whole.

use std::path::{Path, PathBuf};

use serde_json::Value;

mod common;
use common::{bin, fails, run};
use std::process::Command;

const CREATED_AT: i64 = 1_790_000_000_000;
const AT: &str = "1795492800000";

fn tmp(name: &str) -> PathBuf {
    common::tmp("linli-hardening-tests", name)
}

/// A fresh published folder `name` (data only) of a small demo community.
fn published(name: &str) -> PathBuf {
    let backup = tmp("hardening-demo.json");
    if !backup.exists() {
        run(bin()
            .args(["demo", "--seed", "7", "--households", "300", "--created-at"])
            .arg(CREATED_AT.to_string())
            .arg("--out")
            .arg(&backup));
    }
    let dir = tmp(name);
    let _ = std::fs::remove_dir_all(&dir);
    run(bin()
        .arg("publish")
        .arg(&backup)
        .arg("--out")
        .arg(&dir)
        .args(["--data-only", "--at", AT]));
    let ok = run(bin().arg("verify").arg(&dir));
    let ok: Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(ok["ok"], true);
    dir
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) {
    let _ = std::fs::remove_file(link);
    std::os::unix::fs::symlink(target, link).unwrap();
}

/// Before: `verify` followed `snapshot.json` to a file outside the folder and said ok.
#[cfg(unix)]
#[test]
fn verify_refuses_a_symbolic_link_out_of_the_folder() {
    let dir = published("verify-symlink");
    // The same bytes, but outside the folder: only the link is wrong.
    let outside = tmp("outside-snapshot.json");
    std::fs::copy(dir.join("snapshot.json"), &outside).unwrap();
    symlink(&outside, &dir.join("snapshot.json"));
    let err = fails(bin().arg("verify").arg(&dir));
    assert!(err.contains("snapshot.json"), "{err}");
    assert!(err.contains("symbolic link"), "{err}");

    // A history file pointing at /etc/passwd is refused, not read.
    let dir = published("verify-passwd");
    let hist = std::fs::read_dir(dir.join("snapshots"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("000001-"))
        .unwrap();
    symlink(Path::new("/etc/passwd"), &hist);
    let err = fails(bin().arg("verify").arg(&dir));
    let name = hist.file_name().unwrap().to_string_lossy().to_string();
    assert!(err.contains(&name) && err.contains("symbolic link"), "{err}");
    assert!(!err.contains("root:"), "{err}");

    // A linked history index is refused; it is not taken for "no history".
    let dir = published("verify-index-link");
    let index = dir.join("snapshots/index.json");
    let copy = tmp("outside-index.json");
    std::fs::copy(&index, &copy).unwrap();
    symlink(&copy, &index);
    let err = fails(bin().arg("verify").arg(&dir));
    assert!(
        err.contains("snapshots/index.json") && err.contains("symbolic link"),
        "{err}"
    );

    // So is a linked folder on the way.
    let dir = published("verify-folder-link");
    let moved = tmp("outside-snapshots");
    let _ = std::fs::remove_dir_all(&moved);
    std::fs::rename(dir.join("snapshots"), &moved).unwrap();
    symlink(&moved, &dir.join("snapshots"));
    let err = fails(bin().arg("verify").arg(&dir));
    assert!(err.contains("`snapshots` is a symbolic link"), "{err}");
}

/// Before: `verify` read a device (`/dev/zero`) or a FIFO to the end, i.e. for ever.
#[cfg(unix)]
#[test]
fn verify_refuses_devices_and_fifos() {
    let dir = published("verify-fifo");
    let snap = dir.join("snapshot.json");
    std::fs::remove_file(&snap).unwrap();
    let made = Command::new("mkfifo").arg(&snap).status();
    if made.is_ok_and(|s| s.success()) {
        let err = fails(bin().arg("verify").arg(&dir));
        assert!(err.contains("snapshot.json") && err.contains("a FIFO"), "{err}");
        std::fs::remove_file(&snap).unwrap();
    }
    // /dev/zero through a link is refused as a link; a device node itself as a device.
    symlink(Path::new("/dev/zero"), &snap);
    let err = fails(bin().arg("verify").arg(&dir));
    assert!(
        err.contains("snapshot.json") && err.contains("symbolic link"),
        "{err}"
    );
}

/// Before: `verify` read a file of any size whole before looking at it (1 GB from
/// `/dev/zero`); now a file over the per-file cap is refused from its size.
#[test]
fn verify_refuses_a_file_over_the_cap_without_reading_it() {
    let dir = published("verify-large");
    let hist = std::fs::read_dir(dir.join("snapshots"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("000001-"))
        .unwrap();
    // Sparse where the file system allows: 64 MiB + 1 byte of zeros.
    let f = std::fs::OpenOptions::new().write(true).open(&hist).unwrap();
    f.set_len(64 * 1024 * 1024 + 1).unwrap();
    drop(f);
    let err = fails(bin().arg("verify").arg(&dir));
    let name = hist.file_name().unwrap().to_string_lossy().to_string();
    assert!(err.contains(&name), "{err}");
    assert!(
        err.contains("67108865 bytes, more than the limit of 67108864 bytes per file"),
        "{err}"
    );
    std::fs::remove_file(&hist).unwrap();
}

/// Issue #15: budget 10^12, two voters, projects costing 999,999,999,999 and 1. Every Add1
/// rule ran for about 5·10^11 MES rounds. Now Add1 jumps to the next share at which the
/// outcome can change, so every rule gives its outcome at once.
#[test]
fn pb_add1_on_the_120_byte_instance_finishes_with_its_outcome() {
    let file = tmp("add1-jump.pb");
    std::fs::write(
        &file,
        "META\nkey;value\nbudget;1000000000000\nPROJECTS\nproject_id;cost\n\
         a;999999999999\nb;1\nVOTES\nvoter_id;vote\n1;a\n2;b\n",
    )
    .unwrap();
    assert!(std::fs::metadata(&file).unwrap().len() <= 120);
    let both = serde_json::json!({"selected": ["a", "b"], "cost": "1000000000000"});
    let only_b = serde_json::json!({"selected": ["b"], "cost": "1"});
    for (rule, want) in [
        ("greedy_cost", &both),
        ("greedy_card", &both),
        ("mes_cost", &only_b),
        ("mes_card", &only_b),
        ("mes_cost_add1", &both),
        ("mes_cost_add1_greedy", &both),
        ("equalshares_add1", &both),
        ("equalshares_add1_utilitarian", &both),
    ] {
        let out = run(bin().args(["pb", "--rule", rule]).arg(&file));
        let got: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(&got, want, "{rule}");
    }
}

/// Issue #15: costs with 60 digits made MES run past 150 s. Amounts beyond what the
/// arithmetic is sized for are refused when the file is read, with a short message.
#[test]
fn pb_refuses_costs_with_more_digits_than_the_arithmetic_takes() {
    let file = tmp("huge-costs.pb");
    let mut text = String::from("META\nkey;value\nbudget;1000000\nPROJECTS\nproject_id;cost\n");
    for p in 0..200 {
        text.push_str(&format!("p{p};{}{p:03}\n", "9".repeat(57)));
    }
    text.push_str("VOTES\nvoter_id;vote\n");
    for v in 0..2000 {
        text.push_str(&format!("{v};p{},p{}\n", v % 200, (v * 7) % 200));
    }
    std::fs::write(&file, &text).unwrap();
    for rule in ["mes_cost", "mes_cost_add1_greedy", "equalshares_add1"] {
        let err = fails(bin().args(["pb", "--rule", rule]).arg(&file));
        assert!(err.contains("line 6"), "{err}");
        assert!(err.contains("p0"), "{err}");
        assert!(err.len() < 400, "{err}");
    }
}

/// Before: the error for a 200,000-digit cost repeated the whole value.
#[test]
fn pb_parse_errors_quote_only_a_short_prefix() {
    let file = tmp("long-cost.pb");
    let digits = "7".repeat(200_000);
    std::fs::write(
        &file,
        format!("META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost\na;{digits}x\nVOTES\nvoter_id;vote\n1;a\n"),
    )
    .unwrap();
    let err = fails(bin().args(["pb", "--rule", "greedy_cost"]).arg(&file));
    assert!(err.contains("line 6"), "{err}");
    assert!(err.contains("7777"), "{err}");
    assert!(
        err.len() < 400,
        "{} bytes: {}",
        err.len(),
        &err[..400.min(err.len())]
    );
}
