//! Intake: the payload format, every bad input (each leaves the dataset as it was), the
//! taking-in rules, keys, and the snapshot's public key.

use proptest::prelude::*;

use super::*;
use crate::dataset::Dataset;
use crate::model::{Millis, Request, RequestColour, RequestStatus, Urgency};
use crate::requests::calendar::{local_midnight, parse_date, WorkCalendar};
use crate::requests::lifecycle::{self, due_at, Step};
use crate::requests::tracking::TrackingCode;
use crate::warnings::{ITEMS_SETTING, TRIGGER_SATISFACTION};

const DAY: &str = "2026-12-07";

fn now() -> Millis {
    // Monday 7 December 2026, 10:00 Beijing time.
    local_midnight(parse_date(DAY).unwrap()) + 10 * 3_600_000
}

fn keys(seed: u8) -> IntakeKeys {
    IntakeKeys::default()
        .rotate(&Identity::from_bytes([seed; 32]).secret_string(), DAY)
        .unwrap()
}

fn entropy(seed: u8) -> SealEntropy {
    SealEntropy::from_bytes(&[seed; 64])
}

fn code(seed: u8) -> TrackingCode {
    TrackingCode::from_random([seed; 10])
}

/// A small demo community with intake keys (seed 1).
fn community() -> (Dataset, IntakeKeys) {
    let mut d = crate::demo::generate(&crate::demo::DemoConfig {
        households: 40,
        ..Default::default()
    });
    let k = keys(1);
    d.settings.retain(|s| s.key != keys::SETTING_KEY);
    d.settings.push(k.to_setting());
    (d, k)
}

fn request_for(d: &Dataset, c: u8, description: &str) -> Submission {
    Submission::request(
        &community_id(&d.settings),
        code(c),
        "housing_repair",
        description,
        Urgency::Medium,
        Some("138 0000 0000"),
    )
    .unwrap()
}

fn rating_for(d: &Dataset, c: u8, rating: u8, comment: Option<&str>) -> Submission {
    Submission::rating(&community_id(&d.settings), code(c), rating, comment).unwrap()
}

fn sealed(s: &Submission, k: &IntakeKeys, e: u8) -> String {
    seal(s, k.public_key().unwrap(), &entropy(e)).unwrap()
}

/// Open, decide and write, as `linli intake` does.
fn intake_into(d: &mut Dataset, text: &[u8], at: Millis) -> Result<IntakeOutcome, IntakeError> {
    let keys = IntakeKeys::from_settings(&d.settings).unwrap();
    let opened = open(text, &keys)?;
    let cal = WorkCalendar::default();
    let community = community_id(&d.settings);
    let ctx = Context {
        community: &community,
        calendar: &cal,
        now: at,
        categories: &[],
        colour: None,
        household_id: None,
        device: 0,
    };
    let out = take_in(&d.requests, &opened.submission, &opened.digest, &ctx)?;
    apply(d, &out, "王芳", at)?;
    Ok(out)
}

/// `text` is refused with `code` and `d` is unchanged.
fn refused(d: &mut Dataset, text: &[u8], code: &str) {
    let before = d.clone();
    match intake_into(d, text, now()) {
        Err(e) => assert_eq!(e.code(), code, "{e}"),
        Ok(o) => panic!("accepted: {o:?}"),
    }
    assert_eq!(*d, before, "nothing changed");
}

fn by_code(d: &Dataset, c: u8) -> &Request {
    d.requests
        .iter()
        .find(|r| r.tracking_code == code(c).as_str())
        .unwrap()
}

// ---- format ----

#[test]
fn a_sealed_request_opens_as_itself_and_is_standard_armor() {
    let (d, k) = community();
    let s = request_for(&d, 1, "楼道灯坏了 <b>&amp;</b>");
    let text = sealed(&s, &k, 3);
    assert!(text.starts_with("-----BEGIN AGE ENCRYPTED FILE-----\n"));
    assert!(text.ends_with("\n-----END AGE ENCRYPTED FILE-----\n"));
    assert!(text.lines().all(|l| l.len() <= 64 || l.starts_with("-----")));
    let opened = open(text.as_bytes(), &k).unwrap();
    assert_eq!(opened.submission, s);
    // Markup stays text.
    let Body::Request { description, .. } = &opened.submission.body else {
        panic!()
    };
    assert_eq!(description, "楼道灯坏了 <b>&amp;</b>");
    // The binary age file inside starts with the age v1 header and one X25519 stanza.
    let bin = age::dearmor(text.as_bytes(), MAX_TEXT_BYTES).unwrap();
    assert!(bin.starts_with(b"age-encryption.org/v1\n-> X25519 "));
    assert_eq!(open(&bin, &k).unwrap(), opened, "binary accepted, same digest");
    // Different randomness: another payload, another digest, the same submission.
    let other = open(sealed(&s, &k, 4).as_bytes(), &k).unwrap();
    assert_ne!(other.digest, opened.digest);
    assert_eq!(other.submission, s);
}

