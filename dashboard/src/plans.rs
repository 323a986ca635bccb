//! The decisions as adopted and the plans by stage: notice countdowns (the viewer's day,
//! China time), objections answered, approval decisions, every spending item, budget
//! changes, final accounts and evaluation; the PB outcome and the reserve releases.

use leptos::prelude::*;
use linli_domain::snapshot::{Cell, Content, PbOutcome, PlanPublic};

// Every part is built by the few helpers below and erased to `AnyView`, so the page's
// code does not grow with each kind of table (the bundle's first-load budget).

use crate::{day_of, pct, tr, yuan, Lang};

/// Stages in the order residents read them: what they can still object to first.
const ORDER: [&str; 10] = [
    "notice",
    "change_notice",
    NOTICE_OVER,
    "council",
    "assessment",
    "street_review",
    "execution",
    "accounts",
    "closed",
    "draft",
];

/// The stage shown for a plan whose notice (or budget-change notice) is recorded as
/// running but whose last day has passed by the viewer's day: the badge follows the same
/// day logic as the countdown text (issue #17 item 10), not the publication's day.
const NOTICE_OVER: &str = "notice_over";

/// The stage to show for `p` on the viewer's `today` (China time).
fn shown_stage(p: &PlanPublic, today: i64) -> &str {
    let running: Vec<i64> = p
        .notices
        .iter()
        .filter(|n| n.ended.is_none())
        .filter_map(|n| day_of(&n.last_day))
        .collect();
    let over = !running.is_empty() && running.iter().all(|&last| last < today);
    if over && (p.stage == "notice" || p.stage == "change_notice") {
        NOTICE_OVER
    } else {
        &p.stage
    }
}

/// A plan stage's name.
pub fn stage_name(l: Lang, s: &str) -> &'static str {
    match s {
        NOTICE_OVER => tr(
            l,
            "公示期已结束，待下一步",
            "Notice period over, next step pending",
        ),
        "notice" => tr(l, "公示中", "In public notice"),
        "change_notice" => tr(l, "预算调整公示中", "Budget change on notice"),
        "council" => tr(l, "待居民议事会审议", "Awaiting the residents' council"),
        "assessment" => tr(l, "待专业评估", "Awaiting the professional assessment"),
        "street_review" => tr(l, "待街道审核", "Awaiting the street review"),
        "execution" => tr(l, "实施中", "In progress"),
        "accounts" => tr(l, "已决算，待评估", "Final accounts drawn"),
        "closed" => tr(l, "已评估结项", "Evaluated and closed"),
        _ => tr(l, "退回修改", "Returned for revision"),
    }
}

pub(crate) fn funder_name(l: Lang, f: &str) -> String {
    match f {
        "government" => tr(l, "政府", "Government").to_owned(),
        "market" => tr(l, "市场", "Market").to_owned(),
        "society" => tr(l, "社会", "Society").to_owned(),
        "residents" => tr(l, "居民", "Residents").to_owned(),
        "foundation" => tr(l, "基金会", "Foundation").to_owned(),
        other => other.to_owned(),
    }
}

fn level_name(l: Lang, s: &str) -> &'static str {
    match s {
        "council" => tr(l, "居民议事会", "Residents' council"),
        "assessment" => tr(l, "专业评估", "Professional assessment"),
        _ => tr(l, "街道审核", "Street review"),
    }
}

pub(crate) fn count(l: Lang, v: Cell) -> String {
    v.map_or_else(
        || tr(l, "少于公布下限", "below publication minimum").to_owned(),
        |n| n.to_string(),
    )
}

/// The countdown of a running notice as of the viewer's `today`.
fn countdown(l: Lang, start: &str, last: &str, today: i64) -> Option<String> {
    let (s, e) = (day_of(start)?, day_of(last)?);
    Some(if today < s {
        format!("{} {start}", tr(l, "公示将于此日开始：", "Notice starts on"))
    } else if today <= e {
        let n = e - today + 1;
        match l {
            Lang::Zh => format!("公示期剩余 {n} 天（{start} 至 {last}），如有异议请向居委会反映"),
            Lang::En => format!(
                "{n} days of public notice left ({start} to {last}); objections to the residents' committee"
            ),
        }
    } else {
        format!("{} {last}", tr(l, "公示期已于此日结束：", "Notice ended on"))
    })
}

