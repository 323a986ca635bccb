use proptest::prelude::*;

use super::*;
use crate::demo::{generate, DemoConfig};
use crate::snapshot::file::{self, DecodeError};
use crate::snapshot::{build, BuildOptions};

/// 2026-11-24 12:00 China time.
const NOW: i64 = 1_795_492_800_000;

fn demo(seed: u64, households: u32) -> Dataset {
    generate(&DemoConfig {
        seed,
        households,
        year: 2026,
    })
}

fn with_zhang(d: &mut Dataset) -> (String, String) {
    // 张桂兰 lives in 3幢1203: the first household of building 3 gets her and that room.
    let b = d
        .buildings
        .iter()
        .find(|b| b.name == "3幢")
        .expect("building 3")
        .id;
    let h = d.households.iter_mut().find(|h| h.building_id == b).unwrap();
    h.members[0].name = "张桂兰".into();
    h.room = "1203".into();
    h.contact_phone = "13912345678".into();
    (h.members[0].name.clone(), h.contact_phone.clone())
}

const EXAMPLE: &str = "为3幢1203室张桂兰（一级残疾、低保）做无障碍改造，联系153-1615-5514";

fn kinds(r: &Register, t: &str) -> Vec<HitKind> {
    r.check(t)
}

#[test]
fn the_issue_example_is_blocked_with_and_without_her_in_the_register() {
    let mut d = demo(7, 300);
    with_zhang(&mut d);
    let r = Register::of(&d);
    assert_eq!(
        kinds(&r, EXAMPLE),
        vec![HitKind::Name, HitKind::Room, HitKind::Phone]
    );
    // She does not live here: the room form `N幢NNNN室` and the phone pattern still block it.
    let other = Register::of(&demo(7, 300));
    let k = kinds(&other, EXAMPLE);
    assert!(k.contains(&HitKind::Room) && k.contains(&HitKind::Phone), "{k:?}");
}

#[test]
fn rooms_in_the_forms_people_write_them() {
    let mut d = demo(7, 300);
    with_zhang(&mut d);
    let r = Register::of(&d);
    for t in [
        "3幢1203室",
        "3栋1203",
        "3号楼1203",
        "3-1203",
        "３幢１２０３",
        "3 幢 1203 室",
        "3幢2单元1203",
        "3-2-1203",
        "3#1203",
    ] {
        assert_eq!(kinds(&r, t), vec![HitKind::Room], "{t}");
    }
    for t in [
        "3幢和5幢之间",
        "在 6 幢与 9 幢之间的空地",
        "3栋楼道 120 米",
        "2026-11-24",
    ] {
        assert!(!kinds(&r, t).contains(&HitKind::Room), "{t}");
    }
}

#[test]
fn phones_split_spaced_or_full_width_and_register_numbers() {
    let mut d = demo(7, 300);
    let (_, phone) = with_zhang(&mut d);
    let r = Register::of(&d);
    for t in [
        "联系153-1615-5514",
        "联系 153 1615 5514",
        "联系１５３ １６１５ ５５１４",
        "联系１５３－１６１５－５５１４",
        "联系153.1615.5514",
        "+86 153 1615 5514",
        "座机 0571-8888 1234",
        &format!("电话{}", &phone),
        &format!("尾号 {}-{}", &phone[..3], &phone[3..]),
    ] {
        assert_eq!(kinds(&r, t), vec![HitKind::Phone], "{t}");
    }
    for t in [
        "11010519491231002X",
        "110105 19491231 002X",
        "１１０１０５１９４９１２３１００２ｘ",
    ] {
        assert_eq!(kinds(&r, t), vec![HitKind::Id], "{t}");
    }
    for t in [
        "预算 12.5 万元，2026-11-24 至 2026-12-01",
        "第 3 期 120 户",
        "¥1,234,567.00",
    ] {
        assert!(kinds(&r, t).is_empty(), "{t}");
    }
}

