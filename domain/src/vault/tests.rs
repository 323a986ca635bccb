use proptest::prelude::*;

use super::*;

fn dk(b: u8) -> DataKey {
    DataKey::from_bytes([b; 32])
}

fn cheap(salt: u8) -> KdfParams {
    KdfParams::insecure_for_tests([salt; 16])
}

const PASS_A: &str = "王芳的口令 2024";
const PASS_B: &str = "li ming passphrase";

// ---- roles and guides ----

#[test]
fn role_permissions_and_codes() {
    assert!(Role::Guide.can_write());
    assert!(!Role::Guide.can_manage_guides());
    assert!(Role::Supervisor.can_manage_guides());
    assert!(!Role::Auditor.can_write());
    assert!(!Role::Auditor.can_manage_guides());
    assert!(Role::ALL.iter().all(|r| r.can_export()));
    for r in Role::ALL {
        assert_eq!(serde_json::to_string(&r).unwrap(), format!("\"{}\"", r.code()));
        assert_eq!(Role::from_code(r.code()), Some(r));
        assert_eq!(
            serde_json::from_str::<Role>(&format!("\"{}\"", r.code())).unwrap(),
            r
        );
    }
    assert_eq!(Role::from_code("admin"), None);
    let g = Guide {
        id: 3,
        name: "李明".into(),
        role: Role::Auditor,
    };
    assert_eq!(
        serde_json::to_string(&g).unwrap(),
        r#"{"id":3,"name":"李明","role":"auditor"}"#
    );
}

#[test]
fn guide_name_rules() {
    let others = [Guide {
        id: 1,
        name: "Wang Fang".into(),
        role: Role::Supervisor,
    }];
    assert_eq!(
        validate_guide_name(&"字".repeat(40), &others, None)
            .unwrap()
            .chars()
            .count(),
        40
    );
    assert_eq!(
        validate_guide_name(&"字".repeat(41), &others, None),
        Err(GuideError::NameTooLong { max: 40 })
    );
    assert_eq!(
        validate_guide_name(" \u{3000} ", &others, None),
        Err(GuideError::EmptyName)
    );
    assert_eq!(
        validate_guide_name("ＷＡＮＧ　fang", &others, None),
        Err(GuideError::DuplicateName)
    );
    assert_eq!(
        validate_guide_name("a\nb", &others, None),
        Err(GuideError::NameNotOneLine)
    );
    assert_eq!(
        validate_guide_name("Wang Fang", &others, Some(1)).unwrap(),
        "Wang Fang"
    );
}

#[test]
fn last_supervisor_is_kept() {
    let g = [
        Guide {
            id: 1,
            name: "a".into(),
            role: Role::Supervisor,
        },
        Guide {
            id: 2,
            name: "b".into(),
            role: Role::Guide,
        },
    ];
    assert_eq!(
        check_roster_change(&g, 1, Some(Role::Guide)),
        Err(GuideError::LastSupervisor)
    );
    assert_eq!(check_roster_change(&g, 1, Some(Role::Supervisor)), Ok(()));
    assert_eq!(check_roster_change(&g, 2, Some(Role::Auditor)), Ok(()));
}

// ---- key derivation ----

#[test]
fn kdf_is_deterministic_salted_and_parameterised() {
    let a = cheap(1).derive_kek(PASS_A).unwrap();
    assert_eq!(*a, *cheap(1).derive_kek(PASS_A).unwrap());
    assert_ne!(*a, *cheap(2).derive_kek(PASS_A).unwrap());
    assert_ne!(*a, *cheap(1).derive_kek(PASS_B).unwrap());
    let mut t2 = cheap(1);
    t2.t = 2;
    assert_ne!(*a, *t2.derive_kek(PASS_A).unwrap());
}

#[test]
fn kdf_refuses_absurd_parameters() {
    for (m, t, p) in [
        (kdf::MAX_M_KIB + 1, 1, 1),
        (64, 0, 1),
        (64, 65, 1),
        (64, 1, 0),
        (64, 1, 17),
        (4, 1, 1),
    ] {
        let k = KdfParams {
            m_kib: m,
            t,
            p,
            salt: [0; 16],
        };
        assert!(
            matches!(k.derive_kek("x"), Err(VaultError::BadKdfParams { .. })),
            "{m} {t} {p}"
        );
    }
}