#[test]
fn text_mangled_by_messaging_apps_still_opens() {
    let (d, k) = community();
    let s = rating_for(&d, 2, 4, Some("很满意"));
    let text = sealed(&s, &k, 5);
    let digest = open(text.as_bytes(), &k).unwrap().digest;
    let armor_lines: Vec<&str> = text.lines().collect();
    let mangled = [
        text.replace('\n', "\r\n"),
        text.replace('\n', ""),
        text.replace('\n', " "),
        format!("居民 12 号楼：\n\n  {}\n谢谢！", text.replace('\n', "\n  ")),
        text.replace('=', ""),
        // Full-width and zero-width spaces, tabs inside the base64.
        armor_lines
            .iter()
            .map(|l| {
                if l.starts_with("-----") {
                    (*l).to_owned()
                } else {
                    let (a, b) = l.split_at(l.len() / 2);
                    format!("{a}\u{3000}\u{200b}\t{b}")
                }
            })
            .collect::<Vec<_>>()
            .join("\n"),
    ];
    for m in mangled {
        let o = open(m.as_bytes(), &k).unwrap_or_else(|e| panic!("{e}: {m:?}"));
        assert_eq!(o.submission, s);
        assert_eq!(o.digest, digest, "same payload, same digest");
    }
}

#[test]
fn the_wire_format_is_the_documented_json() {
    let (d, _) = community();
    let s = request_for(&d, 3, " 电梯故障 ");
    let json: serde_json::Value = serde_json::from_slice(&s.encode().unwrap()).unwrap();
    assert_eq!(json["format"], "linli-intake");
    assert_eq!(json["version"], 1);
    assert_eq!(json["kind"], "request");
    assert_eq!(json["description"], "电梯故障", "trimmed");
    assert_eq!(json["urgency"], "medium");
    assert_eq!(json["code"], code(3).as_str());
    assert!(json.get("rating").is_none());
    let r = rating_for(&d, 3, 2, None);
    let json: serde_json::Value = serde_json::from_slice(&r.encode().unwrap()).unwrap();
    assert_eq!(json["kind"], "rating");
    assert_eq!(json["rating"], 2);
    assert!(json.get("comment").is_none());
    assert_eq!(Submission::decode(&r.encode().unwrap()).unwrap(), r);
}

#[test]
fn wire_format_errors_are_specific() {
    let (d, _) = community();
    let base = serde_json::to_value(
        serde_json::from_slice::<serde_json::Value>(&request_for(&d, 1, "x").encode().unwrap()).unwrap(),
    )
    .unwrap();
    let with = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut v = base.clone();
        f(&mut v);
        Submission::decode(serde_json::to_string(&v).unwrap().as_bytes())
    };
    let code_of = |r: Result<Submission, IntakeError>| r.unwrap_err().code();
    assert_eq!(code_of(with(&|v| v["version"] = 2.into())), "newer");
    assert_eq!(code_of(with(&|v| v["format"] = "linli-backup".into())), "format");
    assert_eq!(code_of(with(&|v| v["extra"] = 1.into())), "format");
    assert_eq!(code_of(with(&|v| v["rating"] = 5.into())), "format");
    assert_eq!(code_of(with(&|v| v["urgency"] = "now".into())), "format");
    assert_eq!(code_of(with(&|v| v["kind"] = "rating".into())), "format");
    assert_eq!(code_of(with(&|v| v["description"] = " ".into())), "invalid");
    assert_eq!(
        code_of(with(
            &|v| v["description"] = "长".repeat(submission::MAX_DESCRIPTION_CHARS + 1).into()
        )),
        "invalid"
    );
    assert_eq!(code_of(with(&|v| v["description"] = "a\u{0}b".into())), "invalid");
    assert_eq!(code_of(with(&|v| v["category"] = "<script>".into())), "invalid");
    assert_eq!(code_of(with(&|v| v["code"] = "ABC".into())), "invalid");
    assert_eq!(code_of(Submission::decode(b"not json")), "format");
    assert_eq!(
        code_of(Submission::decode(&vec![
            b' ';
            submission::MAX_PLAINTEXT_BYTES + 1
        ])),
        "too_large"
    );
    assert!(with(&|v| v["description"] = "长".repeat(submission::MAX_DESCRIPTION_CHARS).into()).is_ok());
    assert_eq!(
        Submission::rating("c", code(1), 6, None).unwrap_err().code(),
        "invalid"
    );
    assert_eq!(
        Submission::rating("c", code(1), 0, None).unwrap_err().code(),
        "invalid"
    );
    // Too many bytes for one QR code even within the character limits.
    let big = Submission::request(
        "c",
        code(1),
        "x",
        &"😀".repeat(400),
        Urgency::Low,
        Some(&"😀".repeat(40)),
    );
    assert_eq!(big.unwrap().encode().unwrap_err().code(), "too_large");
}