fn para(class: &'static str, testid: Option<&'static str>, t: String) -> AnyView {
    view! { <p class=class data-testid=testid>{t}</p> }.into_any()
}

fn heading(t: &'static str) -> AnyView {
    view! { <h4>{t}</h4> }.into_any()
}

fn list(items: Vec<String>) -> AnyView {
    let items: Vec<AnyView> = items
        .into_iter()
        .map(|t| view! { <li>{t}</li> }.into_any())
        .collect();
    view! { <ul class="history">{items}</ul> }.into_any()
}

/// A table: caption, column headers, each column's class (`n`: an amount, right-aligned;
/// `d`: a date, kept on one line), rows (the first cell heads its row), and a totals row.
fn table(
    caption: String,
    head: &[&'static str],
    cls: &'static [&'static str],
    rows: Vec<Vec<String>>,
    foot: Option<Vec<String>>,
    row_testid: Option<&'static str>,
) -> AnyView {
    let cells = move |row: Vec<String>| -> Vec<AnyView> {
        row.into_iter()
            .enumerate()
            .map(|(i, c)| {
                let class = cls.get(i).copied().unwrap_or("");
                if i == 0 {
                    view! { <th scope="row" class=class>{c}</th> }.into_any()
                } else {
                    view! { <td class=class>{c}</td> }.into_any()
                }
            })
            .collect()
    };
    let head: Vec<AnyView> = head
        .iter()
        .map(|h| view! { <th scope="col">{*h}</th> }.into_any())
        .collect();
    let rows: Vec<AnyView> = rows
        .into_iter()
        .map(|r| view! { <tr data-testid=row_testid>{cells(r)}</tr> }.into_any())
        .collect();
    let foot = foot.map(|f| view! { <tfoot><tr>{cells(f)}</tr></tfoot> });
    view! {
        <div class="table-wrap"><table>
            <caption>{caption}</caption>
            <thead><tr>{head}</tr></thead>
            <tbody>{rows}</tbody>
            {foot}
        </table></div>
    }
    .into_any()
}

/// The first character of a free text that [`mark_redactions`] replaced: the rest is the
/// day of the redaction. No published text starts with it (control characters are not
/// published), and `file::decode` has checked the texts against the content's `texts_sha256`.
const REDACTED: char = '\u{1}';

/// Marks each redacted free text of `c` (`linli_domain::snapshot::freetext`) in place, once
/// after decoding, so that [`shown`] labels it in the page's language: no copy of the
/// snapshot (the bundle's size budget has no room for cloning `Content`).
pub fn mark_redactions(c: &mut Content) {
    if c.texts.redacted.is_empty() {
        return;
    }
    let red = std::mem::take(&mut c.texts.redacted);
    linli_domain::snapshot::freetext::for_each_text(c, |path, t| {
        if let Some(r) = red.get(path) {
            *t = format!("{REDACTED}{}", r.on);
        }
    });
    c.texts.redacted = red;
}

/// A free text as shown: a redacted one ([`mark_redactions`]) as "已于 DATE 删除（已遮盖）" /
/// "redacted on DATE".
pub fn shown(l: Lang, t: &str) -> String {
    match t.strip_prefix(REDACTED) {
        Some(on) => match l {
            Lang::Zh => format!("已于 {on} 删除（已遮盖）"),
            Lang::En => format!("redacted on {on}"),
        },
        None => t.to_owned(),
    }
}

