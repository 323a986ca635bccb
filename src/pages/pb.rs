//! `#/pb` — residents' proposals, feasibility review, ballots and the
//! participatory-budgeting count (SPEC §2.5).
//!
//! The count runs in a Web Worker (`crate::pb_worker`), never on the main
//! thread: an Add1 rule on a city-sized instance takes seconds, and the page
//! must stay usable (and cancellable) meanwhile. Every decision uses the
//! exact rules of `linli_domain::pb`; this page only shows them.

use std::collections::BTreeSet;
use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_i18n::I18nContext;
use linli_domain::dataset::Dataset;
use linli_domain::demo::GROUPS;
use linli_domain::model::{AuditEntry, Ballot, Building, NeedCategory, Proposal, ProposalStatus, Setting};
use linli_domain::money::{format_yuan, parse_yuan, MoneyError};
use linli_domain::pb::community::{budgets, instance_for_period, reach, Reach, BUDGET_SETTING};
use linli_domain::pb::{format_rational, to_f64_lossy, BigRational, Instance, Note, Outcome};

use crate::browser::now_millis;
use crate::components::labels::{self, is_zh};
use crate::db::{Batch, Db, DbError};
use crate::i18n::*;
use crate::pages::register::load_categories;
use crate::pb_job::{Job, Reply, RuleResult};
use crate::pb_worker::PbRun;
use crate::state::use_storage;

/// The outcome of the last ballot import; page-level, so it survives the
/// reload the import triggers.
#[derive(Debug, Clone, Copy)]
struct ImportNotice(RwSignal<Option<Result<String, String>>>);

/// A text in the current language.
fn tr(i18n: I18nContext<Locale>, zh: &str, en: &str) -> String {
    if is_zh(i18n) { zh } else { en }.to_owned()
}

/// The rules offered, with their Chinese and English names.
const RULES: [(&str, &str, &str); 8] = [
    (
        "mes_cost_add1_greedy",
        "均等份额法（MES）+ Add1 + 贪心补全（推荐）",
        "Method of Equal Shares + Add1 + greedy completion (recommended)",
    ),
    (
        "mes_cost_add1",
        "均等份额法 + Add1",
        "Method of Equal Shares + Add1",
    ),
    (
        "mes_cost",
        "均等份额法（按费用满意度）",
        "Method of Equal Shares (cost satisfaction)",
    ),
    (
        "mes_card",
        "均等份额法（按项目数满意度）",
        "Method of Equal Shares (cardinality satisfaction)",
    ),
    (
        "equalshares_add1",
        "均等份额法 + Add1（equalshares.net 版本）",
        "Equal Shares + Add1 (equalshares.net variant)",
    ),
    (
        "equalshares_add1_utilitarian",
        "均等份额法 + Add1 + 补全（equalshares.net 版本）",
        "Equal Shares + Add1 + completion (equalshares.net variant)",
    ),
    (
        "greedy_cost",
        "按票数贪心（传统做法）",
        "Greedy by approvals (the usual way)",
    ),
    (
        "greedy_card",
        "按票数贪心（项目数满意度）",
        "Greedy (cardinality satisfaction)",
    ),
];

/// Largest `.pb` file counted in the browser. The largest real instance in
/// pabulib (Łódź 2022) is 3.7 MB; a file this size would need several times
/// its size in memory, twice (page and worker). `linli pb` has no limit.
const MAX_PB_BYTES: f64 = 64.0 * 1024.0 * 1024.0;

/// The rule every result is compared with: what most places do today.
const BASELINE: &str = "greedy_cost";

/// What the page loads: proposals, ballots, settings and buildings (as a
/// partial [`Dataset`], which `pb::community` reads) and the categories.
#[derive(Debug)]
struct PbData {
    ds: Dataset,
    categories: Vec<NeedCategory>,
}

impl std::ops::Deref for PbData {
    type Target = Dataset;
    fn deref(&self) -> &Dataset {
        &self.ds
    }
}

impl PbData {
    fn periods(&self) -> Vec<String> {
        let set: BTreeSet<String> = self
            .proposals
            .iter()
            .map(|p| p.period.clone())
            .chain(budgets(&self.settings).unwrap_or_default().into_keys())
            .collect();
        set.into_iter().rev().collect()
    }
}

async fn load(db: Db) -> Result<PbData, DbError> {
    let ds = Dataset {
        proposals: db.get_all("proposals").await?,
        ballots: db.get_all("ballots").await?,
        settings: db.get_all("settings").await?,
        buildings: db.get_all::<Building>("buildings").await?,
        ..Dataset::default()
    };
    Ok(PbData {
        ds,
        categories: load_categories(&db).await?,
    })
}

fn audit(id: u32, entity: &str, entity_id: u32, action: &str, summary: String, actor: String) -> AuditEntry {
    AuditEntry {
        id,
        at: now_millis(),
        actor,
        entity: entity.into(),
        entity_id,
        action: action.into(),
        summary,
    }
}

/// Writes `batch` plus an audit entry, then tells every view.
async fn save(
    storage: crate::state::Storage,
    build: impl FnOnce(&mut Batch, u32) -> Result<(), DbError>,
) -> Result<(), DbError> {
    let db = storage.db().ok_or(DbError::Unavailable)?;
    let audit_id = db.max_key("audit_log").await? + 1;
    let mut batch = Batch::default();
    build(&mut batch, audit_id)?;
    db.commit(batch).await?;
    storage.changed();
    Ok(())
}

fn money_error(i18n: I18nContext<Locale>, e: MoneyError) -> String {
    match e {
        MoneyError::Empty => tr(i18n, "请填写金额（元）", "Enter an amount in yuan"),
        MoneyError::NotANumber => tr(
            i18n,
            "金额只能是数字，例如 1200 或 1200.50",
            "The amount must be a number, e.g. 1200 or 1200.50",
        ),
        MoneyError::TooPrecise => tr(
            i18n,
            "金额最多两位小数（最小单位：分）",
            "At most 2 decimals (the smallest unit is 1 fen)",
        ),
        MoneyError::Negative => tr(i18n, "金额不能为负", "The amount cannot be negative"),
        MoneyError::TooLarge => tr(i18n, "金额过大", "The amount is too large"),
    }
}

