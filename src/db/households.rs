//! Households are stored in **pages**: one IndexedDB record holds the
//! households whose ids share `id >> PAGE_BITS` (up to 64 of them).
//!
//! Why: Chromium pays a fixed cost per IndexedDB request (about 70 µs on a
//! 2-core machine, measured: 30,000 one-household puts took 2.1–2.4 s even
//! with no index at all, while the same households in 469 pages took 83 ms).
//! With one record per household a 100,000-household import could never get
//! under 7 s; with pages it takes a fraction of that.
//!
//! A page record is `{page, _n, _json, _b, _t, _g, _needs, _flags, _names}`:
//! `_json` is the JSON array of the page's households in id order, `_n` their
//! number, and the other fields the union of the households' index keys
//! (building ids, tenure codes, group codes, need category codes, flags,
//! contact names). Every index is multi-entry over those arrays, so an index
//! query returns the few pages that hold a match; [`HouseholdQuery::matches`]
//! then picks the households within them. The domain type never sees any of
//! this: [`page_households`] gives back plain [`Household`]s.

use linli_domain::order::SortDyn;
use std::collections::BTreeMap;

use js_sys::{Array, Reflect};
use linli_domain::model::{Household, Subsistence, Tenure};
use wasm_bindgen::JsValue;

use super::schema::FLAGS;
use super::{cipher, Db, DbError};

/// The store holding household pages.
pub const STORE: &str = "households";
/// `id >> PAGE_BITS` is a household's page: 64 households per page.
pub const PAGE_BITS: u32 = 6;

/// The page holding household `id`.
pub fn page_of(id: u32) -> u32 {
    id >> PAGE_BITS
}

/// The v2 indexes of the page store: `(name, key path)`, all multi-entry.
pub const INDEXES: [(&str, &str); 6] = [
    ("by_building", "_b"),
    ("by_tenure", "_t"),
    ("by_group", "_g"),
    ("by_need", "_needs"),
    ("by_flag", "_flags"),
    ("by_name", "_names"),
];

/// The tenure code as stored (the serde name).
pub fn tenure_code(t: Tenure) -> &'static str {
    match t {
        Tenure::Owner => "owner",
        Tenure::Tenant => "tenant",
        Tenure::PublicRental => "public_rental",
    }
}

/// The [`FLAGS`] a household has, in [`FLAGS`] order.
pub fn flags(h: &Household) -> impl Iterator<Item = &'static str> {
    let any = |f: fn(&linli_domain::model::Member) -> bool| h.members.iter().any(f);
    let has = [
        h.lives_alone,
        any(|m| m.disability_grade.is_some()),
        any(|m| m.dementia),
        any(|m| m.chronic_illness),
        h.subsistence == Subsistence::Dibao,
        h.subsistence == Subsistence::Dibian,
    ];
    FLAGS.into_iter().zip(has).filter_map(|(f, on)| on.then_some(f))
}

/// One filter of the register, answered by one index query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HouseholdQuery {
    Building(u32),
    /// A tenure code (`owner`, `tenant`, `public_rental`).
    Tenure(String),
    /// A group code.
    Group(String),
    /// A need category code.
    Need(String),
    /// One of [`FLAGS`].
    Flag(String),
    /// Contact names starting with this text.
    NamePrefix(String),
}