/// Every plan, grouped by stage.
pub fn plans_view(c: &Content, l: Lang, today: i64) -> AnyView {
    let groups: Vec<AnyView> = ORDER
        .iter()
        .filter_map(|stage| {
            let plans: Vec<AnyView> = c
                .plans
                .iter()
                .filter(|p| shown_stage(p, today) == *stage)
                .map(|p| plan(c, p, l, today))
                .collect();
            (!plans.is_empty()).then(|| {
                let title = format!("{}（{}）", stage_name(l, stage), plans.len());
                view! {
                    <section class="stage-group" data-testid="stage-group" data-stage=*stage>
                        <h3>{title}</h3>
                        <ul class="plans">{plans}</ul>
                    </section>
                }
                .into_any()
            })
        })
        .collect();
    let empty = c
        .plans
        .is_empty()
        .then(|| tr(l, "暂无公示过的项目。", "No project has been on notice yet."));
    view! {
        <section class="block" aria-labelledby="plans-h">
            <h2 id="plans-h">{tr(l, "项目进度与公示", "Projects and public notices")}</h2>
            <p>{empty}</p>
            {groups}
        </section>
    }
    .into_any()
}

fn meter(label: &'static str, pct_: i64, class: &'static str) -> AnyView {
    view! {
        <div class="meter-row">
            <span>{label}</span>
            <div class=class role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=pct_.to_string()
                aria-label=format!("{label} {pct_}%")>
                <div style=format!("width:{pct_}%")></div>
            </div>
            <span class="n">{format!("{pct_}%")}</span>
        </div>
    }
    .into_any()
}

fn plan(c: &Content, p: &PlanPublic, l: Lang, today: i64) -> AnyView {
    let spent_pct = if p.budget_fen > 0 {
        (p.spent_fen.max(0) * 100 / p.budget_fen).min(100)
    } else {
        0
    };
    let mut top: Vec<AnyView> = vec![
        meter(tr(l, "进度", "Progress"), i64::from(p.progress_pct), "meter"),
        meter(tr(l, "支出", "Spent"), spent_pct, "meter spent"),
        para(
            "small",
            None,
            format!("{} / {}", yuan(p.spent_fen), yuan(p.budget_fen)),
        ),
    ];
    let running: Vec<String> = p
        .notices
        .iter()
        .filter(|n| n.ended.is_none())
        .filter_map(|n| countdown(l, &n.start, &n.last_day, today))
        .collect();
    if running.is_empty() {
        if let Some(n) = p.notices.last() {
            let t = format!(
                "{} {} – {}",
                tr(l, "公示期", "Public notice"),
                n.start,
                n.last_day
            );
            top.push(para("small", None, t));
        }
    }
    for n in running {
        top.push(para("notice-line", Some("countdown"), n));
    }
    if p.objection_count > 0 {
        let all = p.objections_answered == p.objection_count;
        let t = match (l, all) {
            (Lang::Zh, true) => format!("{} 条异议，均已答复", p.objection_count),
            (Lang::Zh, false) => format!("{} 条异议，{} 条已答复", p.objection_count, p.objections_answered),
            (Lang::En, true) => format!("{} objections, all answered", p.objection_count),
            (Lang::En, false) => format!(
                "{} objections, {} answered",
                p.objection_count, p.objections_answered
            ),
        };
        top.push(para("small", Some("objections"), t));
    }
    let details = details(c, p, l);
    view! {
        <li class="plan" data-testid="plan" data-id=p.id.to_string()>
            <div class="plan-head"><strong>{shown(l, &p.title)}</strong><span class=format!("stage {}", shown_stage(p, today)) data-testid="stage-badge">{stage_name(l, shown_stage(p, today))}</span></div>
            {top}
            <details>
                <summary>{tr(l, "详情：审批、每笔支出、决算", "Details: approvals, every spending item, accounts")}</summary>
                {details}
            </details>
        </li>
    }
    .into_any()
}

