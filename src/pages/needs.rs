//! `#/needs` — needs assessment (SPEC §2.2): every household scored with the
//! stored matrix, a ranked priority list (virtualised, filterable, each row
//! expanding to its explanation), the per-building heat map on the community
//! plan with aggregate tables, the matrix editor, and an export of the scores
//! in exactly the shape `linli score` prints.

use std::collections::HashMap;
use std::sync::Arc;

use leptos::prelude::*;
use linli_domain::model::{Building, Grid, Household, Setting};
use linli_domain::needs::{
    af::AfScorer, assess, household_rows, Assessment, NeedsError, NeedsMatrix, Scorer, ScoresExport, Tier,
    SETTING_KEY,
};

use crate::browser::{download, local_minute, now_millis, this_year};
use crate::charts::heatmap::HeatMode;
use crate::components::matrix_editor::MatrixEditor;
use crate::components::needs_explain::{explanation_view, score_text, tier_badge};
use crate::components::needs_tables::needs_overview;
use crate::db::{Db, DbError};
use crate::i18n::*;
use crate::state::{use_storage, Route};

/// A text in the current language, as a plain string (inside a reactive closure it
/// follows a language switch).
macro_rules! tr {
    ($i18n:expr, $key:ident) => {
        t_string!($i18n, $key).to_string()
    };
}

/// Height of one list row in pixels (CSS `.ranked .vrow td` keeps it).
const ROW_PX: f64 = 44.0;
/// Rows rendered above and below the visible window.
const OVERSCAN: usize = 8;
/// Height of the list's viewport (CSS `.vscroll`: at most 600 px).
const VIEWPORT_PX: f64 = 600.0;
/// First guess of an open explanation's height, until it is measured.
const DETAIL_GUESS_PX: f64 = 420.0;

/// Scores of the register with the stored matrix.
#[derive(Debug)]
pub struct Scored {
    pub scorer: Scorer,
    /// Year ages are counted in.
    pub year: i64,
    pub assessment: Assessment,
    /// Household indexes, highest score first, ties by household id ascending.
    pub ranking: Vec<u32>,
    /// 1-based rank of each household index.
    pub rank_of: Vec<u32>,
    /// How long `assess` took, in milliseconds.
    pub millis: f64,
}

/// What the needs page loads once per data revision.
#[derive(Debug)]
pub struct NeedsData {
    pub households: Vec<Household>,
    pub buildings: Vec<Building>,
    pub grids: Vec<Grid>,
    /// Building id → index in `buildings`.
    pub building_index: HashMap<u32, usize>,
    /// Whether the `needs_matrix` setting exists (else the default matrix is used).
    pub stored: bool,
    /// The matrix as the editor starts from it: the setting as parsed (even if it
    /// does not validate, so that it can be fixed), or the default.
    pub editable: NeedsMatrix,
    /// The scores, or why the stored matrix is invalid.
    pub scored: Result<Scored, NeedsError>,
}

fn perf_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

impl NeedsData {
    /// Scores `households` with the matrix stored in `settings`, ages in `year`.
    pub fn new(
        households: Vec<Household>,
        buildings: Vec<Building>,
        grids: Vec<Grid>,
        settings: &[Setting],
        year: i64,
    ) -> Self {
        let setting = settings.iter().find(|s| s.key == SETTING_KEY);
        let editable = setting
            .and_then(|s| serde_json::from_str::<NeedsMatrix>(&s.value).ok())
            .unwrap_or_default();
        let scored = NeedsMatrix::from_settings(settings).and_then(|m| {
            let scorer = Scorer::new(&m)?;
            let t0 = perf_now();
            let assessment = assess(&m, &households, &buildings, year)?;
            let millis = perf_now() - t0;
            let scores = &assessment.scores;
            let mut ranking: Vec<u32> = (0..households.len() as u32).collect();
            ranking.sort_unstable_by_key(|&i| {
                let s = &scores[i as usize];
                (std::cmp::Reverse(s.score), s.household_id)
            });
            let mut rank_of = vec![0u32; households.len()];
            for (r, &i) in ranking.iter().enumerate() {
                rank_of[i as usize] = r as u32 + 1;
            }
            Ok(Scored {
                scorer,
                year,
                assessment,
                ranking,
                rank_of,
                millis,
            })
        });
        let building_index = buildings.iter().enumerate().map(|(i, b)| (b.id, i)).collect();
        Self {
            households,
            buildings,
            grids,
            building_index,
            stored: setting.is_some(),
            editable,
            scored,
        }
    }

