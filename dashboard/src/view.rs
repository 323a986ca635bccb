//! The dashboard's views.

use leptos::prelude::*;
use linli_domain::model::RequestStatus;
use linli_domain::snapshot::file::Snapshot;
use linli_domain::snapshot::{Content, Indicator};

use crate::charts::{self, Bar, GroupBars};
use crate::lazy::FormConfig;
use crate::plans::{funder_name, pb_view, plans_view};
use crate::{lookup, pct, pp, short_yuan, tr, yuan, ChainStatus, Lang, LoadError, Lookup};

fn status_name(lang: Lang, s: &str) -> &'static str {
    match RequestStatus::from_code(s) {
        Some(RequestStatus::Received) => tr(lang, "已受理", "Received"),
        Some(RequestStatus::Assigned) => tr(lang, "已分派", "Assigned"),
        Some(RequestStatus::InProgress) => tr(lang, "办理中", "In progress"),
        Some(RequestStatus::Resolved) => tr(lang, "已解决", "Resolved"),
        Some(RequestStatus::Closed) => tr(lang, "已办结", "Closed"),
        Some(RequestStatus::Rejected) => tr(lang, "不予受理", "Rejected"),
        Some(RequestStatus::Duplicate) => tr(lang, "重复诉求（已合并）", "Duplicate (merged)"),
        None => tr(lang, "未知", "Unknown"),
    }
}

fn class_name(lang: Lang, c: &str) -> &'static str {
    match c {
        "basic" => tr(lang, "基本民生", "Basic livelihood"),
        "improvement" => tr(lang, "品质提升", "Improvement"),
        "special" => tr(lang, "特殊群体", "Special"),
        _ => "—",
    }
}

/// A monotonic clock in ms (0 where there is none, e.g. native tests).
fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// An indicator's value in its unit, as text.
fn indicator_value(lang: Lang, i: &Indicator, v: i64) -> String {
    match i.unit.as_str() {
        "bp" => pct(v),
        "permille" => format!("{}.{:03}", v / 1000, v % 1000),
        "per_100_households_centi" => format!("{}.{:02}", v / 100, v % 100),
        "hours" => format!("{v} {}", tr(lang, "小时", "h")),
        "ratio_centi" => format!("1 : {}.{:02}", v / 100, v % 100),
        _ => v.to_string(),
    }
}

fn indicator_target(lang: Lang, i: &Indicator) -> String {
    match i.target {
        None => tr(lang, "无目标值", "no target").to_owned(),
        Some(t) => {
            let op = match i.direction.as_str() {
                "gt" => ">",
                "lt" => "<",
                "ge" => "≥",
                _ => "≤",
            };
            format!("{op} {}", indicator_value(lang, i, t))
        }
    }
}

fn indicator_status(lang: Lang, s: &str) -> (&'static str, &'static str) {
    match s {
        "met" => (tr(lang, "✓ 达标", "✓ Target met"), "ok"),
        "not_met" => (
            tr(lang, "✗ 未达标，正在改进", "✗ Below target, being improved"),
            "bad",
        ),
        "no_target" => (tr(lang, "仅供参考", "For information"), "info"),
        _ => (tr(lang, "暂无数据", "Not measured yet"), "info"),
    }
}

/// Why an indicator is not measured, in words.
fn indicator_reason(l: Lang, code: &str) -> &'static str {
    match code {
        "no_adopted_allocation" => tr(l, "本期尚未采纳分配方案", "no allocation adopted for the period"),
        "no_leaders_a_year_before" => tr(
            l,
            "上年同季度无骨干记录",
            "no leaders in the same quarter a year before",
        ),
        "no_final_accounts" => tr(
            l,
            "近一年无项目决算",
            "no project's final accounts in the last year",
        ),
        "no_public_money" => tr(l, "决算中无政府资金", "no government money in those accounts"),
        "too_few_ratings" | "too_few_rated_groups" | "too_few_households" => tr(
            l,
            "数量较少，为保护隐私不计算",
            "too few to compute without singling anyone out",
        ),
        "no_resolved_requests" => tr(l, "尚无办结的诉求", "no request resolved yet"),
        _ => tr(l, "数据不足", "not enough data"),
    }
}

