use proptest::prelude::*;

use super::file::{decode, encode, history_name, verify_chain, ChainError};
use super::{build, privacy, BuildOptions};
use crate::dataset::Dataset;
use crate::demo::{generate, DemoConfig};

/// 2026-11-24 12:00 China time.
const NOW: i64 = 1_795_492_800_000;

fn demo(households: u32, seed: u64) -> Dataset {
    generate(&DemoConfig {
        seed,
        households,
        year: 2026,
    })
}

/// Plants recognisable personal data in every place it can live, so a leak is found
/// by a plain substring search of the published bytes.
fn plant(d: &mut Dataset) -> Vec<String> {
    let mut secrets = Vec::new();
    for (i, h) in d.households.iter_mut().enumerate() {
        h.contact_name = format!("PLANTNAME{i}Z");
        h.contact_phone = format!("1390000{i:04}");
        h.room = format!("PLANTROOM{i}Z");
        h.notes = format!("PLANTNOTE{i}Z");
        for (j, m) in h.members.iter_mut().enumerate() {
            m.name = format!("PLANTMEMBER{i}X{j}Z");
        }
        if i < 50 {
            secrets.extend([
                h.contact_name.clone(),
                h.contact_phone.clone(),
                h.room.clone(),
                h.notes.clone(),
            ]);
            secrets.extend(h.members.iter().map(|m| m.name.clone()));
        }
    }
    for (i, r) in d.requests.iter_mut().enumerate() {
        r.description = format!("PLANTDESC{i}Z");
        r.assignee = Some(format!("PLANTASSIGNEE{i}Z"));
        // What a resident submitted from their phone (issue #18).
        r.resident = Some(crate::model::ResidentInput {
            urgency: Some(crate::model::Urgency::High),
            contact: Some(format!("PLANTCONTACT{i}Z")),
            comment: Some(format!("PLANTCOMMENT{i}Z")),
            payloads: vec![format!("{i:064x}")],
        });
        if i < 50 {
            secrets.push(r.description.clone());
            secrets.push(format!("{i:064x}"));
        }
    }
    // The community's intake key pair: only its public half may be published.
    let id = crate::intake::Identity::from_bytes([0x5a; 32]);
    let keys = crate::intake::IntakeKeys::default()
        .rotate(&id.secret_string(), "2026-11-01")
        .unwrap();
    d.settings.retain(|s| s.key != crate::intake::keys::SETTING_KEY);
    d.settings.push(keys.to_setting());
    secrets.extend([
        id.secret_string(),
        id.secret_string().to_lowercase(),
        "AGE-SECRET-KEY".to_owned(),
        "age-secret-key".to_owned(),
    ]);
    for (i, a) in d.audit_log.iter_mut().enumerate() {
        a.actor = format!("PLANTACTOR{i}Z");
    }
    secrets.extend(
        [
            "PLANTNAME",
            "PLANTROOM",
            "PLANTNOTE",
            "PLANTMEMBER",
            "PLANTDESC",
            "PLANTACTOR",
            "PLANTASSIGNEE",
            "PLANTCONTACT",
            "PLANTCOMMENT",
        ]
        .map(String::from),
    );
    secrets
}

fn leaks(d: &Dataset, text: &str, secrets: &[String]) -> Vec<String> {
    let mut found: Vec<String> = secrets
        .iter()
        .filter(|s| text.contains(s.as_str()))
        .cloned()
        .collect();
    // Phone numbers of every household, and no household id as a JSON key.
    for h in &d.households {
        if text.contains(&h.contact_phone) {
            found.push(h.contact_phone.clone());
        }
    }
    for key in [
        "\"household_id\"",
        "\"name\":",
        "\"phone\"",
        "\"room\"",
        "\"birth",
        "\"members\"",
        // Plans publish a public `description`; request descriptions are planted secrets.
        "\"guide\"",
        "\"notes\"",
        "\"internal",
        "\"actor\"",
        "\"assignee\"",
        "\"voucher\"",
        "\"approver\"",
        "\"assessor\"",
        "\"contact\"",
        "\"comment\"",
        "\"resident\"",
        "\"payloads\"",
        "\"secret\"",
    ] {
        if text.contains(key) {
            found.push(key.to_owned());
        }
    }
    found
}

