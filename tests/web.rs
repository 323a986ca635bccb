//! Browser tests of the shell: routing and rendering (headless Chromium).
#![cfg(target_arch = "wasm32")]

use linli::state::Route;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn parses_hashes() {
    assert_eq!(Route::parse(""), Route::Dashboard);
    assert_eq!(Route::parse("#/"), Route::Dashboard);
    assert_eq!(Route::parse("#/workspace"), Route::Workspace);
    assert_eq!(Route::parse("#workspace/"), Route::Workspace);
    assert_eq!(Route::parse("#/workshop?x=1"), Route::Workshop);
    assert_eq!(Route::parse("#/settings"), Route::Settings);
    assert_eq!(Route::parse("#/nope"), Route::NotFound);
    assert_eq!(Route::parse("#/register"), Route::Register);
    assert_eq!(Route::parse("#/register/new"), Route::HouseholdNew);
    assert_eq!(Route::parse("#/register/42"), Route::Household(42));
    assert_eq!(Route::parse("#/register/4x"), Route::NotFound);
    assert_eq!(Route::parse("#/needs"), Route::Needs);
    assert_eq!(Route::Needs.href(), "#/needs");
    assert_eq!(Route::parse(&Route::Household(7).href()), Route::Household(7));
    for r in Route::ALL {
        assert_eq!(Route::parse(&r.href()), r);
    }
}

// ---- Storage errors in plain words (issue #16, item 7) ----

mod plain_errors {
    use linli::components::db_error::{kind, plain_in, sentence_in, DbErrorView, Kind};
    use linli::db::DbError;
    use linli::i18n::{I18nContextProvider, Locale};
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::*;

    fn browser(name: &str, message: &str) -> DbError {
        DbError::Browser {
            name: name.to_owned(),
            message: message.to_owned(),
        }
    }

    fn quota() -> DbError {
        browser("QuotaExceededError", "The quota has been exceeded.")
    }

    #[wasm_bindgen_test]
    fn full_disk_says_what_to_do_without_the_exception_text() {
        for locale in [Locale::zh, Locale::en] {
            let p = plain_in(locale, &quota());
            assert_eq!(p.kind, Kind::Quota);
            for text in [&p.headline, &p.next, &sentence_in(locale, &quota())] {
                assert!(!text.contains("QuotaExceededError"), "{text}");
                assert!(!text.contains("quota has been exceeded"), "{text}");
            }
            assert_eq!(p.technical, "QuotaExceededError");
        }
        let zh = plain_in(Locale::zh, &quota());
        assert!(zh.headline.contains("存储空间已满"), "{}", zh.headline);
        assert!(
            zh.next.contains("导出") && zh.next.contains("备份"),
            "{}",
            zh.next
        );
        assert!(zh.next.contains("释放磁盘空间"), "{}", zh.next);
        let en = plain_in(Locale::en, &quota());
        assert!(en.next.contains("Export a backup"), "{}", en.next);
    }