#[test]
fn the_largest_payload_fits_one_qr_code() {
    // The longest plaintext allowed, armored: under 2,953 bytes (QR version 40, level L).
    let (d, k) = community();
    let mut desc = "长".repeat(submission::MAX_DESCRIPTION_CHARS);
    let mut s = request_for(&d, 1, &desc);
    while s.encode().is_err() {
        desc.pop();
        s = request_for(&d, 1, &desc);
    }
    let plain = s.encode().unwrap().len();
    assert!(plain <= submission::MAX_PLAINTEXT_BYTES);
    let text = sealed(&s, &k, 1);
    assert!(
        text.len() <= 2_953,
        "{} bytes of armor for {plain} of JSON",
        text.len()
    );
}

// ---- bad input: a clear error, nothing changed ----

#[test]
fn malformed_truncated_and_too_large_are_refused() {
    let (mut d, k) = community();
    let text = sealed(&request_for(&d, 1, "噪音扰民"), &k, 1);
    refused(&mut d, b"", "malformed");
    refused(&mut d, "请帮忙修一下楼道灯".as_bytes(), "malformed");
    refused(&mut d, &[0xff, 0xfe, 0x00], "malformed");
    refused(&mut d, b"age-encryption.org/v2\n-> X25519 abc\n", "malformed");
    let no_end = &text[..text.find("-----END").unwrap()];
    refused(&mut d, no_end.as_bytes(), "truncated");
    // Cut inside the base64 (the end line pasted after a cut message).
    let lines: Vec<&str> = text.lines().collect();
    let cut = format!("{}\n{}\n{}\n", lines[0], &lines[1][..13], lines[lines.len() - 1]);
    refused(&mut d, cut.as_bytes(), "truncated");
    let header_only = format!("{}\n{}\n{}\n", lines[0], lines[1], lines[lines.len() - 1]);
    refused(&mut d, header_only.as_bytes(), "truncated");
    // The binary cut inside the payload.
    let bin = age::dearmor(text.as_bytes(), MAX_TEXT_BYTES).unwrap();
    refused(&mut d, &bin[..bin.len() - 20], "damaged");
    let header_end = bin.windows(4).position(|w| w == b"\n---").unwrap();
    refused(&mut d, &bin[..header_end + 10], "truncated");
    refused(&mut d, &bin[..header_end + 60], "truncated");
    // Over the documented limit.
    let padded = format!("{text}{}", " ".repeat(MAX_TEXT_BYTES));
    refused(&mut d, padded.as_bytes(), "too_large");
    // A plaintext over the limit, sealed by hand.
    let big = format!(
        "{{\"format\":\"linli-intake\",\"version\":1,\"pad\":\"{}\"}}",
        "x".repeat(submission::MAX_PLAINTEXT_BYTES)
    );
    let to = age::parse_recipient(k.public_key().unwrap()).unwrap();
    let bin = age::seal(big.as_bytes(), &to, &entropy(2)).unwrap();
    refused(&mut d, &bin, "too_large");
    // Age with a plaintext that is not ours.
    let bin = age::seal(b"{\"hello\":1}", &to, &entropy(3)).unwrap();
    refused(&mut d, age::armor(&bin).as_bytes(), "format");
    let bin = age::seal(b"\xff\xff", &to, &entropy(3)).unwrap();
    refused(&mut d, &bin, "format");
}

#[test]
fn a_changed_character_is_refused() {
    let (mut d, k) = community();
    let text = sealed(&request_for(&d, 1, "噪音扰民"), &k, 1);
    let bytes = text.as_bytes();
    // A character inside the payload's base64 (the last line) and inside the header's.
    for pos in [bytes.len() - 40, 100] {
        let mut b = bytes.to_vec();
        b[pos] = if b[pos] == b'A' { b'B' } else { b'A' };
        let before = d.clone();
        let e = intake_into(&mut d, &b, now()).unwrap_err();
        assert!(["damaged", "malformed"].contains(&e.code()), "{pos}: {e}");
        assert_eq!(d, before);
    }
}

