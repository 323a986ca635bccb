//! Feeds arbitrary bytes to the public snapshot decoder (SPEC §2.9): what the
//! dashboard and `linli verify` read from any static host.
//!
//! Two inputs in one: the bytes as a whole file, and (so that the fuzzer gets
//! past the hash, which it cannot forge) the bytes as a `content` object sealed
//! with its correct hash. Checks, besides "never panics": whatever decodes
//! re-encodes to a file that decodes to the same content and hash; a chain of
//! the input alone verifies exactly when it is a first snapshot; the privacy
//! check runs on it.

#![no_main]

use libfuzzer_sys::fuzz_target;
use linli_domain::snapshot::{file, privacy};

fuzz_target!(|data: &[u8]| {
    check(data);
    if let Ok(content) = std::str::from_utf8(data) {
        let sha = linli_domain::backup::sha256_hex(content.as_bytes());
        let sealed = format!(r#"{{"format":"linli-public-snapshot","version":1,"sha256":"{sha}","content":{content}}}"#);
        check(sealed.as_bytes());
    }
});

fn check(data: &[u8]) {
    let Ok(s) = file::decode(data) else {
        return;
    };
    let (text, hash) = file::encode(&s.content);
    let again = file::decode(text.as_bytes()).expect("an encoded snapshot decodes");
    assert_eq!(again.content, s.content);
    assert_eq!(again.sha256, hash);
    let first = s.content.sequence == 1 && s.content.previous_sha256.is_none();
    assert_eq!(file::verify_chain(&[data]).is_ok(), first);
    let _ = privacy::check(&s.content);
}
