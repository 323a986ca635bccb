//! Typed reads of settings that several parts of Linli share: one function per setting,
//! so that the workspace, the CLI, the allocation and the snapshot read a setting the
//! same way, with the same fallback and the same errors.
//!
//! Settings are key → JSON text ([`Setting`]).

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::model::{NeedCategory, Setting};
use crate::plans::PlanRules;
use crate::suppress::{MIN_CELL, MIN_CELL_SENSITIVE};

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

/// Key of the plan rules setting: a JSON [`PlanRules`] (notice length, re-notice share).
pub const PLAN_RULES: &str = "plan_rules";
/// Key of the disclosure setting: a JSON [`Disclosure`] (minimum cell sizes).
pub const DISCLOSURE: &str = "disclosure";
/// Key of the indicator targets setting: a JSON object `{"<indicator code>": target or null}`.
pub const INDICATOR_TARGETS: &str = "indicator_targets";

fn parse<T: serde::de::DeserializeOwned + Default>(
    settings: &[Setting],
    key: &str,
) -> Result<T, SettingError> {
    match settings.iter().find(|s| s.key == key) {
        None => Ok(T::default()),
        Some(s) => serde_json::from_str(&s.value).map_err(|e| SettingError::new(key, e.to_string())),
    }
}

/// The plan rules: defaults ([`PlanRules::default`]) without the setting.
///
/// # Errors
///
/// [`SettingError`] naming `plan_rules` when the value is not a JSON [`PlanRules`] or
/// breaks [`PlanRules::check`].
///
/// ```
/// use linli_domain::model::Setting;
/// let s = Setting { key: "plan_rules".into(), value: r#"{"notice_days":10}"#.into() };
/// assert_eq!(linli_domain::settings::plan_rules(&[s]).unwrap().notice_days, 10);
/// assert_eq!(linli_domain::settings::plan_rules(&[]).unwrap().notice_days, 7);
/// ```
pub fn plan_rules(settings: &[Setting]) -> Result<PlanRules, SettingError> {
    let r: PlanRules = parse(settings, PLAN_RULES)?;
    r.check()
        .map_err(|e| SettingError::new(PLAN_RULES, e.to_string()))?;
    Ok(r)
}

/// Minimum cell sizes of published counts (SPEC §2.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Disclosure {
    /// Counts of people or households below this are withheld; at least [`MIN_CELL`].
    pub min_cell: u64,
    /// The same for health, disability, income and minors; at least
    /// [`MIN_CELL_SENSITIVE`] and at least `min_cell`.
    pub min_cell_sensitive: u64,
}

impl Default for Disclosure {
    fn default() -> Self {
        Self {
            min_cell: MIN_CELL,
            min_cell_sensitive: MIN_CELL_SENSITIVE,
        }
    }
}

/// Largest configurable minimum cell size.
pub const MAX_CELL: u64 = 1_000;

/// The minimum cell sizes: [`Disclosure::default`] (5 and 10) without the setting.
/// A community may raise them, never lower them below the defaults.
///
/// # Errors
///
/// [`SettingError`] naming `disclosure` when the value is not a JSON [`Disclosure`],
/// a size is below its default or above [`MAX_CELL`], or the sensitive size is below
/// the general one.
///
/// ```
/// use linli_domain::model::Setting;
/// use linli_domain::settings::disclosure;
/// let s = |v: &str| Setting { key: "disclosure".into(), value: v.into() };
/// assert_eq!(disclosure(&[s(r#"{"min_cell":8,"min_cell_sensitive":12}"#)]).unwrap().min_cell, 8);
/// assert!(disclosure(&[s(r#"{"min_cell":3}"#)]).is_err()); // below the floor of 5
/// ```
pub fn disclosure(settings: &[Setting]) -> Result<Disclosure, SettingError> {
    let d: Disclosure = parse(settings, DISCLOSURE)?;
    let err = |r: String| SettingError::new(DISCLOSURE, r);
    if d.min_cell < MIN_CELL || d.min_cell > MAX_CELL {
        return Err(err(format!(
            "min_cell must be {MIN_CELL} to {MAX_CELL}, found {}",
            d.min_cell
        )));
    }
    if d.min_cell_sensitive < MIN_CELL_SENSITIVE.max(d.min_cell) || d.min_cell_sensitive > MAX_CELL {
        return Err(err(format!(
            "min_cell_sensitive must be {} to {MAX_CELL}, found {}",
            MIN_CELL_SENSITIVE.max(d.min_cell),
            d.min_cell_sensitive
        )));
    }
    Ok(d)
}