#[test]
fn names_whole_substrings_two_characters_included() {
    let mut d = demo(7, 300);
    with_zhang(&mut d);
    d.households[1].members[0].name = "李强".into();
    d.households[2].contact_name = "Anna Smith".into();
    d.households[3].members[0].name = "Bob".into();
    let r = Register::of(&d);
    assert_eq!(kinds(&r, "张 桂 兰家门口"), vec![HitKind::Name]);
    assert_eq!(kinds(&r, "李强家的坡道"), vec![HitKind::Name]);
    // A 2-character name is matched as a whole substring wherever it stands (documented).
    assert_eq!(kinds(&r, "加李强度"), vec![HitKind::Name]);
    assert_eq!(kinds(&r, "visit anna smith"), vec![HitKind::Name]);
    assert_eq!(kinds(&r, "bob's ramp"), vec![HitKind::Name]);
    // ASCII names as whole words only.
    assert!(kinds(&r, "bobsleigh track").is_empty());
    assert!(kinds(&r, "李家的坡道").is_empty());
}

#[test]
fn demo_communities_pass_the_gate() {
    for (seed, n) in [(1, 60), (7, 300), (2026, 1000), (3, 200), (11, 500)] {
        let d = demo(seed, n);
        let c = build(&d, &BuildOptions::at(NOW)).unwrap();
        assert!(!texts(&c).is_empty());
        let hits = gate(&d, &c);
        assert!(hits.is_empty(), "seed {seed}, {n}: {hits:?}");
    }
}

#[test]
fn the_gate_names_the_field_and_never_the_value() {
    let mut d = demo(7, 300);
    with_zhang(&mut d);
    let mut c = build(&d, &BuildOptions::at(NOW)).unwrap();
    let id = c.plans[0].id;
    c.plans[0].title = EXAMPLE.into();
    if let Some(o) = c.plans.iter_mut().flat_map(|p| &mut p.objections).next() {
        o.summary = "身份证 11010519491231002X".into();
    }
    let hits = gate(&d, &c);
    let title = format!("plans/{id}/title");
    assert!(hits.iter().any(|h| h.path == title && h.kind == HitKind::Name));
    assert!(hits.iter().any(|h| h.path == title && h.kind == HitKind::Phone));
    for h in &hits {
        let s = h.to_string();
        assert!(
            !s.contains("张桂兰") && !s.contains("5514") && !s.contains("1203"),
            "{s}"
        );
    }
}

fn published(d: &Dataset) -> (String, crate::snapshot::Content) {
    let c = build(d, &BuildOptions::at(NOW)).unwrap();
    (file::encode(&c).0, c)
}

#[test]
fn a_file_round_trips_and_commits_every_text() {
    let d = demo(7, 300);
    let (text, c) = published(&d);
    let s = file::decode(text.as_bytes()).unwrap();
    assert!(s.content == c, "decoded content differs from the built one");
    assert!(
        file::encode(&s.content).0 == text,
        "decode then encode gives the file back"
    );
    // The hashed content holds no published text: its text fields are empty, and
    // `texts_sha256` seals the texts next to it.
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let body = v["content"].to_string();
    assert_eq!(
        v["content"]["texts_sha256"],
        serde_json::Value::String(file::texts_sha256(&c))
    );
    assert_eq!(v["content"]["plans"][0]["title"], "");
    let n = texts(&c).into_iter().filter(|(_, t)| !t.is_empty()).count();
    assert!(n > 10);
    for (path, t) in texts(&c).into_iter().filter(|(_, t)| t.len() > 3) {
        assert!(
            !body.contains(&serde_json::to_string(&t).unwrap()),
            "{path} in clear"
        );
        assert_eq!(v["texts"][&path]["text"], serde_json::Value::String(t));
    }
    assert_eq!(v["texts"].as_object().unwrap().len(), n);
}