/// A figure with its chart image, an optional legend, and the same figures as a table.
/// The table is always in the page for screen readers; the button shows it on screen below
/// the chart (the chart stays: issue #17 item 9).
#[component]
fn Figure(
    id: &'static str,
    title: String,
    src: String,
    alt: String,
    width: u32,
    height: u32,
    lang: RwSignal<Lang>,
    table: AnyView,
    #[prop(optional)] legend: Option<AnyView>,
) -> impl IntoView {
    let show_table = RwSignal::new(false);
    let table_id = format!("{id}-table");
    view! {
        <section class="figure" data-testid=id aria-labelledby=format!("{id}-h")>
            <div class="figure-head">
                <h2 id=format!("{id}-h")>{title}</h2>
                <button type="button" class="toggle" aria-controls=table_id.clone()
                    aria-pressed=move || show_table.get().to_string()
                    on:click=move |_| show_table.update(|v| *v = !*v)>
                    {move || if show_table.get() {
                        tr(lang.get(), "隐藏表格", "Hide table")
                    } else {
                        tr(lang.get(), "以表格显示", "Show as table")
                    }}
                </button>
            </div>
            <img class="chart" src=src alt=alt width=width height=height/>
            {legend}
            <div id=table_id class=move || if show_table.get() { "table-wrap" } else { "table-wrap sr-only" }>
                {table}
            </div>
        </section>
    }
}

/// The whole dashboard for one verified snapshot. `today` is the viewer's day (days since
/// 1970-01-01, China time) for the notice countdowns.
#[component]
pub fn Dashboard(
    snapshot: std::sync::Arc<Snapshot>,
    #[prop(into)] chain: Signal<ChainStatus>,
    lang: RwSignal<Lang>,
    today: i64,
) -> impl IntoView {
    let s = StoredValue::new(snapshot);
    // The figures are redrawn when the language changes (labels are in the pictures).
    move || {
        let l = lang.get();
        s.with_value(|s| body(&s.content, &s.sha256, chain, lang, l, today))
    }
}

