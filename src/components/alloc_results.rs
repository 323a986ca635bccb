//! An allocation result: pools, the allocation per category with its explanation,
//! indicators, group fairness (with the elite-capture warning), charts with their tables,
//! the comparison with the previous period (or a stored run), a what-if scenario, cost
//! sharing, CSV exports and saving the run; and the list of stored runs with "verify".
//!
//! Texts are built as plain strings in the current language inside reactive closures that
//! follow the language; every table of figures is the text equivalent of its chart.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_i18n::I18nContext;
use linli_domain::alloc::export::{
    allocation_csv, binding_name, class_name, cost_sharing_csv, fairness_csv, funder_name, CsvLabels, Lang,
};
use linli_domain::alloc::{
    compare, kind_code, run_record, verify_run, what_if, AllocationResult, Binding, CategoryAllocation,
    ChangeLimit, Comparison, DemandScale, KindResult, PreviousSource, Quota, Scenario, SubgroupRow,
};
use linli_domain::model::{AllocationRun, NeedCategory, ResourceKind};
use linli_domain::money::format_yuan;

use crate::browser::{download, local_minute, now_millis};
use crate::charts::alloc::{colour, Bars, Donut, GroupBars, BAR_COLOURS};
use crate::components::labels::{self, is_zh};
use crate::components::matrix_editor::parse_fixed;
use crate::db::DbError;
use crate::i18n::*;
use crate::pages::allocation::{audit, save, tr, Computed};
use crate::state::use_storage;

type Ctx = I18nContext<Locale>;

/// The export language of the current locale.
pub fn lang(i18n: Ctx) -> Lang {
    if is_zh(i18n) {
        Lang::Zh
    } else {
        Lang::En
    }
}

/// `3500` → `35.00%`.
pub fn pct(bp: u32) -> String {
    format!("{}.{:02}%", bp / 100, bp % 100)
}