#[test]
fn demo_snapshot_has_the_figures_and_no_personal_data() {
    let mut d = demo(4_500, 2026);
    // The period's run adopted (if the demo has not adopted one): its figures are published.
    super::tests_decisions::adopt(&mut d, "2026-Q3");
    let secrets = plant(&mut d);
    let s = build(&d, &BuildOptions::at(NOW)).unwrap();
    let (text, hash) = encode(&s);
    assert_eq!(leaks(&d, &text, &secrets), Vec::<String>::new());
    assert!(privacy::check(&s).is_empty(), "{:?}", privacy::check(&s));
    assert_eq!(decode(text.as_bytes()).unwrap().sha256, hash);
    // The intake public key is published (issue #18), the planted secret key is not.
    let intake = s.intake.clone().expect("the planted intake key's public half");
    assert!(intake.recipient.starts_with("age1") && text.contains(&intake.recipient));

    assert_eq!(s.headline.households, Some(4_500));
    // Residents in bands of the minimum cell size (issue #15: disclosure rules).
    let residents = d.resident_count() as u64;
    assert_eq!(s.headline.residents, Some(residents / 5 * 5));
    assert_eq!(s.period, "2026-Q3");
    assert_eq!(s.as_of, "2026-11-24");
    // The money adds up: pools, categories and funders.
    let pool = &s.pools[0];
    assert_eq!(pool.kind, "money");
    assert_eq!(pool.reserve + pool.base + pool.flexible, pool.total);
    assert_eq!(s.headline.budget_fen, pool.total);
    // Category amounts are rounded (issue #15): each within half its step, so the lines
    // add up to the allocated pools within half a step each.
    let allocated: i64 = s.allocation.iter().filter_map(|c| c.amount_fen).sum();
    let slack: i64 = s
        .allocation
        .iter()
        .filter(|c| c.amount_fen.is_some())
        .map(|c| c.step_fen / 2)
        .sum();
    assert!(
        (allocated - (pool.base + pool.flexible)).abs() <= slack,
        "{allocated} vs {}",
        pool.base + pool.flexible
    );
    assert!(s
        .allocation
        .iter()
        .all(|c| c.amount_fen.is_some() != c.withheld.is_some()));
    let funders: i64 = s.cost_sharing.by_funder.iter().map(|f| f.amount_fen).sum();
    let step = s.allocation.iter().map(|c| c.step_fen).max().unwrap();
    assert!((funders - s.cost_sharing.total_fen).abs() <= step * s.cost_sharing.by_funder.len() as i64);
    // Groups (when their shares' step is fine enough to publish them): every household
    // accounted for within the bands, shares add up to 100 % within their rounding.
    if !s.groups.is_empty() {
        let hh: u64 = s.groups.iter().map(|g| g.households.unwrap()).sum();
        assert!(hh <= 4_500 && 4_500 - hh < 5 * s.groups.len() as u64, "{hh}");
        let share: u32 = s.groups.iter().map(|g| g.population_share_bp).sum();
        assert!((8_000..=12_000).contains(&share), "{share}");
        if let Some(share) = s.groups.iter().map(|g| g.resource_share_bp).sum::<Option<u32>>() {
            assert!((8_000..=12_000).contains(&share), "{share}");
        }
    }
    // Plans never on notice are not published; spending matches the plans' entries.
    let public: Vec<u32> = d
        .plans
        .iter()
        .filter(|p| !p.notices().is_empty())
        .map(|p| p.id())
        .collect();
    assert_eq!(s.plans.iter().map(|p| p.id).collect::<Vec<_>>(), public);
    let spent: i64 = d
        .plans
        .iter()
        .filter(|p| public.contains(&p.id()))
        .map(|p| p.spent_total())
        .sum();
    assert_eq!(s.headline.plans_spent_fen, spent);
    for p in &s.plans {
        let entries: i64 = p.spending.iter().map(|e| e.amount_fen).sum();
        assert_eq!(entries, p.spent_fen, "plan {}", p.id);
    }
    let notice = s.plans.iter().find(|p| p.stage == "notice").unwrap();
    let n = notice.notices.last().unwrap();
    assert_eq!(n.days, 7);
    assert!(n.last_day > n.start);
    // Requests: salted key, status and days only, all of them, by key.
    assert_eq!(s.requests.entries.len(), d.requests.len());
    assert!(s.requests.entries.windows(2).all(|w| w[0].key < w[1].key));
    // The indicators are the ten of SPEC §2.10 that the data supports, with statuses.
    let codes: Vec<&str> = s.indicators.iter().map(|i| i.code.as_str()).collect();
    assert!(
        codes.contains(&"participation") && codes.contains(&"mismatch") && codes.contains(&"utilisation")
    );
    for i in &s.indicators {
        assert!(["met", "not_met", "not_measured", "no_target"].contains(&i.status.as_str()));
    }
}