impl HouseholdQuery {
    pub(super) fn index(&self) -> &'static str {
        match self {
            Self::Building(_) => "by_building",
            Self::Tenure(_) => "by_tenure",
            Self::Group(_) => "by_group",
            Self::Need(_) => "by_need",
            Self::Flag(_) => "by_flag",
            Self::NamePrefix(_) => "by_name",
        }
    }

    /// The key or key range to look up in [`Self::index`].
    /// Once a passphrase is set the key is the value's blind index
    /// ([`cipher::index_entry`], [`cipher::name_query`]).
    pub(super) fn key(&self) -> Result<JsValue, DbError> {
        Ok(match self {
            Self::Building(b) => {
                if cipher::active() {
                    cipher::index_entry(self.field(), &b.to_string())
                } else {
                    JsValue::from(*b)
                }
            }
            Self::Tenure(s) | Self::Group(s) | Self::Need(s) | Self::Flag(s) => {
                cipher::index_entry(self.field(), s)
            }
            Self::NamePrefix(p) => cipher::name_query(p)?,
        })
    }

    /// The field name bound into the query's blind index.
    fn field(&self) -> &'static str {
        match self {
            Self::Building(_) => "building",
            Self::Tenure(_) => "tenure",
            Self::Group(_) => "group",
            Self::Need(_) => "need",
            Self::Flag(_) => "flag",
            Self::NamePrefix(_) => "name",
        }
    }

    /// Whether `h` is one of the households the query asks for.
    pub fn matches(&self, h: &Household) -> bool {
        match self {
            Self::Building(b) => h.building_id == *b,
            Self::Tenure(t) => tenure_code(h.tenure) == t,
            Self::Group(g) => h.group == *g,
            Self::Need(n) => h.needs.iter().any(|x| x.category == *n),
            Self::Flag(f) => flags(h).any(|x| x == f),
            Self::NamePrefix(p) => h.contact_name.starts_with(p.as_str()),
        }
    }
}

impl Db {
    /// Ids (ascending) of the households in `loaded` that match every query in
    /// `queries`; empty when `queries` is.
    ///
    /// `loaded` is every household in id order (as [`Db::households`] gives them).
    /// Each query is one index query giving the pages that hold a match; only the
    /// households on the pages every query returned are then checked against the
    /// queries, in memory.
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's error name.
    pub async fn matching_households(
        &self,
        queries: &[HouseholdQuery],
        loaded: &[Household],
    ) -> Result<Vec<u32>, DbError> {
        let mut pages: Option<Vec<u32>> = None;
        for q in queries {
            let p = self.household_pages(q).await?;
            pages = Some(match pages {
                None => p,
                Some(acc) => acc.into_iter().filter(|x| p.binary_search(x).is_ok()).collect(),
            });
        }
        let Some(pages) = pages else {
            return Ok(Vec::new());
        };
        let mut ids = Vec::new();
        for page in pages {
            let start = loaded.partition_point(|h| page_of(h.id) < page);
            ids.extend(
                loaded[start..]
                    .iter()
                    .take_while(|h| page_of(h.id) == page)
                    .filter(|h| queries.iter().all(|q| q.matches(h)))
                    .map(|h| h.id),
            );
        }
        Ok(ids)
    }
}

fn set(obj: &js_sys::Object, key: &str, value: &JsValue) {
    // Setting a property on a plain new object cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

/// Distinct index entries of `field` in first-seen order, as a JS array
/// (blind once a passphrase is set, see [`cipher::index_entry`]).
fn distinct<'a>(field: &str, values: impl Iterator<Item = &'a str>) -> Array {
    let mut seen: Vec<&str> = Vec::new();
    for v in values {
        if !seen.contains(&v) {
            seen.push(v);
        }
    }
    seen.into_iter().map(|v| cipher::index_entry(field, v)).collect()
}

/// The stored object of one page. `households` must be in id order and all on `page`.
///
/// # Errors
///
/// [`DbError::Decode`] if a household cannot be serialised (never for the domain type).
pub fn page_js(page: u32, households: &[Household]) -> Result<JsValue, DbError> {
    debug_assert!(households.windows(2).all(|w| w[0].id < w[1].id));
    debug_assert!(households.iter().all(|h| page_of(h.id) == page));
    let json = serde_json::to_string(households).map_err(|e| DbError::Decode {
        store: STORE.to_owned(),
        reason: e.to_string(),
    })?;
    let obj = js_sys::Object::new();
    set(&obj, "page", &JsValue::from(page));
    set(&obj, "_n", &JsValue::from(households.len() as u32));
    let mut buildings: Vec<u32> = households.iter().map(|h| h.building_id).collect();
    buildings.sort_unstable();
    buildings.dedup();
    let buildings: Array = if cipher::active() {
        buildings
            .into_iter()
            .map(|b| cipher::index_entry("building", &b.to_string()))
            .collect()
    } else {
        buildings.into_iter().map(JsValue::from).collect()
    };
    set(&obj, "_b", &buildings);
    set(
        &obj,
        "_t",
        &distinct("tenure", households.iter().map(|h| tenure_code(h.tenure))),
    );
    set(
        &obj,
        "_g",
        &distinct("group", households.iter().map(|h| h.group.as_str())),
    );
    set(
        &obj,
        "_needs",
        &distinct(
            "need",
            households
                .iter()
                .flat_map(|h| h.needs.iter().map(|n| n.category.as_str())),
        ),
    );
    set(
        &obj,
        "_flags",
        &distinct("flag", households.iter().flat_map(flags)),
    );
    set(
        &obj,
        "_names",
        &cipher::name_entries(households.iter().map(|h| h.contact_name.as_str())),
    );
    cipher::put_body_packed(&obj, STORE, &JsValue::from(page), &json)?;
    Ok(obj.into())
}