#[test]
fn another_communitys_key_and_a_deleted_retired_key_are_refused() {
    let (mut d, k) = community();
    let s = request_for(&d, 1, "噪音扰民");
    // Sealed to another community's key.
    refused(&mut d, sealed(&s, &keys(9), 1).as_bytes(), "no_key");
    // Rotation: a payload sealed to the old key still opens; after deleting it, not.
    let old = sealed(&s, &k, 2);
    let rotated = k
        .rotate(&Identity::from_bytes([2; 32]).secret_string(), "2026-12-08")
        .unwrap();
    assert_eq!(rotated.retired, vec![k.current.clone().unwrap()]);
    assert_ne!(rotated.public_key(), k.public_key());
    assert!(
        open(old.as_bytes(), &rotated).is_ok(),
        "late payload opens with the retired key"
    );
    let deleted = rotated.delete_retired(1).unwrap();
    assert!(deleted.retired.is_empty());
    d.settings.retain(|x| x.key != keys::SETTING_KEY);
    d.settings.push(deleted.to_setting());
    refused(&mut d, old.as_bytes(), "no_key");
    // A community without keys.
    d.settings.retain(|x| x.key != keys::SETTING_KEY);
    assert_eq!(
        open(old.as_bytes(), &IntakeKeys::default()).unwrap_err().code(),
        "no_keys"
    );
}

#[test]
fn a_payload_for_another_community_is_refused() {
    let (mut d, k) = community();
    // Sealed to this community's key (a workspace cloned from this one's backup shares
    // it) but naming another community.
    let s = Submission::request(
        "linli/another",
        code(1),
        "housing_repair",
        "x",
        Urgency::Low,
        None,
    )
    .unwrap();
    refused(&mut d, sealed(&s, &k, 1).as_bytes(), "wrong_community");
}

#[test]
fn a_code_of_another_request_is_refused_and_a_replay_changes_nothing() {
    let (mut d, k) = community();
    let s = request_for(&d, 1, "噪音扰民");
    let text = sealed(&s, &k, 1);
    let out = intake_into(&mut d, text.as_bytes(), now()).unwrap();
    let IntakeOutcome::Created(r) = &out else {
        panic!("{out:?}")
    };
    let after_first = d.clone();
    // The same text again, and the same submission sealed again: already taken in.
    for again in [text.clone(), sealed(&s, &k, 2)] {
        let o = intake_into(&mut d, again.as_bytes(), now() + 5).unwrap();
        assert_eq!(o, IntakeOutcome::AlreadyTakenIn { id: r.id });
        assert_eq!(d, after_first);
    }
    // The same code with other content: refused.
    let text = sealed(&request_for(&d, 1, "另一件事"), &k, 3);
    refused(&mut d, text.as_bytes(), "code_taken");
    // A guide-typed request's code (from the demo).
    let guide_code = d.requests[0].tracking_code.clone();
    let s = Submission::request(
        &community_id(&d.settings),
        TrackingCode::parse(&guide_code).unwrap(),
        "housing_repair",
        "x",
        Urgency::Low,
        None,
    )
    .unwrap();
    refused(&mut d, sealed(&s, &k, 4).as_bytes(), "code_taken");
}

#[test]
fn ratings_of_unknown_or_open_requests_are_refused() {
    let (mut d, k) = community();
    let text = sealed(&rating_for(&d, 7, 5, None), &k, 1);
    refused(&mut d, text.as_bytes(), "unknown_code");
    let text = sealed(&request_for(&d, 7, "x"), &k, 2);
    intake_into(&mut d, text.as_bytes(), now()).unwrap();
    let text = sealed(&rating_for(&d, 7, 5, None), &k, 3);
    refused(&mut d, text.as_bytes(), "not_rateable");
}

// ---- the rules ----