#[test]
fn same_input_same_bytes_whatever_the_record_order() {
    let d = demo(600, 7);
    let mut shuffled = d.clone();
    shuffled.households.reverse();
    shuffled.requests.reverse();
    shuffled.plans.reverse();
    shuffled.decisions.reverse();
    shuffled.allocation_runs.reverse();
    let a = encode(&build(&d, &BuildOptions::at(NOW)).unwrap());
    let b = encode(&build(&shuffled, &BuildOptions::at(NOW)).unwrap());
    assert_eq!(a, b);
}

#[test]
fn small_groups_are_merged_and_small_counts_withheld() {
    let mut d = demo(400, 11);
    // Three households in a group of their own, one in another.
    for h in d.households.iter_mut().take(3) {
        h.group = "tiny_a".into();
    }
    d.households[3].group = "tiny_b".into();
    // Groups come from the adopted run, computed on the register when it was adopted.
    d.decisions.clear();
    super::tests_decisions::adopt(&mut d, "2026-Q3");
    let s = build(&d, &BuildOptions::at(NOW)).unwrap();
    assert!(privacy::check(&s).is_empty(), "{:?}", privacy::check(&s));
    assert!(s.groups.iter().all(|g| g.code != "tiny_a" && g.code != "tiny_b"));
    let other = s.groups.iter().find(|g| g.code == "other").unwrap();
    assert!(other.households.unwrap() >= 5);
    // Households in bands of 5 (issue #15): every household accounted for within them.
    let hh: u64 = s.groups.iter().map(|g| g.households.unwrap()).sum();
    assert!(hh <= 400 && 400 - hh < 5 * s.groups.len() as u64, "{hh}");
    assert!(s.groups.iter().all(|g| g.households.unwrap() % 5 == 0));
}

#[test]
fn a_tiny_community_publishes_no_counts() {
    let d = demo(4, 3);
    // Four households cannot share every category's money, so no run was adopted: the
    // snapshot is published without allocation figures and says so.
    assert!(crate::decisions::adopted_run(&d.decisions, "2026-Q3").is_none());
    let s = build(&d, &BuildOptions::at(NOW)).unwrap();
    assert_eq!(s.allocation_status, super::NONE_ADOPTED);
    assert!(s.pools.is_empty() && s.allocation.is_empty() && s.adopted_allocation.is_none());
    assert_eq!(s.headline.households, None);
    assert_eq!(s.headline.residents.filter(|n| *n < 5), None);
    assert!(s.groups.is_empty());
    assert!(privacy::check(&s).is_empty(), "{:?}", privacy::check(&s));
}