    #[wasm_bindgen_test]
    fn every_error_has_its_own_words_and_next_step() {
        let cases = [
            (quota(), Kind::Quota),
            (browser("VersionError", "x"), Kind::Reload),
            (browser("InvalidStateError", "closing"), Kind::Reload),
            (DbError::VersionChangedElsewhere, Kind::Reload),
            (DbError::Locked, Kind::Locked),
            (
                DbError::Decrypt {
                    store: "households".into(),
                },
                Kind::Decrypt,
            ),
            (DbError::ReadOnly, Kind::ReadOnly),
            (DbError::Unavailable, Kind::Unavailable),
            (browser("SecurityError", "denied"), Kind::Unavailable),
            (DbError::Aborted, Kind::Aborted),
            (browser("AbortError", "x"), Kind::Aborted),
            (
                DbError::Decode {
                    store: "plans".into(),
                    reason: "expected 张三".into(),
                },
                Kind::Decode,
            ),
            (browser("UnknownError", "Internal error."), Kind::Unknown),
        ];
        let mut headlines = std::collections::BTreeMap::new();
        for (e, k) in &cases {
            assert_eq!(kind(e), *k, "{e:?}");
            for locale in [Locale::zh, Locale::en] {
                let p = plain_in(locale, e);
                assert!(!p.headline.is_empty() && !p.next.is_empty(), "{e:?}");
                // The technical name is never the headline or the next step.
                assert!(
                    !p.headline.contains(e.name()) && !p.next.contains(e.name()),
                    "{e:?}: {}",
                    p.headline
                );
                let prev = headlines.insert((locale == Locale::zh, p.headline.clone()), *k);
                assert!(
                    prev.is_none() || prev == Some(*k),
                    "two kinds share {}",
                    p.headline
                );
            }
        }
        // Ten kinds told apart (blocked comes from the storage status, not a DbError).
        assert_eq!(headlines.len(), 2 * 9);
        let zh = |e: &DbError| plain_in(Locale::zh, e);
        assert!(zh(&DbError::Decrypt {
            store: "households".into()
        })
        .next
        .contains("备份"));
        assert!(zh(&DbError::Decrypt {
            store: "households".into()
        })
        .next
        .contains("主管"));
        assert!(zh(&DbError::Locked).next.contains("解锁"));
        assert!(zh(&DbError::VersionChangedElsewhere).next.contains("重新加载"));
        assert!(zh(&DbError::ReadOnly).headline.contains("审计员"));
        assert!(zh(&DbError::Unavailable).headline.contains("无痕"));
        assert!(linli::components::db_error::words(Locale::zh, Kind::Blocked)
            .1
            .contains("关闭"));
        // A decoding error's reason could quote a record: never shown, not even as detail.
        let d = DbError::Decode {
            store: "plans".into(),
            reason: "expected 张三".into(),
        };
        assert!(!sentence_in(Locale::zh, &d).contains("张三"));
        assert_eq!(plain_in(Locale::zh, &d).technical, "DataError (plans)");
    }

    #[wasm_bindgen_test]
    fn an_unknown_error_carries_its_code_after_the_words() {
        let e = browser("UnknownError", "Internal error opening backing store");
        let s = sentence_in(Locale::zh, &e);
        let p = plain_in(Locale::zh, &e);
        assert!(s.starts_with(&p.headline), "{s}");
        assert!(s.ends_with("（错误代码：UnknownError）"), "{s}");
        assert!(!s.contains("backing store"), "{s}");
        // A known kind needs no code.
        assert!(!sentence_in(Locale::zh, &quota()).contains("错误代码"));
    }

    #[wasm_bindgen_test]
    fn the_view_folds_the_technical_name_away() {
        let doc = web_sys::window().unwrap().document().unwrap();
        let host = doc.create_element("div").unwrap();
        doc.body().unwrap().append_child(&host).unwrap();
        let host: web_sys::HtmlElement = host.unchecked_into();
        let handle = leptos::mount::mount_to(host.clone(), || {
            leptos::view! { <I18nContextProvider><DbErrorView error=quota()/></I18nContextProvider> }
        });
        let el = host
            .query_selector("[data-testid=db-error]")
            .unwrap()
            .expect("the error view");
        assert_eq!(el.get_attribute("data-kind").as_deref(), Some("quota"));
        assert_eq!(el.get_attribute("role").as_deref(), Some("alert"));
        let headline = el
            .query_selector("strong")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap();
        assert!(
            !headline.contains("QuotaExceededError") && !headline.is_empty(),
            "{headline}"
        );
        let detail = el
            .query_selector("details code")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap();
        assert_eq!(detail, "QuotaExceededError");
        let para = el.query_selector("p").unwrap().unwrap().text_content().unwrap();
        assert!(!para.contains("QuotaExceededError"), "{para}");
        drop(handle);
        host.remove();
    }
}
