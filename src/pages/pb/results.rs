//! A finished count of the period: the chosen rule beside the usual greedy
//! count (who gets something), and every proposal's result with the rule's
//! reasons in plain words.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use linli_domain::money::format_yuan;
use linli_domain::pb::community::{reach, Reach};
use linli_domain::pb::{format_rational, to_f64_lossy, BigRational, Instance, Note, Outcome};

use super::adopt::AdoptCount;
use super::{rule_name, BASELINE};
use crate::db::pb::PbData;
use crate::i18n::*;
use crate::pb_job::RuleResult;

/// An amount of a community instance (fen) in yuan; shares can be fractions
/// of a fen, shown rounded with `≈`.
fn unit_fen(r: &BigRational) -> String {
    let fen = to_f64_lossy(r);
    if r.is_integer() {
        format_yuan(fen as i64)
    } else {
        format!("≈{}", format_yuan(fen.round() as i64))
    }
}

/// A note of a rule's explanation, in plain language.
fn note_text(i18n: I18nContext<Locale>, n: &Note) -> String {
    match n {
        Note::FundedByMes {
            supporters,
            average_payment,
            max_payment,
            ..
        } => format!(
            "{}{supporters}{}{}{}{}",
            t_string!(i18n, pb.note_mes_lead),
            t_string!(i18n, pb.note_mes_supporters),
            unit_fen(average_payment),
            t_string!(i18n, pb.note_mes_max),
            unit_fen(max_payment),
        ),
        Note::FundedFree => t_string!(i18n, pb.note_free).to_owned(),
        Note::FundedByGreedy { remaining_before } => {
            format!(
                "{}{}",
                t_string!(i18n, pb.note_greedy),
                unit_fen(remaining_before)
            )
        }
        Note::NoApprovals => t_string!(i18n, pb.note_no_approvals).to_owned(),
        Note::FreeWithoutCostSatisfaction => t_string!(i18n, pb.note_free_no_cost).to_owned(),
        Note::NotAffordableBySupporters { supporters_money } => format!(
            "{}{}{}",
            t_string!(i18n, pb.note_unaffordable),
            unit_fen(supporters_money),
            t_string!(i18n, pb.note_unaffordable_tail),
        ),
        Note::DoesNotFit { remaining_budget } => {
            format!(
                "{}{}",
                t_string!(i18n, pb.note_does_not_fit),
                unit_fen(remaining_budget)
            )
        }
        Note::CostExceedsBudget => t_string!(i18n, pb.note_exceeds_budget).to_owned(),
    }
}

#[component]
pub(super) fn Results(
    data: Arc<PbData>,
    period: String,
    instance: Arc<Instance>,
    results: Arc<Vec<RuleResult>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let chosen = results[0].clone();
    let adopt = view! { <AdoptCount period=period.clone() instance=instance.clone() chosen=chosen.clone()/> };
    let baseline = results.iter().find(|r| r.rule == BASELINE).cloned();
    let reach_of = |o: &Outcome| reach(&data.ds, &period, o);
    let rc = reach_of(&chosen.outcome);
    let rb = baseline.as_ref().map(|b| reach_of(&b.outcome));
    let titles: Vec<String> = instance
        .projects
        .iter()
        .map(|p| p.extra.first().cloned().unwrap_or_default())
        .collect();
    let summary_row = move |label: String, o: &Outcome, r: &Reach, millis: u64| {
        let funded = o.selected.len();
        view! {
            <tr>
                <th scope="row">{label}</th>
                <td class="num">{funded}</td>
                <td class="num">{unit_fen(&o.total_cost)}</td>
                <td class="num">{r.groups.len()}</td>
                <td class="num">{format!("{}/{}", r.buildings.len(), r.buildings_voting)}</td>
                <td class="num">{format!("{}/{}", r.satisfied_ballots, r.ballots)}</td>
                <td class="num">{t_string!(i18n, pb.millis, ms = millis).to_string()}</td>
            </tr>
        }
    };
    let chosen_label = rule_name(i18n, &chosen.rule);
    let base_label = baseline.as_ref().map(|b| rule_name(i18n, &b.rule));
    let chosen_outcome = chosen.outcome.clone();
    let base_outcome = baseline.as_ref().map(|b| b.outcome.clone());
    view! {
        <h3>{t!(i18n, pb.comparison)}</h3>
        <div class="table-scroll">
            <table class="counts" data-testid="pb-compare">
                <thead><tr>
                    <th scope="col">{t!(i18n, pb.col_rule)}</th>
                    <th scope="col" class="num">{t!(i18n, pb.col_funded)}</th>
                    <th scope="col" class="num">{t!(i18n, pb.col_total_cost)}</th>
                    <th scope="col" class="num">{t!(i18n, pb.col_groups)}</th>
                    <th scope="col" class="num">{t!(i18n, pb.col_buildings)}</th>
                    <th scope="col" class="num">{t!(i18n, pb.col_ballots)}</th>
                    <th scope="col" class="num">{t!(i18n, pb.col_time)}</th>
                </tr></thead>
                <tbody>
                    {summary_row(chosen_label, &chosen.outcome, &rc, chosen.millis)}
                    {baseline.as_ref().zip(rb.as_ref()).zip(base_label).map(|((b, r), l)| summary_row(l, &b.outcome, r, b.millis))}
                </tbody>
            </table>
        </div>
        <p class="muted">{move || format!("{} {}", t_string!(i18n, pb.budget), unit_fen(&chosen_outcome.budget))}</p>
        <h3>{t!(i18n, pb.each_title)}</h3>
        <div class="table-scroll">
            <table class="counts explain-table" data-testid="pb-outcome">
                <thead><tr>
                    <th scope="col">{t!(i18n, pb.col_no)}</th>
                    <th scope="col">{t!(i18n, pb.col_proposal)}</th>
                    <th scope="col" class="num">{t!(i18n, pb.col_approvals)}</th>
                    <th scope="col" class="num">{t!(i18n, pb.col_cost)}</th>
                    <th scope="col">{t!(i18n, pb.col_this_rule)}</th>
                    <th scope="col">{t!(i18n, pb.col_greedy)}</th>
                </tr></thead>
                <tbody>
                    {chosen.outcome.projects.iter().enumerate().map(|(i, p)| {
                        let title = titles.get(i).cloned().unwrap_or_default();
                        let notes: Vec<String> = p.notes.iter().map(|n| note_text(i18n, n)).collect();
                        let funded = p.funded;
                        let base = base_outcome.as_ref().and_then(|o| o.projects.get(i)).map(|b| b.funded);
                        view! {
                            <tr class:funded=funded>
                                <td class="num">{p.id.0.clone()}</td>
                                <td>{title}</td>
                                <td class="num">{p.approvals}</td>
                                <td class="num">{unit_fen(&p.cost)}</td>
                                <td>
                                    <strong>{move || if funded { t_string!(i18n, pb.funded_mark) } else { t_string!(i18n, pb.not_funded_mark) }}</strong>
                                    <ul class="notes">{notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
                                </td>
                                <td>{move || base.map(|f| if f { t_string!(i18n, pb.yes_mark) } else { t_string!(i18n, pb.no_mark) })}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <p class="muted">{move || format!("{}: {}", t_string!(i18n, pb.exact_total), format_rational(&chosen.outcome.total_cost))}</p>
        {adopt}
    }
}