/// One indicator of SPEC §2.10 with its default target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndicatorDef {
    /// Code, e.g. `participation`.
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    /// Unit code: `bp`, `per_100_households_centi`, `permille`, `hours`, `ratio_centi`.
    pub unit: &'static str,
    /// `gt`, `lt`, `ge`, `le`: how the value must compare with the target to meet it.
    pub direction: &'static str,
    /// The source's target, `None` where the source sets none.
    pub default_target: Option<i64>,
}

/// The indicators, in the order they are shown and published.
pub const INDICATORS: [IndicatorDef; 9] = [
    IndicatorDef {
        code: "participation",
        name_zh: "居民参与率",
        name_en: "Participation rate",
        unit: "bp",
        direction: "gt",
        default_target: Some(6000),
    },
    IndicatorDef {
        code: "proposals",
        name_zh: "每百户年提案数",
        name_en: "Proposals per 100 households a year",
        unit: "per_100_households_centi",
        direction: "gt",
        default_target: Some(500),
    },
    IndicatorDef {
        code: "leader_growth",
        name_zh: "居民骨干年增长",
        name_en: "Resident-leader growth a year",
        unit: "bp",
        direction: "gt",
        default_target: Some(1000),
    },
    IndicatorDef {
        code: "mismatch",
        name_zh: "资源错配率",
        name_en: "Resource mismatch rate",
        unit: "bp",
        direction: "lt",
        default_target: Some(1000),
    },
    IndicatorDef {
        code: "satisfaction_cv",
        name_zh: "满意度离散度（各群体变异系数）",
        name_en: "Satisfaction dispersion (CV across groups)",
        unit: "permille",
        direction: "lt",
        default_target: Some(300),
    },
    IndicatorDef {
        code: "utilisation",
        name_zh: "资源使用率",
        name_en: "Utilisation",
        unit: "bp",
        direction: "gt",
        default_target: Some(8500),
    },
    IndicatorDef {
        code: "satisfaction",
        name_zh: "居民满意率",
        name_en: "Residents satisfied",
        unit: "bp",
        direction: "ge",
        default_target: Some(8500),
    },
    IndicatorDef {
        code: "resolution_time",
        name_zh: "诉求办结时长（中位数）",
        name_en: "Request resolution time (median)",
        unit: "hours",
        direction: "le",
        default_target: None,
    },
    IndicatorDef {
        code: "cost_benefit",
        name_zh: "投入产出比",
        name_en: "Cost-benefit ratio",
        unit: "ratio_centi",
        direction: "gt",
        default_target: Some(300),
    },
];

/// Largest absolute target value.
pub const MAX_TARGET: i64 = 1_000_000_000;

/// Every indicator's target, by code: the stored value where the setting has one
/// (`null` clears a target), else the default. Codes in [`INDICATORS`] order.
///
/// # Errors
///
/// [`SettingError`] naming `indicator_targets` when the value is not a JSON object of
/// integers or nulls, names an unknown indicator, or a target is beyond ±[`MAX_TARGET`].
///
/// ```
/// use linli_domain::model::Setting;
/// use linli_domain::settings::indicator_targets;
/// let s = Setting { key: "indicator_targets".into(), value: r#"{"participation":7000,"satisfaction":null}"#.into() };
/// let t = indicator_targets(&[s]).unwrap();
/// assert_eq!(t["participation"], Some(7000));
/// assert_eq!(t["satisfaction"], None);
/// assert_eq!(t["utilisation"], Some(8500)); // default
/// ```
pub fn indicator_targets(
    settings: &[Setting],
) -> Result<std::collections::BTreeMap<String, Option<i64>>, SettingError> {
    let stored: std::collections::BTreeMap<String, Option<i64>> = parse(settings, INDICATOR_TARGETS)?;
    let err = |r: String| SettingError::new(INDICATOR_TARGETS, r);
    for (code, v) in &stored {
        if !INDICATORS.iter().any(|i| i.code == code) {
            return Err(err(format!("unknown indicator `{code}`")));
        }
        if v.is_some_and(|v| v.abs() > MAX_TARGET) {
            return Err(err(format!("the target of `{code}` is beyond ±{MAX_TARGET}")));
        }
    }
    Ok(INDICATORS
        .iter()
        .map(|i| {
            (
                i.code.to_owned(),
                stored.get(i.code).copied().unwrap_or(i.default_target),
            )
        })
        .collect())
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