/// Percentage points with a sign: `1500` → `+15.00`, `-197` → `−1.97`.
fn points(bp: i64) -> String {
    let a = bp.unsigned_abs();
    let sign = match bp.signum() {
        1 => "+",
        -1 => "−",
        _ => "",
    };
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// A factor in basis points: `15000` → `×1.50`.
pub fn factor_text(bp: u64) -> String {
    let h = (bp + 50) / 100;
    format!("×{}.{:02}", h / 100, h % 100)
}

/// The name of a resource kind.
pub fn kind_label(i18n: Ctx, kind: ResourceKind) -> String {
    linli_domain::alloc::export::kind_name(kind, lang(i18n)).to_owned()
}

/// An amount in its unit: `¥1,234.50`, `38 个`, `97 小时`.
pub fn amount_text(i18n: Ctx, kind: ResourceKind, amount: i64) -> String {
    match kind {
        ResourceKind::Money => format_yuan(amount),
        ResourceKind::Slots => format!("{amount} {}", tr(i18n, "个", "slots")),
        ResourceKind::RoomHours => format!("{amount} {}", tr(i18n, "小时", "h")),
    }
}

/// A quota (in the pool's unit) with two decimals, rounded down: money in yuan.
fn quota_text(i18n: Ctx, kind: ResourceKind, q: &Quota) -> String {
    let den = q.den.max(1);
    let hundredths = q.num.saturating_mul(100) / den;
    match kind {
        // Whole fen, rounded down.
        ResourceKind::Money => format_yuan(i64::try_from(q.num / den).unwrap_or(i64::MAX)),
        _ => format!(
            "{}.{:02} {}",
            hundredths / 100,
            hundredths % 100,
            if kind == ResourceKind::Slots {
                tr(i18n, "个", "slots")
            } else {
                tr(i18n, "小时", "h")
            }
        ),
    }
}

/// Parts per billion as a percentage with two decimals (rounded down).
fn ppb(v: u64) -> String {
    let h = v / 100_000;
    format!("{}.{:02}%", h / 100, h % 100)
}

fn category_name(i18n: Ctx, cats: &[NeedCategory], code: &str) -> String {
    labels::category(i18n, cats, code)
}

/// An arrow, a class and a text for a change in basis points.
fn change_view(i18n: Ctx, change: i64) -> impl IntoView {
    let (arrow, class, word) = match change.signum() {
        1 => ("▲", "chg up", tr(i18n, "上升", "up")),
        -1 => ("▼", "chg down", tr(i18n, "下降", "down")),
        _ => ("＝", "chg same", tr(i18n, "不变", "no change")),
    };
    let text = if change == 0 {
        word
    } else {
        format!(
            "{word} {} {}",
            points(change.abs()).trim_start_matches('+'),
            tr(i18n, "个百分点", "points")
        )
    };
    view! { <span class=class><span aria-hidden="true">{arrow}" "</span>{text}</span> }
}

fn binding_text(i18n: Ctx, b: Binding) -> String {
    binding_name(b, lang(i18n)).to_owned()
}

/// One category's explanation: which rule, eligible headcount × unit weight, demand
/// components, urgency and reach, and the bounds that limited it.
fn explanation(i18n: Ctx, k: &KindResult, c: &CategoryAllocation, computed: &Computed) -> impl IntoView {
    let e = &c.explanation;
    let kind = k.kind;
    let amount = |v: i64| amount_text(i18n, kind, v);
    let rule = computed.config.rule(&c.code).into_owned();
    let elig = if is_zh(i18n) {
        rule.eligibility.label_zh()
    } else {
        rule.eligibility.label_en()
    };
    let sum_base: u128 = k.categories.iter().map(|x| x.explanation.base_weight).sum();
    let base_share = linli_domain::alloc::export::percent_plain(
        e.base_weight
            .saturating_mul(10_000)
            .checked_div(sum_base)
            .unwrap_or(0) as i64,
    );
    let sum_flex: u128 = k.categories.iter().map(|x| x.explanation.flexible_weight).sum();
    let flex_share = linli_domain::alloc::export::percent_plain(
        e.flexible_weight
            .saturating_mul(10_000)
            .checked_div(sum_flex)
            .unwrap_or(0) as i64,
    );
    let d = &e.demand;
    // Σ weight_bp × share_ppb: hundredths of a percent are that ÷ 10⁹.
    let demand_pct = linli_domain::alloc::export::percent_plain((d.demand / 1_000_000_000) as i64);
    let w = &computed.config.demand;
    let comps = [
        (
            tr(i18n, "需求评估得分", "needs scores"),
            format!("{}.{}", d.need_score / 10, d.need_score % 10),
            d.need_score_ppb,
            w.need_score_bp,
        ),
        (
            tr(i18n, "等候户数", "waiting households"),
            d.waiting.to_string(),
            d.waiting_ppb,
            w.waiting_bp,
        ),
        (
            tr(i18n, "本期诉求", "requests"),
            d.requests.to_string(),
            d.requests_ppb,
            w.requests_bp,
        ),
        (
            tr(i18n, "符合条件人口增长", "eligible population growth"),
            d.population_change.to_string(),
            d.population_change_ppb,
            w.population_change_bp,
        ),
    ];
    let comp_items = comps
        .into_iter()
        .map(|(name, value, share, weight)| {
            let text = if is_zh(i18n) {
                format!(
                    "{name} {value}，占各类合计的 {}，权重 {}",
                    ppb(share),
                    pct(weight)
                )
            } else {
                format!(
                    "{name} {value}: {} of all categories', weight {}",
                    ppb(share),
                    pct(weight)
                )
            };
            view! { <li>{text}</li> }
        })
        .collect_view();
    let base_line = if is_zh(i18n) {
        format!(
            "基础池（固定规则）：符合条件 {} 人（{elig}）× 单位权重 {} = {}，占基础池全部权重的 {base_share}；按比例应得约 {}，分得 {}。",
            e.eligible, e.unit_weight, e.base_weight, quota_text(i18n, kind, &e.base_quota), amount(c.base)
        )
    } else {
        format!(
            "Base pool (fixed rules): {} eligible ({elig}) × unit weight {} = {}, {base_share} of the base pool's weights; proportional quota about {}, allocated {}.",
            e.eligible, e.unit_weight, e.base_weight, quota_text(i18n, kind, &e.base_quota), amount(c.base)
        )
    };
    let flex_line = if is_zh(i18n) {
        format!(
            "机动池（季度需求）：需求份额（下列各项份额按权重加权）{demand_pct} × 紧急程度系数 {} × 影响范围系数 {}，占机动池全部权重的 {flex_share}；按比例应得约 {}，分得 {}。",
            factor_text(u64::from(d.urgency_bp)), factor_text(u64::from(d.reach_bp)),
            quota_text(i18n, kind, &e.flexible_quota), amount(c.flexible)
        )
    } else {
        format!(
            "Flexible pool (quarterly demand): demand share (the shares below, weighted) {demand_pct} × urgency {} × reach {}, {flex_share} of the flexible pool's weights; proportional quota about {}, allocated {}.",
            factor_text(u64::from(d.urgency_bp)), factor_text(u64::from(d.reach_bp)),
            quota_text(i18n, kind, &e.flexible_quota), amount(c.flexible)
        )
    };
    let follows = k.flexible_follows_base.then(|| {
        tr(
            i18n,
            "本期没有需求数据，机动池按基础池的规则分配。",
            "There is no demand data this period: the flexible pool follows the base rule.",
        )
    });
    let bound_line = match e.binding {
        Binding::None => {
            if is_zh(i18n) {
                format!(
                    "约束：允许范围 {} 至 {}，未受限制；合计 {}。",
                    amount(e.lower),
                    amount(e.upper),
                    amount(c.total)
                )
            } else {
                format!(
                    "Bounds: {} to {}, none binding; total {}.",
                    amount(e.lower),
                    amount(e.upper),
                    amount(c.total)
                )
            }
        }
        b => {
            if is_zh(i18n) {
                format!(
                    "约束：未加约束时应得 {}，允许范围 {} 至 {}；受“{}”影响，最终 {}。",
                    amount(e.unconstrained),
                    amount(e.lower),
                    amount(e.upper),
                    binding_text(i18n, b),
                    amount(c.total)
                )
            } else {
                format!(
                    "Bounds: {} unconstrained, allowed {} to {}; limited by the {}, final {}.",
                    amount(e.unconstrained),
                    amount(e.lower),
                    amount(e.upper),
                    binding_text(i18n, b),
                    amount(c.total)
                )
            }
        }
    };
    let rule_line = if is_zh(i18n) {
        format!(
            "规则：下限 {}，上限 {}{}。",
            pct(rule.floor_bp),
            pct(rule.cap_bp),
            if rule.min_fen > 0 && kind == ResourceKind::Money {
                format!("，最低金额 {}", format_yuan(rule.min_fen))
            } else {
                String::new()
            }
        )
    } else {
        format!(
            "Rule: floor {}, cap {}{}.",
            pct(rule.floor_bp),
            pct(rule.cap_bp),
            if rule.min_fen > 0 && kind == ResourceKind::Money {
                format!(", money floor {}", format_yuan(rule.min_fen))
            } else {
                String::new()
            }
        )
    };
    view! {
        <div class="explain alloc-explain">
            <p data-testid="explain-base">{base_line}</p>
            <p data-testid="explain-flexible">{flex_line}</p>
            {follows.map(|t| view! { <p class="muted">{t}</p> })}
            <ul class="inds">{comp_items}</ul>
            <p data-testid="explain-bounds">{bound_line}</p>
            <p class="muted">{rule_line}</p>
        </div>
    }
}

fn previous_text(i18n: Ctx, r: &AllocationResult) -> String {
    match &r.previous_source {
        PreviousSource::None => tr(
            i18n,
            "没有上一期的数据，不作比较。",
            "No figures for the previous period: no comparison.",
        ),
        PreviousSource::Resources => {
            if is_zh(i18n) {
                format!(
                    "上一期（{}）的比较基准：当期登记的资源按其原定类别。",
                    r.previous_period
                )
            } else {
                format!(
                    "Previous period ({}): its resources by their earmarked categories.",
                    r.previous_period
                )
            }
        }
        PreviousSource::Run { id } => {
            if is_zh(i18n) {
                format!(
                    "上一期（{}）的比较基准：已保存的调配记录 #{id}。",
                    r.previous_period
                )
            } else {
                format!(
                    "Previous period ({}): stored allocation run #{id}.",
                    r.previous_period
                )
            }
        }
    }
}

/// The pools, the category table with explanations, the donut, the indicators and the
/// group fairness of one kind.
fn kind_view(
    i18n: Ctx,
    k: &KindResult,
    computed: &Arc<Computed>,
    open: RwSignal<Option<String>>,
) -> impl IntoView {
    let cats = &computed.categories;
    let kind = k.kind;
    let amount = move |v: i64| amount_text(i18n, kind, v);
    let p = k.pools;
    let reserve_bp = computed.config.reserve_bp;
    let pools = view! {
        <div class="table-scroll">
            <table class="agg alloc-pools" data-testid="alloc-pools" data-kind=kind_code(kind)>
                <tbody>
                    <tr><th scope="row">{tr(i18n, "本期总量", "Period total")}</th><td class="num" data-testid="pool-total">{amount(k.total)}</td><td></td></tr>
                    <tr><th scope="row">{tr(i18n, "应急储备金（按决议动用）", "Emergency reserve (released by decision)")}</th><td class="num" data-testid="pool-reserve">{amount(p.reserve)}</td><td class="muted">{pct(reserve_bp)}</td></tr>
                    <tr><th scope="row">{tr(i18n, "基础池（固定规则）", "Base pool (fixed rules)")}</th><td class="num" data-testid="pool-base">{amount(p.base)}</td><td class="muted">{pct(computed.config.base_bp)}</td></tr>
                    <tr><th scope="row">{tr(i18n, "机动池（季度需求）", "Flexible pool (quarterly demand)")}</th><td class="num" data-testid="pool-flexible">{amount(p.flexible)}</td><td class="muted">{pct(computed.config.flexible_bp)}</td></tr>
                    <tr><th scope="row">{tr(i18n, "分配合计", "Allocated")}</th><td class="num" data-testid="pool-allocated">{amount(p.allocated)}</td><td></td></tr>
                </tbody>
            </table>
        </div>
    };
    let mut notes = Vec::new();
    if k.flexible_follows_base {
        notes.push(tr(
            i18n,
            "本期没有需求数据，机动池按基础池规则分配。",
            "No demand data: the flexible pool follows the base rule.",
        ));
    }
    if k.constrained {
        notes.push(tr(
            i18n,
            "有类别受下限、上限或变动幅度限制，已重新精确分配。",
            "Floors, caps or the change limit bound some categories; the pools were re-apportioned exactly.",
        ));
    }
    match k.change_limit {
        ChangeLimit::Applied => notes.push(tr(
            i18n,
            "已应用每季度变动幅度上限。",
            "The change limit per quarter was applied.",
        )),
        ChangeLimit::Relaxed => notes.push(tr(
            i18n,
            "变动幅度上限为满足下限/上限而放宽。",
            "The change limit was loosened for floors and caps.",
        )),
        ChangeLimit::NoPrevious => notes.push(tr(
            i18n,
            "没有上期数据，未应用变动幅度上限。",
            "No previous figures: the change limit was not applied.",
        )),
        ChangeLimit::NotSet => {}
    }

    let rows = k
        .categories
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let code = c.code.clone();
            let detail_id = format!("explain-{}-{}", kind_code(kind), c.code);
            let is_open = {
                let key = format!("{}:{}", kind_code(kind), c.code);
                let k2 = key.clone();
                (Memo::new(move |_| open.get().as_deref() == Some(k2.as_str())), key)
            };
            let (open_memo, key) = is_open;
            let name = category_name(i18n, cats, &code);
            let toggle = move |_| {
                let key = key.clone();
                open.update(|o| *o = if o.as_deref() == Some(key.as_str()) { None } else { Some(key) });
            };
            let change = c.change_bp.map(|ch| {
                let before = c.previous_share_bp.unwrap_or(0);
                view! { <span class="muted">{pct(before)}" → "{pct(c.share_bp)}</span><br/>{change_view(i18n, ch)} }
            });
            let detail = explanation(i18n, k, c, computed);
            let did = detail_id.clone();
            view! {
                <tr data-testid="alloc-row" data-code=code.clone() data-base=c.base data-flexible=c.flexible data-total=c.total>
                    <th scope="row"><span class="swatch" style:background=colour(i) aria-hidden="true"></span>{name.clone()}</th>
                    <td>{class_name(c.class, lang(i18n))}</td>
                    <td class="num" data-testid="cell-base">{amount(c.base)}</td>
                    <td class="num" data-testid="cell-flexible">{amount(c.flexible)}</td>
                    <td class="num" data-testid="cell-total">{amount(c.total)}</td>
                    <td class="num" data-testid="cell-share">{pct(c.share_bp)}</td>
                    <td>{change}</td>
                    <td>{binding_text(i18n, c.explanation.binding)}</td>
                    <td>
                        <button type="button" class="expand" data-testid="explain-toggle"
                            aria-expanded=move || open_memo.get().to_string() aria-controls=did.clone()
                            aria-label=format!("{} {name}", tr(i18n, "说明", "Explain"))
                            on:click=toggle>{move || if open_memo.get() { tr(i18n, "收起", "Hide") } else { tr(i18n, "说明", "Explain") }}</button>
                    </td>
                </tr>
                <tr class="detail" id=detail_id hidden=move || !open_memo.get() data-testid="alloc-explain">
                    <td colspan="9">{detail}</td>
                </tr>
            }
        })
        .collect_view();

    let shares: Vec<u32> = k.categories.iter().map(|c| c.share_bp).collect();
    let donut_label = tr(
        i18n,
        "按类别的分配环形图；数据见旁边的表格。",
        "Donut chart of the allocation by category; the figures are in the table next to it.",
    );
    let legend_rows = k
        .categories
        .iter()
        .enumerate()
        .map(|(i, c)| {
            view! {
                <tr>
                    <th scope="row"><span class="swatch" style:background=colour(i) aria-hidden="true"></span>{category_name(i18n, cats, &c.code)}</th>
                    <td class="num">{pct(c.share_bp)}</td>
                    <td class="num">{amount(c.total)}</td>
                </tr>
            }
        })
        .collect_view();

    let ind = &k.indicators;
    let mismatch = ind.mismatch.as_ref().map(|m| {
        let ok = m.meets_target;
        view! {
            <li data-testid="ind-mismatch">
                {tr(i18n, "资源错配率 ", "Mismatch rate ")}<strong>{pct(m.mismatch_bp)}</strong>
                {format!(" ({}{})", tr(i18n, "目标：低于 ", "target: below "), pct(m.target_max_bp))}" "
                <span class=if ok { "badge ok" } else { "badge bad" }>{if ok { tr(i18n, "✓ 达标", "✓ met") } else { tr(i18n, "✗ 未达标", "✗ not met") }}</span>
            </li>
            <li data-testid="ind-precise">{tr(i18n, "精准投放率 ", "Precise-targeting rate ")}<strong>{pct(m.precise_targeting_bp)}</strong></li>
        }
    });
    let utilisation = ind.utilisation.as_ref().map(|u| {
        let text = u.utilisation_bp.map(pct).unwrap_or_else(|| "–".into());
        let badge = u.meets_target.map(|ok| view! {
            <span class=if ok { "badge ok" } else { "badge bad" }>{if ok { tr(i18n, "✓ 达标", "✓ met") } else { tr(i18n, "✗ 未达标", "✗ not met") }}</span>
        });
        view! {
            <li data-testid="ind-utilisation">
                {tr(i18n, "资金利用率 ", "Utilisation ")}<strong>{text}</strong>
                {format!(" ({} {} / {}; {}{})", tr(i18n, "已支出", "spent"), format_yuan(u.spent_fen), format_yuan(u.allocated_fen), tr(i18n, "目标：高于 ", "target: above "), pct(u.target_min_bp))}" "
                {badge}
            </li>
        }
    });
    let no_mismatch = ind.mismatch.is_none().then(|| view! {
        <li class="muted">{tr(i18n, "没有登记的需求，无法计算错配率。", "No registered need: no mismatch rate.")}</li>
    });

    let fairness = fairness_view(i18n, k);
    let grids = grid_view(i18n, k);
    let kind_name = kind_label(i18n, kind);
    view! {
        <h3>{format!("{kind_name}{}", tr(i18n, "：资金池", ": pools"))}</h3>
        {pools}
        {(!notes.is_empty()).then(|| view! { <ul class="notes">{notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul> })}
        <h3>{format!("{kind_name}{}", tr(i18n, "：按类别分配", ": allocation by category"))}</h3>
        <div class="table-scroll">
            <table class="agg alloc-table" data-testid="alloc-table" data-kind=kind_code(kind)>
                <thead><tr>
                    <th scope="col">{tr(i18n, "类别", "Category")}</th>
                    <th scope="col">{tr(i18n, "属性", "Class")}</th>
                    <th scope="col" class="num">{tr(i18n, "基础池", "Base")}</th>
                    <th scope="col" class="num">{tr(i18n, "机动池", "Flexible")}</th>
                    <th scope="col" class="num">{tr(i18n, "合计", "Total")}</th>
                    <th scope="col" class="num">{tr(i18n, "占比", "Share")}</th>
                    <th scope="col">{tr(i18n, "与上期相比", "Against the previous period")}</th>
                    <th scope="col">{tr(i18n, "约束", "Bound")}</th>
                    <th scope="col"><span class="sr-only">{tr(i18n, "说明", "Explanation")}</span></th>
                </tr></thead>
                <tbody>{rows}</tbody>
                <tfoot><tr data-testid="alloc-foot" data-base=p.base data-flexible=p.flexible data-total=p.allocated>
                    <th scope="row">{tr(i18n, "合计", "Total")}</th>
                    <td></td>
                    <td class="num" data-testid="foot-base">{amount(p.base)}</td>
                    <td class="num" data-testid="foot-flexible">{amount(p.flexible)}</td>
                    <td class="num" data-testid="foot-total">{amount(p.allocated)}</td>
                    <td class="num">"100.00%"</td>
                    <td colspan="3"></td>
                </tr></tfoot>
            </table>
        </div>
        <div class="chart-with-table">
            <Donut shares=shares centre=amount(p.allocated) label=donut_label/>
            <div class="table-scroll"><table class="agg chart-table" data-testid="donut-table">
                <caption>{tr(i18n, "环形图数据", "Donut chart data")}</caption>
                <thead><tr>
                    <th scope="col">{tr(i18n, "类别", "Category")}</th>
                    <th scope="col" class="num">{tr(i18n, "占比", "Share")}</th>
                    <th scope="col" class="num">{tr(i18n, "合计", "Total")}</th>
                </tr></thead>
                <tbody>{legend_rows}</tbody>
            </table></div>
        </div>
        <h3>{tr(i18n, "指标", "Indicators")}</h3>
        <ul class="indicators" data-testid="alloc-indicators">{mismatch}{no_mismatch}{utilisation}</ul>
        {fairness}
        {grids}
    }
}