fn body(
    c: &Content,
    sha256: &str,
    chain: Signal<ChainStatus>,
    lang: RwSignal<Lang>,
    l: Lang,
    today: i64,
) -> AnyView {
    let h = &c.headline;
    let count = |v: Option<u64>| {
        v.map_or_else(
            || tr(l, "少于公布下限", "below publication minimum").to_owned(),
            |n| n.to_string(),
        )
    };
    // A count published as a band of `w` (the disclosure rules): "10–19".
    let banded = |v: Option<u64>, w: u64| match v {
        Some(n) if n > 0 && w > 1 => format!("{n}–{}", n + w - 1),
        _ => count(v),
    };
    let (min_cell, min_cell_s) = (c.min_cell, c.min_cell_sensitive);
    let cards = linli_domain::snapshot::publish::headline_cards(c, l == Lang::Zh);
    let (name, sub, lead) = linli_domain::snapshot::publish::header_texts(c, l == Lang::Zh);

    let cat_label = |a: &linli_domain::snapshot::CategoryShare| match l {
        Lang::Zh => a.name_zh.clone(),
        Lang::En => a.name_en.clone(),
    };
    // Allocation donut.
    let shares: Vec<u32> = c.allocation.iter().map(|a| a.share_bp.unwrap_or(0)).collect();
    let together = tr(l, "合并公布", "published together");
    // The three charts' drawing time, shown as a data attribute for the benchmark.
    let charts_t0 = now_ms();
    let donut = charts::data_url(&charts::donut_svg(&shares, &short_yuan(l, h.budget_fen)));
    let alloc_alt = format!(
        "{}: {}",
        tr(l, "按类别分配的环形图", "Donut of the allocation by category"),
        c.allocation
            .iter()
            .map(|a| {
                let share = a
                    .share_bp
                    .map_or_else(|| together.to_owned(), |b| pct(i64::from(b)));
                format!("{} {share}", cat_label(a))
            })
            .collect::<Vec<_>>()
            .join("，")
    );
    // What the disclosure rules did, in plain words.
    let steps = |sensitive: bool| {
        c.allocation
            .iter()
            .filter(|a| a.sensitive == sensitive && a.code != "other")
            .map(|a| a.step_fen)
            .max()
            .map_or_else(String::new, yuan)
    };
    let alloc_note = match l {
        Lang::Zh => format!(
            "为保护隐私：金额取整到 {}（敏感类别 {}），不公布基础/机动池拆分；人数少或单人影响大的类别合并公布。",
            steps(false),
            steps(true)
        ),
        Lang::En => format!(
            "For privacy: amounts rounded to {} ({} for sensitive categories), no base/flexible split; categories with few people, or where one person weighs much, are published together.",
            steps(false),
            steps(true)
        ),
    };
    let alloc_rows = c
        .allocation
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let change = a.change_bp.map_or_else(String::new, |d| {
                if d > 0 {
                    format!("↑{}", pp(l, d))
                } else if d < 0 {
                    format!("↓{}", pp(l, d))
                } else {
                    "—".to_owned()
                }
            });
            view! {
                <tr>
                    <th scope="row"><span class="swatch" style=format!("background:{}", charts::colour(i))></span>{cat_label(a)}</th>
                    <td class="n">{a.amount_fen.map_or_else(|| together.to_owned(), |x| format!("≈{}", yuan(x)))}</td>
                    <td class="n">{a.share_bp.map_or_else(|| "—".to_owned(), |b| pct(i64::from(b)))}</td>
                    <td class="n">{change}</td>
                </tr>
            }
        })
        .collect_view();
    // The donut's key: one entry per slice, in the slices' colours and order.
    let alloc_legend = view! {
        <ul class="chart-legend" data-testid="allocation-legend">
            {c.allocation.iter().enumerate().map(|(i, a)| view! {
                <li><span class="swatch" style=format!("background:{}", charts::colour(i))></span>
                    {cat_label(a)}" "<span class="n">{a.share_bp.map_or_else(|| together.to_owned(), |b| pct(i64::from(b)))}</span></li>
            }).collect_view()}
        </ul>
    }
    .into_any();
    let alloc_table = view! {
        <table>
            <caption>{tr(l, "按类别分配（元）", "Allocation by category (yuan)")}</caption>
            <thead><tr>
                <th scope="col">{tr(l, "类别", "Category")}</th>
                <th scope="col">{tr(l, "金额", "Amount")}</th>
                <th scope="col">{tr(l, "占比", "Share")}</th>
                <th scope="col">{tr(l, "较上期", "vs last period")}</th>
            </tr></thead>
            <tbody>{alloc_rows}</tbody>
        </table>
        <p class="small" data-testid="disclosure-note">{alloc_note}</p>
    }
    .into_any();

    // Funders.
    let funder_bars: Vec<Bar> = c
        .cost_sharing
        .by_funder
        .iter()
        .map(|f| Bar {
            label: funder_name(l, &f.funder),
            value: f.amount_fen.max(0) as u64,
            text: yuan(f.amount_fen),
        })
        .collect();
    let funders_src = charts::data_url(&charts::hbars_svg(&funder_bars));
    let funders_h = charts::hbars_height(funder_bars.len());
    let funders_alt = format!(
        "{}: {}",
        tr(l, "各出资方金额条形图", "Bars of each funder's amount"),
        funder_bars
            .iter()
            .map(|b| format!("{} {}", b.label, b.text))
            .collect::<Vec<_>>()
            .join("，")
    );
    let funder_rows = c
        .cost_sharing
        .by_funder
        .iter()
        .map(|f| {
            view! { <tr><th scope="row">{funder_name(l, &f.funder)}</th><td class="n">{yuan(f.amount_fen)}</td></tr> }
        })
        .collect_view();
    let class_rows = c
        .cost_sharing
        .by_class
        .iter()
        .map(|k| {
            let parts = k
                .funders
                .iter()
                .map(|f| format!("{} {}", funder_name(l, &f.funder), yuan(f.amount_fen)))
                .collect::<Vec<_>>()
                .join("；");
            view! { <tr><th scope="row">{class_name(l, &k.class)}</th><td class="n">{yuan(k.total_fen)}</td><td>{parts}</td></tr> }
        })
        .collect_view();
    let funders_table = view! {
        <table>
            <caption>{tr(l, "多方分担（元）", "Cost sharing (yuan)")}</caption>
            <thead><tr><th scope="col">{tr(l, "出资方", "Funder")}</th><th scope="col">{tr(l, "金额", "Amount")}</th></tr></thead>
            <tbody>{funder_rows}</tbody>
        </table>
        <table>
            <caption>{tr(l, "按需求类别分担", "By need class")}</caption>
            <thead><tr><th scope="col">{tr(l, "类别", "Class")}</th><th scope="col">{tr(l, "金额", "Amount")}</th><th scope="col">{tr(l, "出资", "Funders")}</th></tr></thead>
            <tbody>{class_rows}</tbody>
        </table>
    }
    .into_any();

    // Groups: resources vs population vs need.
    let group_name = |g: &linli_domain::snapshot::GroupShare| match l {
        Lang::Zh => g.name_zh.clone(),
        Lang::En => g.name_en.clone(),
    };
    let gbars: Vec<GroupBars> = c
        .groups
        .iter()
        .map(|g| GroupBars {
            label: group_name(g),
            shares: [
                g.resource_share_bp.unwrap_or(0),
                g.population_share_bp,
                g.need_share_bp,
            ],
        })
        .collect();
    let groups_src = charts::data_url(&charts::bars_svg(&gbars));
    let charts_ms = crate::ms2(now_ms() - charts_t0);
    let groups_h = charts::bars_height(gbars.len());
    let warnings: Vec<String> = c
        .groups
        .iter()
        .filter(|g| g.capture_warning)
        .map(group_name)
        .collect();
    let group_rows = c
        .groups
        .iter()
        .map(|g| {
            view! {
                <tr>
                    <th scope="row">{group_name(g)}</th>
                    <td class="n">{banded(g.households, min_cell)}</td>
                    <td class="n">{g.resource_share_bp.map_or_else(|| "—".to_owned(), |b| pct(i64::from(b)))}</td>
                    <td class="n">{pct(i64::from(g.population_share_bp))}</td>
                    <td class="n">{pct(i64::from(g.need_share_bp))}</td>
                </tr>
            }
        })
        .collect_view();
    let groups_table = view! {
        <table>
            <caption>{tr(l, "各群体：资源占比、人口占比、需求占比", "Groups: share of resources, of population, of need")}</caption>
            <thead><tr>
                <th scope="col">{tr(l, "群体", "Group")}</th>
                <th scope="col">{tr(l, "户数", "Households")}</th>
                <th scope="col">{tr(l, "资源", "Resources")}</th>
                <th scope="col">{tr(l, "人口", "Population")}</th>
                <th scope="col">{tr(l, "需求", "Need")}</th>
            </tr></thead>
            <tbody>{group_rows}</tbody>
        </table>
    }
    .into_any();
    let groups_alt = tr(
        l,
        "各群体资源、人口、需求占比条形图，数字见表格",
        "Bars of each group's share of resources, population and need; figures in the table",
    )
    .to_owned();

    // Indicators.
    let indicators = c
        .indicators
        .iter()
        .map(|i| {
            let (status, class) = indicator_status(l, &i.status);
            let value = i.value.map_or_else(|| "—".to_owned(), |v| indicator_value(l, i, v));
            let mut name = match l {
                Lang::Zh => i.name_zh.clone(),
                Lang::En => i.name_en.clone(),
            };
            if let Some(q) = &i.period {
                name.push_str(&format!(" ({q})"));
            }
            let why = i.reason.as_deref().map(|r| indicator_reason(l, r));
            view! {
                <li class=format!("indicator {class}") data-testid="indicator" data-code=i.code.clone()>
                    <span class="ind-name">{name}</span>
                    <span class="ind-value">{value}</span>
                    <span class="ind-target">{format!("{} {}", tr(l, "目标", "Target"), indicator_target(l, i))}</span>
                    <span class="ind-status">{status}{why.map(|w| format!("（{w}）"))}</span>
                </li>
            }
        })
        .collect_view();

    // Satisfaction.
    let s = &c.satisfaction;
    let sat_line = match (s.satisfied_bp, s.mean_centi) {
        (Some(b), Some(m)) => format!(
            "{} {} · {} {}.{:02} / 5 · {} {}",
            tr(l, "满意率", "Satisfied"),
            pct(i64::from(b)),
            tr(l, "平均评分", "Mean rating"),
            m / 100,
            m % 100,
            tr(l, "评价数", "Ratings"),
            banded(s.ratings, min_cell)
        ),
        _ => tr(
            l,
            "评价数量较少，为保护隐私暂不公布满意率。",
            "Too few ratings: the satisfaction rate is withheld to protect privacy.",
        )
        .to_owned(),
    };
    let sat_rows = s
        .distribution
        .iter()
        .enumerate()
        .map(|(i, v)| view! { <tr><th scope="row">{"★".repeat(i + 1)}</th><td class="n">{banded(*v, min_cell)}</td></tr> })
        .collect_view();

    // Coverage.
    let coverage = c
        .coverage
        .iter()
        .map(|k| {
            let name = match l {
                Lang::Zh => k.name_zh.clone(),
                Lang::En => k.name_en.clone(),
            };
            view! {
                <tr>
                    <th scope="row">{name}</th>
                    <td class="n">{banded(k.households, if k.sensitive { min_cell_s } else { min_cell })}</td>
                    <td class="n">{k.share_bp.map_or_else(|| "—".to_owned(), |b| pct(i64::from(b)))}</td>
                </tr>
            }
        })
        .collect_view();

    // Points.
    let points = c
        .points
        .earning
        .iter()
        .map(|r| {
            let per = match r.per.as_str() {
                "meeting" => tr(l, "每次", "per meeting"),
                "hour" => tr(l, "每小时", "per hour"),
                _ => tr(l, "每次", "per session"),
            };
            let name = match l {
                Lang::Zh => r.name_zh.clone(),
                Lang::En => r.name_en.clone(),
            };
            view! { <li>{format!("{name}：{per} {} {}", r.points, tr(l, "分", "points"))}</li> }
        })
        .collect_view();
    let catalogue = c
        .points
        .catalogue
        .iter()
        .map(|i| {
            let name = match l {
                Lang::Zh => i.name_zh.clone(),
                Lang::En => i.name_en.clone(),
            };
            view! { <li>{format!("{name}：{} {}（{} {}）", i.cost, tr(l, "分", "points"), tr(l, "余", "left:"), i.stock)}</li> }
        })
        .collect_view();
    let adopted = c.adopted_allocation.as_ref().map(|a| match l {
        Lang::Zh => format!(
            "以上为本期已采纳的分配方案（{} 第 {} 号决定采纳第 {} 次运行；输入 SHA-256 {}），发布时不重新计算。",
            a.adopted_on, a.decision, a.run, a.inputs_sha256
        ),
        Lang::En => format!(
            "The allocation adopted for the period (decision no. {} of {}, run {}; inputs SHA-256 {}), never recomputed at publication.",
            a.decision, a.adopted_on, a.run, a.inputs_sha256
        ),
    });
    let allocation = if c.allocation_status == linli_domain::snapshot::ADOPTED {
        view! {
            <Figure id="allocation" title=tr(l, "钱用在哪里：按类别分配", "Where the money goes: by category").to_owned()
                src=donut alt=alloc_alt width=charts::DONUT_SIZE height=charts::DONUT_SIZE lang=lang table=alloc_table legend=alloc_legend/>
            <Figure id="funders" title=tr(l, "谁来出资：多方分担", "Who pays: cost sharing").to_owned()
                src=funders_src alt=funders_alt width=charts::HBARS_WIDTH height=funders_h lang=lang table=funders_table/>
            <Figure id="groups" title=tr(l, "是否公平：各群体占比", "Is it fair: each group's share").to_owned()
                src=groups_src alt=groups_alt width=charts::BARS_WIDTH height=groups_h lang=lang table=groups_table/>
            <p class="legend">
                <span class="swatch" style=format!("background:{}", charts::BAR_COLOURS[0])></span>{tr(l, "资源", "Resources")}" "
                <span class="swatch" style=format!("background:{}", charts::BAR_COLOURS[1])></span>{tr(l, "人口", "Population")}" "
                <span class="swatch" style=format!("background:{}", charts::BAR_COLOURS[2])></span>{tr(l, "需求", "Need")}
            </p>
            {(!warnings.is_empty()).then(|| view! {
                <p class="warning" role="note">{format!("{}{}", tr(l, "提醒：以下群体获得的资源明显高于其需求占比，需关注是否存在“精英俘获”：", "Warning: these groups receive far more than their share of need (possible elite capture): "), warnings.join("、"))}</p>
            })}
            <p class="small" data-testid="adopted">{adopted}</p>
        }
        .into_any()
    } else {
        view! {
            <section class="block" aria-labelledby="alloc-none-h" data-testid="no-allocation">
                <h2 id="alloc-none-h">{tr(l, "钱用在哪里", "Where the money goes")}</h2>
                <p>{match l {
                    Lang::Zh => format!("本期（{}）尚未采纳分配方案。采纳后，这里公布采纳的方案，发布时不会重新计算。", c.period),
                    Lang::En => format!("No allocation has been adopted for this period ({}) yet. Once one is, it is published here as adopted, never recomputed.", c.period),
                }}</p>
            </section>
        }
        .into_any()
    };

    // Empty (no salt) when the snapshot came from `snapshot.json`: the section is then
    // fetched from `requests.json` on the first lookup.
    let requests = StoredValue::new(c.requests.clone());
    let requests_sha256 = c.requests_sha256.clone();
    let prev = c.previous_sha256.clone();
    let sequence = c.sequence;
    let sha = sha256.to_owned();
    // Resident intake (issue #18): only when the community publishes an intake key.
    let intake = c.intake.clone();
    let intake_form = intake.clone().map(|i| {
        let categories = c
            .coverage
            .iter()
            .map(|k| {
                (
                    k.code.clone(),
                    if l == Lang::Zh {
                        k.name_zh.clone()
                    } else {
                        k.name_en.clone()
                    },
                )
            })
            .collect::<Vec<_>>();
        view! { <IntakeSection config=form_config(l, &i, categories, String::new()) lang=l/> }
    });
    view! {
        <header class="top">
            <div>
                <h1>{name}</h1>
                <p class="sub">{sub}</p>
            </div>
            <button type="button" class="lang" on:click=move |_| lang.update(|x| *x = if *x == Lang::Zh { Lang::En } else { Lang::Zh })>
                {tr(l, "English", "中文")}
            </button>
        </header>
        <p class="lead">{lead}</p>
        {(l == Lang::En).then(|| view! { <p class="small" data-testid="own-text-note">{"Project names and other texts written by the community are shown as the community wrote them (in Chinese)."}</p> })}
        <dl class="cards" data-testid="headline" data-charts-ms=charts_ms>
            {cards.into_iter().map(|(k, v)| view! { <div class="card"><dt>{k}</dt><dd>{v}</dd></div> }).collect_view()}
        </dl>
        {plans_view(c, l, today)}
        {pb_view(c, l)}
        {allocation}
        <section class="block" aria-labelledby="ind-h">
            <h2 id="ind-h">{tr(l, "指标与目标", "Indicators and targets")}</h2>
            <ul class="indicators">{indicators}</ul>
        </section>
        <section class="block" aria-labelledby="sat-h" data-testid="satisfaction">
            <h2 id="sat-h">{tr(l, "居民满意度", "Residents' satisfaction")}</h2>
            <p>{sat_line}</p>
            <div class="table-wrap"><table>
                <caption>{tr(l, "评分分布", "Ratings")}</caption>
                <thead><tr><th scope="col">{tr(l, "评分", "Rating")}</th><th scope="col">{tr(l, "人数", "People")}</th></tr></thead>
                <tbody>{sat_rows}</tbody>
            </table></div>
        </section>
        <section class="block" aria-labelledby="cov-h">
            <h2 id="cov-h">{tr(l, "需求覆盖", "Needs registered")}</h2>
            <div class="table-wrap"><table>
                <thead><tr><th scope="col">{tr(l, "类别", "Category")}</th><th scope="col">{tr(l, "户数", "Households")}</th><th scope="col">{tr(l, "占全部户数", "Of all households")}</th></tr></thead>
                <tbody>{coverage}</tbody>
            </table></div>
            <p class="small">{match l {
                Lang::Zh => format!("为保护隐私，户数按每 {min_cell} 户（健康、残疾、收入、未成年人、住房、就业为每 {min_cell_s} 户）分段公布，不足一段的不公布。"),
                Lang::En => format!("To protect privacy, counts are published in bands of {min_cell} ({min_cell_s} for health, disability, income, minors, housing and employment); counts below one band are not published."),
            }}</p>
        </section>
        {intake_form}
        <RequestLookup requests=requests sha256=requests_sha256 intake=intake lang=l/>
        <section class="block" aria-labelledby="pts-h">
            <h2 id="pts-h">{tr(l, "积分怎么算", "How points work")}</h2>
            <ul class="points">{points}</ul>
            <h3>{tr(l, "可兑换", "What points buy")}</h3>
            <ul class="points">{catalogue}</ul>
            <p class="small">{tr(l, "积分可在社区兑换服务或物品；账目只增不改，更正以冲正记录进行。", "Points can be redeemed for services or goods at the community office; the ledger is append-only and corrections are reversal entries.")}</p>
        </section>
        <section class="block hash" aria-labelledby="hash-h" data-testid="hash">
            <h2 id="hash-h">{tr(l, "防篡改校验", "Tamper evidence")}</h2>
            <p>{format!("{} {sequence}", tr(l, "第几期公示：", "Publication no."))}</p>
            <p>{tr(l, "本期 SHA-256：", "This snapshot's SHA-256:")}<code>{sha}</code></p>
            <p>{tr(l, "上一期：", "Previous:")}<code>{prev.unwrap_or_else(|| tr(l, "（首期）", "(first)").to_owned())}</code></p>
            <p class="chain" data-testid="chain">{move || chain_text(l, &chain.get())}</p>
        </section>
    }
    .into_any()
}