    /// The building of a household, if known.
    pub fn building(&self, id: u32) -> Option<&Building> {
        self.building_index.get(&id).map(|&i| &self.buildings[i])
    }

    /// The scores as `linli score` prints them (`year`, `matrix_source`, `tiers`,
    /// `households`), compact JSON.
    pub fn export_json(&self) -> Result<String, NeedsError> {
        let s = self.scored.as_ref().map_err(Clone::clone)?;
        let matrix = s.scorer.matrix();
        let af = AfScorer::new(&matrix.af)?.households(&self.households, s.year);
        let rows = household_rows(&self.households, &self.buildings, &s.assessment.scores, &af)?;
        let out = ScoresExport {
            year: s.year,
            matrix_source: if self.stored { "setting" } else { "default" },
            tiers: matrix.tiers,
            households: rows,
        };
        serde_json::to_string(&out).map_err(|e| NeedsError::Parse {
            reason: e.to_string(),
        })
    }
}

async fn load(db: Db) -> Result<NeedsData, DbError> {
    let households = db.households().await?;
    let buildings: Vec<Building> = db.get_all("buildings").await?;
    let grids: Vec<Grid> = db.get_all("grids").await?;
    let settings: Vec<Setting> = db.get_all("settings").await?;
    Ok(NeedsData::new(
        households,
        buildings,
        grids,
        &settings,
        this_year(),
    ))
}

/// Loaded data compared by identity, so views re-render only on a new load.
#[derive(Debug, Clone)]
pub struct Shared(pub Arc<NeedsData>);