#[test]
fn a_new_request_is_recorded_under_the_residents_code_with_its_due_time() {
    let (mut d, k) = community();
    let n = d.requests.len();
    let max_id = d.requests.iter().map(|r| r.id).max().unwrap();
    let max_audit = d.audit_log.iter().map(|e| e.id).max().unwrap_or(0);
    // Wednesday 30 September 2026: the National Day block is skipped.
    let at = local_midnight(parse_date("2026-09-30").unwrap()) + 10 * 3_600_000;
    let text = sealed(&request_for(&d, 4, "电梯故障"), &k, 1);
    let out = intake_into(&mut d, text.as_bytes(), at).unwrap();
    assert_eq!(d.requests.len(), n + 1);
    let r = by_code(&d, 4);
    assert_eq!(Some(r), out.request());
    assert_eq!(r.id, max_id + 1);
    assert_eq!(r.status, RequestStatus::Received);
    assert_eq!(r.colour, RequestColour::Yellow, "medium → yellow");
    assert_eq!(r.received_at, at);
    assert_eq!(
        r.due_at,
        due_at(&WorkCalendar::default(), RequestColour::Yellow, at)
    );
    assert_eq!(
        crate::requests::calendar::local_datetime(r.due_at - 60_000),
        "2026-10-10 23:59"
    );
    assert_eq!(r.household_id, None);
    let res = r.resident.as_ref().unwrap();
    assert_eq!(res.urgency, Some(Urgency::Medium));
    assert_eq!(res.contact.as_deref(), Some("138 0000 0000"));
    assert_eq!(res.payloads, vec![open(text.as_bytes(), &k).unwrap().digest]);
    let e = d.audit_log.last().unwrap();
    assert_eq!(
        (e.id, e.actor.as_str(), e.entity.as_str(), e.entity_id),
        (max_audit + 1, "王芳", "requests", r.id)
    );
    assert_eq!(e.action, "create");
    assert_eq!(e.at, at);
    // The guide's colour wins over the resident's urgency.
    let cal = WorkCalendar::default();
    let community = community_id(&d.settings);
    let s = request_for(&d, 5, "x");
    let ctx = Context {
        community: &community,
        calendar: &cal,
        now: at,
        categories: &["health".to_owned()],
        colour: Some(RequestColour::Red),
        household_id: Some(d.households[0].id),
        device: 0,
    };
    assert_eq!(
        take_in(&d.requests, &s, "d", &ctx).unwrap_err().code(),
        "invalid",
        "category list"
    );
    let ctx = Context {
        categories: &["housing_repair".to_owned()],
        ..ctx
    };
    let IntakeOutcome::Created(r) = take_in(&d.requests, &s, "d", &ctx).unwrap() else {
        panic!()
    };
    assert_eq!((r.colour, r.due_at), (RequestColour::Red, at + 24 * 3_600_000));
    assert_eq!(r.household_id, Some(d.households[0].id), "linked by the guide");
    // An enrolled device numbers the request in its own space, whatever ids the
    // legacy space and other devices hold.
    use crate::replication::ids::{compose, device_of};
    let legacy_max = d.requests.iter().map(|r| r.id).max().unwrap();
    assert_eq!(device_of(legacy_max), 0);
    let mut theirs = d.requests.clone();
    theirs.push(Request {
        id: compose(3, 9).unwrap(),
        ..theirs[0].clone()
    });
    let ctx = Context { device: 2, ..ctx };
    let IntakeOutcome::Created(r) = take_in(&theirs, &s, "d", &ctx).unwrap() else {
        panic!()
    };
    assert_eq!(r.id, compose(2, 1).unwrap());
    theirs.push(r);
    let IntakeOutcome::Created(r) = take_in(&theirs, &request_for(&d, 6, "y"), "e", &ctx).unwrap() else {
        panic!()
    };
    assert_eq!(r.id, compose(2, 2).unwrap());
    let ctx = Context { device: 0, ..ctx };
    let IntakeOutcome::Created(r) = take_in(&theirs, &request_for(&d, 7, "z"), "f", &ctx).unwrap() else {
        panic!()
    };
    assert_eq!(r.id, legacy_max + 1, "device 0 continues the legacy space");
}

/// Takes request `c` in at `at` and moves it to resolved.
fn resolved(d: &mut Dataset, k: &IntakeKeys, c: u8, at: Millis) {
    intake_into(d, sealed(&request_for(d, c, "灯坏了"), k, c).as_bytes(), at).unwrap();
    let r = by_code(d, c).clone();
    let r = lifecycle::advance_with(&r, RequestStatus::Resolved, &Step::default(), at + 1).unwrap();
    let i = d.requests.iter().position(|x| x.id == r.id).unwrap();
    d.requests[i] = r;
}