fn chain_text(l: Lang, c: &ChainStatus) -> String {
    match c {
        ChainStatus::Checking => tr(l, "正在核对上一期公示…", "Checking the previous snapshot…").to_owned(),
        ChainStatus::First => tr(l, "✓ 本期数据校验通过（首期公示）。", "✓ This snapshot verifies (the first one).").to_owned(),
        ChainStatus::Verified { previous_sequence } => format!(
            "{}{previous_sequence}{}",
            tr(l, "✓ 校验通过：本期数据完整，并与第 ", "✓ Verified: this snapshot is intact and links to publication no. "),
            tr(l, " 期公示相衔接。", ".")
        ),
        ChainStatus::Broken(why) => format!("{} {why}", tr(l, "✗ 与上一期公示衔接不上：", "✗ The link to the previous snapshot is broken:")),
        ChainStatus::Unchecked => tr(l, "本期数据校验通过；上一期暂时无法获取（离线），未核对衔接。", "This snapshot verifies; the previous one could not be fetched (offline), so the link is not checked.").to_owned(),
        ChainStatus::NotVerifiable => tr(l, "⚠ 无法核验：网站缺少公示历史。", "⚠ Not verifiable: the site does not serve the history.").to_owned(),
        ChainStatus::Preview => tr(l, "预览：尚未发布，发布时生成校验码。", "Preview: not published yet; the hash is made when publishing.").to_owned(),
    }
}

