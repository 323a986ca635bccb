//! `#/pb` — residents' proposals, feasibility review, ballots and the
//! participatory-budgeting count (SPEC §2.5).
//!
//! The count runs in a Web Worker (`crate::pb_worker`), never on the main
//! thread: an Add1 rule on a city-sized instance takes seconds, and the page
//! must stay usable (and cancellable) meanwhile. Every decision uses the
//! exact rules of `linli_domain::pb`; this page only shows them.
//!
//! Parts: `budget` (the period's budget), `proposals` (list, review, new
//! proposal), `ballots` (keyboard entry, undo, `.pb` import), `count` (rule
//! choice and the worker run), `results` (comparison and explanations),
//! `external` (counting any pabulib `.pb` file).

mod adopt;
mod ballots;
mod budget;
mod count;
mod external;
mod proposals;
mod results;

use std::sync::Arc;

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use linli_domain::decisions::{pb_adoption, DecisionError};
use linli_domain::pb::community::{next_period, periods};

use self::adopt::AdoptedOutcome;
use self::ballots::BallotEntry;
use self::budget::BudgetEditor;
use self::count::Count;
use self::external::ExternalCount;
use self::proposals::{ProposalForm, Proposals};
use crate::components::loaded::{load, LoadGate};
use crate::db::pb::{PbData, PbWrite};
use crate::db::{Db, DbError};
use crate::i18n::*;
use crate::state::{use_storage, Storage};

/// The outcome of the last ballot import; page-level, so it survives the
/// reload the import triggers.
#[derive(Debug, Clone, Copy)]
struct ImportNotice(RwSignal<Option<Result<String, String>>>);

/// The outcome of the last adoption; page-level, so it survives the reload
/// the adoption triggers.
#[derive(Debug, Clone, Copy)]
struct AdoptNotice(crate::components::form_message::Msg);

/// The rules offered, in this order; the first is the default.
const RULES: [&str; 8] = [
    "mes_cost_add1_greedy",
    "mes_cost_add1",
    "mes_cost",
    "mes_card",
    "equalshares_add1",
    "equalshares_add1_utilitarian",
    "greedy_cost",
    "greedy_card",
];

/// The name of rule `code` in the current language (the code itself for a
/// rule that is not offered).
fn rule_name(i18n: I18nContext<Locale>, code: &str) -> String {
    match code {
        "mes_cost_add1_greedy" => t_string!(i18n, pb.rule_mes_cost_add1_greedy),
        "mes_cost_add1" => t_string!(i18n, pb.rule_mes_cost_add1),
        "mes_cost" => t_string!(i18n, pb.rule_mes_cost),
        "mes_card" => t_string!(i18n, pb.rule_mes_card),
        "equalshares_add1" => t_string!(i18n, pb.rule_equalshares_add1),
        "equalshares_add1_utilitarian" => t_string!(i18n, pb.rule_equalshares_add1_utilitarian),
        "greedy_cost" => t_string!(i18n, pb.rule_greedy_cost),
        "greedy_card" => t_string!(i18n, pb.rule_greedy_card),
        _ => return code.to_owned(),
    }
    .to_owned()
}

/// Largest `.pb` file counted in the browser. The largest real instance in
/// pabulib (Łódź 2022) is 3.7 MB; a file this size would need several times
/// its size in memory, twice (page and worker). `linli pb` has no limit.
const MAX_PB_BYTES: f64 = 64.0 * 1024.0 * 1024.0;

/// The rule every result is compared with: what most places do today.
const BASELINE: &str = "greedy_cost";

/// The open database, for a write.
fn open_db(storage: Storage) -> Result<Db, DbError> {
    storage.db().ok_or(DbError::Unavailable)
}

/// A write to a period's PB inputs in words: `Ok` once written; a period
/// whose count is adopted names the adoption.
fn written(i18n: I18nContext<Locale>, r: PbWrite) -> Result<(), String> {
    match r {
        Ok(Ok(())) => Ok(()),
        Ok(Err(DecisionError::PbClosed { period, decision })) => {
            Err(t_string!(i18n, pb.err_pb_closed, period = period, id = decision).to_owned())
        }
        Ok(Err(e)) => Err(e.to_string()),
        Err(e) => Err(crate::components::db_error::plain(i18n, &e)),
    }
}

/// The participatory-budgeting page.
#[component]
pub fn PbPage() -> impl IntoView {
    let i18n = use_i18n();
    let storage = use_storage();
    let data = load(storage, |db| async move { db.pb_data().await });
    let period = RwSignal::new(None::<String>);
    // Outlives the reload that a save triggers, so "saved" stays visible.
    let proposal_saved = RwSignal::new(false);
    provide_context(ImportNotice(RwSignal::new(None)));
    provide_context(AdoptNotice(RwSignal::new(None)));

    view! {
        <article class="page" data-page="pb">
            <h1>{t!(i18n, pb.title)}</h1>
            <p class="lead">{t!(i18n, pb.lead)}</p>
            <LoadGate phase=data.phase error=Signal::derive(move || data.error())>
                {move || data.current.get().map(|d| {
                    let d: Arc<PbData> = d.0;
                    let periods = periods(&d.ds);
                    let current = period.get().filter(|p| periods.contains(p)).or_else(|| periods.first().cloned());
                    match current {
                        None => view! {
                            <p class="empty">{t!(i18n, pb.no_proposals)}</p>
                            <ProposalForm data=d.clone() period="2026-Q4".to_owned() saved=proposal_saved/>
                            <ExternalCount/>
                        }.into_any(),
                        Some(p) => view! {
                            <label class="period-pick">{t!(i18n, pb.period)}
                                <select on:change=move |ev| period.set(Some(event_target_value(&ev)))>
                                    {periods.iter().map(|x| view! { <option value=x.clone() selected=*x == p>{x.clone()}</option> }).collect_view()}
                                </select>
                            </label>
                            <PeriodView data=d.clone() period=p.clone() proposal_saved=proposal_saved/>
                            <ExternalCount/>
                        }.into_any(),
                    }
                })}
            </LoadGate>
        </article>
    }
}

/// One period. Once its count is adopted, its proposals, reviews, ballots and
/// budget are closed (the writes are refused too, see `crate::db::pb`): the
/// page says so, shows the outcome and offers new proposals for the next
/// quarter instead.
#[component]
fn PeriodView(data: Arc<PbData>, period: String, proposal_saved: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let closed = pb_adoption(&data.decisions, &period).map(|d| (d.id, d.on.to_string()));
    match closed {
        None => view! {
            <BudgetEditor data=data.clone() period=period.clone()/>
            <Proposals data=data.clone() period=period.clone() closed=false/>
            <ProposalForm data=data.clone() period=period.clone() saved=proposal_saved/>
            <BallotEntry data=data.clone() period=period.clone()/>
            <AdoptedOutcome period=period.clone()/>
            <Count data=data period=period/>
        }
        .into_any(),
        Some((id, on)) => {
            let next = next_period(&period);
            let p = period.clone();
            view! {
                <p class="notice" role="status" data-testid="pb-closed">
                    {move || t_string!(i18n, pb.closed_note, period = p.clone(), id = id, on = on.clone())}
                </p>
                <AdoptedOutcome period=period.clone()/>
                <Proposals data=data.clone() period=period.clone() closed=true/>
                {next.map(|n| view! { <ProposalForm data=data.clone() period=n saved=proposal_saved/> })}
                <Count data=data period=period/>
            }
            .into_any()
        }
    }
}
