//! Comparisons: the result against the previous period (as the result carries it) or
//! against a stored run, as a table of one kind; the what-if scenario uses the same table.

use std::sync::Arc;

use leptos::prelude::*;
use linli_domain::alloc::{
    compare, AllocationResult, CategoryChange, Comparison, KindComparison, PreviousSource,
};
use linli_domain::model::{AllocationRun, NeedCategory, ResourceKind};

use super::explain::previous_text;
use super::format::{amount_text, category_name, change_view, pct, Ctx};
use super::Computed;
use crate::browser::local_minute;
use crate::i18n::*;

/// A comparison table of one kind: before and after amounts and shares.
pub fn comparison_table(
    i18n: Ctx,
    cmp: &Comparison,
    kind: ResourceKind,
    cats: &[NeedCategory],
    before: String,
    after: String,
    testid: &'static str,
) -> impl IntoView {
    let Some(kc) = cmp.kinds.iter().find(|k| k.kind == kind) else {
        return view! { <p class="muted">{t_string!(i18n, allocation.nothing_to_compare_for_this_kind)}</p> }
            .into_any();
    };
    let rows = kc
        .categories
        .iter()
        .map(|c| {
            view! {
                <tr data-testid="cmp-row" data-code=c.code.clone() data-change=c.change_bp>
                    <th scope="row">{category_name(i18n, cats, &c.code)}</th>
                    <td class="num">{amount_text(i18n, kind, c.before)}" ("{pct(c.before_share_bp)}")"</td>
                    <td class="num">{amount_text(i18n, kind, c.after)}" ("{pct(c.after_share_bp)}")"</td>
                    <td>{change_view(i18n, c.change_bp)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="agg" data-testid=testid>
                <thead><tr>
                    <th scope="col">{t_string!(i18n, allocation.category_short)}</th>
                    <th scope="col" class="num">{before}</th>
                    <th scope="col" class="num">{after}</th>
                    <th scope="col">{t_string!(i18n, allocation.change_of_share)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
                <tfoot><tr>
                    <th scope="row">{t_string!(i18n, allocation.total)}</th>
                    <td class="num">{amount_text(i18n, kind, kc.before_allocated)}</td>
                    <td class="num">{amount_text(i18n, kind, kc.after_allocated)}</td>
                    <td></td>
                </tr></tfoot>
            </table>
        </div>
    }
    .into_any()
}

/// The comparison with the previous period as the result carries it.
fn previous_comparison(r: &AllocationResult) -> Comparison {
    Comparison {
        kinds: r
            .kinds
            .iter()
            .map(|k| KindComparison {
                kind: k.kind,
                before_allocated: k.categories.iter().filter_map(|c| c.previous).sum(),
                after_allocated: k.pools.allocated,
                categories: k
                    .categories
                    .iter()
                    .map(|c| CategoryChange {
                        code: c.code.clone(),
                        before: c.previous.unwrap_or(0),
                        after: c.total,
                        delta: c.total - c.previous.unwrap_or(0),
                        before_share_bp: c.previous_share_bp.unwrap_or(0),
                        after_share_bp: c.share_bp,
                        change_bp: c.change_bp.unwrap_or(0),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// "Compared with the previous period or a stored run": the choice and the table.
#[component]
pub fn CompareSection(
    computed: Arc<Computed>,
    runs: Memo<Vec<AllocationRun>>,
    kind: RwSignal<ResourceKind>,
) -> impl IntoView {
    let i18n = use_i18n();
    let cmp_with = RwSignal::new(String::from("previous"));
    let comparison = move || {
        let _ = i18n.get_locale();
        let k = kind.get();
        let with = cmp_with.get();
        let cats = &computed.categories;
        let r = &computed.result;
        if with == "previous" {
            let note = previous_text(i18n, r);
            if r.previous_source == PreviousSource::None {
                return view! { <p class="muted" data-testid="cmp-note">{note}</p> }.into_any();
            }
            let before = t_string!(
                i18n,
                common.paren,
                a = t_string!(i18n, allocation.previous),
                b = r.previous_period.clone()
            )
            .to_string();
            let after = t_string!(
                i18n,
                common.paren,
                a = t_string!(i18n, allocation.this_period),
                b = r.period.clone()
            )
            .to_string();
            return view! {
                <p class="muted small" data-testid="cmp-note">{note}</p>
                {comparison_table(i18n, &previous_comparison(r), k, cats, before, after, "alloc-compare")}
            }
            .into_any();
        }
        let id: u32 = with.trim_start_matches("run-").parse().unwrap_or(0);
        let stored = runs.with(|rs| rs.iter().find(|x| x.id == id).cloned());
        match stored
            .map(|run| serde_json::from_str::<AllocationResult>(&run.outputs_json).map(|res| (run, res)))
        {
            Some(Ok((run, before_result))) => {
                let cmp = compare(&before_result, r);
                let before = format!("{} #{} ({})", t_string!(i18n, allocation.run), run.id, run.period);
                let after = t_string!(i18n, allocation.current_result).to_owned();
                comparison_table(i18n, &cmp, k, cats, before, after, "alloc-compare").into_any()
            }
            Some(Err(e)) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
            None => ().into_any(),
        }
    };
    view! {
        <section class="sub" aria-labelledby="alloc-cmp-h">
            <h3 id="alloc-cmp-h">{t!(i18n, allocation.compared_with_the_previous)}</h3>
            <label>{t!(i18n, allocation.compare_with)}
                <select data-testid="cmp-with" on:change=move |ev| cmp_with.set(event_target_value(&ev))>
                    <option value="previous" selected=true>{t!(i18n, allocation.the_previous_period)}</option>
                    {move || runs.get().into_iter().map(|run| {
                        let label = format!("#{} {} · {}", run.id, run.period, local_minute(run.created_at));
                        view! { <option value=format!("run-{}", run.id)>{label}</option> }
                    }).collect_view()}
                </select>
            </label>
            {comparison}
        </section>
    }
}