/// A plan's details: description, reserve releases, stages, objections, approvals,
/// spending items, budget changes, milestones, final accounts, evaluation.
fn details(c: &Content, p: &PlanPublic, l: Lang) -> Vec<AnyView> {
    let mut v = vec![para("", None, shown(l, &p.description))];
    for r in c.reserve_releases.iter().filter(|r| r.plan_id == p.id) {
        let t = format!(
            "{} {} {}：{}",
            r.date,
            tr(l, "应急储备金拨付", "Reserve released"),
            yuan(r.amount_fen),
            shown(l, &r.reason)
        );
        v.push(para("small", None, t));
    }
    v.push(heading(tr(l, "阶段记录", "Stages")));
    v.push(list(
        p.stages
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let why = if s.reason.is_empty() {
                    String::new()
                } else {
                    format!("：{}", shown(l, &s.reason))
                };
                // The first entry is the draft's creation; a later draft, a rejection.
                let name = if i == 0 {
                    tr(l, "草案创建", "Draft created")
                } else {
                    stage_name(l, &s.stage)
                };
                format!("{} {name}{why}", s.date)
            })
            .collect(),
    ));
    if !p.objections.is_empty() {
        let rows = p
            .objections
            .iter()
            .map(|o| {
                let answer = match (&o.response, &o.response_date) {
                    (Some(r), Some(d)) => format!("{d} {}", shown(l, r)),
                    _ => tr(l, "尚未答复", "Not answered yet").to_owned(),
                };
                vec![o.date.clone(), shown(l, &o.summary), answer]
            })
            .collect();
        let head = [
            tr(l, "日期", "Date"),
            tr(l, "异议（摘要）", "Objection (summary)"),
            tr(l, "答复", "Response"),
        ];
        v.push(table(
            tr(l, "异议与答复", "Objections and responses").to_owned(),
            &head,
            &["d"],
            rows,
            None,
            Some("objection"),
        ));
    }
    if !p.approvals.is_empty() {
        let rows = p
            .approvals
            .iter()
            .map(|a| {
                let detail = match (&a.council, &a.conclusion, &a.reference) {
                    (Some(v), _, _) => match l {
                        Lang::Zh => format!(
                            "赞成 {}，反对 {}，弃权 {}，{}",
                            v.votes_for,
                            v.votes_against,
                            v.abstain,
                            if v.quorum_met {
                                "达到法定人数"
                            } else {
                                "未达法定人数"
                            }
                        ),
                        Lang::En => format!(
                            "for {}, against {}, abstain {}, quorum {}",
                            v.votes_for,
                            v.votes_against,
                            v.abstain,
                            if v.quorum_met { "met" } else { "not met" }
                        ),
                    },
                    (_, Some(c), _) => shown(l, c),
                    (_, _, Some(r)) => shown(l, r),
                    _ => String::new(),
                };
                let mut result = if a.approved {
                    tr(l, "通过", "Approved")
                } else {
                    tr(l, "不通过", "Rejected")
                }
                .to_owned();
                if !a.reason.is_empty() {
                    result.push_str(&format!("：{}", shown(l, &a.reason)));
                }
                vec![level_name(l, &a.level).to_owned(), a.date.clone(), result, detail]
            })
            .collect();
        let head = [
            tr(l, "层级", "Level"),
            tr(l, "日期", "Date"),
            tr(l, "结果", "Decision"),
            tr(l, "说明", "Details"),
        ];
        v.push(table(
            tr(l, "三级审批", "Approval at three levels").to_owned(),
            &head,
            &["", "d"],
            rows,
            None,
            Some("approval"),
        ));
    }
    if !p.spending.is_empty() {
        let rows = p
            .spending
            .iter()
            .map(|e| {
                let purpose = match e.reverses {
                    Some(id) => format!("{} #{id}：{}", tr(l, "冲正", "Reversal of"), shown(l, &e.purpose)),
                    None => shown(l, &e.purpose),
                };
                vec![
                    e.date.clone(),
                    funder_name(l, &e.funder),
                    purpose,
                    yuan(e.amount_fen),
                ]
            })
            .collect();
        let head = [
            tr(l, "日期", "Date"),
            tr(l, "出资方", "Funder"),
            tr(l, "用途", "Purpose"),
            tr(l, "金额", "Amount"),
        ];
        let foot = vec![
            tr(l, "合计", "Total").to_owned(),
            String::new(),
            String::new(),
            yuan(p.spent_fen),
        ];
        v.push(table(
            tr(l, "每笔支出（元）", "Every spending item (yuan)").to_owned(),
            &head,
            &["d", "", "", "n"],
            rows,
            Some(foot),
            Some("spending-item"),
        ));
    }
    if !p.budget_changes.is_empty() {
        v.push(heading(tr(l, "预算调整", "Budget changes")));
        v.push(list(
            p.budget_changes
                .iter()
                .map(|b| {
                    let status = match b.status.as_str() {
                        "effective" => tr(l, "已生效", "in force"),
                        "on_notice" => tr(l, "公示中", "on notice"),
                        _ => tr(l, "已撤回", "withdrawn"),
                    };
                    format!(
                        "{} {} → {}（{status}）：{}",
                        b.date,
                        yuan(b.from_fen),
                        yuan(b.to_fen),
                        shown(l, &b.reason)
                    )
                })
                .collect(),
        ));
    }
    if !p.milestones.is_empty() {
        v.push(heading(tr(l, "进度节点", "Milestones")));
        v.push(list(
            p.milestones
                .iter()
                .map(|m| format!("{} {}%：{}", m.date, m.percent, shown(l, &m.note)))
                .collect(),
        ));
    }
    if let Some(a) = &p.accounts {
        let rows = a
            .lines
            .iter()
            .map(|x| {
                vec![
                    funder_name(l, &x.funder),
                    yuan(x.budget_fen),
                    yuan(x.actual_fen),
                    yuan(x.remainder_fen),
                ]
            })
            .collect();
        let head = [
            tr(l, "出资方", "Funder"),
            tr(l, "预算", "Budget"),
            tr(l, "实际", "Actual"),
            tr(l, "结余", "Remainder"),
        ];
        let foot = vec![
            tr(l, "合计", "Total").to_owned(),
            yuan(a.budget_fen),
            yuan(a.actual_fen),
            yuan(a.remainder_fen),
        ];
        v.push(table(
            format!("{} {}", tr(l, "决算（元）", "Final accounts (yuan)"), a.date),
            &head,
            &["", "n", "n", "n"],
            rows,
            Some(foot),
            Some("account-line"),
        ));
        v.push(para(
            "small",
            None,
            format!(
                "{}{}",
                tr(l, "结余退回：", "Remainder returned to: "),
                a.returned_to
            ),
        ));
    }
    if let Some(e) = &p.evaluation {
        let share = e.satisfied_bp.map_or_else(
            || {
                tr(
                    l,
                    "满意率：人数较少，不公布",
                    "Satisfied: too few answers to publish",
                )
                .to_owned()
            },
            |b| format!("{}{}", tr(l, "满意率 ", "Satisfied "), pct(i64::from(b))),
        );
        v.push(heading(tr(l, "评估", "Evaluation")));
        v.push(para(
            "",
            Some("evaluation"),
            format!(
                "{} · {}{} · {share}",
                e.date,
                tr(l, "答卷 ", "Answers "),
                count(l, e.respondents)
            ),
        ));
        v.push(para("", None, shown(l, &e.summary)));
    }
    v
}