#[test]
fn a_rating_closes_a_resolved_request_and_counts_in_satisfaction() {
    let (mut d, k) = community();
    let t = now();
    resolved(&mut d, &k, 8, t);
    let before = crate::requests::satisfaction::recent(&d.requests, t + 10);
    let text = sealed(&rating_for(&d, 8, 5, Some("  师傅很快就来了 ")), &k, 50);
    let out = intake_into(&mut d, text.as_bytes(), t + 10).unwrap();
    assert!(matches!(
        out,
        IntakeOutcome::Rated {
            before: RequestStatus::Resolved,
            ..
        }
    ));
    let r = by_code(&d, 8);
    assert_eq!(r.status, RequestStatus::Closed);
    assert_eq!(r.satisfaction, Some(5));
    assert_eq!(r.history.last().unwrap().note.as_deref(), Some(RATING_NOTE));
    assert_eq!(r.history.last().unwrap().at, t + 10);
    let res = r.resident.as_ref().unwrap();
    assert_eq!(res.comment.as_deref(), Some("师傅很快就来了"));
    assert_eq!(res.payloads.len(), 2);
    let after = crate::requests::satisfaction::recent(&d.requests, t + 10);
    assert_eq!(after.rated, before.rated + 1);
    assert_eq!(after.satisfied, before.satisfied + 1);
    let e = d.audit_log.last().unwrap();
    assert_eq!((e.action.as_str(), e.actor.as_str()), ("status", "王芳"));
    assert!(e.summary.starts_with("resolved → closed (5/5)"), "{}", e.summary);
    // The same rating again: nothing; a changed rating: updated; the old payload pasted
    // again later does not undo it.
    let snapshot = d.clone();
    assert!(intake_into(&mut d, text.as_bytes(), t + 20).unwrap().is_replay());
    let again = sealed(&rating_for(&d, 8, 5, Some("师傅很快就来了")), &k, 51);
    assert!(intake_into(&mut d, again.as_bytes(), t + 20).unwrap().is_replay());
    assert_eq!(d, snapshot);
    let lower = sealed(&rating_for(&d, 8, 3, None), &k, 52);
    let out = intake_into(&mut d, lower.as_bytes(), t + 30).unwrap();
    assert!(matches!(
        out,
        IntakeOutcome::Rated {
            before: RequestStatus::Closed,
            ..
        }
    ));
    assert_eq!(by_code(&d, 8).satisfaction, Some(3));
    assert_eq!(by_code(&d, 8).resident.as_ref().unwrap().comment, None);
    assert_eq!(by_code(&d, 8).status, RequestStatus::Closed);
    assert_eq!(d.audit_log.last().unwrap().action, "update");
    assert_eq!(d.audit_log.last().unwrap().at, t + 30);
    assert!(intake_into(&mut d, text.as_bytes(), t + 40).unwrap().is_replay());
    assert_eq!(by_code(&d, 8).satisfaction, Some(3));
}

#[test]
fn low_ratings_open_one_improvement_item() {
    // An empty community: five residents rate 2, the fifth rating opens the item.
    let mut d = Dataset::default();
    let k = keys(1);
    d.settings.push(k.to_setting());
    let t = now();
    for c in 1..=5u8 {
        resolved(&mut d, &k, c, t);
    }
    for c in 1..=5u8 {
        let before = d.audit_log.len();
        let text = sealed(&rating_for(&d, c, 2, None), &k, 100 + c);
        intake_into(&mut d, text.as_bytes(), t + 100).unwrap();
        let items = d.settings.iter().find(|s| s.key == ITEMS_SETTING);
        if c < 5 {
            assert!(items.is_none(), "{c} ratings: too few");
            assert_eq!(d.audit_log.len(), before + 1);
        } else {
            let items: Vec<crate::warnings::ImprovementItem> =
                serde_json::from_str(&items.unwrap().value).unwrap();
            assert_eq!(items.len(), 1);
            assert_eq!(items[0].trigger, TRIGGER_SATISFACTION);
            assert_eq!(d.audit_log.len(), before + 2);
            assert_eq!(d.audit_log.last().unwrap().entity, "settings");
        }
    }
    let s = crate::requests::satisfaction::recent(&d.requests, t + 100);
    assert_eq!((s.rated, s.satisfied), (5, 0));
    assert!(s.below_target());
}

// ---- keys ----