#[test]
fn redaction_keeps_the_hash_and_the_chain() {
    let d = demo(7, 300);
    let first = build(&d, &BuildOptions::at(NOW)).unwrap();
    let (t1, h1) = file::encode(&first);
    let mut o = BuildOptions::at(NOW + 3_600_000);
    o.previous = Some((1, h1.clone()));
    let (t2, _) = file::encode(&build(&d, &o).unwrap());
    let path = format!("plans/{}/title", first.plans[0].id);
    let title = first.plans[0].title.clone();
    let out = redact_history(&[t1.clone(), t2.clone()], 1, &path, "2026-12-10").unwrap();
    assert_ne!(out[0], t1.as_bytes());
    assert_eq!(out[1], t2.as_bytes());
    let chain = file::verify_chain(&out).unwrap();
    assert_eq!(chain[0].sha256, h1);
    let r = chain[0].content.texts.redacted(&path).unwrap();
    assert_eq!(r.on, "2026-12-10");
    assert_eq!(chain[0].content.plans[0].title, "");
    let red = String::from_utf8(out[0].clone()).unwrap();
    assert!(!red.contains(&title), "the text is gone");
    assert!(red.contains("\"redacted_on\":\"2026-12-10\""));
    // Again: refused, naming the day.
    let e = redact_history(&out, 1, &path, "2026-12-11").unwrap_err();
    assert!(
        matches!(e, RedactError::Already { ref on, .. } if on == "2026-12-10"),
        "{e}"
    );
    // No such field, no such snapshot, bad date.
    assert!(matches!(
        redact_history(&out, 1, "plans/999/title", "2026-12-10"),
        Err(RedactError::NoSuchField { .. })
    ));
    assert!(matches!(
        redact_history(&out, 9, &path, "2026-12-10"),
        Err(RedactError::NoSuchSnapshot { sequence: 9 })
    ));
    assert!(matches!(
        redact_file(&out[1], &path, "12/10/2026"),
        Err(RedactError::Date(_))
    ));
    // A redacted file encodes back to itself.
    assert_eq!(file::encode(&chain[0].content).0.into_bytes(), out[0]);
    // The redacted field's commitment is sealed by the root: changed, it is refused.
    let c0 = &r.commitment;
    let flipped: String = c0.chars().rev().collect();
    assert_ne!(&flipped, c0);
    let bad = red.replacen(c0.as_str(), &flipped, 1);
    assert_eq!(
        file::decode(bad.as_bytes()).unwrap_err(),
        DecodeError::TextMismatch
    );
}

#[test]
fn a_changed_text_or_salt_is_refused_naming_the_field() {
    let d = demo(7, 300);
    let (text, c) = published(&d);
    let title = &c.plans[0].title;
    let path = format!("plans/{}/title", c.plans[0].id);
    let bad = text.replacen(
        &format!("\"text\":{}", serde_json::to_string(title).unwrap()),
        "\"text\":\"x\"",
        1,
    );
    assert_ne!(bad, text);
    assert_eq!(
        file::decode(bad.as_bytes()).unwrap_err(),
        DecodeError::TextMismatch
    );
    assert_eq!(file::decode(bad.as_bytes()).unwrap_err().code(), "tampered");
    // A text dropped without a redaction record, or one added for no field.
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut w = v.clone();
    w["texts"].as_object_mut().unwrap().remove(&path);
    assert!(matches!(
        file::decode(w.to_string().as_bytes()),
        Err(DecodeError::TextMismatch) | Err(DecodeError::HashMismatch { .. })
    ));
    let mut w = v;
    w["texts"]["plans/999/title"] =
        serde_json::json!({"commitment": "0".repeat(64), "redacted_on": "2026-12-10"});
    let s = w.to_string();
    // serde_json's Value does not keep the content bytes: rebuild the file around the raw content.
    let raw_content = &text[text.find("\"content\":").unwrap() + 10..text.find(",\"texts\":").unwrap()];
    let texts_json = w["texts"].to_string();
    let rebuilt = format!(
        "{{\"format\":\"linli-public-snapshot\",\"version\":4,\"sha256\":\"{}\",\"content\":{raw_content},\"texts\":{texts_json}}}",
        v_sha(&text)
    );
    assert!(!s.is_empty());
    let e = file::decode(rebuilt.as_bytes()).unwrap_err();
    assert!(
        matches!(&e, DecodeError::Content(m) if m.contains("plans/999/title")),
        "{e}"
    );
}