#[test]
fn kdf_defaults_meet_owasp_and_test_params_do_not() {
    assert!(KdfParams::owasp_minimum([0; 16]).meets_owasp_minimum());
    assert!(!cheap(0).meets_owasp_minimum());
    for measured in [1, 10, 50, 100, 300, 1000, 5000, u32::MAX] {
        let p = KdfParams::tuned([0; 16], 1000, measured);
        assert!(p.meets_owasp_minimum(), "{measured}");
        assert!(p.m_kib <= kdf::TUNE_MAX_M_KIB && p.t <= kdf::MAX_T);
    }
    // Faster device → at least as costly parameters.
    let slow = KdfParams::tuned([0; 16], 1000, 400);
    let fast = KdfParams::tuned([0; 16], 1000, 40);
    assert!(u64::from(fast.m_kib) * u64::from(fast.t) > u64::from(slow.m_kib) * u64::from(slow.t));
}

/// The one test with real (OWASP-minimum) parameters.
#[test]
fn wrap_with_default_parameters() {
    let params = KdfParams::owasp_minimum([8; 16]);
    let w = wrap_for_guide(&dk(1), 1, PASS_A, &params, [1; 24]).unwrap();
    assert_eq!(w.kdf.as_ref().unwrap().m_kib, 19_456);
    assert_eq!(unwrap_for_guide(&w, 1, PASS_A).unwrap(), dk(1));
    assert_eq!(unwrap_for_guide(&w, 1, PASS_B), Err(VaultError::WrongPassphrase));
}

// ---- wrapping ----