#[test]
fn keys_rotate_keep_old_ones_and_never_show_secrets() {
    let k = keys(1);
    let cur = k.current.clone().unwrap();
    assert_eq!(cur.id, 1);
    assert!(cur.public.starts_with("age1"));
    assert!(cur.secret.starts_with("AGE-SECRET-KEY-1"));
    assert_eq!(Identity::parse(&cur.secret).unwrap().recipient(), cur.public);
    assert_eq!(k.rotate(&cur.secret, DAY).unwrap_err(), KeysError::Reused);
    assert_eq!(
        k.rotate("AGE-SECRET-KEY-1XYZ", DAY).unwrap_err().code(),
        "bad_key"
    );
    assert_eq!(k.rotate(&cur.public, DAY).unwrap_err().code(), "bad_key");
    let k2 = k
        .rotate(&Identity::from_bytes([2; 32]).secret_string(), "2026-12-08")
        .unwrap();
    let k3 = k2
        .rotate(&Identity::from_bytes([3; 32]).secret_string(), "2026-12-09")
        .unwrap();
    assert_eq!(k3.current.as_ref().unwrap().id, 3);
    assert_eq!(k3.retired.iter().map(|x| x.id).collect::<Vec<_>>(), [2, 1]);
    assert_eq!(k3.identities().len(), 3);
    assert_eq!(
        k3.delete_retired(3).unwrap_err(),
        KeysError::NoSuchRetired(3),
        "not the current one"
    );
    assert_eq!(k3.delete_retired(9).unwrap_err().code(), "no_such_key");
    let k4 = k3.delete_retired(2).unwrap();
    assert_eq!(k4.retired.iter().map(|x| x.id).collect::<Vec<_>>(), [1]);
    // Ids are never reused after a deletion.
    let k5 = k4
        .rotate(&Identity::from_bytes([4; 32]).secret_string(), DAY)
        .unwrap();
    assert_eq!(k5.current.as_ref().unwrap().id, 4);
    // Stored and read back; Debug output without secrets.
    let setting = k5.to_setting();
    assert_eq!(
        IntakeKeys::from_settings(std::slice::from_ref(&setting)).unwrap(),
        k5
    );
    let dbg = format!("{k5:?} {:?}", k5.identities());
    assert!(!dbg.contains("AGE-SECRET-KEY"), "{dbg}");
    assert!(dbg.contains(k5.public_key().unwrap()));
    // A stored pair that does not match is refused, naming the setting.
    let mut bad = k5.clone();
    bad.retired[0].public = k5.current.clone().unwrap().public;
    let e = IntakeKeys::from_settings(&[bad.to_setting()]).unwrap_err();
    assert_eq!(e.key, keys::SETTING_KEY);
    assert_eq!(IntakeKeys::from_settings(&[]).unwrap(), IntakeKeys::default());
}

#[test]
fn known_key_strings_read_as_age_reads_them() {
    // The example from age's documentation (age-keygen output format) round-trips, and
    // the public key is derived as age derives it (checked against the age crate in the
    // CLI's tests).
    let id = Identity::from_bytes([0x42; 32]);
    let s = id.secret_string();
    assert_eq!(s.len(), 74);
    assert_eq!(
        Identity::parse(&s.to_lowercase()).unwrap().recipient(),
        id.recipient()
    );
    assert_eq!(id.recipient().len(), 62);
    assert_eq!(age::parse_recipient(&id.recipient()).unwrap().len(), 32);
    assert!(age::parse_recipient(&s).is_err());
    assert!(Identity::parse(&id.recipient()).is_err());
}

// ---- the snapshot ----

#[test]
fn the_snapshot_publishes_the_public_key_and_nothing_private() {
    let (mut d, k) = community();
    // Resident texts planted in a request taken in and rated.
    let s = Submission::request(
        &community_id(&d.settings),
        code(9),
        "housing_repair",
        "PLANTDESC 住在3幢",
        Urgency::High,
        Some("PLANTCONTACT"),
    )
    .unwrap();
    intake_into(&mut d, sealed(&s, &k, 1).as_bytes(), now()).unwrap();
    let r = by_code(&d, 9).clone();
    let r = lifecycle::advance_with(&r, RequestStatus::Resolved, &Step::default(), now() + 1).unwrap();
    let i = d.requests.iter().position(|x| x.id == r.id).unwrap();
    d.requests[i] = r;
    let rating = sealed(&rating_for(&d, 9, 4, Some("PLANTCOMMENT")), &k, 2);
    intake_into(&mut d, rating.as_bytes(), now() + 2).unwrap();
    let opts = crate::snapshot::BuildOptions::at(now() + 3);
    let content = crate::snapshot::build(&d, &opts).unwrap();
    let intake = content.intake.clone().unwrap();
    assert_eq!(intake.recipient, k.public_key().unwrap());
    assert_eq!(intake.community, community_id(&d.settings));
    let (text, _) = crate::snapshot::file::encode(&content);
    let bytes = text.as_bytes();
    let secret = &k.current.as_ref().unwrap().secret;
    for planted in [
        secret.as_str(),
        &secret.to_lowercase(),
        "AGE-SECRET-KEY",
        "PLANTDESC",
        "PLANTCONTACT",
        "PLANTCOMMENT",
        "138 0000",
    ] {
        assert!(
            !text.to_lowercase().contains(&planted.to_lowercase()),
            "{planted} published"
        );
    }
    assert!(text.contains(&intake.recipient));
    // It decodes, verifies and passes the privacy rules; without keys the field is absent.
    let back = crate::snapshot::file::decode(bytes).unwrap();
    assert_eq!(back.content.intake, content.intake);
    assert_eq!(crate::snapshot::privacy::check(&back.content), vec![]);
    // A private key in its place breaks a privacy rule.
    let mut leaked = back.content.clone();
    leaked.intake.as_mut().unwrap().recipient = secret.clone();
    assert_eq!(
        crate::snapshot::privacy::check(&leaked)[0].path,
        "intake.recipient"
    );
    d.settings.retain(|x| x.key != keys::SETTING_KEY);
    let plain = crate::snapshot::build(&d, &opts).unwrap();
    assert_eq!(plain.intake, None);
    assert!(!crate::snapshot::file::encode(&plain).0.contains("\"intake\""));
}