fn v_sha(text: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(text).unwrap();
    v["sha256"].as_str().unwrap().to_owned()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Any one changed byte of any text is refused (or the file no longer parses).
    #[test]
    fn any_changed_text_byte_is_refused(pick in 0usize..1000, at in 0usize..1000, byte in 0u8..128) {
        let d = demo(7, 60);
        let (text, c) = published(&d);
        let all: Vec<(String, String)> = texts(&c).into_iter().filter(|(_, t)| !t.is_empty()).collect();
        let (_, t) = &all[pick % all.len()];
        let needle = format!("\"text\":{}", serde_json::to_string(t).unwrap());
        let start = text.find(&needle).unwrap() + 8;
        let end = start + needle.len() - 8;
        let mut bytes = text.clone().into_bytes();
        let i = start + 1 + at % (end - start - 2);
        prop_assume!(bytes[i] != byte);
        bytes[i] = byte;
        let r = file::decode(&bytes);
        prop_assert!(r.is_err());
    }

    /// Redacting any text field of any snapshot keeps its hash and the file verifying.
    #[test]
    fn redaction_keeps_verification(pick in 0usize..1000, day in 1u32..28) {
        let d = demo(7, 60);
        let (text, c) = published(&d);
        let all: Vec<(String, String)> = texts(&c).into_iter().filter(|(_, t)| !t.is_empty()).collect();
        let (path, t) = &all[pick % all.len()];
        let on = format!("2026-12-{day:02}");
        let red = redact_file(text.as_bytes(), path, &on).unwrap();
        let s = file::decode(&red).unwrap();
        prop_assert_eq!(&s.sha256, &v_sha(&text));
        prop_assert_eq!(&s.content.texts.redacted(path).unwrap().on, &on);
        let v: serde_json::Value = serde_json::from_slice(&red).unwrap();
        let commitment = commitment(&c.texts.salts[path.as_str()], path, t);
        prop_assert_eq!(&v["texts"][path.as_str()], &serde_json::json!({ "commitment": commitment, "redacted_on": on }));
        prop_assert!(!t.is_empty());
    }

    /// The gate catches a mobile number however it is split or written.
    #[test]
    fn the_gate_catches_split_and_full_width_phones(
        digits in "1[3-9][0-9]{9}",
        seps in proptest::collection::vec(prop_oneof![Just(""), Just(" "), Just("-"), Just("."), Just("　"), Just("－")], 11),
        wide in proptest::collection::vec(any::<bool>(), 11),
        prefix in "[一-龥]{0,6}",
    ) {
        let mut t = prefix.clone();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 {
                t.push_str(seps[i]);
            }
            t.push(if wide[i] { char::from_u32(ch as u32 + 0xFEE0).unwrap() } else { ch });
        }
        t.push_str("联系");
        let r = Register::default();
        prop_assert!(r.check(&t).contains(&HitKind::Phone), "{}", t);
        prop_assert_eq!(looks_personal(&t), Some("a phone number"));
    }
}