/// The participatory-budgeting page.
#[component]
pub fn PbPage() -> impl IntoView {
    let i18n = use_i18n();
    let storage = use_storage();
    let data = storage.resource(|db| async move { Some(load(db).await.map(Arc::new)) });
    let period = RwSignal::new(None::<String>);
    // Outlives the reload that a save triggers, so "saved" stays visible.
    let proposal_saved = RwSignal::new(false);
    provide_context(ImportNotice(RwSignal::new(None)));

    view! {
        <article class="page" data-page="pb">
            <h1>{move || tr(i18n, "议事提案与参与式预算", "Proposals and participatory budgeting")}</h1>
            <p class="lead">{move || tr(i18n,
                "居民提案经可行性审查后投票；计票使用均等份额法（MES），每位投票人分得同等的预算份额，避免一个活跃群体拿走全部预算。",
                "Residents' proposals are reviewed, then voted on; the count uses the Method of Equal Shares (MES): every voter controls an equal share of the budget, so one active group cannot take it all.")}</p>
            {move || match data.get() {
                None | Some(None) => view! { <p class="muted" role="status"><span class="spinner" aria-hidden="true"></span>{t!(i18n, loading)}</p> }.into_any(),
                Some(Some(Err(e))) => view! { <p class="error" role="alert">{t!(i18n, status_error)}<code>{e.to_string()}</code></p> }.into_any(),
                Some(Some(Ok(d))) => {
                    let periods = d.periods();
                    let current = period.get().filter(|p| periods.contains(p)).or_else(|| periods.first().cloned());
                    match current {
                        None => view! {
                            <p class="empty">{move || tr(i18n, "还没有提案。先在下面新建一个提案。", "No proposals yet. Create one below.")}</p>
                            <ProposalForm data=d.clone() period="2026-Q4".to_owned() saved=proposal_saved/>
                            <ExternalCount/>
                        }.into_any(),
                        Some(p) => view! {
                            <label class="period-pick">{move || tr(i18n, "期次", "Period")}
                                <select on:change=move |ev| period.set(Some(event_target_value(&ev)))>
                                    {periods.iter().map(|x| view! { <option value=x.clone() selected=*x == p>{x.clone()}</option> }).collect_view()}
                                </select>
                            </label>
                            <PeriodView data=d.clone() period=p.clone() proposal_saved=proposal_saved/>
                            <ExternalCount/>
                        }.into_any(),
                    }
                }
            }}
        </article>
    }
}

#[component]
fn PeriodView(data: Arc<PbData>, period: String, proposal_saved: RwSignal<bool>) -> impl IntoView {
    view! {
        <BudgetEditor data=data.clone() period=period.clone()/>
        <Proposals data=data.clone() period=period.clone()/>
        <ProposalForm data=data.clone() period=period.clone() saved=proposal_saved/>
        <BallotEntry data=data.clone() period=period.clone()/>
        <Count data=data period=period/>
    }
}

#[component]
fn BudgetEditor(data: Arc<PbData>, period: String) -> impl IntoView {
    let i18n = use_i18n();
    let storage = use_storage();
    let all = budgets(&data.settings);
    let damaged = all.is_err();
    let current = all.as_ref().ok().and_then(|b| b.get(&period).copied());
    let text = RwSignal::new(
        current
            .map(|f| format!("{}.{:02}", f / 100, f % 100))
            .unwrap_or_default(),
    );
    let msg = RwSignal::new(None::<Result<String, String>>);
    let p2 = period.clone();
    let on_save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let fen = match parse_yuan(&text.get_untracked()) {
            Ok(0) => {
                return msg.set(Some(Err(tr(
                    i18n,
                    "预算必须大于 0",
                    "The budget must be more than 0",
                ))))
            }
            Ok(f) => f,
            Err(e) => return msg.set(Some(Err(money_error(i18n, e)))),
        };
        let mut map = all.clone().unwrap_or_default();
        map.insert(p2.clone(), fen);
        let period = p2.clone();
        let actor = t_string!(i18n, actor_default).to_string();
        spawn_local(async move {
            let r = save(storage, |b, id| {
                b.put(
                    "settings",
                    &Setting {
                        key: BUDGET_SETTING.to_owned(),
                        value: serde_json::to_string(&map).unwrap_or_default(),
                    },
                )?;
                b.add(
                    "audit_log",
                    &audit(
                        id,
                        "settings",
                        0,
                        "update",
                        format!("pb budget {period}: {fen} fen"),
                        actor,
                    ),
                )?;
                Ok(())
            })
            .await;
            msg.set(Some(
                r.map(|()| tr(i18n, "已保存", "Saved")).map_err(|e| e.to_string()),
            ));
        });
    };
    view! {
        <section class="card" aria-labelledby="pb-budget-h">
            <h2 id="pb-budget-h">{move || tr(i18n, "本期参与式预算", "Participatory budget of this period")}</h2>
            {damaged.then(|| view! { <p class="error" role="alert">{move || tr(i18n, "预算设置已损坏，保存会覆盖它。", "The budget setting is damaged; saving replaces it.")}</p> })}
            <form class="inline-form" on:submit=on_save novalidate>
                <label>{move || tr(i18n, "预算（元）", "Budget (yuan)")}
                    <input type="text" inputmode="decimal" data-testid="pb-budget" prop:value=move || text.get()
                        on:input=move |ev| text.set(event_target_value(&ev))
                        aria-invalid=move || matches!(msg.get(), Some(Err(_))).to_string()/>
                </label>
                <button type="submit">{move || tr(i18n, "保存预算", "Save budget")}</button>
                {move || match msg.get() {
                    Some(Ok(m)) => view! { <span class="ok" role="status">{m}</span> }.into_any(),
                    Some(Err(m)) => view! { <span class="field-error" role="alert">{m}</span> }.into_any(),
                    None => ().into_any(),
                }}
            </form>
            <p class="muted">{move || current.map(format_yuan).unwrap_or_else(|| tr(i18n, "尚未设置", "not set"))}</p>
        </section>
    }
}

