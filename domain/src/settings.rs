//! Typed reads of settings that several parts of Linli share: one function per setting,
//! so that the workspace, the CLI, the allocation and the snapshot read a setting the
//! same way, with the same fallback and the same errors.
//!
//! Settings are key → JSON text ([`Setting`]).

use std::collections::HashSet;

use crate::model::{NeedCategory, Setting};

/// Key of the need categories setting: a JSON list of [`NeedCategory`].
pub const NEED_CATEGORIES: &str = "need_categories";

/// A setting that is present but cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("setting `{key}`: {reason}")]
pub struct SettingError {
    /// The setting's key, e.g. `need_categories`.
    pub key: String,
    /// What is wrong with its value, in English.
    pub reason: String,
}

impl SettingError {
    fn new(key: &str, reason: String) -> Self {
        Self {
            key: key.to_owned(),
            reason,
        }
    }
}

/// The community's need categories, in their stored order.
///
/// The one fallback: when there is no `need_categories` setting, the demo's categories
/// ([`crate::demo::default_categories`]). A setting that is present is never replaced
/// by the defaults: if it is wrong, the caller gets the error and shows it.
///
/// # Errors
///
/// [`SettingError`] naming `need_categories` when its value is not a JSON list of
/// categories, when a category has an empty (or blank) code, or when two categories
/// have the same code.
///
/// # Examples
///
/// ```
/// use linli_domain::model::Setting;
/// use linli_domain::settings::need_categories;
///
/// // No setting: the demo's categories.
/// assert_eq!(need_categories(&[]).unwrap(), linli_domain::demo::default_categories());
///
/// let s = |value: &str| Setting { key: "need_categories".into(), value: value.into() };
/// let cats = need_categories(&[s(r#"[
///     {"code":"sport","name_zh":"体育健身","name_en":"Sport","class":"improvement"},
///     {"code":"childcare","name_zh":"托育服务","name_en":"Childcare","class":"basic"}
/// ]"#)]).unwrap();
/// assert_eq!(cats[0].code, "sport"); // stored order, not sorted
///
/// let err = need_categories(&[s("not json")]).unwrap_err();
/// assert_eq!(err.key, "need_categories");
/// assert!(err.to_string().starts_with("setting `need_categories`: "));
/// ```
pub fn need_categories(settings: &[Setting]) -> Result<Vec<NeedCategory>, SettingError> {
    let Some(s) = settings.iter().find(|s| s.key == NEED_CATEGORIES) else {
        return Ok(crate::demo::default_categories());
    };
    let cats: Vec<NeedCategory> =
        serde_json::from_str(&s.value).map_err(|e| SettingError::new(NEED_CATEGORIES, e.to_string()))?;
    let mut seen = HashSet::with_capacity(cats.len());
    for c in &cats {
        if c.code.trim().is_empty() {
            return Err(SettingError::new(
                NEED_CATEGORIES,
                format!("a category has an empty code (`{}`)", c.name_en),
            ));
        }
        if !seen.insert(c.code.as_str()) {
            return Err(SettingError::new(
                NEED_CATEGORIES,
                format!("category code `{}` is used twice", c.code),
            ));
        }
    }
    Ok(cats)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::default_categories;
    use crate::model::NeedClass;

    fn setting(value: &str) -> Setting {
        Setting {
            key: NEED_CATEGORIES.to_owned(),
            value: value.to_owned(),
        }
    }

    fn cat(code: &str) -> NeedCategory {
        NeedCategory {
            code: code.to_owned(),
            name_zh: format!("{code}类"),
            name_en: code.to_uppercase(),
            class: NeedClass::Special,
        }
    }

    fn json(cats: &[NeedCategory]) -> String {
        serde_json::to_string(cats).unwrap()
    }

    #[test]
    fn absent_setting_falls_back_to_the_demo_categories() {
        assert_eq!(need_categories(&[]).unwrap(), default_categories());
        let other = Setting {
            key: "alloc_config".to_owned(),
            value: "{}".to_owned(),
        };
        assert_eq!(need_categories(&[other]).unwrap(), default_categories());
    }

    #[test]
    fn stored_categories_keep_their_order() {
        let cats = vec![cat("zeta"), cat("alpha"), cat("mid")];
        assert_eq!(need_categories(&[setting(&json(&cats))]).unwrap(), cats);
        // An empty list is a valid setting: the community has no categories.
        assert_eq!(need_categories(&[setting("[]")]).unwrap(), vec![]);
        // The demo writes the setting; reading it gives the defaults back.
        let d = crate::demo::generate(&crate::demo::DemoConfig {
            households: 3,
            ..Default::default()
        });
        assert_eq!(need_categories(&d.settings).unwrap(), default_categories());
    }

    /// Every reader of the categories goes through [`need_categories`]: the allocation
    /// (sorted by code) and the snapshot refuse an invalid setting the same way.
    #[test]
    fn every_reader_has_the_same_fallback_and_errors() {
        let mut d = crate::demo::generate(&crate::demo::DemoConfig {
            households: 30,
            ..Default::default()
        });
        let mut sorted = default_categories();
        sorted.sort_by(|a, b| a.code.cmp(&b.code));
        assert_eq!(crate::alloc::categories_of(&d).unwrap(), sorted);
        d.settings.retain(|s| s.key != NEED_CATEGORIES);
        assert_eq!(crate::alloc::categories_of(&d).unwrap(), sorted);
        d.settings.push(setting(&json(&[cat("a"), cat("a")])));
        let reason = "category code `a` is used twice".to_owned();
        assert_eq!(
            crate::alloc::categories_of(&d),
            Err(crate::alloc::AllocError::Setting {
                key: NEED_CATEGORIES.to_owned(),
                reason: reason.clone()
            })
        );
        d.resources.clear();
        assert_eq!(
            crate::snapshot::build(&d, &crate::snapshot::BuildOptions::at(1_790_000_000_000)).unwrap_err(),
            crate::snapshot::SnapshotError::Setting {
                key: NEED_CATEGORIES.to_owned(),
                reason
            }
        );
    }

    #[test]
    fn invalid_settings_are_errors_naming_the_setting() {
        let cases = [
            ("not json".to_owned(), "expected"),
            (r#"{"code":"x"}"#.to_owned(), "invalid type"),
            (
                json(&[cat("a"), cat("b"), cat("a")]),
                "category code `a` is used twice",
            ),
            (
                json(&[cat("a"), cat("  ")]),
                "a category has an empty code (`  `)",
            ),
            (json(&[cat("")]), "a category has an empty code"),
        ];
        for (value, reason) in cases {
            let e = need_categories(&[setting(&value)]).unwrap_err();
            assert_eq!(e.key, NEED_CATEGORIES);
            assert!(e.reason.contains(reason), "{value}: {e}");
            assert!(e.to_string().starts_with("setting `need_categories`: "), "{e}");
        }
    }
}