#[test]
fn guide_wrap_round_trip_and_serde() {
    let w = wrap_for_guide(&dk(7), 12, PASS_A, &cheap(3), [9; 24]).unwrap();
    let json = serde_json::to_string(&w).unwrap();
    assert!(
        json.contains(r#""kind":"guide""#)
            && json.contains(r#""guide_id":12"#)
            && json.contains(r#""m_kib":64"#)
    );
    let back: WrappedKey = serde_json::from_str(&json).unwrap();
    assert_eq!(back, w);
    assert_eq!(unwrap_for_guide(&back, 12, PASS_A).unwrap(), dk(7));
    // The data key is not in the wrap.
    assert!(!w.ciphertext.windows(32).any(|s| s == dk(7).as_bytes()));
}

#[test]
fn wrong_passphrase_refused_without_panic() {
    let w = wrap_for_guide(&dk(7), 1, PASS_A, &cheap(3), [9; 24]).unwrap();
    for p in ["", "x", PASS_B, "王芳的口令 2025", &PASS_A[..PASS_A.len() - 1]] {
        assert_eq!(
            unwrap_for_guide(&w, 1, p),
            Err(VaultError::WrongPassphrase),
            "{p:?}"
        );
    }
}

#[test]
fn short_passphrase_refused_on_wrap() {
    assert_eq!(
        wrap_for_guide(&dk(1), 1, "1234567", &cheap(0), [0; 24]),
        Err(VaultError::PassphraseTooShort { min: 8 })
    );
}

#[test]
fn tampered_wrap_refused() {
    let w = wrap_for_guide(&dk(7), 1, PASS_A, &cheap(3), [9; 24]).unwrap();
    let mut n = w.clone();
    n.nonce[0] ^= 1;
    assert_eq!(unwrap_for_guide(&n, 1, PASS_A), Err(VaultError::WrongPassphrase));
    let mut c = w.clone();
    c.ciphertext[5] ^= 0x80;
    assert_eq!(unwrap_for_guide(&c, 1, PASS_A), Err(VaultError::WrongPassphrase));
    let mut s = w.clone();
    s.kdf.as_mut().unwrap().salt[0] ^= 1;
    assert_eq!(unwrap_for_guide(&s, 1, PASS_A), Err(VaultError::WrongPassphrase));
    // Guide id edited in storage: the AAD no longer matches.
    let mut g = w.clone();
    g.guide_id = Some(2);
    assert_eq!(unwrap_for_guide(&g, 2, PASS_A), Err(VaultError::WrongPassphrase));
    assert!(matches!(
        unwrap_for_guide(&w, 2, PASS_A),
        Err(VaultError::WrongWrap { .. })
    ));
    let mut v = w.clone();
    v.v = 2;
    assert_eq!(
        unwrap_for_guide(&v, 1, PASS_A),
        Err(VaultError::UnknownVersion(2))
    );
    let mut l = w;
    l.ciphertext.pop();
    assert!(matches!(
        unwrap_for_guide(&l, 1, PASS_A),
        Err(VaultError::Malformed { .. })
    ));
}

#[test]
fn guide_and_recovery_wraps_are_not_interchangeable() {
    let code = RecoveryCode::from_random([3; 20]);
    let r = wrap_for_recovery(&dk(7), &code, [1; 24]);
    assert!(matches!(
        unwrap_for_guide(&r, 1, PASS_A),
        Err(VaultError::WrongWrap { .. })
    ));
    let g = wrap_for_guide(&dk(7), 1, PASS_A, &cheap(3), [9; 24]).unwrap();
    assert!(matches!(
        unwrap_with_recovery(&g, &code),
        Err(VaultError::WrongWrap { .. })
    ));
    // Relabelled wraps do not open: a guide's wrap posing as the recovery wrap, and the
    // recovery wrap posing as a guide's (different AAD and KEK).
    let mut as_recovery = g.clone();
    as_recovery.kind = WrapKind::Recovery;
    as_recovery.guide_id = None;
    as_recovery.kdf = None;
    assert_eq!(
        unwrap_with_recovery(&as_recovery, &code),
        Err(VaultError::WrongRecoveryCode)
    );
    let mut as_guide = r.clone();
    as_guide.kind = WrapKind::Guide;
    as_guide.guide_id = Some(1);
    as_guide.kdf = Some(cheap(3));
    assert_eq!(
        unwrap_for_guide(&as_guide, 1, PASS_A),
        Err(VaultError::WrongPassphrase)
    );
    assert_eq!(unwrap_with_recovery(&r, &code).unwrap(), dk(7));
}

#[test]
fn two_guides_share_the_data_key_and_removal_locks_one_out() {
    let key = dk(42);
    let mut ring = Keyring::default();
    ring.put(wrap_for_guide(&key, 1, PASS_A, &cheap(1), [1; 24]).unwrap());
    ring.put(wrap_for_guide(&key, 2, PASS_B, &cheap(2), [2; 24]).unwrap());
    let code = RecoveryCode::from_random([5; 20]);
    ring.put(wrap_for_recovery(&key, &code, [3; 24]));
    assert_eq!(ring.unlock(1, PASS_A).unwrap(), key);
    assert_eq!(ring.unlock(2, PASS_B).unwrap(), key);
    assert_eq!(ring.recover(&code).unwrap(), key);
    assert_eq!(ring.unlock(1, PASS_B), Err(VaultError::WrongPassphrase));

    assert!(ring.remove_guide(1));
    assert!(!ring.remove_guide(1));
    assert_eq!(ring.unlock(1, PASS_A), Err(VaultError::NoSuchGuide));
    // A's passphrase opens no remaining wrap, whichever guide it claims to be.
    for w in &ring.wraps {
        for id in [1, 2] {
            assert!(unwrap_for_guide(w, id, PASS_A).is_err());
        }
    }
    assert_eq!(ring.unlock(2, PASS_B).unwrap(), key);
    assert_eq!(ring.wraps.len(), 2);
    // A new passphrase replaces B's wrap; the old one stops working.
    ring.put(wrap_for_guide(&key, 2, "new passphrase!", &cheap(4), [4; 24]).unwrap());
    assert_eq!(ring.wraps.len(), 2);
    assert_eq!(ring.unlock(2, PASS_B), Err(VaultError::WrongPassphrase));
    assert_eq!(ring.unlock(2, "new passphrase!").unwrap(), key);
}

// ---- recovery code ----

#[test]
fn recovery_code_format_and_tolerant_parse() {
    let code = RecoveryCode::from_random([0xA5; 20]);
    let text = code.format();
    assert_eq!(text.split('-').count(), 9);
    assert!(text.split('-').all(|g| g.len() == 4));
    assert!(text
        .chars()
        .all(|c| c == '-' || "0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(c)));
    let sloppy: String = text
        .to_lowercase()
        .replace('-', "  ")
        .replace('1', "l")
        .replace('0', "o");
    assert_eq!(RecoveryCode::parse(&sloppy).unwrap(), code);
    assert_eq!(RecoveryCode::parse(&text.replace('-', "")).unwrap(), code);
    assert_ne!(RecoveryCode::from_random([0xA6; 20]).format(), text);
}

#[test]
fn recovery_code_typos_are_typos() {
    let code = RecoveryCode::from_random([0x3C; 20]);
    let text: Vec<char> = code.format().chars().filter(|&c| c != '-').collect();
    let alphabet: Vec<char> = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".chars().collect();
    // Every single-symbol substitution at every position is caught by the check symbols.
    for pos in 0..text.len() {
        for &a in &alphabet {
            if a == text[pos] {
                continue;
            }
            let mut t = text.clone();
            t[pos] = a;
            let s: String = t.into_iter().collect();
            assert_eq!(
                RecoveryCode::parse(&s),
                Err(VaultError::RecoveryCodeChecksum),
                "{pos} {a}"
            );
        }
    }
    // Adjacent transpositions.
    for pos in 0..text.len() - 1 {
        if text[pos] == text[pos + 1] {
            continue;
        }
        let mut t = text.clone();
        t.swap(pos, pos + 1);
        let s: String = t.into_iter().collect();
        assert_eq!(
            RecoveryCode::parse(&s),
            Err(VaultError::RecoveryCodeChecksum),
            "swap {pos}"
        );
    }
    let full: String = text.iter().collect();
    assert_eq!(
        RecoveryCode::parse(&full[..35]),
        Err(VaultError::RecoveryCodeLength {
            found: 35,
            expected: 36
        })
    );
    assert_eq!(
        RecoveryCode::parse(&format!("{full}0")),
        Err(VaultError::RecoveryCodeLength {
            found: 37,
            expected: 36
        })
    );
    assert_eq!(
        RecoveryCode::parse(&format!("{}U{}", &full[..4], &full[5..])),
        Err(VaultError::RecoveryCodeSymbol { position: 5 })
    );
    // The error message never echoes the code.
    let msg = RecoveryCode::parse(&full[..35]).unwrap_err().to_string();
    assert!(!msg.contains(&full[..8]));
}

#[test]
fn wrong_recovery_code_is_not_a_typo() {
    let w = wrap_for_recovery(&dk(1), &RecoveryCode::from_random([1; 20]), [0; 24]);
    let other = RecoveryCode::parse(&RecoveryCode::from_random([2; 20]).format()).unwrap();
    assert_eq!(
        unwrap_with_recovery(&w, &other),
        Err(VaultError::WrongRecoveryCode)
    );
    let json = serde_json::to_string(&w).unwrap();
    assert!(json.contains(r#""kind":"recovery""#) && !json.contains("guide_id") && !json.contains("kdf"));
}

#[test]
fn secrets_are_redacted_in_debug() {
    let s = format!(
        "{:?} {:?} {:?}",
        dk(0xAB),
        dk(0xAB).record_key(),
        RecoveryCode::from_random([0xAB; 20])
    );
    assert!(!s.contains("171") && !s.to_lowercase().contains("ab,"), "{s}");
    assert!(s.contains("redacted"));
}

// ---- records ----

#[test]
fn record_round_trip_and_binding() {
    let key = dk(9);
    let rk = key.record_key();
    let plain = r#"{"name":"张三","disability":"二级"}"#.as_bytes();
    let s = rk.seal("households", "17", [4; 24], plain).unwrap();
    assert_eq!(s.as_bytes().len(), plain.len() + record::SEALED_OVERHEAD);
    assert!(!s.as_bytes().windows(6).any(|w| w == "张三".as_bytes()));
    assert_eq!(rk.open("households", "17", &s).unwrap(), plain);
    assert_eq!(open(&key, "households", "17", &s).unwrap(), plain);
    assert_eq!(rk.open("households", "18", &s), Err(VaultError::RecordTampered));
    assert_eq!(rk.open("members", "17", &s), Err(VaultError::RecordTampered));
    assert_eq!(rk.open("households1", "7", &s), Err(VaultError::RecordTampered));
    assert_eq!(
        dk(10).record_key().open("households", "17", &s),
        Err(VaultError::RecordTampered)
    );
    // The record subkey is not the data key: sealing with the raw data key as record key differs.
    assert_ne!(rk.as_bytes(), key.as_bytes());
    assert_ne!(key.index_key().as_bytes(), rk.as_bytes());
    assert_eq!(rk.seal("a\0b", "c", [0; 24], b"x"), Err(VaultError::BadStoreName));
    let json = serde_json::to_string(&s).unwrap();
    assert_eq!(json, format!("\"{}\"", s.to_b64()));
    assert_eq!(serde_json::from_str::<Sealed>(&json).unwrap(), s);
}

#[test]
fn sealed_layout_checks() {
    assert!(matches!(
        Sealed::from_bytes(vec![]),
        Err(VaultError::Malformed { .. })
    ));
    assert_eq!(
        Sealed::from_bytes(vec![2; 60]),
        Err(VaultError::UnknownVersion(2))
    );
    assert!(matches!(
        Sealed::from_bytes(vec![1; 40]),
        Err(VaultError::Malformed { .. })
    ));
    assert!(Sealed::from_bytes(vec![1; 41]).is_ok());
    assert!(matches!(
        Sealed::from_b64("not base64!"),
        Err(VaultError::Malformed { .. })
    ));
    let s = seal(&dk(1), "s", "k", [7; 24], b"").unwrap();
    assert_eq!(Sealed::from_bytes(s.as_bytes().to_vec()).unwrap(), s);
    assert_eq!(open(&dk(1), "s", "k", &s).unwrap(), b"");
    assert_eq!(s.as_bytes()[1..25], [7; 24]);
}

#[test]
fn record_aad_layout() {
    assert_eq!(
        record_aad("households", "42").unwrap(),
        b"linli-vault-v1|record|households\x0042".to_vec()
    );
}

#[test]
fn subkeys_use_documented_hkdf() {
    use hkdf::Hkdf;
    let key = dk(3);
    let mut expect = [0u8; 32];
    Hkdf::<sha2::Sha256>::new(None, key.as_bytes())
        .expand(b"linli-vault-v1|subkey|record", &mut expect)
        .unwrap();
    assert_eq!(key.record_key().as_bytes(), &expect);
    Hkdf::<sha2::Sha256>::new(None, key.as_bytes())
        .expand(b"linli-vault-v1|subkey|index", &mut expect)
        .unwrap();
    assert_eq!(key.index_key().as_bytes(), &expect);
}

// ---- blind indexes ----

#[test]
fn blind_index_deterministic_keyed_field_separated() {
    let k = dk(1).index_key();
    let a = blind_index(&k, "name", "张三");
    assert_eq!(a, blind_index(&k, "name", " 张三　"));
    assert_eq!(a.len(), 2 * BLIND_INDEX_BYTES);
    assert!(a
        .chars()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    assert_ne!(a, blind_index(&k, "name", "张四"));
    assert_ne!(a, blind_index(&dk(2).index_key(), "name", "张三"));
    assert_ne!(a, blind_index(&k, "building", "张三"));
    // Length-prefixed field: "ab"+"c" and "a"+"bc" differ.
    assert_ne!(blind_index(&k, "ab", "c"), blind_index(&k, "a", "bc"));
    assert_eq!(
        blind_index(&k, "flag", "ＤＩＢＡＯ"),
        blind_index(&k, "flag", "dibao")
    );
    assert_ne!(
        blind_index(&k, "flag", "Dibao"),
        blind_index(&k, "flag", "di bao")
    );
    // Documented construction.
    use hmac::{Hmac, Mac};
    let mut m = <Hmac<sha2::Sha256> as Mac>::new_from_slice(k.as_bytes()).unwrap();
    m.update(b"linli-vault-v1|bidx|\x00\x00\x00\x04name");
    m.update("张三".as_bytes());
    let full = m.finalize().into_bytes();
    let hex: String = full[..16].iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(a, hex);
}

#[test]
fn name_prefixes_support_search_and_hide_length() {
    let k = dk(1).index_key();
    let zs = name_prefix_indexes(&k, "张三丰");
    let zw = name_prefix_indexes(&k, "张无忌");
    let lone = name_prefix_indexes(&k, "张");
    assert_eq!(zs.len(), NAME_PREFIX_CHARS);
    assert_eq!(lone.len(), NAME_PREFIX_CHARS);
    assert_eq!(zs[0], zw[0]);
    assert_eq!(zs[0], lone[0]);
    assert_ne!(zs[1], zw[1]);
    assert_eq!(name_prefix_query(&k, "张").as_ref(), Some(&zs[0]));
    assert_eq!(name_prefix_query(&k, "张三丰").as_ref(), Some(&zs[2]));
    assert_eq!(name_prefix_query(&k, ""), None);
    // Fillers: distinct, and no query produces them.
    let mut all = zs.clone();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), NAME_PREFIX_CHARS);
    assert!(!zw[3..].contains(&zs[3]));
    // A long name: the query uses its first 6 characters.
    let long = name_prefix_indexes(&k, "Alexandria");
    assert_eq!(name_prefix_query(&k, "ALEXANDER").as_ref(), Some(&long[5]));
    // Not the plain blind index of the same text.
    assert_ne!(zs[2], blind_index(&k, "name", "张三丰"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn seal_open_round_trip(key in any::<[u8; 32]>(), nonce in any::<[u8; 24]>(),
                            store in "[a-z_]{1,12}", id in "[0-9]{1,6}",
                            plain in proptest::collection::vec(any::<u8>(), 0..300)) {
        let rk = DataKey::from_bytes(key).record_key();
        let s = rk.seal(&store, &id, nonce, &plain).unwrap();
        prop_assert_eq!(rk.open(&store, &id, &s).unwrap(), plain);
        let s2 = Sealed::from_b64(&s.to_b64()).unwrap();
        prop_assert_eq!(s2, s);
    }

    #[test]
    fn single_bit_tamper_refused(key in any::<[u8; 32]>(), nonce in any::<[u8; 24]>(),
                                 plain in proptest::collection::vec(any::<u8>(), 0..200),
                                 bit in any::<proptest::sample::Index>()) {
        let rk = DataKey::from_bytes(key).record_key();
        let s = rk.seal("households", "1", nonce, &plain).unwrap();
        let mut bytes = s.as_bytes().to_vec();
        // Every bit after the version byte (nonce, ciphertext, tag).
        let i = 8 + bit.index((bytes.len() - 1) * 8);
        bytes[i / 8] ^= 1 << (i % 8);
        let t = Sealed::from_bytes(bytes).unwrap();
        prop_assert_eq!(rk.open("households", "1", &t), Err(VaultError::RecordTampered));
    }

    #[test]
    fn recovery_code_round_trip(bytes in any::<[u8; 20]>()) {
        let c = RecoveryCode::from_random(bytes);
        prop_assert_eq!(RecoveryCode::parse(&c.format()).unwrap(), c);
    }

    #[test]
    fn normalise_is_idempotent(s in "\\PC{0,30}") {
        let n = normalise(&s);
        prop_assert_eq!(normalise(&n), n.clone());
        prop_assert_eq!(n.trim(), n.as_str());
    }
}

proptest::proptest! {
    #[test]
    fn index_mac_agrees_with_the_free_functions(seed in 0u8..255, field in "[a-z_]{1,12}", value in "\\PC{0,12}") {
        let k = dk(seed).index_key();
        let m = IndexMac::new(&k);
        proptest::prop_assert_eq!(m.blind_index(&field, &value), blind_index(&k, &field, &value));
        proptest::prop_assert_eq!(m.name_prefix_query(&value), name_prefix_query(&k, &value));
        let all = name_prefix_indexes(&k, &value);
        let real = m.name_prefixes(&value);
        let n = normalise(&value).chars().count().min(NAME_PREFIX_CHARS);
        proptest::prop_assert_eq!(real.len(), n);
        proptest::prop_assert_eq!(&all[..n], &real[..]);
        if let Some(q) = name_prefix_query(&k, &value) {
            proptest::prop_assert!(real.contains(&q));
        }
    }
}