fn status_label(i18n: I18nContext<Locale>, s: ProposalStatus) -> String {
    match s {
        ProposalStatus::Submitted => tr(i18n, "待审查", "Submitted"),
        ProposalStatus::Feasible => tr(i18n, "可行", "Feasible"),
        ProposalStatus::Infeasible => tr(i18n, "不可行", "Infeasible"),
        ProposalStatus::Funded => tr(i18n, "已入选", "Funded"),
        ProposalStatus::NotFunded => tr(i18n, "未入选", "Not funded"),
    }
}

#[component]
fn Proposals(data: Arc<PbData>, period: String) -> impl IntoView {
    let i18n = use_i18n();
    let mut list: Vec<Proposal> = data
        .proposals
        .iter()
        .filter(|p| p.period == period)
        .cloned()
        .collect();
    list.sort_by_key(|p| p.id);
    let cats = Arc::new(data.categories.clone());
    view! {
        <section aria-labelledby="pb-props-h">
            <h2 id="pb-props-h">{move || tr(i18n, "提案与可行性审查", "Proposals and feasibility review")}</h2>
            <div class="table-scroll">
                <table class="counts" data-testid="pb-proposals">
                    <thead><tr>
                        <th scope="col">{move || tr(i18n, "编号", "No.")}</th>
                        <th scope="col">{move || tr(i18n, "提案", "Proposal")}</th>
                        <th scope="col">{move || tr(i18n, "类别", "Category")}</th>
                        <th scope="col" class="num">{move || tr(i18n, "费用", "Cost")}</th>
                        <th scope="col">{move || tr(i18n, "提出群体", "Proposer group")}</th>
                        <th scope="col">{move || tr(i18n, "审查", "Review")}</th>
                    </tr></thead>
                    <tbody>
                        {list.into_iter().map(|p| {
                            let p: Proposal = p;
                            let cats = cats.clone();
                            let cat = p.category.clone();
                            let group = p.proposer_group.clone();
                            view! {
                                <tr>
                                    <td class="num">{p.id}</td>
                                    <td>{p.title.clone()}</td>
                                    <td>{move || labels::category(i18n, &cats, &cat)}</td>
                                    <td class="num">{format_yuan(p.cost_fen)}</td>
                                    <td>{move || labels::group(i18n, &group)}</td>
                                    <td><Review proposal=p.clone()/></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

/// Feasibility review of one proposal: feasible, or infeasible with a reason.
#[component]
fn Review(proposal: Proposal) -> impl IntoView {
    let i18n = use_i18n();
    let storage = use_storage();
    let editing = RwSignal::new(false);
    let reason = RwSignal::new(proposal.review_note.clone());
    let error = RwSignal::new(None::<String>);
    let status = proposal.status;
    let p = StoredValue::new(proposal);
    let decide = move |feasible: bool| {
        let note = reason.get_untracked().trim().to_owned();
        if !feasible && note.is_empty() {
            error.set(Some(tr(
                i18n,
                "请写明不可行的理由，居民会看到它。",
                "Give the reason it is not feasible; residents will see it.",
            )));
            return;
        }
        let mut updated = p.get_value();
        updated.status = if feasible {
            ProposalStatus::Feasible
        } else {
            ProposalStatus::Infeasible
        };
        updated.review_note = if feasible { String::new() } else { note };
        let actor = t_string!(i18n, actor_default).to_string();
        spawn_local(async move {
            let summary = format!("review: {:?} {}", updated.status, updated.review_note);
            let r = save(storage, |b, id| {
                b.put("proposals", &updated)?;
                b.add(
                    "audit_log",
                    &audit(id, "proposals", updated.id, "update", summary, actor),
                )?;
                Ok(())
            })
            .await;
            match r {
                Ok(()) => editing.set(false),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <span class=move || format!("status status-{status:?}").to_lowercase()>{move || status_label(i18n, status)}</span>
        {move || (!p.get_value().review_note.is_empty()).then(|| view! { <span class="muted">" · "{p.get_value().review_note}</span> })}
        " "
        <button type="button" class="link" aria-expanded=move || editing.get().to_string()
            on:click=move |_| editing.update(|e| *e = !*e)>{move || tr(i18n, "审查", "Review")}</button>
        {move || editing.get().then(|| view! {
            <div class="review-box" role="group">
                <button type="button" on:click=move |_| decide(true)>{move || tr(i18n, "可行", "Feasible")}</button>
                <label>{move || tr(i18n, "不可行的理由", "Reason if infeasible")}
                    <input type="text" maxlength="200" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/>
                </label>
                <button type="button" class="danger" on:click=move |_| decide(false)>{move || tr(i18n, "不可行", "Infeasible")}</button>
                {move || error.get().map(|m| view! { <span class="field-error" role="alert">{m}</span> })}
            </div>
        })}
    }
}

#[component]
fn ProposalForm(data: Arc<PbData>, period: String, saved: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let storage = use_storage();
    let title = RwSignal::new(String::new());
    let cost = RwSignal::new(String::new());
    let category = RwSignal::new(
        data.categories
            .first()
            .map(|c| c.code.clone())
            .unwrap_or_default(),
    );
    let group = RwSignal::new(GROUPS[0].to_owned());
    let errors = RwSignal::new(Vec::<(&'static str, String)>::new());
    let next_id = data.proposals.iter().map(|p| p.id).max().unwrap_or(0) + 1;
    let cats = data.categories.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let mut errs = Vec::new();
        let t = title.get_untracked().trim().to_owned();
        if t.is_empty() {
            errs.push(("title", tr(i18n, "请填写提案名称", "Enter a title")));
        } else if t.chars().count() > 60 {
            errs.push(("title", tr(i18n, "提案名称最多 60 个字", "At most 60 characters")));
        }
        let fen = match parse_yuan(&cost.get_untracked()) {
            Ok(0) => {
                errs.push(("cost", tr(i18n, "费用必须大于 0", "The cost must be more than 0")));
                0
            }
            Ok(f) => f,
            Err(e) => {
                errs.push(("cost", money_error(i18n, e)));
                0
            }
        };
        errors.set(errs.clone());
        if !errs.is_empty() {
            return;
        }
        let p = Proposal {
            id: next_id,
            title: t,
            category: category.get_untracked(),
            cost_fen: fen,
            proposer_group: group.get_untracked(),
            status: ProposalStatus::Submitted,
            review_note: String::new(),
            period: period.clone(),
            created_at: now_millis(),
        };
        let actor = t_string!(i18n, actor_default).to_string();
        spawn_local(async move {
            let r = save(storage, |b, id| {
                b.add("proposals", &p)?;
                b.add(
                    "audit_log",
                    &audit(id, "proposals", p.id, "create", p.title.clone(), actor),
                )?;
                Ok(())
            })
            .await;
            match r {
                Ok(()) => {
                    title.set(String::new());
                    cost.set(String::new());
                    saved.set(true);
                }
                Err(e) => errors.set(vec![("save", e.to_string())]),
            }
        });
    };
    let err = move |field: &'static str| {
        move || {
            errors
                .get()
                .into_iter()
                .find(|(f, _)| *f == field)
                .map(|(_, m)| view! { <span class="field-error" role="alert">{m}</span> })
        }
    };
    view! {
        <section class="card" aria-labelledby="pb-new-h">
            <h2 id="pb-new-h">{move || tr(i18n, "新建提案", "New proposal")}</h2>
            <form on:submit=on_submit novalidate data-testid="pb-new">
                <div class="field"><label for="pb-title">{move || tr(i18n, "提案名称", "Title")}</label>
                    <input id="pb-title" type="text" maxlength="60" prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev))/>
                    {err("title")}</div>
                <div class="field"><label for="pb-cost">{move || tr(i18n, "预计费用（元）", "Estimated cost (yuan)")}</label>
                    <input id="pb-cost" type="text" inputmode="decimal" prop:value=move || cost.get() on:input=move |ev| cost.set(event_target_value(&ev))/>
                    {err("cost")}</div>
                <div class="field"><label for="pb-cat">{move || tr(i18n, "类别", "Category")}</label>
                    <select id="pb-cat" on:change=move |ev| category.set(event_target_value(&ev))>
                        {cats.iter().map(|c| {
                            let (zh, en) = (c.name_zh.clone(), c.name_en.clone());
                            view! { <option value=c.code.clone()>{move || if is_zh(i18n) { zh.clone() } else { en.clone() }}</option> }
                        }).collect_view()}
                    </select></div>
                <div class="field"><label for="pb-group">{move || tr(i18n, "提出群体", "Proposer group")}</label>
                    <select id="pb-group" on:change=move |ev| group.set(event_target_value(&ev))>
                        {GROUPS.iter().map(|g| view! { <option value=*g>{move || labels::group(i18n, g)}</option> }).collect_view()}
                    </select></div>
                <button type="submit" class="primary">{move || tr(i18n, "提交提案", "Submit proposal")}</button>
                {err("save")}
                {move || saved.get().then(|| view! { <span class="ok" role="status">{move || tr(i18n, "已保存，待审查", "Saved, awaiting review")}</span> })}
            </form>
        </section>
    }
}

/// Parses a paper ballot typed as proposal numbers: `1 3 5`, `1,3,5`, `1、3`.
/// `0` alone is an empty ballot. Repeated numbers count once.
fn parse_ballot(text: &str, on_ballot: &[u32]) -> Result<Vec<u32>, String> {
    let mut out = Vec::new();
    let parts: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';' | '；'))
        .filter(|s| !s.is_empty())
        .collect();
    if parts.is_empty() {
        return Err("empty".into());
    }
    if parts == ["0"] {
        return Ok(out);
    }
    let mut bad = Vec::new();
    for p in parts {
        match p.parse::<u32>() {
            Ok(n) if on_ballot.contains(&n) => {
                if !out.contains(&n) {
                    out.push(n);
                }
            }
            _ => bad.push(p.to_owned()),
        }
    }
    if bad.is_empty() {
        Ok(out)
    } else {
        Err(bad.join(" "))
    }
}

#[component]
fn BallotEntry(data: Arc<PbData>, period: String) -> impl IntoView {
    let i18n = use_i18n();
    let storage = use_storage();
    let on_ballot: Vec<u32> = data
        .proposals
        .iter()
        .filter(|p| {
            p.period == period
                && matches!(
                    p.status,
                    ProposalStatus::Feasible | ProposalStatus::Funded | ProposalStatus::NotFunded
                )
        })
        .map(|p| p.id)
        .collect();
    let count = data.ballots.iter().filter(|b| b.period == period).count();
    let next_id = RwSignal::new(data.ballots.iter().map(|b| b.id).max().unwrap_or(0) + 1);
    let text = RwSignal::new(String::new());
    let building = RwSignal::new(None::<u32>);
    let error = RwSignal::new(None::<String>);
    let entered = RwSignal::new(Vec::<Ballot>::new());
    let input_ref = NodeRef::<leptos::html::Input>::new();
    let ids_hint = on_ballot.iter().map(u32::to_string).collect::<Vec<_>>().join(" ");
    let ob = on_ballot.clone();
    let p2 = period.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let approvals = match parse_ballot(&text.get_untracked(), &ob) {
            Ok(a) => a,
            Err(bad) if bad == "empty" => {
                return error.set(Some(tr(
                    i18n,
                    "请输入选票上勾选的提案编号，空白票输入 0",
                    "Type the numbers ticked on the ballot; 0 for an empty ballot",
                )));
            }
            Err(bad) => {
                return error.set(Some(format!(
                    "{}{bad}",
                    tr(i18n, "这些编号不在本期选票上：", "Not on this period's ballot: ")
                )));
            }
        };
        let b = Ballot {
            id: next_id.get_untracked(),
            period: p2.clone(),
            approvals,
            source: "paper".into(),
            building_id: building.get_untracked(),
            created_at: now_millis(),
        };
        let actor = t_string!(i18n, actor_default).to_string();
        spawn_local(async move {
            let Some(db) = storage.db() else { return };
            let r = async {
                let audit_id = db.max_key("audit_log").await? + 1;
                let mut batch = Batch::default();
                batch.add("ballots", &b)?;
                batch.add(
                    "audit_log",
                    &audit(
                        audit_id,
                        "ballots",
                        b.id,
                        "create",
                        format!("{:?}", b.approvals),
                        actor,
                    ),
                )?;
                db.commit(batch).await
            }
            .await;
            match r {
                Ok(()) => {
                    // Stay on the form for the next ballot; the count refreshes on leaving.
                    next_id.update(|n| *n += 1);
                    entered.update(|v| v.insert(0, b));
                    text.set(String::new());
                    error.set(None);
                    if let Some(el) = input_ref.get_untracked() {
                        let _ = el.focus();
                    }
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let undo = move |_| {
        let Some(last) = entered.get_untracked().first().cloned() else {
            return;
        };
        let actor = t_string!(i18n, actor_default).to_string();
        spawn_local(async move {
            let Some(db) = storage.db() else { return };
            let r = async {
                let audit_id = db.max_key("audit_log").await? + 1;
                let mut batch = Batch::default();
                batch.delete("ballots", last.id);
                batch.add(
                    "audit_log",
                    &audit(audit_id, "ballots", last.id, "delete", "undo entry".into(), actor),
                )?;
                db.commit(batch).await
            }
            .await;
            match r {
                Ok(()) => entered.update(|v| {
                    v.remove(0);
                }),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let buildings = data.buildings.clone();
    let import_msg = expect_context::<ImportNotice>().0;
    let data_for_import = data.clone();
    let period_for_import = period.clone();
    let on_import = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        if file.size() > MAX_PB_BYTES {
            import_msg.set(Some(Err(tr(
                i18n,
                "文件太大（最多 64 MB）",
                "File too large (at most 64 MB)",
            ))));
            return;
        }
        let data = data_for_import.clone();
        let period = period_for_import.clone();
        let actor = t_string!(i18n, actor_default).to_string();
        import_msg.set(None);
        spawn_local(async move {
            let text = match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(t) => t.as_string().unwrap_or_default(),
                Err(e) => return import_msg.set(Some(Err(format!("{e:?}")))),
            };
            let first_id = data
                .ballots
                .iter()
                .map(|b| b.id)
                .max()
                .unwrap_or(0)
                .max(next_id.get_untracked().saturating_sub(1))
                + 1;
            let ballots = Instance::from_pb_str(&text)
                .map_err(|e| {
                    format!(
                        "{}{e}",
                        tr(
                            i18n,
                            "文件有误，未导入任何选票：",
                            "The file is invalid, nothing imported: "
                        )
                    )
                })
                .and_then(|inst| {
                    linli_domain::pb::community::ballots_from_instance(
                        &data.ds,
                        &period,
                        &inst,
                        first_id,
                        now_millis(),
                    )
                    .map_err(|e| format!("{}{e}", tr(i18n, "未导入任何选票：", "Nothing imported: ")))
                });
            let ballots = match ballots {
                Ok(b) => b,
                Err(m) => return import_msg.set(Some(Err(m))),
            };
            let n = ballots.len();
            let r = save(storage, |b, id| {
                for ballot in &ballots {
                    b.add("ballots", ballot)?;
                }
                b.add(
                    "audit_log",
                    &audit(id, "ballots", 0, "import", format!("{n} ballots"), actor),
                )?;
                Ok(())
            })
            .await;
            import_msg.set(Some(
                r.map(|()| format!("{} {n}", tr(i18n, "已导入选票：", "Ballots imported:")))
                    .map_err(|e| e.to_string()),
            ));
        });
    };
    view! {
        <section class="card" aria-labelledby="pb-ballots-h">
            <h2 id="pb-ballots-h">{move || tr(i18n, "录入纸质选票", "Enter paper ballots")}</h2>
            <p class="muted">{move || format!("{} {count}", tr(i18n, "本期已有选票", "Ballots so far this period:"))}
                " · "{move || tr(i18n, "可选编号：", "Numbers on the ballot: ")}{ids_hint.clone()}</p>
            <form class="inline-form" on:submit=on_submit novalidate data-testid="pb-ballot-form">
                <label>{move || tr(i18n, "勾选的编号（空格分隔，回车保存）", "Ticked numbers (space-separated, Enter saves)")}
                    <input node_ref=input_ref type="text" inputmode="numeric" autocomplete="off" data-testid="pb-ballot"
                        prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))
                        aria-invalid=move || error.get().is_some().to_string()/>
                </label>
                <label>{move || tr(i18n, "楼栋（可选）", "Building (optional)")}
                    <select on:change=move |ev| building.set(event_target_value(&ev).parse().ok())>
                        <option value="">{move || tr(i18n, "不记录", "not recorded")}</option>
                        {buildings.iter().map(|b| view! { <option value=b.id.to_string()>{b.name.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <button type="submit">{move || tr(i18n, "保存选票", "Save ballot")}</button>
                <button type="button" on:click=undo disabled=move || entered.get().is_empty()>{move || tr(i18n, "撤销上一张", "Undo last")}</button>
            </form>
            {move || error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            <label class="file">{move || tr(i18n, "或导入选票（.pb 文件，项目编号须为本期提案编号）", "Or import ballots (.pb file; project ids must be this period's proposal numbers)")}
                <input type="file" accept=".pb,text/plain" data-testid="pb-import" on:change=on_import/>
            </label>
            {move || match import_msg.get() {
                Some(Ok(m)) => view! { <p class="ok" role="status" data-testid="pb-import-done">{m}</p> }.into_any(),
                Some(Err(m)) => view! { <p class="error" role="alert" data-testid="pb-import-error">{m}</p> }.into_any(),
                None => ().into_any(),
            }}
            <ol class="entered" data-testid="pb-entered" aria-live="polite">
                {move || entered.get().into_iter().take(5).map(|b| view! {
                    <li>{format!("#{} · ", b.id)}{if b.approvals.is_empty() { tr(i18n, "空白票", "empty ballot") } else { b.approvals.iter().map(u32::to_string).collect::<Vec<_>>().join(" ") }}</li>
                }).collect_view()}
            </ol>
        </section>
    }
}

/// A note of a rule's explanation, in plain language.
fn note_text(i18n: I18nContext<Locale>, n: &Note, unit: &dyn Fn(&BigRational) -> String) -> String {
    match n {
        Note::FundedByMes {
            supporters,
            average_payment,
            max_payment,
            ..
        } => format!(
            "{}{supporters}{}{}{}{}",
            tr(i18n, "均等份额：", "Equal shares: "),
            tr(
                i18n,
                " 位支持者共同出资，平均每人 ",
                " supporters paid it, on average "
            ),
            unit(average_payment),
            tr(i18n, "，每人最多 ", ", at most "),
            unit(max_payment),
        ),
        Note::FundedFree => tr(
            i18n,
            "免费且有人支持，直接入选",
            "Free and approved: funded at once",
        ),
        Note::FundedByGreedy { remaining_before } => format!(
            "{}{}",
            tr(
                i18n,
                "按票数补全：轮到它时剩余预算 ",
                "Greedy step: it fit in the remaining "
            ),
            unit(remaining_before)
        ),
        Note::NoApprovals => tr(i18n, "没有人投票支持", "Nobody approved it"),
        Note::FreeWithoutCostSatisfaction => tr(
            i18n,
            "费用为 0，不参与按费用计算的份额",
            "Costs 0, so it gives no cost satisfaction",
        ),
        Note::NotAffordableBySupporters { supporters_money } => format!(
            "{}{}{}",
            tr(
                i18n,
                "支持者的份额不够：他们剩余 ",
                "Not affordable by its supporters: they had "
            ),
            unit(supporters_money),
            tr(i18n, "，少于费用", " left, less than its cost"),
        ),
        Note::DoesNotFit { remaining_budget } => format!(
            "{}{}",
            tr(i18n, "预算已用尽：轮到它时只剩 ", "Budget exhausted: only "),
            unit(remaining_budget)
        ),
        Note::CostExceedsBudget => tr(i18n, "费用超过全部预算", "Costs more than the whole budget"),
    }
}

#[derive(Debug, Clone)]
enum CountState {
    Idle,
    Running { step: String, started: f64 },
    Done(Arc<Vec<RuleResult>>),
    Failed(String),
}

/// Starts `job` in the worker and drives `state`; the run is kept in `slot`
/// so that leaving the page or pressing cancel terminates the worker.
fn start_count(
    i18n: I18nContext<Locale>,
    job: Job,
    state: RwSignal<CountState>,
    slot: StoredValue<Option<Rc<PbRun>>, LocalStorage>,
) {
    let started = now_millis() as f64;
    state.set(CountState::Running {
        step: tr(i18n, "正在读取数据…", "Reading the data…"),
        started,
    });
    let run = PbRun::start(&job, move |reply| {
        let step = match reply {
            Reply::Parsed { projects, voters, .. } => format!(
                "{} {projects} / {voters}",
                tr(i18n, "已读取：项目 / 投票人", "Read: projects / voters")
            ),
            Reply::Progress { rule, index, total } => {
                let name = RULES
                    .iter()
                    .find(|r| r.0 == rule)
                    .map_or(rule.clone(), |r| tr(i18n, r.1, r.2));
                format!(
                    "{} {}/{total}：{name}",
                    tr(i18n, "正在计算", "Computing"),
                    index + 1
                )
            }
            _ => return,
        };
        state.set(CountState::Running { step, started });
    });
    let run = match run {
        Ok(r) => Rc::new(r),
        Err(e) => return state.set(CountState::Failed(e)),
    };
    slot.set_value(Some(run.clone()));
    spawn_local(async move {
        let r = run.finish().await;
        // A cancelled run was replaced in the slot: ignore its end.
        let current = slot.with_value(|s| s.as_ref().is_some_and(|x| Rc::ptr_eq(x, &run)));
        if !current {
            return;
        }
        slot.set_value(None);
        state.set(match r {
            Ok(results) => CountState::Done(Arc::new(results)),
            Err(e) => CountState::Failed(e),
        });
    });
}

/// Rule choice, the count in the worker, and the outcome with explanations
/// and the comparison with the usual greedy count.
#[component]
fn Count(data: Arc<PbData>, period: String) -> impl IntoView {
    let i18n = use_i18n();
    let rule = RwSignal::new(RULES[0].0.to_owned());
    let state = RwSignal::new(CountState::Idle);
    let slot = StoredValue::new_local(None::<Rc<PbRun>>);
    on_cleanup(move || {
        if let Some(r) = slot.try_get_value().flatten() {
            r.cancel();
        }
    });
    let built = instance_for_period(&data.ds, &period, None);
    let instance = built.as_ref().ok().map(|p| Arc::new(p.instance.clone()));
    let dropped = built.as_ref().map(|p| p.dropped_approvals).unwrap_or(0);
    let build_error = built.err().map(|e| e.to_string());
    let inst2 = instance.clone();
    let on_run = move |_| {
        let Some(inst) = inst2.clone() else { return };
        let Ok(text) = inst.to_pb_string() else { return };
        let chosen = rule.get_untracked();
        let mut rules = vec![chosen.clone()];
        if chosen != BASELINE {
            rules.push(BASELINE.to_owned());
        }
        start_count(
            i18n,
            Job {
                instance_pb: text,
                rules,
                max_add1_iterations: None,
            },
            state,
            slot,
        );
    };
    let on_cancel = move |_| {
        if let Some(r) = slot.get_value() {
            r.cancel();
        }
        slot.set_value(None);
        state.set(CountState::Idle);
    };
    let data2 = data.clone();
    let period2 = period.clone();
    view! {
        <section class="card" aria-labelledby="pb-count-h">
            <h2 id="pb-count-h">{move || tr(i18n, "计票", "Count")}</h2>
            {build_error.map(|e| view! { <p class="error" role="alert">{move || tr(i18n, "无法计票：", "Cannot count: ")}<code>{e.clone()}</code></p> })}
            {(dropped > 0).then(|| view! { <p class="muted">{move || format!("{} {dropped}", tr(i18n, "已忽略投给未通过审查提案的勾选：", "Ticks for proposals that did not pass review, ignored:"))}</p> })}
            <RuleControls rule=rule state=state on_run=on_run on_cancel=on_cancel enabled=instance.is_some()/>
            {move || match state.get() {
                CountState::Done(results) => {
                    let inst = instance.clone();
                    inst.map(|inst| view! { <Results data=data2.clone() period=period2.clone() instance=inst results=results/> }.into_any())
                }
                _ => None,
            }}
        </section>
    }
}

#[component]
fn RuleControls(
    rule: RwSignal<String>,
    state: RwSignal<CountState>,
    on_run: impl Fn(leptos::ev::MouseEvent) + 'static,
    on_cancel: impl Fn(leptos::ev::MouseEvent) + 'static,
    enabled: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let running = move || matches!(state.get(), CountState::Running { .. });
    // A ticking clock while the worker computes: proof the page is alive.
    let now = RwSignal::new(now_millis() as f64);
    let handle = set_interval_with_handle(
        move || now.set(now_millis() as f64),
        std::time::Duration::from_millis(200),
    )
    .ok();
    on_cleanup(move || {
        if let Some(h) = handle {
            h.clear();
        }
    });
    view! {
        <div class="inline-form">
            <label>{move || tr(i18n, "计票规则", "Rule")}
                <select data-testid="pb-rule" on:change=move |ev| rule.set(event_target_value(&ev))>
                    {RULES.iter().map(|(code, zh, en)| view! { <option value=*code selected=move || rule.get() == *code>{move || tr(i18n, zh, en)}</option> }).collect_view()}
                </select>
            </label>
            <button type="button" class="primary" data-testid="pb-run" on:click=on_run disabled=move || !enabled || running()>
                {move || tr(i18n, "后台计票", "Count in the background")}</button>
            <button type="button" data-testid="pb-cancel" on:click=on_cancel disabled=move || !running()>{move || tr(i18n, "取消", "Cancel")}</button>
        </div>
        {move || match state.get() {
            CountState::Running { step, started } => view! {
                <p role="status" class="progress-row" data-testid="pb-progress"><span class="spinner" aria-hidden="true"></span>{step}
                    <span class="muted">{move || format!(" {:.1} s", (now.get() - started).max(0.0) / 1000.0)}</span></p>
            }.into_any(),
            CountState::Failed(e) => view! { <p class="error" role="alert">{move || tr(i18n, "计票失败：", "The count failed: ")}<code>{e.clone()}</code></p> }.into_any(),
            _ => ().into_any(),
        }}
    }
}

fn unit_fen(r: &BigRational) -> String {
    // Amounts of a community instance are fen; shares can be fractions of a fen.
    let fen = to_f64_lossy(r);
    if r.is_integer() {
        format_yuan(fen as i64)
    } else {
        format!("≈{}", format_yuan(fen.round() as i64))
    }
}

#[component]
fn Results(
    data: Arc<PbData>,
    period: String,
    instance: Arc<Instance>,
    results: Arc<Vec<RuleResult>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let chosen = results[0].clone();
    let baseline = results.iter().find(|r| r.rule == BASELINE).cloned();
    let reach_of = |o: &Outcome| reach(&data.ds, &period, o);
    let rc = reach_of(&chosen.outcome);
    let rb = baseline.as_ref().map(|b| reach_of(&b.outcome));
    let titles: Vec<(String, String)> = instance
        .projects
        .iter()
        .map(|p| (p.id.0.clone(), p.extra.first().cloned().unwrap_or_default()))
        .collect();
    let rule_name = |code: &str| {
        RULES
            .iter()
            .find(|r| r.0 == code)
            .map_or(code.to_owned(), |r| tr(i18n, r.1, r.2))
    };
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
                <td class="num">{format!("{millis} ms")}</td>
            </tr>
        }
    };
    let chosen_label = rule_name(&chosen.rule);
    let base_label = baseline.as_ref().map(|b| rule_name(&b.rule));
    let chosen_outcome = chosen.outcome.clone();
    let base_outcome = baseline.as_ref().map(|b| b.outcome.clone());
    view! {
        <h3>{move || tr(i18n, "结果对比", "Comparison")}</h3>
        <div class="table-scroll">
            <table class="counts" data-testid="pb-compare">
                <thead><tr>
                    <th scope="col">{move || tr(i18n, "规则", "Rule")}</th>
                    <th scope="col" class="num">{move || tr(i18n, "入选项目", "Funded")}</th>
                    <th scope="col" class="num">{move || tr(i18n, "总费用", "Total cost")}</th>
                    <th scope="col" class="num">{move || tr(i18n, "受益群体数", "Groups reached")}</th>
                    <th scope="col" class="num">{move || tr(i18n, "受益楼栋/投票楼栋", "Buildings reached / voting")}</th>
                    <th scope="col" class="num">{move || tr(i18n, "至少一项入选的选票", "Ballots with a funded pick")}</th>
                    <th scope="col" class="num">{move || tr(i18n, "用时", "Time")}</th>
                </tr></thead>
                <tbody>
                    {summary_row(chosen_label, &chosen.outcome, &rc, chosen.millis)}
                    {baseline.as_ref().zip(rb.as_ref()).zip(base_label).map(|((b, r), l)| summary_row(l, &b.outcome, r, b.millis))}
                </tbody>
            </table>
        </div>
        <p class="muted">{move || format!("{} {}", tr(i18n, "预算", "Budget"), unit_fen(&chosen_outcome.budget))}</p>
        <h3>{move || tr(i18n, "每个提案的结果与理由", "Each proposal: result and why")}</h3>
        <div class="table-scroll">
            <table class="counts explain-table" data-testid="pb-outcome">
                <thead><tr>
                    <th scope="col">{move || tr(i18n, "编号", "No.")}</th>
                    <th scope="col">{move || tr(i18n, "提案", "Proposal")}</th>
                    <th scope="col" class="num">{move || tr(i18n, "支持票", "Approvals")}</th>
                    <th scope="col" class="num">{move || tr(i18n, "费用", "Cost")}</th>
                    <th scope="col">{move || tr(i18n, "本规则", "This rule")}</th>
                    <th scope="col">{move || tr(i18n, "按票数贪心", "Greedy")}</th>
                </tr></thead>
                <tbody>
                    {chosen.outcome.projects.iter().enumerate().map(|(i, p)| {
                        let title = titles.get(i).map(|t| t.1.clone()).unwrap_or_default();
                        let notes: Vec<String> = p.notes.iter().map(|n| note_text(i18n, n, &unit_fen)).collect();
                        let funded = p.funded;
                        let base = base_outcome.as_ref().and_then(|o| o.projects.get(i)).map(|b| b.funded);
                        view! {
                            <tr class:funded=funded>
                                <td class="num">{p.id.0.clone()}</td>
                                <td>{title}</td>
                                <td class="num">{p.approvals}</td>
                                <td class="num">{unit_fen(&p.cost)}</td>
                                <td>
                                    <strong>{move || if funded { tr(i18n, "✓ 入选", "✓ funded") } else { tr(i18n, "✗ 未入选", "✗ not funded") }}</strong>
                                    <ul class="notes">{notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
                                </td>
                                <td>{move || base.map(|f| if f { tr(i18n, "✓", "✓") } else { tr(i18n, "✗", "✗") })}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <p class="muted">{move || format!("{}: {}", tr(i18n, "精确总费用（分）", "Exact total cost (fen)"), format_rational(&chosen.outcome.total_cost))}</p>
    }
}

/// Counting an outside `.pb` file (pabulib), for auditors and comparison
/// with other cities; nothing is stored.
#[component]
fn ExternalCount() -> impl IntoView {
    let i18n = use_i18n();
    let rule = RwSignal::new(RULES[0].0.to_owned());
    let state = RwSignal::new(CountState::Idle);
    let slot = StoredValue::new_local(None::<Rc<PbRun>>);
    let file_text = StoredValue::new_local(None::<Rc<String>>);
    let file_name = RwSignal::new(None::<String>);
    let read_error = RwSignal::new(None::<String>);
    on_cleanup(move || {
        if let Some(r) = slot.try_get_value().flatten() {
            r.cancel();
        }
    });
    let on_file = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        let name = file.name();
        read_error.set(None);
        if file.size() > MAX_PB_BYTES {
            file_text.set_value(None);
            file_name.set(None);
            read_error.set(Some(format!(
                "{} {:.0} MB{}",
                tr(i18n, "文件太大：", "File too large:"),
                file.size() / 1_048_576.0,
                tr(i18n, "。浏览器中最多 64 MB，更大的实例请用命令行 linli pb。", ". The browser counts files up to 64 MB; use the command line (linli pb) for larger ones.")
            )));
            return;
        }
        spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(t) => {
                    file_text.set_value(t.as_string().map(Rc::new));
                    file_name.set(Some(name));
                    state.set(CountState::Idle);
                }
                Err(e) => read_error.set(Some(format!("{e:?}"))),
            }
        });
    };
    let on_run = move |_| {
        let Some(text) = file_text.get_value() else { return };
        let chosen = rule.get_untracked();
        let mut rules = vec![chosen.clone()];
        if chosen != BASELINE {
            rules.push(BASELINE.to_owned());
        }
        start_count(
            i18n,
            Job {
                instance_pb: (*text).clone(),
                rules,
                max_add1_iterations: None,
            },
            state,
            slot,
        );
    };
    let on_cancel = move |_| {
        if let Some(r) = slot.get_value() {
            r.cancel();
        }
        slot.set_value(None);
        state.set(CountState::Idle);
    };
    view! {
        <section class="card" aria-labelledby="pb-ext-h">
            <h2 id="pb-ext-h">{move || tr(i18n, "核验其他实例（pabulib .pb 文件）", "Check another instance (pabulib .pb file)")}</h2>
            <p class="muted">{move || tr(i18n, "在本机计算，不保存、不上传。", "Computed on this device; nothing is stored or uploaded.")}</p>
            <label class="file">{move || tr(i18n, "选择 .pb 文件", "Choose a .pb file")}
                <input type="file" accept=".pb,text/plain" data-testid="pb-file" on:change=on_file/>
            </label>
            {move || file_name.get().map(|n| view! { <span class="muted" data-testid="pb-file-name">" "{n}</span> })}
            {move || read_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || file_name.get().is_some().then(|| view! {
                <RuleControls rule=rule state=state on_run=on_run on_cancel=on_cancel enabled=true/>
            })}
            {move || match state.get() {
                CountState::Done(results) => Some(view! { <ExternalResults results=results/> }),
                _ => None,
            }}
        </section>
    }
}

#[component]
fn ExternalResults(results: Arc<Vec<RuleResult>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-scroll">
            <table class="counts" data-testid="pb-ext-results">
                <thead><tr>
                    <th scope="col">{move || tr(i18n, "规则", "Rule")}</th>
                    <th scope="col" class="num">{move || tr(i18n, "入选项目", "Funded")}</th>
                    <th scope="col" class="num">{move || tr(i18n, "总费用（精确）", "Total cost (exact)")}</th>
                    <th scope="col" class="num">{move || tr(i18n, "用时", "Time")}</th>
                    <th scope="col">{move || tr(i18n, "入选编号", "Selected ids")}</th>
                </tr></thead>
                <tbody>
                    {results.iter().map(|r| {
                        let code = r.rule.clone();
                        let name = move || RULES.iter().find(|x| x.0 == code).map_or(code.clone(), |x| tr(i18n, x.1, x.2));
                        view! {
                            <tr data-rule=r.rule.clone()>
                                <th scope="row">{name}</th>
                                <td class="num">{r.outcome.selected.len()}</td>
                                <td class="num">{format_rational(&r.outcome.total_cost)}</td>
                                <td class="num" data-testid="pb-ms">{r.millis}</td>
                                <td class="ids">{r.outcome.selected.iter().map(|p| p.0.clone()).collect::<Vec<_>>().join(", ")}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::parse_ballot;

    #[test]
    fn paper_ballots_parse_with_any_separator_and_refuse_unknown_numbers() {
        let on = [1, 2, 3, 5];
        assert_eq!(parse_ballot("1 3  5", &on), Ok(vec![1, 3, 5]));
        assert_eq!(parse_ballot("5，1、1", &on), Ok(vec![5, 1]));
        assert_eq!(parse_ballot("0", &on), Ok(vec![]));
        assert_eq!(parse_ballot("  ", &on), Err("empty".into()));
        assert_eq!(parse_ballot("1 4 x", &on), Err("4 x".into()));
    }
}