fn rule_name(l: Lang, r: &str) -> String {
    match r {
        "greedy_cost" | "greedy_card" => {
            tr(l, "按得票从高到低（贪心）", "Most votes first (greedy)").to_owned()
        }
        r if r.starts_with("mes") || r.starts_with("equalshares") => {
            tr(l, "均等份额法（MES）", "Method of Equal Shares").to_owned()
        }
        other => other.to_owned(),
    }
}

fn pb_block(o: &PbOutcome, l: Lang) -> [AnyView; 2] {
    let summary = format!(
        "{} {} · {} {} · {} {} · {} {} · {} {}",
        tr(l, "周期", "Period"),
        o.period,
        tr(l, "规则", "Rule"),
        rule_name(l, &o.rule),
        tr(l, "选票", "Ballots"),
        count(l, o.voters),
        tr(l, "预算", "Budget"),
        yuan(o.budget_fen),
        tr(l, "资助", "Funded"),
        yuan(o.funded_fen),
    );
    let rows = o
        .projects
        .iter()
        .map(|p| {
            let result = if p.funded {
                tr(l, "✓ 获资助", "✓ Funded")
            } else {
                tr(l, "未获资助", "Not funded")
            };
            vec![
                shown(l, &p.title),
                yuan(p.cost_fen),
                count(l, p.votes),
                result.to_owned(),
            ]
        })
        .collect();
    let head = [
        tr(l, "提案", "Proposal"),
        tr(l, "费用", "Cost"),
        tr(l, "支持票", "Votes"),
        tr(l, "结果", "Result"),
    ];
    [
        para("", None, summary),
        table(
            format!(
                "{} {}",
                tr(
                    l,
                    "参与式预算结果，采纳于",
                    "Participatory budgeting outcome, adopted"
                ),
                o.adopted_on
            ),
            &head,
            &["", "n", "n"],
            rows,
            None,
            Some("pb-project"),
        ),
    ]
}