#[test]
fn privacy_check_finds_what_the_builder_would_never_write() {
    let mut d = demo(300, 5);
    super::tests_decisions::adopt(&mut d, "2026-Q3");
    let good = build(&d, &BuildOptions::at(NOW)).unwrap();
    let mut s = good.clone();
    s.groups[0].households = Some(2);
    s.coverage[0].households = Some(1);
    s.plans[0].title = "联系人 13912345678".into();
    s.min_cell = 3;
    let paths: Vec<String> = privacy::check(&s).into_iter().map(|v| v.path).collect();
    assert!(paths.contains(&"groups[0].households".to_owned()), "{paths:?}");
    assert!(paths.contains(&"coverage[0].households".to_owned()), "{paths:?}");
    assert!(paths.contains(&"plans[0].title".to_owned()), "{paths:?}");
    assert!(paths.contains(&"min_cell".to_owned()), "{paths:?}");
    let mut s = good;
    // Counts of ratings are published in bands of the minimum cell size (issue #15): a
    // count that is not a whole band, or a mean next to a withheld total, is refused.
    s.satisfaction.distribution[0] = Some(7);
    let paths: Vec<String> = privacy::check(&s).into_iter().map(|v| v.path).collect();
    assert!(
        paths.contains(&"satisfaction.distribution[0]".to_owned()),
        "{paths:?}"
    );
    s.satisfaction.ratings = None;
    s.satisfaction.mean_centi = Some(420);
    let paths: Vec<String> = privacy::check(&s).into_iter().map(|v| v.path).collect();
    assert!(paths.iter().any(|p| p.starts_with("satisfaction")), "{paths:?}");
}

#[test]
fn the_chain_links_and_breaks() {
    let d = demo(300, 9);
    let first = build(&d, &BuildOptions::at(NOW)).unwrap();
    let (t1, h1) = encode(&first);
    let mut opts = BuildOptions::at(NOW + 86_400_000);
    opts.previous = Some((first.sequence, h1.clone()));
    let second = build(&d, &opts).unwrap();
    assert_eq!(second.sequence, 2);
    assert_eq!(second.previous_sha256.as_deref(), Some(h1.as_str()));
    let (t2, h2) = encode(&second);
    assert_ne!(h1, h2);
    let chain = verify_chain(&[&t1, &t2]).unwrap();
    assert_eq!(chain[1].sha256, h2);

    // Rewriting the first snapshot, even with a correct new hash, breaks the link.
    let mut forged = first.clone();
    forged.headline.budget_fen += 100;
    let (tf, _) = encode(&forged);
    assert!(matches!(
        verify_chain(&[&tf, &t2]),
        Err(ChainError::Link { index: 1, .. })
    ));
    // Editing a file without re-hashing is caught in the file itself.
    let edited = t1.replacen("\"budget_fen\":", "\"budget_fen\":9", 1);
    assert!(matches!(
        verify_chain(&[&edited, &t2]),
        Err(ChainError::Decode { index: 0, .. })
    ));
    // Out of order, or starting in the middle.
    assert!(verify_chain(&[&t2]).is_err());
    assert!(verify_chain(&[&t2, &t1]).is_err());
    assert_eq!(history_name(2, &h2), format!("000002-{}.json", &h2[..16]));
}

#[test]
fn bad_files_are_named() {
    let d = demo(200, 1);
    let (text, _) = encode(&build(&d, &BuildOptions::at(NOW)).unwrap());
    let code = |b: &[u8]| decode(b).unwrap_err().code();
    assert_eq!(code(b""), "empty");
    assert_eq!(code(b"  \n"), "empty");
    assert_eq!(code(&text.as_bytes()[..text.len() / 2]), "malformed");
    assert_eq!(code(b"{\"format\":\"linli-backup\",\"version\":1}"), "foreign");
    assert_eq!(
        code(
            text.replacen(
                &format!("\"version\":{}", super::VERSION),
                &format!("\"version\":{}", super::VERSION + 1),
                1
            )
            .as_bytes()
        ),
        "newer"
    );
    assert_eq!(
        code(text.replacen("\"sequence\":1", "\"sequence\":7", 1).as_bytes()),
        "tampered"
    );
    assert_eq!(code(&[0xff, 0xfe, 0x00]), "malformed");
    // An extra field inside the content, re-hashed: the layout refuses it.
    let body_start = text.find("\"content\":").unwrap() + "\"content\":".len();
    // The content ends where the texts (outside the hash, layout 4) begin.
    let body_end = text.rfind(",\"texts\":").unwrap_or(text.len() - 1);
    let body = &text[body_start..body_end];
    let extended = format!("{{\"name\":\"x\",{}", &body[1..]);
    let rehashed = format!(
        r#"{{"format":"linli-public-snapshot","version":{},"sha256":"{}","content":{extended}}}"#,
        super::VERSION,
        crate::backup::sha256_hex(extended.as_bytes())
    );
    assert_eq!(code(rehashed.as_bytes()), "invalid");
}

