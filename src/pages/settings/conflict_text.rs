//! Words for the conflicts a sync left (issue #19): a store, a record and a field in the
//! guide's language, and a value as the record's own page shows it, so a guide choosing
//! between two values reads "楼栋：3幢" rather than `building_id: 3`.
//!
//! Only what the conflict view needs; a field or store without a label here is shown by
//! its key (never hidden). The raw key and value stay in the `data-*` attributes.

use std::collections::BTreeMap;

use leptos_i18n::I18nContext;
use linli_domain::dataset::Dataset;
use linli_domain::model::{
    HousingCondition, IncomeBand, NeedCategory, Subsistence, Tenure, Urgency, Willingness,
};
use linli_domain::replication::local::Open;
use serde_json::Value;

use crate::components::labels;
use crate::i18n::*;

type Ctx = I18nContext<Locale>;

/// What the values of the records in conflict refer to: building names, need
/// categories and, for each household in conflict, its address.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Names {
    buildings: BTreeMap<u32, String>,
    categories: Vec<NeedCategory>,
    addresses: BTreeMap<String, (String, u8, String)>,
}

impl Names {
    /// The names `open` refers to, read from the dataset the conflicts were found in.
    pub fn of(ds: &Dataset, open: &[Open]) -> Self {
        let buildings = ds
            .buildings
            .iter()
            .map(|b| (b.id, b.name.clone()))
            .collect::<BTreeMap<_, _>>();
        let wanted: Vec<&str> = open
            .iter()
            .filter(|o| o.store == "households")
            .map(|o| o.key.as_str())
            .collect();
        let addresses = ds
            .households
            .iter()
            .filter(|h| wanted.contains(&h.id.to_string().as_str()))
            .map(|h| {
                let b = buildings
                    .get(&h.building_id)
                    .cloned()
                    .unwrap_or_else(|| h.building_id.to_string());
                (h.id.to_string(), (b, h.unit, h.room.clone()))
            })
            .collect();
        Self {
            buildings,
            categories: linli_domain::settings::need_categories(&ds.settings).unwrap_or_default(),
            addresses,
        }
    }
}

/// A store's name in words ("住户", "积分台账"); the name itself when it has none.
pub fn store(i18n: Ctx, store: &str) -> String {
    match store {
        "settings" => t_string!(i18n, settings.sync_store_settings),
        "grids" => t_string!(i18n, settings.sync_store_grids),
        "buildings" => t_string!(i18n, settings.sync_store_buildings),
        "households" => t_string!(i18n, settings.sync_store_households),
        "resources" => t_string!(i18n, settings.sync_store_resources),
        "allocation_runs" => t_string!(i18n, settings.sync_store_allocation_runs),
        "proposals" => t_string!(i18n, settings.sync_store_proposals),
        "ballots" => t_string!(i18n, settings.sync_store_ballots),
        "activities" => t_string!(i18n, settings.sync_store_activities),
        "points_ledger" => t_string!(i18n, settings.sync_store_points_ledger),
        "timebank_ledger" => t_string!(i18n, settings.sync_store_timebank_ledger),
        "requests" => t_string!(i18n, settings.sync_store_requests),
        "plans" => t_string!(i18n, settings.sync_store_plans),
        "decisions" => t_string!(i18n, settings.sync_store_decisions),
        "snapshots" => t_string!(i18n, settings.sync_store_snapshots),
        "audit_log" => t_string!(i18n, settings.sync_store_audit_log),
        other => return other.to_owned(),
    }
    .to_owned()
}

/// A record in words: a household by its address ("3幢 2单元 1203（住户 6）"), any
/// other by its store and key.
pub fn record(i18n: Ctx, names: &Names, store_name: &str, key: &str) -> String {
    match names.addresses.get(key).filter(|_| store_name == "households") {
        Some((b, unit, room)) => t_string!(
            i18n,
            settings.sync_record_household,
            building = b.clone(),
            unit = *unit,
            room = room.clone(),
            key = key.to_owned()
        )
        .to_string(),
        None => t_string!(
            i18n,
            settings.sync_record,
            store = store(i18n, store_name),
            key = key.to_owned()
        )
        .to_string(),
    }
}