fn fairness_view(i18n: Ctx, k: &KindResult) -> impl IntoView {
    let kind = k.kind;
    let groups = &k.fairness.groups;
    let warnings: Vec<&SubgroupRow> = groups.iter().filter(|g| g.capture_warning).collect();
    let warning = (!warnings.is_empty()).then(|| {
        let items = warnings
            .iter()
            .map(|g| {
                let ratio = g
                    .per_need_vs_others_bp
                    .map(|bp| factor_text(bp).trim_start_matches('×').to_owned())
                    .unwrap_or_else(|| "∞".into());
                let text = if is_zh(i18n) {
                    format!(
                        "{}：获得 {} 的资源（人口占 {}，需求占 {}），单位需求所获资源是其他群体的 {ratio} 倍。",
                        labels::group(i18n, &g.label), pct(g.resource_share_bp), pct(g.population_share_bp), pct(g.need_share_bp)
                    )
                } else {
                    format!(
                        "{}: {} of the resources ({} of residents, {} of need); resources per unit of need {ratio} times everyone else's.",
                        labels::group(i18n, &g.label), pct(g.resource_share_bp), pct(g.population_share_bp), pct(g.need_share_bp)
                    )
                };
                view! { <li>{text}</li> }
            })
            .collect_view();
        view! {
            <div class="capture-warning" role="alert" data-testid="capture-warning">
                <strong>{tr(i18n, "⚠ 精英俘获预警", "⚠ Elite-capture warning")}</strong>
                <ul>{items}</ul>
                <p>{tr(i18n, "请核查分配规则与需求数据，必要时调整上限或规则并记录理由。", "Check the rules and the demand data; adjust caps or rules if needed and record why.")}</p>
            </div>
        }
    });
    let bars: Vec<GroupBars> = groups
        .iter()
        .map(|g| GroupBars {
            label: labels::group(i18n, &g.label),
            shares: [g.resource_share_bp, g.population_share_bp, g.need_share_bp],
        })
        .collect();
    let rows = groups
        .iter()
        .map(|g| {
            let flag = g.capture_warning;
            view! {
                <tr data-testid="fair-row" data-key=g.key.clone() class:warn=flag>
                    <th scope="row">{labels::group(i18n, &g.label)}</th>
                    <td class="num">{g.households}</td>
                    <td class="num">{g.residents}</td>
                    <td class="num">{amount_text(i18n, kind, g.resources)}</td>
                    <td class="num">{pct(g.resource_share_bp)}</td>
                    <td class="num">{pct(g.population_share_bp)}</td>
                    <td class="num">{pct(g.need_share_bp)}</td>
                    <td class="num">{g.per_need_vs_others_bp.map(factor_text).unwrap_or_else(|| "–".into())}</td>
                    <td>{if flag { tr(i18n, "⚠ 预警", "⚠ warning") } else { tr(i18n, "—", "—") }}</td>
                </tr>
            }
        })
        .collect_view();
    let swatch = |i: usize, text: String| view! { <li><span class="swatch" style:background=BAR_COLOURS[i] aria-hidden="true"></span>{text}</li> };
    view! {
        <h3>{tr(i18n, "群体公平性", "Fairness between groups")}</h3>
        {warning}
        {(groups.is_empty()).then(|| view! { <p class="muted">{tr(i18n, "没有群体数据。", "No group data.")}</p> })}
        <p class="muted small">{tr(i18n,
            "每个群体获得的资源占比，与其人口占比、需求占比对照；“相对其他群体”是其单位需求所获资源与其他群体之比。",
            "Each group's share of the resources against its share of residents and of need; \"vs others\" is its resources per unit of need over everyone else's.")}</p>
        <div class="chart-with-table">
            <div>
                <Bars groups=bars label=tr(i18n, "各群体资源占比、人口占比与需求占比的条形图；数据见下表。", "Bar chart of each group's share of resources, population and need; the figures are in the table below.")/>
                <div class="legend"><ul>
                    {swatch(0, tr(i18n, "资源占比", "resource share"))}
                    {swatch(1, tr(i18n, "人口占比", "population share"))}
                    {swatch(2, tr(i18n, "需求占比", "need share"))}
                </ul></div>
            </div>
        </div>
        <div class="table-scroll">
            <table class="agg" data-testid="alloc-fairness">
                <caption class="sr-only">{tr(i18n, "群体公平性表（条形图的数据）", "Group fairness (the bar chart's figures)")}</caption>
                <thead><tr>
                    <th scope="col">{tr(i18n, "群体", "Group")}</th>
                    <th scope="col" class="num">{tr(i18n, "户数", "Households")}</th>
                    <th scope="col" class="num">{tr(i18n, "人口", "Residents")}</th>
                    <th scope="col" class="num">{tr(i18n, "所获资源", "Resources")}</th>
                    <th scope="col" class="num">{tr(i18n, "资源占比", "Resource share")}</th>
                    <th scope="col" class="num">{tr(i18n, "人口占比", "Population share")}</th>
                    <th scope="col" class="num">{tr(i18n, "需求占比", "Need share")}</th>
                    <th scope="col" class="num">{tr(i18n, "相对其他群体", "vs others")}</th>
                    <th scope="col">{tr(i18n, "预警", "Warning")}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

fn grid_view(i18n: Ctx, k: &KindResult) -> impl IntoView {
    let kind = k.kind;
    (!k.by_grid.is_empty()).then(|| {
        let rows = k
            .by_grid
            .iter()
            .map(|g| {
                view! {
                    <tr>
                        <th scope="row">{g.label.clone()}</th>
                        <td class="num">{g.households}</td>
                        <td class="num">{amount_text(i18n, kind, g.resources)}</td>
                        <td class="num">{pct(g.resource_share_bp)}</td>
                        <td class="num">{pct(g.population_share_bp)}</td>
                        <td class="num">{pct(g.need_share_bp)}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <details class="by-grid">
                <summary>{tr(i18n, "按网格", "By grid")}</summary>
                <div class="table-scroll">
                    <table class="agg" data-testid="alloc-grids">
                        <thead><tr>
                            <th scope="col">{tr(i18n, "网格", "Grid")}</th>
                            <th scope="col" class="num">{tr(i18n, "户数", "Households")}</th>
                            <th scope="col" class="num">{tr(i18n, "所获资源", "Resources")}</th>
                            <th scope="col" class="num">{tr(i18n, "资源占比", "Resource share")}</th>
                            <th scope="col" class="num">{tr(i18n, "人口占比", "Population share")}</th>
                            <th scope="col" class="num">{tr(i18n, "需求占比", "Need share")}</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </details>
        }
    })
}

fn cost_view(i18n: Ctx, r: &AllocationResult, cats: &[NeedCategory]) -> impl IntoView {
    r.cost_sharing.as_ref().map(|cs| {
        let l = lang(i18n);
        let funders: Vec<String> = cs.by_funder.iter().map(|f| f.funder.clone()).collect();
        let cells = |list: &[linli_domain::alloc::FunderAmount]| {
            funders
                .iter()
                .map(|f| {
                    let v: i64 = list.iter().filter(|x| &x.funder == f).map(|x| x.amount_fen).sum();
                    view! { <td class="num">{format_yuan(v)}</td> }
                })
                .collect_view()
        };
        let heads = funders.iter().map(|f| view! { <th scope="col" class="num">{funder_name(f, l)}</th> }).collect_view();
        let cat_rows = cs
            .by_category
            .iter()
            .map(|c| {
                view! {
                    <tr data-testid="cost-row" data-code=c.code.clone()>
                        <th scope="row">{category_name(i18n, cats, &c.code)}</th>
                        <td>{class_name(c.class, l)}</td>
                        <td class="num">{format_yuan(c.total_fen)}</td>
                        {cells(&c.funders)}
                    </tr>
                }
            })
            .collect_view();
        let class_rows = cs
            .by_class
            .iter()
            .map(|c| {
                view! {
                    <tr class="subtotal">
                        <th scope="row">{format!("{}{}", class_name(c.class, l), tr(i18n, "小计", " subtotal"))}</th>
                        <td></td>
                        <td class="num">{format_yuan(c.total_fen)}</td>
                        {cells(&c.funders)}
                    </tr>
                }
            })
            .collect_view();
        let reserve: i64 = cs.reserve.iter().map(|f| f.amount_fen).sum();
        view! {
            <h3>{tr(i18n, "成本分担（资金）", "Cost sharing (money)")}</h3>
            <p class="muted small">{tr(i18n,
                "每个类别的资金按其类别属性的分担规则在出资方之间精确到分地拆分；应急储备金按储备规则。",
                "Each category's money is split among the funders of its class's rule, exact to the fen; the reserve by the reserve rule.")}</p>
            <div class="table-scroll">
                <table class="agg" data-testid="alloc-cost">
                    <thead><tr>
                        <th scope="col">{tr(i18n, "类别", "Category")}</th>
                        <th scope="col">{tr(i18n, "属性", "Class")}</th>
                        <th scope="col" class="num">{tr(i18n, "合计", "Total")}</th>
                        {heads}
                    </tr></thead>
                    <tbody>{cat_rows}{class_rows}
                        <tr class="subtotal">
                            <th scope="row">{tr(i18n, "应急储备金", "Emergency reserve")}</th><td></td>
                            <td class="num">{format_yuan(reserve)}</td>{cells(&cs.reserve)}
                        </tr>
                    </tbody>
                    <tfoot><tr data-testid="cost-total">
                        <th scope="row">{tr(i18n, "合计", "Total")}</th><td></td>
                        <td class="num">{format_yuan(cs.total_fen)}</td>{cells(&cs.by_funder)}
                    </tr></tfoot>
                </table>
            </div>
        }
    })
}

/// A comparison table of one kind: before and after amounts and shares.
fn comparison_table(
    i18n: Ctx,
    cmp: &Comparison,
    kind: ResourceKind,
    cats: &[NeedCategory],
    before: String,
    after: String,
    testid: &'static str,
) -> impl IntoView {
    let Some(kc) = cmp.kinds.iter().find(|k| k.kind == kind) else {
        return view! { <p class="muted">{tr(i18n, "此类资源没有可比较的数据。", "Nothing to compare for this kind.")}</p> }.into_any();
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
                    <th scope="col">{tr(i18n, "类别", "Category")}</th>
                    <th scope="col" class="num">{before}</th>
                    <th scope="col" class="num">{after}</th>
                    <th scope="col">{tr(i18n, "占比变化", "Change of share")}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
                <tfoot><tr>
                    <th scope="row">{tr(i18n, "合计", "Total")}</th>
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
    use linli_domain::alloc::{CategoryChange, KindComparison};
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

/// Offers a CSV file for download; returns the message to show.
fn offer_csv(i18n: Ctx, text: &str, name: &str) -> Result<String, String> {
    download(text, name, "text/csv;charset=utf-8")
        .map(|()| format!("{}{name}", tr(i18n, "已导出 ", "Exported ")))
        .map_err(|e| DbError::from_js(e).to_string())
}

/// A run's result.
#[component]
pub fn ResultView(computed: Arc<Computed>, runs: Memo<Vec<AllocationRun>>) -> impl IntoView {
    let i18n = use_i18n();
    let storage = use_storage();
    let r = &computed.result;
    let kinds: Vec<ResourceKind> = r.kinds.iter().map(|k| k.kind).collect();
    let kind = RwSignal::new(kinds.first().copied().unwrap_or(ResourceKind::Money));
    let open = RwSignal::new(None::<String>);
    let ms = format!("{:.1}", computed.millis.max(0.0));
    let c1 = computed.clone();
    let body = move || {
        let _ = i18n.get_locale();
        let k = kind.get();
        c1.result
            .kinds
            .iter()
            .find(|x| x.kind == k)
            .map(|kr| kind_view(i18n, kr, &c1, open).into_any())
    };
    let any_warning: Vec<(ResourceKind, String)> = r
        .kinds
        .iter()
        .flat_map(|k| {
            k.fairness
                .groups
                .iter()
                .filter(|g| g.capture_warning)
                .map(move |g| (k.kind, g.label.clone()))
        })
        .collect();
    let warning_banner = (!any_warning.is_empty()).then(|| {
        view! {
            <p class="capture-warning banner" role="alert" data-testid="capture-banner">
                <strong>{move || tr(i18n, "⚠ 精英俘获预警：", "⚠ Elite-capture warning: ")}</strong>
                {move || any_warning.iter().map(|(k, g)| format!("{}（{}）", labels::group(i18n, g), kind_label(i18n, *k))).collect::<Vec<_>>().join("、")}
                {move || tr(i18n, "。详见下方群体公平性表。", ". See the group fairness table below.")}
            </p>
        }
    });

    let kind_picker = (kinds.len() > 1).then(|| {
        let items = kinds
            .iter()
            .map(|&k| {
                view! {
                    <label><input type="radio" name="alloc-kind" data-testid=format!("kind-{}", kind_code(k))
                        prop:checked=move || kind.get() == k on:change=move |_| kind.set(k)/>{move || kind_label(i18n, k)}</label>
                }
            })
            .collect_view();
        view! { <fieldset class="toggle"><legend>{move || tr(i18n, "资源类型", "Kind of resource")}</legend>{items}</fieldset> }
    });

    // Comparison: with the previous period (from the result) or a stored run.
    let cmp_with = RwSignal::new(String::from("previous"));
    let c2 = computed.clone();
    let comparison = move || {
        let _ = i18n.get_locale();
        let k = kind.get();
        let with = cmp_with.get();
        let cats = &c2.categories;
        let r = &c2.result;
        if with == "previous" {
            let note = previous_text(i18n, r);
            if r.previous_source == PreviousSource::None {
                return view! { <p class="muted" data-testid="cmp-note">{note}</p> }.into_any();
            }
            let before = format!("{}（{}）", tr(i18n, "上期", "Previous"), r.previous_period);
            let after = format!("{}（{}）", tr(i18n, "本期", "This period"), r.period);
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
                let before = format!("{} #{} ({})", tr(i18n, "记录", "Run"), run.id, run.period);
                let after = tr(i18n, "当前结果", "Current result");
                comparison_table(i18n, &cmp, k, cats, before, after, "alloc-compare").into_any()
            }
            Some(Err(e)) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
            None => ().into_any(),
        }
    };

    // What-if: another flexible share and/or one category's demand scaled.
    let c3 = computed.clone();
    let wi_flex = RwSignal::new(format!(
        "{}.{:02}",
        c3.config.flexible_bp / 100,
        c3.config.flexible_bp % 100
    ));
    let wi_cat = RwSignal::new(
        c3.inputs
            .categories
            .first()
            .map(|c| c.code.clone())
            .unwrap_or_default(),
    );
    let wi_scale = RwSignal::new("100".to_owned());
    let wi_error = RwSignal::new(None::<String>);
    let wi_result = RwSignal::new(None::<Arc<linli_domain::alloc::ScenarioResult>>);
    let c4 = computed.clone();
    let on_what_if = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        wi_error.set(None);
        let Some(flex) = parse_fixed(&wi_flex.get_untracked(), 2).filter(|v| *v <= 10_000) else {
            wi_error.set(Some(tr(
                i18n,
                "机动池比例请输入 0 到 100 之间的百分数",
                "Enter a flexible share from 0 to 100%",
            )));
            return;
        };
        let Some(scale) = parse_fixed(&wi_scale.get_untracked(), 2).filter(|v| *v <= 100_000) else {
            wi_error.set(Some(tr(
                i18n,
                "需求倍数请输入 0 到 1000 之间的百分数",
                "Enter a demand scale from 0 to 1000%",
            )));
            return;
        };
        let mut config = c4.config.clone();
        config.flexible_bp = flex;
        config.base_bp = 10_000 - flex;
        let code = wi_cat.get_untracked();
        let scenario = Scenario {
            name: format!("flexible {flex} bp, {code} demand ×{scale}%"),
            config: Some(config),
            totals: Vec::new(),
            demand: if scale == 100 * 100 || code.is_empty() {
                Vec::new()
            } else {
                vec![DemandScale { code, bp: scale }]
            },
        };
        match what_if(&c4.inputs, &c4.config, &scenario) {
            Ok(s) => wi_result.set(Some(Arc::new(s))),
            Err(e) => {
                wi_result.set(None);
                wi_error.set(Some(e.to_string()));
            }
        }
    };
    let c5 = computed.clone();
    let what_if_table = move || {
        let _ = i18n.get_locale();
        let k = kind.get();
        wi_result.get().map(|s| {
            let before = tr(i18n, "当前方案", "Current");
            let after = tr(i18n, "假设情景", "Scenario");
            comparison_table(
                i18n,
                &s.comparison,
                k,
                &c5.categories,
                before,
                after,
                "whatif-table",
            )
        })
    };
    let wi_cats: Vec<(String, String)> = computed
        .inputs
        .categories
        .iter()
        .map(|c| (c.code.clone(), c.code.clone()))
        .collect();
    let c6 = computed.clone();

    // Exports.
    let export_msg = RwSignal::new(None::<Result<String, String>>);
    let c7 = computed.clone();
    let export = move |which: &'static str| {
        let c = c7.clone();
        move |_| {
            let group = move |g: &str| labels::group(i18n, g);
            let labels = CsvLabels {
                lang: lang(i18n),
                categories: &c.categories,
                group: &group,
            };
            let (text, name) = match which {
                "allocation" => (
                    allocation_csv(&c.result, &labels),
                    format!("linli-allocation-{}.csv", c.period),
                ),
                "fairness" => (
                    fairness_csv(&c.result, &labels),
                    format!("linli-fairness-{}.csv", c.period),
                ),
                _ => (
                    cost_sharing_csv(&c.result, &labels),
                    format!("linli-cost-sharing-{}.csv", c.period),
                ),
            };
            export_msg.set(Some(offer_csv(i18n, &text, &name)));
        }
    };

    // Saving the run.
    let save_msg = RwSignal::new(None::<Result<u32, String>>);
    let saving = RwSignal::new(false);
    let c8 = computed.clone();
    let on_save_run = move |_| {
        let c = c8.clone();
        saving.set(true);
        let actor = t_string!(i18n, actor_default).to_string();
        spawn_local(async move {
            let result = async {
                let db = storage.db().ok_or(DbError::Unavailable)?;
                let id = db.max_key("allocation_runs").await? + 1;
                let run = run_record(&c.inputs, &c.config, &c.result, id, now_millis());
                let summary = format!(
                    "allocation run {} of {}: inputs {}",
                    id, run.period, run.inputs_sha256
                );
                save(storage, |b, audit_id| {
                    b.add("allocation_runs", &run)?;
                    b.add(
                        "audit_log",
                        &audit(audit_id, "allocation_runs", id, "create", summary, actor),
                    )?;
                    Ok(())
                })
                .await
                .map(|()| id)
            }
            .await;
            saving.set(false);
            save_msg.set(Some(result.map_err(|e| e.to_string())));
        });
    };

    let c9 = computed.clone();
    let ms2 = ms.clone();
    let previous_note = {
        let r2 = computed.clone();
        move || previous_text(i18n, &r2.result)
    };
    view! {
        <div class="alloc-result" data-testid="alloc-result" data-alloc-ms=ms.clone() data-period=computed.period.clone()
            data-sha=computed.result.inputs_sha256.clone()>
            <p class="ok" role="status" data-testid="alloc-timing">{move || if is_zh(i18n) {
                format!("已完成 {} 的资源调配，用时 {} 毫秒。", c6.period, ms2)
            } else {
                format!("Allocated {} in {} ms.", c6.period, ms2)
            }}</p>
            <p class="muted small">{previous_note}" "{move || tr(i18n, "输入摘要（SHA-256）：", "Inputs (SHA-256): ")}<code class="sha">{computed.result.inputs_sha256.clone()}</code></p>
            {warning_banner}
            {kind_picker}
            {body}
            <section class="sub" aria-labelledby="alloc-cmp-h">
                <h3 id="alloc-cmp-h">{move || tr(i18n, "与上期或已保存记录比较", "Compared with the previous period or a stored run")}</h3>
                <label>{move || tr(i18n, "比较对象 ", "Compare with ")}
                    <select data-testid="cmp-with" on:change=move |ev| cmp_with.set(event_target_value(&ev))>
                        <option value="previous" selected=true>{move || tr(i18n, "上一期", "The previous period")}</option>
                        {move || runs.get().into_iter().map(|run| {
                            let label = format!("#{} {} · {}", run.id, run.period, local_minute(run.created_at));
                            view! { <option value=format!("run-{}", run.id)>{label}</option> }
                        }).collect_view()}
                    </select>
                </label>
                {comparison}
            </section>
            <section class="sub" aria-labelledby="alloc-wi-h">
                <h3 id="alloc-wi-h">{move || tr(i18n, "假设分析（不保存）", "What if (nothing is saved)")}</h3>
                <form class="inline-form whatif" on:submit=on_what_if novalidate data-testid="whatif-form">
                    <label>{move || tr(i18n, "机动池比例（%）", "Flexible pool (%)")}
                        <input type="text" inputmode="decimal" class="pct" data-testid="whatif-flexible" prop:value=move || wi_flex.get()
                            on:input=move |ev| wi_flex.set(event_target_value(&ev))/></label>
                    <label>{move || tr(i18n, "调整需求的类别", "Scale the demand of")}
                        <select data-testid="whatif-category" on:change=move |ev| wi_cat.set(event_target_value(&ev))>
                            {move || {
                                let cats = c3.categories.clone();
                                wi_cats.iter().map(|(code, _)| {
                                    let name = category_name(i18n, &cats, code);
                                    view! { <option value=code.clone() selected=*code == wi_cat.get_untracked()>{name}</option> }
                                }).collect_view()
                            }}
                        </select></label>
                    <label>{move || tr(i18n, "需求倍数（%）", "Demand (%)")}
                        <input type="text" inputmode="decimal" class="pct" data-testid="whatif-demand" prop:value=move || wi_scale.get()
                            on:input=move |ev| wi_scale.set(event_target_value(&ev))/></label>
                    <button type="submit" data-testid="whatif-run">{move || tr(i18n, "计算情景", "Compute scenario")}</button>
                </form>
                {move || wi_error.get().map(|e| view! { <p class="error" role="alert" data-testid="whatif-error">{e}</p> })}
                {what_if_table}
            </section>
            {move || { let _ = i18n.get_locale(); cost_view(i18n, &c9.result, &c9.categories) }}
            <section class="sub" aria-labelledby="alloc-export-h">
                <h3 id="alloc-export-h">{move || tr(i18n, "导出与保存", "Export and save")}</h3>
                <div class="actions">
                    <button type="button" data-testid="csv-allocation" on:click=export("allocation")>{move || tr(i18n, "导出分配表（CSV）", "Export allocation (CSV)")}</button>
                    <button type="button" data-testid="csv-fairness" on:click=export("fairness")>{move || tr(i18n, "导出公平性表（CSV）", "Export fairness (CSV)")}</button>
                    <button type="button" data-testid="csv-cost" on:click=export("cost")>{move || tr(i18n, "导出成本分担表（CSV）", "Export cost sharing (CSV)")}</button>
                </div>
                {move || export_msg.get().map(|m| match m {
                    Ok(t) => view! { <p class="ok" role="status">{t}</p> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                })}
                <div class="actions">
                    <button type="button" class="primary" data-testid="alloc-save-run" on:click=on_save_run disabled=move || saving.get()>
                        {move || tr(i18n, "保存本次调配记录", "Save this run")}</button>
                    {move || match save_msg.get() {
                        Some(Ok(id)) => view! { <span class="ok" role="status" data-testid="alloc-run-saved">{move || if is_zh(i18n) { format!("已保存为调配记录 #{id}") } else { format!("Saved as run #{id}") }}</span> }.into_any(),
                        Some(Err(e)) => view! { <span class="error" role="alert">{t!(i18n, status_error)}<code>{e}</code></span> }.into_any(),
                        None => ().into_any(),
                    }}
                </div>
                <p class="muted small">{move || tr(i18n, "保存的记录包含全部输入与结果，可随时重新计算校验。", "A stored run keeps all its inputs and outputs and can be re-computed to verify it.")}</p>
            </section>
        </div>
    }
}

/// The stored runs with "verify".
#[component]
pub fn RunsList(runs: Memo<Vec<AllocationRun>>) -> impl IntoView {
    let i18n = use_i18n();
    let verified = RwSignal::new(Vec::<(u32, Result<(), String>)>::new());
    let body = move || {
        let list = runs.get();
        if list.is_empty() {
            return view! { <p class="muted">{move || tr(i18n, "还没有保存的调配记录。", "No stored runs yet.")}</p> }.into_any();
        }
        let rows = list
            .into_iter()
            .map(|run| {
                let id = run.id;
                let sha = run.inputs_sha256.chars().take(12).collect::<String>();
                let run = StoredValue::new(run);
                let on_verify = move |_| {
                    let res = run.with_value(|r| verify_run(r).map(|_| ()).map_err(|e| e.to_string()));
                    verified.update(|v| {
                        v.retain(|(i, _)| *i != id);
                        v.push((id, res));
                    });
                };
                let result = move || {
                    verified.with(|v| v.iter().find(|(i, _)| *i == id).map(|(_, r)| r.clone())).map(|r| match r {
                        Ok(()) => view! { <span class="badge ok" data-testid="verify-result" data-ok="true">{move || tr(i18n, "✓ 一致", "✓ consistent")}</span> }.into_any(),
                        Err(e) => view! { <span class="badge bad" role="alert" data-testid="verify-result" data-ok="false">{move || tr(i18n, "✗ 不一致：", "✗ inconsistent: ")}<code>{e.clone()}</code></span> }.into_any(),
                    })
                };
                view! {
                    <tr data-testid="run-row" data-id=id>
                        <td class="num">{format!("#{id}")}</td>
                        <td>{run.with_value(|r| r.period.clone())}</td>
                        <td>{run.with_value(|r| local_minute(r.created_at))}</td>
                        <td><code title=run.with_value(|r| r.inputs_sha256.clone())>{sha}"…"</code></td>
                        <td>
                            <button type="button" data-testid="verify-run" on:click=on_verify>{move || tr(i18n, "校验", "Verify")}</button>
                            " "{result}
                        </td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="table-scroll">
                <table class="agg" data-testid="alloc-runs">
                    <thead><tr>
                        <th scope="col">{move || tr(i18n, "编号", "No.")}</th>
                        <th scope="col">{move || tr(i18n, "期次", "Period")}</th>
                        <th scope="col">{move || tr(i18n, "保存时间", "Saved at")}</th>
                        <th scope="col">{move || tr(i18n, "输入摘要", "Inputs")}</th>
                        <th scope="col">{move || tr(i18n, "校验（重新计算）", "Verify (re-run)")}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <section class="card" aria-labelledby="alloc-runs-h">
            <h2 id="alloc-runs-h">{move || tr(i18n, "已保存的调配记录", "Stored allocation runs")}</h2>
            <p class="muted small">{move || tr(i18n,
                "“校验”用记录中保存的输入重新计算，检查输入摘要与结果是否与保存时完全一致。",
                "\"Verify\" re-runs a record from its stored inputs and checks that the hash and the outputs are exactly those stored.")}</p>
            {body}
        </section>
    }
}