impl PartialEq for Shared {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Filters {
    tier: Option<Tier>,
    grid: Option<u32>,
    building: Option<u32>,
}

#[derive(Debug, Clone)]
enum Job {
    Idle,
    Done(String),
    Failed(String),
}

fn select_value(ev: &leptos::ev::Event) -> Option<String> {
    let v = event_target_value(ev);
    (!v.is_empty()).then_some(v)
}

/// The needs page.
#[component]
pub fn NeedsPage() -> impl IntoView {
    let i18n = use_i18n();
    let storage = use_storage();
    let data = storage.resource(|db| async move { Some(load(db).await.map(Arc::new)) });
    let current = Memo::new(move |_| match data.get() {
        Some(Some(Ok(d))) => Some(Shared(d)),
        _ => None,
    });
    let filters = RwSignal::new(Filters::default());
    let heat_mode = RwSignal::new(HeatMode::HighShare);
    let export = RwSignal::new(Job::Idle);

    let on_export = move |_| {
        let Some(Shared(d)) = current.get_untracked() else {
            return;
        };
        match d.export_json() {
            Ok(text) => {
                let stamp: String = local_minute(now_millis())
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect();
                let name = format!("linli-scores-{stamp}.json");
                match download(&text, &name, "application/json") {
                    Ok(()) => export.set(Job::Done(name)),
                    Err(e) => export.set(Job::Failed(DbError::from_js(e).to_string())),
                }
            }
            Err(e) => export.set(Job::Failed(e.to_string())),
        }
    };

    let status = move || {
        match data.get() {
        None | Some(None) => view! {
            <p class="muted" role="status"><span class="spinner" aria-hidden="true"></span>{tr!(i18n, needs_loading)}</p>
        }
        .into_any(),
        Some(Some(Err(e))) => {
            view! { <p class="error" role="alert">{tr!(i18n, status_error)}<code>{e.to_string()}</code></p> }.into_any()
        }
        Some(Some(Ok(d))) if d.households.is_empty() => view! {
            <p class="empty" data-testid="needs-empty">{tr!(i18n, needs_empty)}" "
                <a href=Route::Register.href()>{tr!(i18n, nav_register)}</a>" · "
                <a href=Route::Settings.href()>{tr!(i18n, nav_settings)}</a>
            </p>
        }
        .into_any(),
        Some(Some(Ok(d))) => match &d.scored {
            Err(e) => view! {
                <p class="error" role="alert" data-testid="matrix-invalid">
                    {tr!(i18n, needs_matrix_invalid)}<br/><code>{e.to_string()}</code>
                </p>
            }
            .into_any(),
            Ok(s) => {
                let n = d.households.len();
                let ms = format!("{:.0}", s.millis.max(0.0));
                let text = t_string!(i18n, needs_timing, n = n, ms = ms).to_string();
                view! { <p class="ok" role="status" data-testid="needs-timing">{text}</p> }
                .into_any()
            }
        },
    }
    };

    let export_bar = move || {
        current.get().and_then(|Shared(d)| {
            (d.scored.is_ok() && !d.households.is_empty()).then(|| {
                view! {
                    <div class="actions">
                        <button on:click=on_export data-testid="export-scores">{tr!(i18n, needs_export)}</button>
                    </div>
                    <div aria-live="polite">{move || match export.get() {
                        Job::Idle => ().into_any(),
                        Job::Done(name) => view! { <p class="ok" role="status">{tr!(i18n, needs_exported)}<code>{name}</code></p> }.into_any(),
                        Job::Failed(e) => view! { <p class="error" role="alert">{tr!(i18n, status_error)}<code>{e}</code></p> }.into_any(),
                    }}</div>
                }
            })
        })
    };

    let overview = move || {
        current.get().and_then(|Shared(d)| {
            (d.scored.is_ok() && !d.households.is_empty()).then(|| needs_overview(i18n, &d, heat_mode))
        })
    };

    let list = move || {
        current.get().and_then(|Shared(d)| {
            (d.scored.is_ok() && !d.households.is_empty()).then(|| ranked_list(i18n, d.clone(), filters))
        })
    };

    // The editor re-renders only when the matrix's structure changes; new values of the
    // same structure (after a save) are filled into the existing form.
    let stored = Memo::new(move |_| current.get().map(|Shared(d)| d.editable.clone()));

    // Texts are plain strings in closures that follow the language; the editor stays
    // outside them so that a language switch keeps what the user typed.
    view! {
        <article class="page" data-page="needs">
            {move || view! {
                <h1>{tr!(i18n, needs_title)}</h1>
                <p class="lead">{tr!(i18n, needs_intro)}</p>
                {status}
                {export_bar}
                <section aria-labelledby="ranked-h">
                    <h2 id="ranked-h">{tr!(i18n, needs_ranked_title)}</h2>
                    <p class="muted">{tr!(i18n, needs_ranked_help)}</p>
                    {list}
                </section>
                <section aria-labelledby="heat-h">
                    <h2 id="heat-h">{tr!(i18n, needs_heat_title)}</h2>
                    {overview}
                </section>
            }}
            <section aria-labelledby="matrix-h">
                {move || view! {
                    <h2 id="matrix-h">{tr!(i18n, needs_matrix_title)}</h2>
                    <p class="muted">{tr!(i18n, needs_matrix_intro)}</p>
                }}
                <MatrixEditor stored=stored/>
            </section>
        </article>
    }
}

/// The filter bar and the virtualised, ranked table.
fn ranked_list(
    i18n: leptos_i18n::I18nContext<Locale>,
    d: Arc<NeedsData>,
    filters: RwSignal<Filters>,
) -> impl IntoView {
    if d.scored.is_err() {
        return ().into_any();
    }
    let scroll_top = RwSignal::new(0.0f64);
    // The open explanation: a household index, and its measured height.
    let expanded = RwSignal::new(None::<u32>);
    let detail_px = RwSignal::new(DETAIL_GUESS_PX);

    let d_rows = d.clone();
    let rows = Memo::new(move |_| {
        let f = filters.get();
        let Ok(s) = &d_rows.scored else {
            return Vec::new();
        };
        let scores = &s.assessment.scores;
        s.ranking
            .iter()
            .copied()
            .filter(|&i| {
                let h = &d_rows.households[i as usize];
                f.tier.is_none_or(|t| scores[i as usize].tier == t)
                    && f.building.is_none_or(|b| h.building_id == b)
                    && f.grid
                        .is_none_or(|g| d_rows.building(h.building_id).is_some_and(|b| b.grid_id == g))
            })
            .collect::<Vec<u32>>()
    });
    let total = Memo::new(move |_| rows.with(Vec::len));
    let open_pos = Memo::new(move |_| {
        let e = expanded.get()?;
        rows.with(|r| r.iter().position(|&i| i == e))
    });
    // A new result list starts at its top.
    let scroller = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        rows.track();
        scroll_top.set(0.0);
        if let Some(el) = scroller.get_untracked() {
            el.set_scroll_top(0);
        }
    });
    // Which rows to draw: (first, last, top spacer px, bottom spacer px).
    let window = Memo::new(move |_| {
        let n = total.get();
        let st = scroll_top.get();
        let open = open_pos.get();
        let dp = detail_px.get();
        // The first visible row: rows are ROW_PX high, and the open row has its
        // explanation (dp high) below it.
        let k0 = match open {
            Some(e) if st >= (e as f64 + 1.0) * ROW_PX + dp => ((st - dp) / ROW_PX) as usize,
            Some(e) if st >= (e as f64 + 1.0) * ROW_PX => e,
            _ => (st / ROW_PX) as usize,
        };
        let first = k0.saturating_sub(OVERSCAN).min(n);
        let last = (k0 + (VIEWPORT_PX / ROW_PX) as usize + 2 * OVERSCAN).min(n);
        let mut top = first as f64 * ROW_PX;
        let mut bottom = (n - last) as f64 * ROW_PX;
        match open {
            Some(e) if e < first => top += dp,
            Some(e) if e >= last => bottom += dp,
            _ => {}
        }
        (first, last, top, bottom)
    });
    let visible = move || {
        let (first, last, _, _) = window.get();
        rows.with(|r| r[first..last].to_vec())
    };

    let measure = move || {
        if expanded.get_untracked().is_none() {
            return;
        }
        if let Some(el) = document()
            .query_selector("[data-testid=needs-detail]")
            .ok()
            .flatten()
        {
            use wasm_bindgen::JsCast;
            if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                let h = f64::from(el.offset_height());
                if h > 0.0 && (h - detail_px.get_untracked()).abs() > 0.5 {
                    detail_px.set(h);
                }
            }
        }
    };

    let d_row = d.clone();
    let row = move |idx: u32| {
        let d = &d_row;
        let Ok(s) = &d.scored else {
            return ().into_any();
        };
        let h = &d.households[idx as usize];
        let sc = s.assessment.scores[idx as usize];
        let id = h.id;
        let rank = s.rank_of[idx as usize];
        let address = format!(
            "{}-{}-{}",
            d.building(h.building_id).map(|b| b.name.as_str()).unwrap_or("?"),
            h.unit,
            h.room
        );
        let is_open = move || expanded.get() == Some(idx);
        let detail_id = format!("needs-detail-{id}");
        let detail_id2 = detail_id.clone();
        let toggle = move |_| {
            expanded.update(|e| *e = if *e == Some(idx) { None } else { Some(idx) });
        };
        let d2 = d.clone();
        let detail = move || {
            is_open().then(|| {
                let Ok(s) = &d2.scored else {
                    return ().into_any();
                };
                let e = s.scorer.explain(&d2.households[idx as usize], s.year);
                let node = NodeRef::<leptos::html::Tr>::new();
                Effect::new(move |_| {
                    if let Some(el) = node.get() {
                        let h = f64::from(el.offset_height());
                        if h > 0.0 && (h - detail_px.get_untracked()).abs() > 0.5 {
                            detail_px.set(h);
                        }
                    }
                });
                view! {
                    <tr class="detail" id=detail_id2.clone() data-testid="needs-detail" node_ref=node>
                        <td colspan="6">{explanation_view(i18n, &e, s.scorer.matrix())}</td>
                    </tr>
                }
                .into_any()
            })
        };
        view! {
            <tr class="vrow" data-testid="ranked-row" data-id=id.to_string()>
                <td class="num">{rank}</td>
                <td><a href=Route::Household(id).href()>{id}</a></td>
                <td>{address}</td>
                <td class="num" data-testid="score">{score_text(sc.score)}</td>
                <td>{tier_badge(i18n, sc.tier)}</td>
                <td>
                    <button class="expand" data-testid="expand"
                        aria-expanded=move || is_open().to_string()
                        aria-controls=move || is_open().then(|| detail_id.clone())
                        on:click=toggle>
                        {move || if is_open() { t_string!(i18n, needs_collapse).to_string() } else { t_string!(i18n, needs_expand).to_string() }}
                        <span class="sr-only">" "{id}</span>
                    </button>
                </td>
            </tr>
            {detail}
        }
        .into_any()
    };

    let grids = d.grids.clone();
    let buildings = d.buildings.clone();
    let filter_bar = view! {
        <div class="filters" role="search" aria-label=tr!(i18n, needs_filters)>
            <label>{tr!(i18n, needs_filter_tier)}
                <select data-testid="filter-tier" on:change=move |ev| filters.update(|f| f.tier = match select_value(&ev).as_deref() {
                    Some("high") => Some(Tier::High),
                    Some("medium") => Some(Tier::Medium),
                    Some("low") => Some(Tier::Low),
                    _ => None,
                })>
                    <option value="" selected=move || filters.get().tier.is_none()>{tr!(i18n, filter_any)}</option>
                    {Tier::ALL.into_iter().map(|t| view! {
                        <option value=t.code() selected=move || filters.get().tier == Some(t)>
                            {crate::components::labels::tier(i18n, t)}
                        </option>
                    }).collect_view()}
                </select>
            </label>
            <label>{tr!(i18n, needs_filter_grid)}
                <select data-testid="filter-grid" on:change=move |ev| filters.update(|f| f.grid = select_value(&ev).and_then(|v| v.parse().ok()))>
                    <option value="" selected=move || filters.get().grid.is_none()>{tr!(i18n, filter_any)}</option>
                    {grids.iter().map(|g| {
                        let gid = g.id;
                        view! { <option value=gid.to_string() selected=move || filters.get().grid == Some(gid)>{g.name.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>{tr!(i18n, filter_building)}
                <select data-testid="filter-building" on:change=move |ev| filters.update(|f| f.building = select_value(&ev).and_then(|v| v.parse().ok()))>
                    <option value="" selected=move || filters.get().building.is_none()>{tr!(i18n, filter_any)}</option>
                    {buildings.iter().map(|b| {
                        let bid = b.id;
                        view! { <option value=bid.to_string() selected=move || filters.get().building == Some(bid)>{b.name.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
        </div>
    };

    view! {
        {filter_bar}
        <p class="muted" role="status" data-testid="ranked-count">
            {move || t_string!(i18n, needs_ranked_count, n = total.get()).to_string()}
        </p>
        <Show when=move || { total.get() > 0 } fallback=move || view! { <p class="empty">{t_string!(i18n, no_results).to_string()}</p> }>
            <div class="vscroll ranked-scroll" data-testid="ranked-scroll" node_ref=scroller
                on:scroll=move |ev| {
                    let el: web_sys::Element = event_target(&ev);
                    scroll_top.set(f64::from(el.scroll_top()));
                    measure();
                }>
                <table class="register ranked">
                    <caption class="sr-only">{tr!(i18n, needs_ranked_title)}</caption>
                    <thead><tr>
                        <th scope="col">{tr!(i18n, needs_col_rank)}</th>
                        <th scope="col">{tr!(i18n, col_id)}</th>
                        <th scope="col">{tr!(i18n, col_address)}</th>
                        <th scope="col">{tr!(i18n, needs_col_score)}</th>
                        <th scope="col">{tr!(i18n, needs_col_tier)}</th>
                        <th scope="col">{tr!(i18n, needs_col_detail)}</th>
                    </tr></thead>
                    <tbody>
                        <tr class="spacer" aria-hidden="true" style:height=move || format!("{}px", window.get().2)></tr>
                        <For each=visible key=|i| *i children=row.clone()/>
                        <tr class="spacer" aria-hidden="true" style:height=move || format!("{}px", window.get().3)></tr>
                    </tbody>
                </table>
            </div>
        </Show>
    }
    .into_any()
}
