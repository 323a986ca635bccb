//! A large synthetic community for the allocation benchmarks (native criterion and wasm):
//! many need categories over many households. Not used by the app.

use crate::alloc::{AllocConfig, CategoryRule};
use crate::dataset::Dataset;
use crate::demo::{generate, DemoConfig};
use crate::model::{NeedCategory, NeedClass, Resource, ResourceKind, Setting};
use crate::needs::Indicator;

/// The period [`stress`] allocates.
pub const STRESS_PERIOD: &str = "2026-Q3";

fn code(i: usize) -> String {
    format!("c{i:04}")
}

/// The demo community with `households` households whose needs, requests, plans and
/// resources are spread over `categories` categories (money for [`STRESS_PERIOD`] and the
/// quarter before it, slots shared by every tenth category), with a configuration whose
/// floors, caps and change limit bind. Deterministic.
///
/// # Examples
///
/// ```
/// use linli_domain::alloc::{allocate, fixture};
/// let (d, config) = fixture::stress(30, 600);
/// let r = allocate(&d, &config, fixture::STRESS_PERIOD).unwrap();
/// assert_eq!(r.kinds[0].categories.len(), 30);
/// ```
pub fn stress(categories: usize, households: u32) -> (Dataset, AllocConfig) {
    let mut d = generate(&DemoConfig {
        households,
        ..Default::default()
    });
    let classes = [NeedClass::Basic, NeedClass::Improvement, NeedClass::Special];
    let cats: Vec<NeedCategory> = (0..categories)
        .map(|i| NeedCategory {
            code: code(i),
            name_zh: format!("类别{i}"),
            name_en: format!("Category {i}"),
            class: classes[i % 3],
        })
        .collect();
    d.settings.retain(|s| s.key != "need_categories");
    d.settings.push(Setting {
        key: "need_categories".to_owned(),
        value: serde_json::to_string(&cats).unwrap(),
    });
    let mix = |a: u64| a.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
    for h in &mut d.households {
        for (k, n) in h.needs.iter_mut().enumerate() {
            n.category = code((mix(u64::from(h.id) * 8 + k as u64) % categories as u64) as usize);
        }
    }
    for r in &mut d.requests {
        r.category = code((mix(u64::from(r.id) + 7) % categories as u64) as usize);
    }
    for p in &mut d.plans {
        // A case changes only through its operations; a fixture may rewrite
        // the stored record (the category takes part in no rule).
        let mut v = serde_json::to_value(&*p).unwrap_or_default();
        v["content"]["category"] = code(p.id() as usize * 97 % categories).into();
        if let Ok(moved) = serde_json::from_value(v) {
            *p = moved;
        }
    }
    d.resources.clear();
    for (q, period) in ["2026-Q2", STRESS_PERIOD].into_iter().enumerate() {
        for i in 0..categories {
            d.resources.push(Resource {
                id: (q * categories + i + 1) as u32,
                name: format!("fund {i}"),
                kind: ResourceKind::Money,
                category: code(i),
                period: period.to_owned(),
                quantity: 1_000_000 + (mix(i as u64 + q as u64) % 5_000_000) as i64,
            });
        }
    }
    d.resources.push(Resource {
        id: 10_000,
        name: "slots".to_owned(),
        kind: ResourceKind::Slots,
        category: code(0),
        period: STRESS_PERIOD.to_owned(),
        quantity: 5_000,
    });
    let mut config = AllocConfig::for_categories(&cats);
    config.kinds.clear();
    config.kinds.push(crate::alloc::KindRule {
        kind: ResourceKind::Slots,
        categories: (0..categories).step_by(10).map(code).collect(),
    });
    config.max_change_bp = Some(5);
    for (i, r) in config.categories.iter_mut().enumerate() {
        if i.is_multiple_of(10) {
            *r = CategoryRule {
                eligibility: Indicator::MembersAged { min_age: 60 },
                ..CategoryRule::default_for(&code(i))
            };
            r.unit_weight = 1;
        }
        if i.is_multiple_of(7) {
            r.floor_bp = 5;
        }
        if i.is_multiple_of(11) {
            r.cap_bp = 5;
        }
    }
    (d, config)
}