/// The adopted PB outcomes, newest period first.
pub fn pb_view(c: &Content, l: Lang) -> Option<AnyView> {
    (!c.pb.is_empty()).then(|| {
        let blocks: Vec<AnyView> = c.pb.iter().rev().flat_map(|o| pb_block(o, l)).collect();
        view! {
            <section class="block" aria-labelledby="pb-h" data-testid="pb">
                <h2 id="pb-h">{tr(l, "居民投票决定的项目", "Projects residents voted for")}</h2>
                {blocks}
            </section>
        }
        .into_any()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_count_down_in_days_left_including_today() {
        let day = |s: &str| day_of(s).unwrap();
        let c = |today: &str| countdown(Lang::Zh, "2026-11-20", "2026-11-26", day(today)).unwrap();
        assert!(c("2026-11-19").starts_with("公示将于此日开始"));
        assert!(c("2026-11-20").contains("剩余 7 天"), "{}", c("2026-11-20"));
        assert!(c("2026-11-24").contains("剩余 3 天"));
        assert!(c("2026-11-26").contains("剩余 1 天"));
        assert!(c("2026-11-27").starts_with("公示期已于此日结束"));
        assert!(countdown(Lang::En, "2026-11-20", "2026-11-26", day("2026-11-24"))
            .unwrap()
            .starts_with("3 days of public notice left"));
        assert_eq!(countdown(Lang::Zh, "soon", "2026-11-26", 0), None);
    }

    #[test]
    fn every_stage_of_the_life_cycle_has_its_own_name() {
        let mut names: Vec<&str> = linli_domain::plans::Stage::ALL
            .iter()
            .map(|s| stage_name(Lang::Zh, s.code()))
            .collect();
        assert_eq!(stage_name(Lang::Zh, "draft"), "退回修改");
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), linli_domain::plans::Stage::ALL.len());
        // Every stage is in the page's order, once.
        for s in linli_domain::plans::Stage::ALL {
            assert_eq!(
                ORDER.iter().filter(|o| **o == s.code()).count(),
                1,
                "{}",
                s.code()
            );
        }
    }
}

#[cfg(test)]
mod redaction_tests {
    use super::*;
    use linli_domain::snapshot::{build, file, freetext, BuildOptions};

    #[test]
    fn a_redacted_field_shows_the_day_in_both_languages() {
        let d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig {
            households: 60,
            ..Default::default()
        });
        let c = build(&d, &BuildOptions::at(1_795_492_800_000)).unwrap();
        let path = format!("plans/{}/title", c.plans[0].id);
        let (text, _) = file::encode(&c);
        let red = freetext::redact_file(text.as_bytes(), &path, "2026-12-10").unwrap();
        let mut s = file::decode(&red).unwrap();
        assert_eq!(s.content.plans[0].title, "");
        mark_redactions(&mut s.content);
        let t = &s.content.plans[0].title;
        assert_eq!(shown(Lang::Zh, t), "已于 2026-12-10 删除（已遮盖）");
        assert_eq!(shown(Lang::En, t), "redacted on 2026-12-10");
        // Other texts as published, unchanged by marking.
        assert_eq!(s.content.plans[0].description, c.plans[0].description);
        assert_eq!(shown(Lang::Zh, &c.plans[0].description), c.plans[0].description);
        // Nothing redacted: nothing marked.
        let mut plain = file::decode(text.as_bytes()).unwrap();
        mark_redactions(&mut plain.content);
        assert_eq!(plain.content.plans[0].title, c.plans[0].title);
    }
}