fn form_config(
    l: Lang,
    i: &linli_domain::snapshot::IntakePublic,
    categories: Vec<(String, String)>,
    code: String,
) -> FormConfig {
    FormConfig {
        lang: if l == Lang::Zh { "zh" } else { "en" }.to_owned(),
        community: i.community.clone(),
        recipient: i.recipient.clone(),
        categories,
        code,
    }
}

fn form_failed(l: Lang) -> &'static str {
    tr(
        l,
        "表单未能加载（可能是首次访问时已离线）。请联网后再试。",
        "The form could not be loaded (perhaps offline on the first visit). Go online and try again.",
    )
}

/// "提交诉求" (issue #18): the heading, what happens, and a button that loads the form
/// ([`crate::lazy`]) into its place.
#[component]
fn IntakeSection(config: FormConfig, lang: Lang) -> impl IntoView {
    let l = lang;
    // 0 closed, 1 loading, 2 shown, 3 failed.
    let state = RwSignal::new(0u8);
    let config = StoredValue::new(config);
    let open = move |_| {
        state.set(1);
        leptos::task::spawn_local(async move {
            let ok = crate::lazy::mount("intake-slot", &config.get_value())
                .await
                .is_ok();
            state.set(if ok { 2 } else { 3 });
        });
    };
    view! {
        <section class="block" aria-labelledby="intake-h" data-testid="intake">
            <h2 id="intake-h">{tr(l, "提交诉求", "Submit a request")}</h2>
            <p>{tr(
                l,
                "在手机上填写后，手机会生成您的查询码，并把内容加密成一段文字和二维码，由您发给社区或当面出示。途中任何人都看不到内容，公示中也不会出现。",
                "Fill it in on your phone: it makes your tracking code and seals what you wrote into a text and a QR code that you send to the community or show to a guide. Nobody on the way can read it, and it is never published.",
            )}</p>
            <button type="button" data-testid="intake-open" on:click=open hidden=move || matches!(state.get(), 1 | 2)>{tr(l, "填写诉求", "Write a request")}</button>
            <div id="intake-slot"></div>
            <p role="status">{move || match state.get() {
                1 => tr(l, "正在加载表单…", "Loading the form…"),
                3 => form_failed(l),
                _ => "",
            }}</p>
        </section>
    }
}