#[test]
fn build_refuses_bad_options() {
    let d = demo(50, 1);
    let mut o = BuildOptions::at(NOW);
    o.min_cell = Some(1);
    assert!(build(&d, &o).is_err());
    let mut o = BuildOptions::at(NOW);
    o.previous = Some((1, "not-a-hash".into()));
    assert!(build(&d, &o).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Generated communities of every size, small ones included: no planted personal
    /// string reaches the published bytes, and every privacy rule holds.
    #[test]
    fn no_generated_community_leaks(seed in 0u64..10_000, households in 1u32..700, regroup in 0usize..6) {
        let mut d = demo(households, seed);
        // Scatter some households into small groups to exercise suppression.
        for (i, h) in d.households.iter_mut().enumerate().take(regroup * 3) {
            h.group = format!("g{}", i % (regroup + 1));
        }
        let secrets = plant(&mut d);
        // No recomputation at publication: whatever the register, it publishes.
        let s = build(&d, &BuildOptions::at(NOW)).unwrap();
        let (text, _) = encode(&s);
        prop_assert_eq!(leaks(&d, &text, &secrets), Vec::<String>::new());
        let v = privacy::check(&s);
        prop_assert!(v.is_empty(), "{:?}", v);
        let back = decode(text.as_bytes()).unwrap();
        prop_assert_eq!(back.content, s);
    }
}

#[test]
fn published_folders_chain_and_verify() {
    use super::publish::{folder, verify_folder, FolderError, INDEX_PATH, NOTICE_PATH, SNAPSHOT_PATH};
    use std::collections::BTreeMap;
    let mut d = demo(600, 2026);
    // A stored record with a hostile title (a case changes only through its
    // operations, and a published plan's title no longer can).
    let mut v = serde_json::to_value(&d.plans[0]).unwrap();
    v["content"]["title"] = "<script>alert(1)</script> & 公园".into();
    d.plans[0] = serde_json::from_value(v).unwrap();
    super::tests_decisions::adopt(&mut d, "2026-Q3");
    let url = Some("https://example.org/community-a/");
    let first = build(&d, &BuildOptions::at(NOW)).unwrap();
    let files = folder::<&[u8]>(&[], &first, url).unwrap();
    let mut dir: BTreeMap<String, Vec<u8>> = files.into_iter().map(|f| (f.path, f.bytes)).collect();
    let notice = String::from_utf8(dir[NOTICE_PATH].clone()).unwrap();
    assert!(notice.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; 公园"));
    assert!(!notice.contains("<script>"));
    assert!(notice.contains("<svg") && notice.contains(&encode(&first).1));
    let chain = verify_folder(|p| dir.get(p).cloned()).unwrap();
    assert_eq!(chain.len(), 1);

    // A second publication extends the history.
    let mut o = BuildOptions::at(NOW + 3_600_000);
    o.previous = Some((1, chain[0].sha256.clone()));
    let second = build(&d, &o).unwrap();
    let history = vec![dir[SNAPSHOT_PATH].clone()];
    for f in folder(&history, &second, url).unwrap() {
        dir.insert(f.path, f.bytes);
    }
    let chain = verify_folder(|p| dir.get(p).cloned()).unwrap();
    assert_eq!(chain.len(), 2);
    assert!(String::from_utf8(dir[INDEX_PATH].clone())
        .unwrap()
        .contains("000002-"));

    // A snapshot that does not follow the history is refused.
    assert!(folder(&history, &first, url).is_err());

    // Tampering with an old snapshot, even re-hashed, is found; so is a missing file.
    let old_path = chain[0].sha256[..16].to_owned();
    let old_key = dir.keys().find(|k| k.contains(&old_path)).unwrap().clone();
    let mut forged = chain[0].content.clone();
    forged.headline.budget_fen += 1;
    let mut bad = dir.clone();
    bad.insert(old_key.clone(), encode(&forged).0.into_bytes());
    let errs = verify_folder(|p| bad.get(p).cloned()).unwrap_err();
    assert!(
        errs.iter().any(|e| matches!(e, FolderError::Listed { .. })),
        "{errs:?}"
    );
    let mut bad = dir.clone();
    bad.remove(&old_key);
    let errs = verify_folder(|p| bad.get(p).cloned()).unwrap_err();
    assert!(matches!(errs[0], FolderError::Missing { .. }), "{errs:?}");
    // A privacy breach in a well-formed, well-chained folder is still refused.
    let mut leaky = second.clone();
    leaky.groups[0].households = Some(2);
    let mut bad = dir.clone();
    for f in folder(&history, &leaky, url).unwrap() {
        bad.insert(f.path, f.bytes);
    }
    let errs = verify_folder(|p| bad.get(p).cloned()).unwrap_err();
    assert!(
        errs.iter().any(|e| matches!(e, FolderError::Privacy { .. })),
        "{errs:?}"
    );

    // `snapshot.json` carries no request; `requests.json` is the head's section, and a
    // missing, changed or earlier one is refused.
    use super::publish::REQUESTS_PATH;
    let head = super::file::decode(&dir[SNAPSHOT_PATH]).unwrap();
    assert!(head.content.requests.entries.is_empty() && head.content.requests.salt.is_empty());
    let requests = super::file::decode_requests(&dir[REQUESTS_PATH], &head.content.requests_sha256).unwrap();
    assert_eq!(requests, second.requests);
    assert!(!requests.entries.is_empty());
    let refused = |bad: &BTreeMap<String, Vec<u8>>| {
        let errs = verify_folder(|p| bad.get(p).cloned()).unwrap_err();
        assert!(
            errs.iter().any(|e| matches!(e, FolderError::Requests { .. })),
            "{errs:?}"
        );
    };
    let mut bad = dir.clone();
    bad.remove(REQUESTS_PATH);
    refused(&bad);
    let mut bad = dir.clone();
    let changed = String::from_utf8(dir[REQUESTS_PATH].clone()).unwrap().replacen(
        "\"status\":\"closed\"",
        "\"status\":\"received\"",
        1,
    );
    assert_ne!(changed.as_bytes(), dir[REQUESTS_PATH].as_slice());
    bad.insert(REQUESTS_PATH.to_owned(), changed.into_bytes());
    refused(&bad);
    let mut bad = dir.clone();
    bad.insert(
        REQUESTS_PATH.to_owned(),
        super::requests_public::encode(&first.requests).into_bytes(),
    );
    refused(&bad);
    // The whole head file as `snapshot.json` verifies too.
    let mut whole = dir.clone();
    let last = chain.last().unwrap();
    let name = format!(
        "snapshots/{}",
        super::file::history_name(last.content.sequence, &last.sha256)
    );
    whole.insert(SNAPSHOT_PATH.to_owned(), dir[&name].clone());
    assert!(verify_folder(|p| whole.get(p).cloned()).is_ok());
}

#[test]
fn the_first_view_is_written_once_and_escaped() {
    use super::publish::{prerender_index, PRERENDER_END, PRERENDER_MARKER};
    let d = demo(600, 2026);
    let mut c = build(&d, &BuildOptions::at(NOW)).unwrap();
    c.community.name_zh = "<script>x</script>&社区".into();
    let page = "<body><!--linli:prerender--><script src=app.js></script></body>";
    let once = prerender_index(page, &c);
    assert!(once.contains("&lt;script&gt;x&lt;/script&gt;&amp;社区"));
    assert!(!once.contains("<script>x"));
    assert!(once.contains("4,") || once.contains("600"));
    // Publishing again replaces the view, it does not add one.
    c.headline.requests_total = 987_654;
    let twice = prerender_index(&once, &c);
    assert_eq!(twice.matches(PRERENDER_MARKER).count(), 1);
    assert_eq!(twice.matches(PRERENDER_END).count(), 1);
    assert!(twice.contains("987654") && twice.ends_with("<script src=app.js></script></body>"));
    // A page without the marker is left alone.
    assert_eq!(prerender_index("<body></body>", &c), "<body></body>");
}

/// The printable notice runs and loads nothing: a Content-Security-Policy that forbids
/// every source but its own inline style and data images, and no script at all.
#[test]
fn the_notice_carries_a_policy_that_runs_nothing() {
    let c = build(&demo(60, 3), &BuildOptions::at(NOW)).unwrap();
    let (_, sha) = encode(&c);
    let html = super::publish::notice_html(&c, &sha, Some("https://example.org/c/"));
    let head = &html[..html.find("</head>").unwrap()];
    assert!(head.contains(super::publish::NOTICE_CSP), "{head}");
    assert!(super::publish::NOTICE_CSP.contains("default-src 'none'"));
    assert!(!html.to_lowercase().contains("<script"));
}

/// The notice states when its public notice ends and asks for objections by that day
/// (issue #17); the day follows the community's notice days, and a snapshot published
/// before the day was recorded counts the default 7 days.
#[test]
fn the_notice_states_its_last_day() {
    let mut d = demo(60, 3);
    d.settings.retain(|s| s.key != crate::settings::PLAN_RULES);
    d.settings.push(crate::model::Setting {
        key: crate::settings::PLAN_RULES.into(),
        value: r#"{"notice_days":10}"#.into(),
    });
    let c = build(&d, &BuildOptions::at(NOW)).unwrap();
    let start = crate::plans::CivilDate::parse(&c.as_of).unwrap();
    let last = crate::date::iso_date(start.days() + 9);
    assert_eq!(super::notice_until(&c).as_deref(), Some(last.as_str()));
    let (_, sha) = encode(&c);
    let html = super::publish::notice_html(&c, &sha, None);
    assert!(html.contains(&format!("公示期：{} 至 {last}", c.as_of)), "{html}");
    assert!(html.contains(&format!("请于 {last} 前（含当日）")), "{html}");
    // A snapshot read for its seal only (no rules) counts the default days.
    let mut old = c.clone();
    old.plan_rules.notice_days = 0;
    assert_eq!(
        super::notice_until(&old).unwrap(),
        crate::date::iso_date(start.days() + i64::from(crate::plans::DEFAULT_NOTICE_DAYS) - 1)
    );
}

/// However many plans a community has, the notice lists at most `NOTICE_PLAN_ROWS`,
/// the ones on notice first, and counts the rest.
#[test]
fn the_notice_lists_plans_on_notice_first_and_counts_the_rest() {
    let mut c = build(&demo(60, 3), &BuildOptions::at(NOW)).unwrap();
    assert!(!c.plans.is_empty(), "the demo publishes plans");
    let template = c.plans[0].clone();
    c.plans = (1..=30u32)
        .map(|i| {
            let mut p = template.clone();
            p.id = i;
            p.title = format!("项目{i:02}");
            p.stage = if i == 3 { "notice".into() } else { "closed".into() };
            p
        })
        .collect();
    let (_, sha) = encode(&c);
    let html = super::publish::notice_html(&c, &sha, None);
    let rows = html.matches("<td>项目").count();
    assert_eq!(rows, super::publish::NOTICE_PLAN_ROWS);
    let first = html.find("<td>项目").unwrap();
    assert_eq!(&html[first..first + "<td>项目03".len()], "<td>项目03");
    assert!(html.contains(&format!("另有 {} 个项目", 30 - super::publish::NOTICE_PLAN_ROWS)));
}