/// The households of a stored page (empty for `undefined`, a missing page).
///
/// # Errors
///
/// [`DbError::Decode`] if the page has no body or it is not a household list;
/// [`DbError::Locked`] / [`DbError::Decrypt`] as [`cipher::body`].
pub fn page_households(v: &JsValue) -> Result<Vec<Household>, DbError> {
    if v.is_undefined() || v.is_null() {
        return Ok(Vec::new());
    }
    let text = cipher::body(v, STORE, "page")?;
    serde_json::from_str(&text).map_err(|e| DbError::Decode {
        store: STORE.to_owned(),
        reason: e.to_string(),
    })
}

/// The number of households on a stored page, without decoding it.
pub fn page_len(v: &JsValue) -> u32 {
    Reflect::get(v, &JsValue::from_str("_n"))
        .ok()
        .and_then(|n| n.as_f64())
        .unwrap_or(0.0) as u32
}

/// A change to one household, applied to its page inside the transaction.
#[derive(Debug, Clone)]
pub enum Change {
    /// Insert or replace.
    Put(Household),
    /// Insert; fails with `ConstraintError` if the id is taken.
    Add(Household),
    Delete(u32),
}

impl Change {
    fn id(&self) -> u32 {
        match self {
            Self::Put(h) | Self::Add(h) => h.id,
            Self::Delete(id) => *id,
        }
    }
}

/// Changes grouped by page, each page's changes in batch order.
pub fn by_page(changes: Vec<Change>) -> BTreeMap<u32, Vec<Change>> {
    let mut pages: BTreeMap<u32, Vec<Change>> = BTreeMap::new();
    for c in changes {
        pages.entry(page_of(c.id())).or_default().push(c);
    }
    pages
}

/// Applies `changes` to a page's households (kept in id order).
///
/// # Errors
///
/// `ConstraintError` (as the browser names it for a taken key) when an
/// [`Change::Add`] meets an existing id.
pub fn apply(households: &mut Vec<Household>, changes: Vec<Change>) -> Result<(), DbError> {
    for c in changes {
        match c {
            Change::Put(h) => match households.binary_search_by_key(&h.id, |x| x.id) {
                Ok(i) => households[i] = h,
                Err(i) => households.insert(i, h),
            },
            Change::Add(h) => match households.binary_search_by_key(&h.id, |x| x.id) {
                Ok(_) => {
                    return Err(DbError::Browser {
                        name: "ConstraintError".to_owned(),
                        message: format!("household {} already exists", h.id),
                    })
                }
                Err(i) => households.insert(i, h),
            },
            Change::Delete(id) => {
                if let Ok(i) = households.binary_search_by_key(&id, |x| x.id) {
                    households.remove(i);
                }
            }
        }
    }
    Ok(())
}

/// Groups households (any order) into pages: `(page, households in id order)`.
pub fn paginate(households: &[Household]) -> BTreeMap<u32, Vec<Household>> {
    let mut pages: BTreeMap<u32, Vec<Household>> = BTreeMap::new();
    for h in households {
        pages.entry(page_of(h.id)).or_default().push(h.clone());
    }
    for p in pages.values_mut() {
        p.sort_by_key_dyn(|h| h.id);
    }
    pages
}