/// A field's label in words, as the record's form names it; the key when it has none.
pub fn field(i18n: Ctx, store: &str, field: &str) -> String {
    let s = match (store, field) {
        ("households", "building_id") => t_string!(i18n, common.f_building),
        ("households", "unit") => t_string!(i18n, common.f_unit),
        ("households", "room") => t_string!(i18n, common.f_room),
        ("households", "tenure") => t_string!(i18n, common.f_tenure),
        ("households", "income_band") => t_string!(i18n, common.f_income),
        ("households", "subsistence") => t_string!(i18n, common.f_subsistence),
        ("households", "housing") => t_string!(i18n, common.f_housing),
        ("households", "skills") => t_string!(i18n, settings.sync_f_skills),
        ("households", "needs") => t_string!(i18n, common.hh_section_needs),
        ("households", "willingness") => t_string!(i18n, common.f_willingness),
        ("households", "group") => t_string!(i18n, common.f_group),
        ("households", "contact_name") => t_string!(i18n, common.f_contact_name),
        ("households", "contact_phone") => t_string!(i18n, common.f_contact_phone),
        ("households", "notes") => t_string!(i18n, common.f_notes),
        ("households", "lives_alone") => t_string!(i18n, common.f_lives_alone),
        ("households", "members") => t_string!(i18n, common.hh_section_members),
        ("requests", "category") => t_string!(i18n, requests.category),
        ("requests", "description") => t_string!(i18n, requests.description),
        ("requests", "colour") => t_string!(i18n, requests.col_colour),
        ("requests", "household_id") => t_string!(i18n, settings.sync_f_household),
        ("requests", "assignee") => t_string!(i18n, settings.sync_f_assignee),
        ("requests", "due_at") => t_string!(i18n, requests.col_due),
        (_, "name") => t_string!(i18n, settings.sync_f_name),
        (_, "title") => t_string!(i18n, plans.f_title),
        (_, "category") => t_string!(i18n, plans.f_category),
        (_, "description") => t_string!(i18n, plans.f_description),
        (_, "quantity") => t_string!(i18n, settings.sync_f_quantity),
        (_, "value") => t_string!(i18n, settings.sync_f_value),
        (_, "notes") => t_string!(i18n, common.f_notes),
        _ => return field.to_owned(),
    };
    s.to_owned()
}

fn yes_no(i18n: Ctx, b: bool) -> String {
    if b {
        t_string!(i18n, settings.sync_v_yes)
    } else {
        t_string!(i18n, settings.sync_v_no)
    }
    .to_owned()
}

fn empty(i18n: Ctx) -> String {
    t_string!(i18n, settings.sync_v_empty).to_owned()
}

/// Decodes `v` as `T` and words it with `f`; `None` when it is not a `T`.
fn typed<T: serde::de::DeserializeOwned>(v: &Value, f: impl FnOnce(T) -> String) -> Option<String> {
    serde_json::from_value::<T>(v.clone()).ok().map(f)
}

/// A value as the record's page shows it: an enum's label, a building's name, a list
/// joined with "、", "是/否", "（空）" for nothing; any other value as its JSON text.
pub fn value(i18n: Ctx, names: &Names, store: &str, field: &str, v: &Value) -> String {
    let sep = t_string!(i18n, settings.sync_v_sep);
    let special = match (store, field) {
        ("households", "building_id") => v.as_u64().map(|id| {
            u32::try_from(id)
                .ok()
                .and_then(|id| names.buildings.get(&id).cloned())
                .unwrap_or_else(|| id.to_string())
        }),
        ("households", "tenure") => typed::<Tenure>(v, |t| labels::tenure(i18n, t)),
        ("households", "income_band") => typed::<IncomeBand>(v, |t| labels::income(i18n, t)),
        ("households", "subsistence") => typed::<Subsistence>(v, |t| labels::subsistence(i18n, t)),
        ("households", "housing") => typed::<HousingCondition>(v, |t| labels::housing(i18n, t)),
        ("households", "willingness") => typed::<Willingness>(v, |t| labels::willingness(i18n, t)),
        ("households", "group") => v
            .as_str()
            .filter(|s| !s.is_empty())
            .map(|g| labels::group(i18n, g)),
        ("households", "needs") => v.as_array().map(|needs| {
            needs
                .iter()
                .map(|n| {
                    let cat = n["category"].as_str().unwrap_or_default();
                    let urg =
                        typed::<Urgency>(&n["urgency"], |u| labels::urgency(i18n, u)).unwrap_or_default();
                    t_string!(
                        i18n,
                        settings.sync_v_need,
                        category = labels::category(i18n, &names.categories, cat),
                        urgency = urg
                    )
                    .to_string()
                })
                .collect::<Vec<_>>()
                .join(sep)
        }),
        ("households", "members") => v.as_array().map(|ms| {
            let list = ms
                .iter()
                .map(|m| m["name"].as_str().unwrap_or_default().to_owned())
                .collect::<Vec<_>>()
                .join(sep);
            t_string!(i18n, settings.sync_v_members, n = ms.len(), names = list).to_string()
        }),
        ("requests", "category") => v.as_str().map(|c| labels::category(i18n, &names.categories, c)),
        _ => None,
    };
    if let Some(s) = special.filter(|s| !s.is_empty()) {
        return s;
    }
    match v {
        Value::Null => empty(i18n),
        Value::Bool(b) => yes_no(i18n, *b),
        Value::String(s) if s.trim().is_empty() => empty(i18n),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Array(a) if a.is_empty() => empty(i18n),
        Value::Array(a) if a.iter().all(Value::is_string) => {
            a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(sep)
        }
        other => other.to_string(),
    }
}
