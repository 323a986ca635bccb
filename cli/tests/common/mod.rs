//! Helpers shared by the CLI's integration tests: the binary, a scratch folder per test
//! file, and running it expecting success or failure.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// The `linli` binary under test.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_linli"))
}

/// A path in this test file's scratch folder `group` (created).
pub fn tmp(group: &str, name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(group);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Runs `cmd`, which must succeed.
pub fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("run linli");
    assert!(
        out.status.success(),
        "linli failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs `cmd`, which must fail with nothing on stdout; returns stderr.
pub fn fails(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run linli");
    assert!(!out.status.success(), "expected failure, got success");
    assert!(out.stdout.is_empty(), "nothing on stdout on failure");
    String::from_utf8(out.stderr).unwrap()
}

/// stdout as JSON.
pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap()
}