#[test]
fn a_signed_folder_redacted_in_place_still_verifies() {
    use crate::model::{Setting, SnapshotRecord};
    use crate::snapshot::prepare::{prepare, republish, PrepareOptions};
    use crate::snapshot::publish::{self, OutFile};
    let mut d = demo(7, 300);
    d.settings.push(Setting {
        key: crate::signing::PUBLISHING_KEY_SETTING.into(),
        value: serde_json::to_string(&"11".repeat(32)).unwrap(),
    });
    let o = |at| PrepareOptions {
        at,
        period: None,
        url: Some("https://example.org/a/".into()),
    };
    let first = prepare(&d, &[] as &[Vec<u8>], &o(NOW)).unwrap();
    let second = prepare(&d, std::slice::from_ref(&first.text), &o(NOW + 3_600_000)).unwrap();
    let mut folder: BTreeMap<String, Vec<u8>> = second
        .files
        .iter()
        .map(|f| (f.path.clone(), f.bytes.clone()))
        .collect();
    let head_title = format!("plans/{}/title", second.content.plans[0].id);
    let old_desc = format!("plans/{}/description", first.content.plans[1].id);
    let title = second.content.plans[0].title.clone();
    let apply = |folder: &mut BTreeMap<String, Vec<u8>>, files: Vec<OutFile>| {
        for f in files {
            folder.insert(f.path, f.bytes);
        }
    };
    let changed = publish::redact_folder(|p| folder.get(p).cloned(), 1, &old_desc, "2026-12-10").unwrap();
    assert_eq!(changed.len(), 1, "an older snapshot: its history file only");
    apply(&mut folder, changed);
    let changed = publish::redact_folder(|p| folder.get(p).cloned(), 2, &head_title, "2026-12-11").unwrap();
    let paths: Vec<&str> = changed.iter().map(|f| f.path.as_str()).collect();
    assert!(
        paths.contains(&publish::SNAPSHOT_PATH) && paths.contains(&publish::NOTICE_PATH),
        "{paths:?}"
    );
    apply(&mut folder, changed);
    let chain = publish::verify_folder(|p| folder.get(p).cloned()).unwrap();
    assert_eq!(chain[1].sha256, second.sha256);
    assert_eq!(
        chain[0].content.texts.redacted(&old_desc).unwrap().on,
        "2026-12-10"
    );
    let signed = publish::verify_signatures(|p| folder.get(p).cloned(), &chain, None, &[]).unwrap();
    assert!(matches!(signed, publish::Signed::Signed { .. }));
    let notice = String::from_utf8(folder[publish::NOTICE_PATH].clone()).unwrap();
    assert!(notice.contains("已于 2026-12-11 删除") && !notice.contains(&format!("<td>{title}</td>")));
    // A changed text in the history is refused by verify_folder, naming the snapshot.
    let mut bad = folder.clone();
    let f = chain_file(&bad, 1);
    let text = String::from_utf8(bad[&f].clone()).unwrap();
    let t = &first.content.plans[0].title;
    bad.insert(
        f,
        text.replacen(&format!("\"text\":\"{t}\""), "\"text\":\"改过\"", 1)
            .into_bytes(),
    );
    let errors = publish::verify_folder(|p| bad.get(p).cloned()).unwrap_err();
    let all: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert!(
        all.iter()
            .any(|e| e.contains("snapshot 0") && e.contains("texts_sha256")),
        "{all:?}"
    );
    // The workspace's way: the stored records redacted, the folder made again, identical
    // snapshot files and a verifying folder.
    let mut w = d.clone();
    let history = redact_history(
        &[first.text.clone(), second.text.clone()],
        1,
        &old_desc,
        "2026-12-10",
    )
    .unwrap();
    for (i, (json, p)) in history.iter().zip([&first, &second]).enumerate() {
        w.snapshots.push(SnapshotRecord {
            id: i as u32 + 1,
            published_at: p.content.published_at,
            sha256: p.sha256.clone(),
            previous_sha256: p.content.previous_sha256.clone(),
            json: String::from_utf8(json.clone()).unwrap(),
        });
    }
    w.settings.push(Setting {
        key: crate::snapshot::prepare::PUBLIC_URL_KEY.into(),
        value: "\"https://example.org/a/\"".into(),
    });
    let again = republish(&w).unwrap();
    assert_eq!(again.sha256, second.sha256);
    assert_eq!(again.text, second.text);
    let files: BTreeMap<String, Vec<u8>> = again
        .files
        .iter()
        .map(|f| (f.path.clone(), f.bytes.clone()))
        .collect();
    assert_eq!(files[&chain_file(&files, 1)], history[0]);
    assert_eq!(files[publish::CHECKPOINT_PATH], folder[publish::CHECKPOINT_PATH]);
    publish::verify_folder(|p| files.get(p).cloned()).unwrap();
    // Publishing after a redaction follows the redacted history.
    let third = prepare(&w, &history, &o(NOW + 7_200_000)).unwrap();
    assert_eq!(third.content.sequence, 3);
}

fn chain_file(folder: &BTreeMap<String, Vec<u8>>, sequence: u32) -> String {
    let index: crate::snapshot::publish::HistoryIndex =
        serde_json::from_slice(&folder[crate::snapshot::publish::INDEX_PATH]).unwrap();
    index
        .snapshots
        .iter()
        .find(|e| e.sequence == sequence)
        .unwrap()
        .file
        .clone()
}