// ---- properties ----

fn any_submission() -> impl Strategy<Value = Submission> {
    let code = proptest::array::uniform10(any::<u8>()).prop_map(TrackingCode::from_random);
    let urgency = prop_oneof![Just(Urgency::Low), Just(Urgency::Medium), Just(Urgency::High)];
    let request = (
        code.clone(),
        "[a-z_]{1,20}",
        "[^\\p{Cc}]{1,120}",
        urgency,
        proptest::option::of("[0-9 +-]{1,20}"),
    )
        .prop_filter_map("valid", |(c, cat, desc, u, contact)| {
            Submission::request("linli/test", c, &cat, &desc, u, contact.as_deref()).ok()
        });
    let rating = (code, 1u8..=5, proptest::option::of("[^\\p{Cc}]{0,60}"))
        .prop_filter_map("valid", |(c, r, comment)| {
            Submission::rating("linli/test", c, r, comment.as_deref()).ok()
        });
    prop_oneof![request, rating]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever is sealed opens as itself, with a digest of the binary file.
    #[test]
    fn round_trip(s in any_submission(), e in proptest::array::uniform32(any::<u8>())) {
        let k = keys(1);
        let mut bytes = [0u8; 64];
        bytes[..32].copy_from_slice(&e);
        bytes[32..].copy_from_slice(&e);
        let text = seal(&s, k.public_key().unwrap(), &SealEntropy::from_bytes(&bytes)).unwrap();
        let o = open(text.as_bytes(), &k).unwrap();
        prop_assert_eq!(&o.submission, &s);
        let bin = age::dearmor(text.as_bytes(), MAX_TEXT_BYTES).unwrap();
        prop_assert_eq!(o.digest, crate::backup::sha256_hex(&bin));
    }

    /// Any single changed byte of the payload (the binary age file) is refused.
    #[test]
    fn any_changed_byte_of_the_payload_is_refused(s in any_submission(), pos in any::<usize>(), x in 1u8..=255) {
        let k = keys(1);
        let text = seal(&s, k.public_key().unwrap(), &entropy(7)).unwrap();
        let mut bin = age::dearmor(text.as_bytes(), MAX_TEXT_BYTES).unwrap();
        let i = pos % bin.len();
        bin[i] ^= x;
        prop_assert!(open(&bin, &k).is_err(), "byte {} changed and accepted", i);
        prop_assert!(open(age::armor(&bin).as_bytes(), &k).is_err());
    }

    /// Any single byte of the armored text changed to something that is not whitespace
    /// (which pasting may add or drop) is refused, up to the end line.
    #[test]
    fn any_changed_character_of_the_text_is_refused(s in any_submission(), pos in any::<usize>(), c in any::<u8>()) {
        let k = keys(1);
        let text = seal(&s, k.public_key().unwrap(), &entropy(7)).unwrap();
        let mut b = text.into_bytes();
        let i = pos % (b.len() - 1);
        prop_assume!(b[i] != c && !c.is_ascii_whitespace());
        b[i] = c;
        prop_assert!(open(&b, &k).is_err(), "byte {} changed to {} and accepted", i, c);
    }

    /// Arbitrary input never panics and is refused.
    #[test]
    fn arbitrary_input_is_refused(b in proptest::collection::vec(any::<u8>(), 0..600)) {
        prop_assert!(open(&b, &keys(1)).is_err());
        let mut armored = age::ARMOR_BEGIN.as_bytes().to_vec();
        armored.extend(&b);
        armored.extend(age::ARMOR_END.as_bytes());
        prop_assert!(open(&armored, &keys(1)).is_err());
    }
}