/// The rating form's place under a resolved request found by its code.
#[component]
fn RateSlot(config: FormConfig, lang: Lang) -> impl IntoView {
    let failed = RwSignal::new(false);
    // After the place is drawn.
    Effect::new(move |_| {
        let config = config.clone();
        leptos::task::spawn_local(async move {
            failed.set(crate::lazy::mount("rate-slot", &config).await.is_err());
        });
    });
    view! {
        <div id="rate-slot" data-testid="rate-slot"></div>
        <p role="status">{move || failed.get().then(|| form_failed(lang))}</p>
    }
}

#[component]
fn RequestLookup(
    requests: StoredValue<linli_domain::snapshot::RequestsPublic>,
    sha256: String,
    intake: Option<linli_domain::snapshot::IntakePublic>,
    lang: Lang,
) -> impl IntoView {
    let l = lang;
    let intake = StoredValue::new(intake);
    let input = RwSignal::new(String::new());
    let result = RwSignal::new(None::<Lookup>);
    // While `requests.json` is fetched; then why it could not be used: `Some(true)` it does
    // not match this snapshot's seal, `Some(false)` it could not be fetched.
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(None::<bool>);
    let sha256 = StoredValue::new(sha256);
    // The page hashes the typed code with the snapshot's salt and looks for the key: the
    // snapshot holds no code (`linli_domain::snapshot::requests_public`). The section is
    // fetched from `requests.json` on the first lookup of a valid code and checked against
    // the snapshot's `requests_sha256`.
    let look = move || {
        let typed = input.get_untracked();
        failed.set(None);
        let loaded = requests.with_value(|r| !r.salt.is_empty());
        let first = requests.with_value(|r| lookup(r, &typed));
        if loaded || first != Lookup::NotFound {
            result.set(Some(first));
            return;
        }
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        result.set(None);
        leptos::task::spawn_local(async move {
            use linli_domain::snapshot::{file, publish::REQUESTS_PATH};
            match crate::fetch_bytes(REQUESTS_PATH).await {
                Ok(bytes) => match sha256.with_value(|h| file::decode_requests(&bytes, h)) {
                    Ok(r) => {
                        requests.set_value(r);
                        result.set(Some(requests.with_value(|r| lookup(r, &typed))));
                    }
                    Err(_) => failed.set(Some(true)),
                },
                Err(_) => failed.set(Some(false)),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="block" aria-labelledby="req-h" data-testid="lookup">
            <h2 id="req-h">{tr(l, "诉求查询", "Look up your request")}</h2>
            <form on:submit=move |ev| { ev.prevent_default(); look(); }>
                <label for="code">{tr(l, "查询码（受理时给您的编号）", "Tracking code (given when your request was received)")}</label>
                <div class="row">
                    <input id="code" name="code" autocomplete="off" spellcheck="false" inputmode="text"
                        prop:value=move || input.get() on:input=move |ev| input.set(event_target_value(&ev))/>
                    <button type="submit">{tr(l, "查询", "Look up")}</button>
                </div>
            </form>
            <p class="small">{tr(l, "查询码只在您的设备上核对，公示数据中不含任何查询码。", "Your code is checked on your device only; the published data holds no tracking code.")}</p>
            <div role="status" aria-live="polite">
                {move || busy.get().then(|| view! { <p data-testid="request-loading">{tr(l, "正在查询…", "Looking up…")}</p> })}
                {move || match failed.get() {
                    None => ().into_any(),
                    Some(true) => view! { <p class="error" data-testid="request-tampered">{tr(
                        l,
                        "诉求数据与本期公示的校验码不符，可能被改动过，无法查询。请联系社区核实。",
                        "The requests data does not match this publication's seal (it may have been altered), so it cannot be searched. Please ask the community office.",
                    )}</p> }.into_any(),
                    Some(false) => view! { <p class="error" data-testid="request-unavailable">{tr(
                        l,
                        "暂时无法获取诉求数据（可能已离线），请稍后重试。",
                        "The requests data could not be fetched (you may be offline). Please try again later.",
                    )}</p> }.into_any(),
                }}
                {move || match result.get() {
                    None => ().into_any(),
                    Some(Lookup::Empty) => view! { <p class="error">{tr(l, "请输入查询码。", "Enter your tracking code.")}</p> }.into_any(),
                    Some(Lookup::Invalid) => view! { <p class="error" data-testid="request-invalid">{tr(
                        l,
                        "这不是有效的查询码：应为 17 位，请核对后重试（字母 O 与数字 0、字母 I/L 与数字 1 视为相同，空格和连字符可有可无）。",
                        "This is not a valid tracking code: it has 17 characters. Check it and try again (O and 0, I/L and 1 count as the same; spaces and hyphens do not matter).",
                    )}</p> }.into_any(),
                    Some(Lookup::NotFound) => view! { <p class="error" data-testid="request-not-found">{tr(
                        l,
                        "本期公示中没有这个查询码的诉求（新受理的诉求在下一期公示后才能查到）。",
                        "Not found in this publication (a request received since appears after the next publication).",
                    )}</p> }.into_any(),
                    Some(Lookup::Found(i)) => requests.with_value(|r| {
                        let q = &r.entries[i];
                        let history = q.history.iter().map(|h| view! { <li>{format!("{} {}", h.date, status_name(l, &h.status))}</li> }).collect_view();
                        // Still open past its due time at publication: say so, and since when.
                        let overdue = q.overdue_since.as_ref().map(|d| match l {
                            Lang::Zh => format!("已超期：自 {d} 起超过办理时限"),
                            Lang::En => format!("Overdue since {d} (past the promised time)"),
                        });
                        view! {
                            <div class="found" data-testid="request-result">
                                <p><strong>{status_name(l, &q.status)}</strong></p>
                                {overdue.map(|t| view! { <p class="error" data-testid="request-overdue">{t}</p> })}
                                <ol class="history">{history}</ol>
                                {(q.status == RequestStatus::Resolved.code()).then(|| intake.get_value()).flatten().map(|i| view! {
                                    <RateSlot config=form_config(l, &i, Vec::new(), input.get_untracked()) lang=l/>
                                })}
                            </div>
                        }.into_any()
                    }),
                }}
            </div>
        </section>
    }
}

/// The error page: what went wrong in plain words, and no figures.
#[component]
pub fn LoadErrorView(error: LoadError, lang: RwSignal<Lang>) -> impl IntoView {
    move || {
        let (title, text) = error.message(lang.get());
        view! {
            <section class="load-error" role="alert" data-testid="load-error">
                <h1>{title}</h1>
                <p>{text}</p>
                <button type="button" class="lang" on:click=move |_| lang.update(|x| *x = if *x == Lang::Zh { Lang::En } else { Lang::Zh })>
                    {tr(lang.get(), "English", "中文")}
                </button>
            </section>
        }
    }
}
