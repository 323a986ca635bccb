//! `#/participation` — activities and participation rates, the points bank and the
//! time bank (积分银行, 时间银行, SPEC §2.6).
//!
//! Every rule is `linli_domain::participation`'s. Writes that must keep a balance or
//! a stock from going negative go through [`Db::checked`]: the household's entries,
//! the catalogue and the next id are read in the same read-write transaction as the
//! write, so two tabs redeeming at once cannot overdraw.

use std::collections::BTreeSet;
use std::sync::Arc;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_i18n::I18nContext;
use linli_domain::model::{Activity, Building, Channel, Household, PointsEntry, Setting, TimeBankEntry};
use linli_domain::participation::points::{
    self, plan_earn_attendance, plan_redeem, plan_reversal, Catalogue, EarningRules, PointsError,
    CATALOGUE_SETTING, RULES_SETTING,
};
use linli_domain::participation::rates::{self, ActivityError, Rate, CHANNELS};
use linli_domain::participation::timebank::{self, plan_service, plan_transfer, TimeBankError};
use linli_domain::requests::calendar::local_datetime;
use linli_domain::warnings::participation_falling;
use wasm_bindgen::JsValue;

use crate::browser::now_millis;
use crate::components::form_message::{db_fail, msg_view, say, Msg};
use crate::components::labels::{self, is_zh};
use crate::db::{Batch, Db, DbError, Read, ReadResults};
use crate::i18n::*;
use crate::state::use_storage;

type Ctx = I18nContext<Locale>;

fn tr(i18n: Ctx, zh: &str, en: &str) -> String {
    if is_zh(i18n) { zh } else { en }.to_owned()
}

/// The Chinese / English name of a channel.
pub fn channel_name(i18n: Ctx, c: Channel) -> String {
    let (zh, en) = match c {
        Channel::OnlineHall => ("线上议事厅", "Online deliberation hall"),
        Channel::BuildingCorner => ("楼栋议事角", "Building corner"),
        Channel::TenantRepresentatives => ("租户代表", "Tenant representatives"),
        Channel::Volunteering => ("志愿服务", "Volunteering"),
        Channel::SkillSharing => ("技能分享", "Skill sharing"),
    };
    tr(i18n, zh, en)
}

fn points_error(i18n: Ctx, e: &PointsError) -> String {
    match e {
        PointsError::InsufficientBalance { balance, cost } => {
            if is_zh(i18n) {
                format!("积分不足：余额 {balance} 分，兑换需要 {cost} 分。未做任何更改。")
            } else {
                format!("Not enough points: balance {balance}, this needs {cost}. Nothing was changed.")
            }
        }
        PointsError::OutOfStock(_) => tr(
            i18n,
            "该项目已无库存。未做任何更改。",
            "Out of stock. Nothing was changed.",
        ),
        PointsError::UnknownItem(_) => tr(i18n, "兑换目录中没有该项目。", "No such catalogue item."),
        PointsError::AlreadyReversed(id) => {
            if is_zh(i18n) {
                format!("第 {id} 条已冲正过。")
            } else {
                format!("Entry {id} was already reversed.")
            }
        }
        PointsError::ReversalOverdraws { balance, .. } => {
            if is_zh(i18n) {
                format!("冲正后余额将为 {balance} 分（不能为负），未冲正。")
            } else {
                format!("Reversing would leave a balance of {balance} (cannot be negative); not reversed.")
            }
        }
        PointsError::BadPoints => tr(
            i18n,
            "按当前规则，此活动不计分。",
            "The current rules give no points for this activity.",
        ),
        other => other.to_string(),
    }
}

fn timebank_error(i18n: Ctx, e: &TimeBankError) -> String {
    match e {
        TimeBankError::SameHousehold => tr(
            i18n,
            "提供方和接受方不能是同一户。",
            "Giver and receiver must differ.",
        ),
        TimeBankError::BadMinutes => tr(i18n, "时长须为 1–1440 分钟。", "Minutes must be 1–1440."),
        TimeBankError::NoService => tr(i18n, "请填写服务内容。", "Name the service."),
        TimeBankError::InsufficientBalance { balance, minutes } => {
            if is_zh(i18n) {
                format!("时间余额不足：余额 {balance} 分钟，转赠 {minutes} 分钟。未做任何更改。")
            } else {
                format!(
                    "Not enough time: balance {balance} min, transfer {minutes} min. Nothing was changed."
                )
            }
        }
    }
}

fn activity_error(i18n: Ctx, e: &ActivityError) -> String {
    match e {
        ActivityError::NoTitle => tr(i18n, "请填写活动名称。", "Give the activity a title."),
        ActivityError::BadDate => tr(i18n, "日期格式应为 YYYY-MM-DD。", "Date must be YYYY-MM-DD."),
        ActivityError::BadHours => tr(i18n, "时长须在 0.1 到 24 小时之间。", "Hours must be 0.1 to 24."),
        ActivityError::UnknownHousehold(h) => {
            if is_zh(i18n) {
                format!("户编号 {h} 不在户档中。")
            } else {
                format!("Household {h} is not in the register.")
            }
        }
    }
}

/// What the page loads once per data revision.
#[derive(Debug)]
pub struct PartData {
    pub activities: Vec<Activity>,
    pub ledger: Vec<PointsEntry>,
    pub timebank: Vec<TimeBankEntry>,
    pub households: Vec<Household>,
    pub buildings: Vec<Building>,
    pub rules: EarningRules,
    pub catalogue: Catalogue,
}

async fn setting_json<T: serde::de::DeserializeOwned + Default>(db: &Db, key: &str) -> Result<T, DbError> {
    let s: Option<Setting> = db.get("settings", &JsValue::from_str(key)).await?;
    Ok(s.and_then(|s| serde_json::from_str(&s.value).ok())
        .unwrap_or_default())
}

async fn load(db: Db) -> Result<PartData, DbError> {
    Ok(PartData {
        activities: db.get_all("activities").await?,
        ledger: db.get_all("points_ledger").await?,
        timebank: db.get_all("timebank_ledger").await?,
        households: db.households().await?,
        buildings: db.get_all("buildings").await?,
        rules: setting_json(&db, RULES_SETTING).await?,
        catalogue: setting_json(&db, CATALOGUE_SETTING).await?,
    })
}

/// A setting read inside a checked write: `Default` when absent, an error when broken.
fn setting_in<T: serde::de::DeserializeOwned + Default>(
    res: &ReadResults,
    i: usize,
    key: &str,
) -> Result<T, DbError> {
    match res.record::<Setting>(i)? {
        None => Ok(T::default()),
        Some(s) => serde_json::from_str(&s.value).map_err(|e| DbError::Decode {
            store: format!("settings/{key}"),
            reason: e.to_string(),
        }),
    }
}

fn catalogue_setting(c: &Catalogue) -> Setting {
    Setting {
        key: CATALOGUE_SETTING.to_owned(),
        value: serde_json::to_string(c).unwrap_or_default(),
    }
}

fn permille(p: u32) -> String {
    format!("{}.{}%", p / 10, p % 10)
}

fn parse_id(s: &str) -> Option<u32> {
    s.trim().parse().ok().filter(|n| *n > 0)
}

/// Loaded data compared by identity.
#[derive(Debug, Clone)]
struct Shared(Arc<PartData>);
impl PartialEq for Shared {
    fn eq(&self, o: &Self) -> bool {
        Arc::ptr_eq(&self.0, &o.0)
    }
}

/// The participation page.
#[component]
pub fn ParticipationPage() -> impl IntoView {
    let i18n = use_i18n();
    let storage = use_storage();
    let data = storage.resource(|db| async move { Some(load(db).await.map(Arc::new)) });
    let current = Memo::new(move |_| match data.get() {
        Some(Some(Ok(d))) => Some(Shared(d)),
        _ => None,
    });
    // The views stay mounted across reloads (their forms keep what was typed):
    // the body changes only between loading, failed and loaded.
    let phase = Memo::new(move |_| match data.get() {
        None | Some(None) => 0u8,
        Some(Some(Err(_))) => 1,
        Some(Some(Ok(_))) => 2,
    });
    let body = move || {
        match phase.get() {
        0 => view! { <p class="muted" role="status"><span class="spinner" aria-hidden="true"></span>{t!(i18n, loading)}</p> }.into_any(),
        1 => {
            let e = match data.get_untracked() {
                Some(Some(Err(e))) => e.to_string(),
                _ => String::new(),
            };
            view! { <p class="error" role="alert">{t!(i18n, status_error)}<code>{e}</code></p> }.into_any()
        }
        _ => view! {
            <RatesView current=current/>
            <ActivitiesView current=current/>
            <PointsView current=current/>
            <TimeBankView current=current/>
        }
        .into_any(),
    }
    };
    view! {
        <article class="page part" data-page="participation">
            <h1>{move || tr(i18n, "居民参与", "Participation")}</h1>
            <p class="lead">{move || tr(i18n,
                "议事活动与志愿服务的参与率、积分银行（赚取、兑换、流水）和时间银行（服务时长、转赠家人）。",
                "Participation in meetings and volunteering, the points bank (earning, redeeming, ledger) and the time bank (hours of service, transfers to family).")}</p>
            {body}
        </article>
    }
}

fn rate_table(i18n: Ctx, caption: String, testid: &'static str, rows: Vec<(String, Rate)>) -> impl IntoView {
    let body = rows
        .into_iter()
        .map(|(label, r)| {
            view! {
                <tr>
                    <th scope="row">{label}</th>
                    <td class="num">{r.participants}</td>
                    <td class="num">{r.households}</td>
                    <td class="num">{permille(r.permille)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="data" data-testid=testid>
                <caption>{caption}</caption>
                <thead><tr>
                    <th scope="col">{tr(i18n, "分组", "Group")}</th>
                    <th scope="col" class="num">{tr(i18n, "参与户数", "Participating")}</th>
                    <th scope="col" class="num">{tr(i18n, "总户数", "Households")}</th>
                    <th scope="col" class="num">{tr(i18n, "参与率", "Rate")}</th>
                </tr></thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
}

#[component]
fn RatesView(current: Memo<Option<Shared>>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let Some(Shared(d)) = current.get() else {
            return ().into_any();
        };
        let all = rates::overall(&d.activities, &d.households);
        let by_channel: Vec<(String, Rate)> = rates::by_channel(&d.activities, &d.households)
            .into_iter()
            .zip(CHANNELS)
            .map(|(r, c)| (channel_name(i18n, c), r))
            .collect();
        let by_group: Vec<(String, Rate)> = rates::by_group(&d.activities, &d.households)
            .into_iter()
            .map(|r| (labels::group(i18n, &r.key), r))
            .collect();
        let by_building: Vec<(String, Rate)> = rates::by_building(&d.activities, &d.households, &d.buildings)
            .into_iter()
            .map(|r| (r.key.clone(), r))
            .collect();
        let leaders = rates::leaders_by_quarter(&d.activities);
        let falling = participation_falling(&d.activities);
        let target_met = all.permille > 600;
        view! {
            <section class="card" aria-labelledby="part-rates-h">
                <h2 id="part-rates-h">{tr(i18n, "参与率", "Participation rates")}</h2>
                <p data-testid="part-overall">
                    {tr(i18n, "全社区参与率：", "Community participation rate: ")}
                    <strong>{permille(all.permille)}</strong>
                    {format!(" ({}/{}) ", all.participants, all.households)}
                    <span class=if target_met { "badge ok" } else { "badge warn" }>
                        {if target_met { tr(i18n, "达到目标 > 60%", "meets target > 60%") } else { tr(i18n, "低于目标 60%", "below target 60%") }}
                    </span>
                </p>
                {(!falling.is_empty()).then(|| view! {
                    <div class="warning" role="alert" data-testid="part-falling">
                        <strong>{tr(i18n, "预警：参与人数连续三次下降", "Warning: attendance fell three activities in a row")}</strong>
                        <ul>{falling.iter().map(|f| {
                            let series = f.activities.iter().map(|(_, n)| n.to_string()).collect::<Vec<_>>().join(" → ");
                            view! { <li>{channel_name(i18n, f.channel)}{"："}{series}</li> }
                        }).collect_view()}</ul>
                    </div>
                })}
                <div class="part-grid">
                    {rate_table(i18n, tr(i18n, "按渠道", "By channel"), "part-by-channel", by_channel)}
                    {rate_table(i18n, tr(i18n, "按居民群体", "By resident group"), "part-by-group", by_group)}
                </div>
                <details>
                    <summary>{tr(i18n, "按楼栋", "By building")}</summary>
                    {rate_table(i18n, tr(i18n, "按楼栋", "By building"), "part-by-building", by_building)}
                </details>
                <h3>{tr(i18n, "居民骨干（季度内参加 ≥ 3 次活动）", "Resident leaders (≥ 3 activities in a quarter)")}</h3>
                {if leaders.is_empty() {
                    view! { <p class="empty">{tr(i18n, "还没有活动记录。", "No activities yet.")}</p> }.into_any()
                } else {
                    view! {
                        <table class="data" data-testid="part-leaders">
                            <thead><tr>
                                <th scope="col">{tr(i18n, "季度", "Quarter")}</th>
                                <th scope="col" class="num">{tr(i18n, "骨干户数", "Leaders")}</th>
                                <th scope="col" class="num">{tr(i18n, "环比增长", "Growth")}</th>
                            </tr></thead>
                            <tbody>{leaders.into_iter().map(|(q, n, g)| view! {
                                <tr><th scope="row">{q}</th><td class="num">{n}</td>
                                <td class="num">{g.map_or_else(|| "—".to_owned(), |g| format!("{}{}.{}%", if g < 0 { "-" } else { "" }, g.abs() / 10, g.abs() % 10))}</td></tr>
                            }).collect_view()}</tbody>
                        </table>
                    }.into_any()
                }}
            </section>
        }
        .into_any()
    }
}

#[component]
fn ActivitiesView(current: Memo<Option<Shared>>) -> impl IntoView {
    let i18n = use_i18n();
    let storage = use_storage();
    let title = RwSignal::new(String::new());
    let date = RwSignal::new(String::new());
    let channel = RwSignal::new(0usize);
    let hours = RwSignal::new("1.5".to_owned());
    let attendance = RwSignal::new(String::new());
    let msg: Msg = RwSignal::new(None);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(Shared(d)) = current.get_untracked() else {
            return;
        };
        let parse_hours = |s: &str| -> Option<u16> {
            let s = s.trim();
            let (a, b) = s.split_once('.').unwrap_or((s, "0"));
            if b.len() != 1 || a.is_empty() {
                return None;
            }
            Some(a.parse::<u16>().ok()?.checked_mul(10)? + b.parse::<u16>().ok()?)
        };
        let Some(hours_tenths) = parse_hours(&hours.get_untracked()) else {
            say(
                msg,
                Err(tr(
                    i18n,
                    "时长须为小时数，最多一位小数，如 1.5。",
                    "Hours as a number with at most one decimal, e.g. 1.5.",
                )),
            );
            return;
        };
        let mut ids = Vec::new();
        for t in attendance
            .get_untracked()
            .split(|c: char| c == ',' || c == '，' || c.is_whitespace())
            .filter(|t| !t.is_empty())
        {
            match parse_id(t) {
                Some(n) => ids.push(n),
                None => {
                    say(
                        msg,
                        Err(format!(
                            "{}{t}",
                            tr(i18n, "不是户编号：", "Not a household number: ")
                        )),
                    );
                    return;
                }
            }
        }
        let known: BTreeSet<u32> = d.households.iter().map(|h| h.id).collect();
        let a = Activity {
            id: 0,
            date: date.get_untracked().trim().to_owned(),
            title: title.get_untracked(),
            channel: CHANNELS[channel.get_untracked().min(CHANNELS.len() - 1)],
            building_id: None,
            attendance: ids,
            hours_tenths,
        };
        let a = match rates::validate_activity(a, &known) {
            Ok(a) => a,
            Err(e) => {
                say(msg, Err(activity_error(i18n, &e)));
                return;
            }
        };
        let Some(db) = storage.db() else { return };
        spawn_local(async move {
            let r = db
                .checked(
                    &["activities"],
                    vec![Read::MaxKey { store: "activities" }],
                    move |res| {
                        let mut a = a;
                        a.id = res.max_key(0) + 1;
                        let mut b = Batch::default();
                        b.add("activities", &a)?;
                        Ok(Ok::<_, ()>((b, a.id)))
                    },
                )
                .await;
            match r {
                Ok(Ok(id)) => {
                    say(
                        msg,
                        Ok(format!(
                            "{}{id}",
                            tr(i18n, "已保存活动，编号 ", "Activity saved, number ")
                        )),
                    );
                    title.set(String::new());
                    attendance.set(String::new());
                    storage.changed();
                }
                Ok(Err(())) => {}
                Err(e) => say(msg, Err(db_fail(i18n, &e))),
            }
        });
    };
    let recent = move || {
        current.get().map(|Shared(d)| {
            let mut list: Vec<Activity> = d.activities.clone();
            list.sort_by(|a, b| b.date.cmp(&a.date).then(b.id.cmp(&a.id)));
            list.truncate(12);
            list
        })
    };
    view! {
        <section class="card" aria-labelledby="part-act-h">
            <h2 id="part-act-h">{move || tr(i18n, "活动与会议", "Activities and meetings")}</h2>
            <form class="part-form" on:submit=on_submit novalidate data-testid="part-activity-form">
                <label>{move || tr(i18n, "名称", "Title")}
                    <input id="act-title" type="text" prop:value=title on:input=move |ev| title.set(event_target_value(&ev))/></label>
                <label>{move || tr(i18n, "日期", "Date")}
                    <input id="act-date" type="date" prop:value=date on:input=move |ev| date.set(event_target_value(&ev))/></label>
                <label>{move || tr(i18n, "渠道", "Channel")}
                    <select id="act-channel" on:change=move |ev| channel.set(event_target_value(&ev).parse().unwrap_or(0))>
                        {CHANNELS.iter().enumerate().map(|(k, c)| { let c = *c; view! { <option value=k.to_string()>{move || channel_name(i18n, c)}</option> } }).collect_view()}
                    </select></label>
                <label>{move || tr(i18n, "时长（小时）", "Hours")}
                    <input id="act-hours" type="text" inputmode="decimal" prop:value=hours on:input=move |ev| hours.set(event_target_value(&ev))/></label>
                <label class="wide">{move || tr(i18n, "出席户编号（空格或逗号分隔）", "Attending household numbers (space or comma separated)")}
                    <input id="act-attendance" type="text" prop:value=attendance on:input=move |ev| attendance.set(event_target_value(&ev))/></label>
                <button type="submit" class="primary">{move || tr(i18n, "保存活动", "Save activity")}</button>
            </form>
            {msg_view(msg, "part-activity-msg")}
            {move || recent().map(|list| if list.is_empty() {
                view! { <p class="empty">{tr(i18n, "还没有活动。", "No activities yet.")}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap"><table class="data" data-testid="part-activities">
                        <caption>{tr(i18n, "最近的活动", "Recent activities")}</caption>
                        <thead><tr>
                            <th scope="col" class="num">{tr(i18n, "编号", "No.")}</th>
                            <th scope="col">{tr(i18n, "日期", "Date")}</th>
                            <th scope="col">{tr(i18n, "名称", "Title")}</th>
                            <th scope="col">{tr(i18n, "渠道", "Channel")}</th>
                            <th scope="col" class="num">{tr(i18n, "出席户数", "Households")}</th>
                            <th scope="col" class="num">{tr(i18n, "时长", "Hours")}</th>
                        </tr></thead>
                        <tbody>{list.into_iter().map(|a| view! {
                            <tr>
                                <td class="num">{a.id}</td><td>{a.date.clone()}</td><td>{a.title.clone()}</td>
                                <td>{channel_name(i18n, a.channel)}</td>
                                <td class="num">{a.attendance.len()}</td>
                                <td class="num">{format!("{}.{}", a.hours_tenths / 10, a.hours_tenths % 10)}</td>
                            </tr>
                        }).collect_view()}</tbody>
                    </table></div>
                }.into_any()
            })}
        </section>
    }
}

fn reason_label(i18n: Ctx, cat: &Catalogue, reason: &str) -> String {
    if let Some(code) = reason.strip_prefix("redeem:") {
        let name = cat.item(code).map_or_else(
            || code.to_owned(),
            |i| {
                if is_zh(i18n) {
                    i.name_zh.clone()
                } else {
                    i.name_en.clone()
                }
            },
        );
        return format!("{}{name}", tr(i18n, "兑换：", "Redeemed: "));
    }
    if reason == points::REVERSAL {
        return tr(i18n, "冲正", "Reversal");
    }
    let rule = reason.strip_prefix("earn:").unwrap_or(reason);
    let (rule, act) = rule.split_once("@a").map_or((rule, None), |(r, a)| (r, Some(a)));
    let name = match rule {
        "deliberation" => tr(i18n, "议事", "Deliberation"),
        "volunteering" => tr(i18n, "志愿服务", "Volunteering"),
        "skill_sharing" => tr(i18n, "技能分享", "Skill sharing"),
        other => other.to_owned(),
    };
    match act {
        Some(a) => format!(
            "{}{name}（{}{a}）",
            tr(i18n, "赚取：", "Earned: "),
            tr(i18n, "活动 ", "activity ")
        ),
        None => format!("{}{name}", tr(i18n, "赚取：", "Earned: ")),
    }
}

#[component]
fn PointsView(current: Memo<Option<Shared>>) -> impl IntoView {
    let i18n = use_i18n();
    let storage = use_storage();
    // Quick entry from an attendance list.
    let act_pick = RwSignal::new(None::<u32>);
    let unticked = RwSignal::new(BTreeSet::<u32>::new());
    let earn_msg: Msg = RwSignal::new(None);
    let on_earn = move |_| {
        let (Some(Shared(d)), Some(aid)) = (current.get_untracked(), act_pick.get_untracked()) else {
            return;
        };
        let Some(act) = d.activities.iter().find(|a| a.id == aid).cloned() else {
            return;
        };
        let skip = unticked.get_untracked();
        let chosen: Vec<u32> = act
            .attendance
            .iter()
            .copied()
            .filter(|h| !skip.contains(h))
            .collect();
        if chosen.is_empty() {
            say(
                earn_msg,
                Err(tr(i18n, "请至少勾选一户。", "Tick at least one household.")),
            );
            return;
        }
        let Some(db) = storage.db() else { return };
        let at = now_millis();
        spawn_local(async move {
            let reads = vec![
                Read::All {
                    store: "points_ledger",
                },
                Read::MaxKey {
                    store: "points_ledger",
                },
                Read::Get {
                    store: "settings",
                    key: JsValue::from_str(RULES_SETTING),
                },
            ];
            let r = db
                .checked(&["points_ledger"], reads, move |res| {
                    let ledger: Vec<PointsEntry> = res.records(0)?;
                    let rules: EarningRules = setting_in(res, 2, RULES_SETTING)?;
                    Ok(
                        match plan_earn_attendance(&ledger, &rules, &act, &chosen, res.max_key(1) + 1, at) {
                            Ok((entries, skipped)) => {
                                let mut b = Batch::default();
                                for e in &entries {
                                    b.add("points_ledger", e)?;
                                }
                                Ok((
                                    b,
                                    (
                                        entries.len(),
                                        skipped.len(),
                                        entries.first().map_or(0, |e| e.delta),
                                    ),
                                ))
                            }
                            Err(e) => Err(e),
                        },
                    )
                })
                .await;
            match r {
                Ok(Ok((n, skipped, pts))) => {
                    let text = if is_zh(i18n) {
                        format!("已为 {n} 户各记 {pts} 分；{skipped} 户此前已为本活动记分，未重复记。")
                    } else {
                        format!("{n} households earned {pts} points each; {skipped} already credited for this activity were skipped.")
                    };
                    say(earn_msg, Ok(text));
                    storage.changed();
                }
                Ok(Err(e)) => say(earn_msg, Err(points_error(i18n, &e))),
                Err(e) => say(earn_msg, Err(db_fail(i18n, &e))),
            }
        });
    };

    // Redemption.
    let redeem_hh = RwSignal::new(String::new());
    let redeem_item = RwSignal::new(String::new());
    let redeem_msg: Msg = RwSignal::new(None);
    let on_redeem = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(Shared(d)) = current.get_untracked() else {
            return;
        };
        let Some(hid) =
            parse_id(&redeem_hh.get_untracked()).filter(|h| d.households.iter().any(|x| x.id == *h))
        else {
            say(
                redeem_msg,
                Err(tr(
                    i18n,
                    "请输入户档中存在的户编号。",
                    "Enter a household number from the register.",
                )),
            );
            return;
        };
        let item = {
            let v = redeem_item.get_untracked();
            if v.is_empty() {
                d.catalogue
                    .items
                    .first()
                    .map(|i| i.code.clone())
                    .unwrap_or_default()
            } else {
                v
            }
        };
        let Some(db) = storage.db() else { return };
        let at = now_millis();
        spawn_local(async move {
            let reads = vec![
                Read::Index {
                    store: "points_ledger",
                    index: "by_household",
                    key: JsValue::from(hid),
                },
                Read::Get {
                    store: "settings",
                    key: JsValue::from_str(CATALOGUE_SETTING),
                },
                Read::MaxKey {
                    store: "points_ledger",
                },
            ];
            let r = db
                .checked(&["points_ledger", "settings"], reads, move |res| {
                    let entries: Vec<PointsEntry> = res.records(0)?;
                    let cat: Catalogue = setting_in(res, 1, CATALOGUE_SETTING)?;
                    Ok(
                        match plan_redeem(&entries, &cat, hid, &item, res.max_key(2) + 1, at) {
                            Ok(r) => {
                                let mut b = Batch::default();
                                b.add("points_ledger", &r.entry)?;
                                b.put("settings", &catalogue_setting(&r.catalogue))?;
                                let left = points::balance(&entries, hid) + r.entry.delta;
                                Ok((b, left))
                            }
                            Err(e) => Err(e),
                        },
                    )
                })
                .await;
            match r {
                Ok(Ok(left)) => {
                    let text = if is_zh(i18n) {
                        format!("已兑换。第 {hid} 户余额 {left} 分。")
                    } else {
                        format!("Redeemed. Household {hid} has {left} points left.")
                    };
                    say(redeem_msg, Ok(text));
                    storage.changed();
                }
                Ok(Err(e)) => say(redeem_msg, Err(points_error(i18n, &e))),
                Err(e) => say(redeem_msg, Err(db_fail(i18n, &e))),
            }
        });
    };

    // Ledger of one household.
    let ledger_hh = RwSignal::new(String::new());
    let ledger_msg: Msg = RwSignal::new(None);
    let reverse = move |hid: u32, target: u32| {
        let Some(db) = storage.db() else { return };
        let at = now_millis();
        spawn_local(async move {
            let reads = vec![
                Read::Index {
                    store: "points_ledger",
                    index: "by_household",
                    key: JsValue::from(hid),
                },
                Read::Get {
                    store: "settings",
                    key: JsValue::from_str(CATALOGUE_SETTING),
                },
                Read::MaxKey {
                    store: "points_ledger",
                },
            ];
            let r = db
                .checked(&["points_ledger", "settings"], reads, move |res| {
                    let entries: Vec<PointsEntry> = res.records(0)?;
                    let cat: Catalogue = setting_in(res, 1, CATALOGUE_SETTING)?;
                    Ok(
                        match plan_reversal(&entries, &cat, hid, target, res.max_key(2) + 1, at) {
                            Ok((e, c)) => {
                                let mut b = Batch::default();
                                b.add("points_ledger", &e)?;
                                if c != cat {
                                    b.put("settings", &catalogue_setting(&c))?;
                                }
                                Ok((b, ()))
                            }
                            Err(e) => Err(e),
                        },
                    )
                })
                .await;
            match r {
                Ok(Ok(())) => {
                    say(
                        ledger_msg,
                        Ok(format!("{}{target}", tr(i18n, "已冲正第 ", "Reversed entry "))),
                    );
                    storage.changed();
                }
                Ok(Err(e)) => say(ledger_msg, Err(points_error(i18n, &e))),
                Err(e) => say(ledger_msg, Err(db_fail(i18n, &e))),
            }
        });
    };

    let activity_options = move || {
        current.get().map(|Shared(d)| {
            let mut list: Vec<Activity> = d.activities.clone();
            list.sort_by(|a, b| b.date.cmp(&a.date).then(b.id.cmp(&a.id)));
            list
        })
    };

    view! {
        <section class="card" aria-labelledby="part-points-h">
            <h2 id="part-points-h">{move || tr(i18n, "积分银行", "Points bank")}</h2>
            <p class="muted small">{move || current.get().map(|Shared(d)| if is_zh(i18n) {
                format!("规则：议事每次 {} 分，志愿服务每小时 {} 分，技能分享每次 {} 分。流水只增不改，更正以冲正记录。", d.rules.deliberation_per_meeting, d.rules.volunteering_per_hour, d.rules.skill_sharing_per_session)
            } else {
                format!("Rules: deliberation {} per meeting, volunteering {} per hour, skill sharing {} per session. The ledger is append-only; corrections are reversals.", d.rules.deliberation_per_meeting, d.rules.volunteering_per_hour, d.rules.skill_sharing_per_session)
            })}</p>

            <h3>{move || tr(i18n, "按出席名单记分", "Earn from an attendance list")}</h3>
            <label>{move || tr(i18n, "活动", "Activity")}" "
                <select id="earn-activity" data-testid="earn-activity" on:change=move |ev| {
                    act_pick.set(event_target_value(&ev).parse().ok());
                    unticked.set(BTreeSet::new());
                    earn_msg.set(None);
                }>
                    <option value="">{move || tr(i18n, "— 选择活动 —", "— choose an activity —")}</option>
                    {move || activity_options().unwrap_or_default().into_iter().map(|a| {
                        let label = format!("{} {} · {}", a.id, a.date, a.title);
                        view! { <option value=a.id.to_string() selected=act_pick.get_untracked() == Some(a.id)>{label}</option> }
                    }).collect_view()}
                </select>
            </label>
            {move || {
                let (Some(Shared(d)), Some(aid)) = (current.get(), act_pick.get()) else { return ().into_any() };
                let Some(act) = d.activities.iter().find(|a| a.id == aid).cloned() else { return ().into_any() };
                let pts = d.rules.points_for(act.channel, act.hours_tenths);
                let credited: BTreeSet<u32> = {
                    let reversed: BTreeSet<u32> = d.ledger.iter().filter_map(|e| e.reverses).collect();
                    d.ledger.iter().filter(|e| points::activity_of(&e.reason) == Some(aid) && !reversed.contains(&e.id)).map(|e| e.household_id).collect()
                };
                if act.attendance.is_empty() {
                    return view! { <p class="empty">{tr(i18n, "此活动没有出席记录。", "No attendance recorded for this activity.")}</p> }.into_any();
                }
                view! {
                    <fieldset class="attendance" data-testid="earn-attendance">
                        <legend>{if is_zh(i18n) { format!("出席 {} 户，每户 {pts} 分", act.attendance.len()) } else { format!("{} households attended, {pts} points each", act.attendance.len()) }}</legend>
                        {act.attendance.iter().map(|&h| {
                            let done = credited.contains(&h);
                            view! {
                                <label class="tick">
                                    <input type="checkbox" prop:checked=move || !unticked.with(|u| u.contains(&h)) disabled=done
                                        on:change=move |ev| { let on = event_target_checked(&ev); unticked.update(|u| { if on { u.remove(&h); } else { u.insert(h); } }); }/>
                                    {h.to_string()}{done.then(|| tr(i18n, "（已记）", " (credited)"))}
                                </label>
                            }
                        }).collect_view()}
                    </fieldset>
                    <button type="button" class="primary" data-testid="earn-submit" on:click=on_earn>{tr(i18n, "为勾选的户记分", "Credit ticked households")}</button>
                }.into_any()
            }}
            {msg_view(earn_msg, "earn-msg")}

            <h3>{move || tr(i18n, "兑换", "Redeem")}</h3>
            <form class="part-form" on:submit=on_redeem novalidate data-testid="redeem-form">
                <label>{move || tr(i18n, "户编号", "Household number")}
                    <input id="redeem-household" type="text" inputmode="numeric" prop:value=redeem_hh on:input=move |ev| redeem_hh.set(event_target_value(&ev))/></label>
                <label>{move || tr(i18n, "兑换项目", "Item")}
                    <select id="redeem-item" on:change=move |ev| redeem_item.set(event_target_value(&ev))>
                        {move || current.get().map(|Shared(d)| d.catalogue.items.iter().map(|i| {
                            let label = format!("{}（{} {}，{} {}）", if is_zh(i18n) { &i.name_zh } else { &i.name_en }, i.cost, tr(i18n, "分", "points"), tr(i18n, "库存", "stock"), i.stock);
                            view! { <option value=i.code.clone() selected=redeem_item.get_untracked() == i.code>{label}</option> }
                        }).collect_view())}
                    </select></label>
                <button type="submit" class="primary">{move || tr(i18n, "兑换", "Redeem")}</button>
            </form>
            {msg_view(redeem_msg, "redeem-msg")}
            {move || current.get().map(|Shared(d)| view! {
                <table class="data" data-testid="catalogue">
                    <caption>{tr(i18n, "兑换目录", "Catalogue")}</caption>
                    <thead><tr><th scope="col">{tr(i18n, "项目", "Item")}</th><th scope="col" class="num">{tr(i18n, "所需积分", "Points")}</th><th scope="col" class="num">{tr(i18n, "库存", "Stock")}</th></tr></thead>
                    <tbody>{d.catalogue.items.iter().map(|i| view! {
                        <tr data-code=i.code.clone()><th scope="row">{if is_zh(i18n) { i.name_zh.clone() } else { i.name_en.clone() }}</th><td class="num">{i.cost}</td><td class="num stock">{i.stock}</td></tr>
                    }).collect_view()}</tbody>
                </table>
            })}

            <h3>{move || tr(i18n, "余额与流水", "Balances and ledger")}</h3>
            <label>{move || tr(i18n, "查看户编号", "Household number")}" "
                <input id="ledger-household" type="text" inputmode="numeric" prop:value=ledger_hh on:input=move |ev| { ledger_hh.set(event_target_value(&ev)); ledger_msg.set(None); }/></label>
            {msg_view(ledger_msg, "ledger-msg")}
            {move || {
                let Some(Shared(d)) = current.get() else { return ().into_any() };
                match parse_id(&ledger_hh.get()) {
                    Some(hid) => {
                        let hist = points::history(&d.ledger, hid);
                        let reversed: BTreeSet<u32> = hist.iter().filter_map(|e| e.reverses).collect();
                        let bal = points::balance(&d.ledger, hid);
                        view! {
                            <p data-testid="ledger-balance">{if is_zh(i18n) { format!("第 {hid} 户余额：{bal} 分") } else { format!("Household {hid} balance: {bal} points") }}</p>
                            {if hist.is_empty() {
                                view! { <p class="empty">{tr(i18n, "没有流水。", "No entries.")}</p> }.into_any()
                            } else {
                                view! {
                                    <div class="table-wrap"><table class="data" data-testid="ledger-history">
                                        <thead><tr>
                                            <th scope="col" class="num">{tr(i18n, "编号", "No.")}</th>
                                            <th scope="col">{tr(i18n, "时间", "Time")}</th>
                                            <th scope="col">{tr(i18n, "事由", "Reason")}</th>
                                            <th scope="col" class="num">{tr(i18n, "积分", "Points")}</th>
                                            <th scope="col">{tr(i18n, "操作", "Action")}</th>
                                        </tr></thead>
                                        <tbody>{hist.iter().map(|e| {
                                            let can = e.reverses.is_none() && !reversed.contains(&e.id);
                                            let target = e.id;
                                            view! {
                                                <tr>
                                                    <td class="num">{e.id}</td>
                                                    <td>{local_datetime(e.at)}</td>
                                                    <td>{reason_label(i18n, &d.catalogue, &e.reason)}{e.reverses.map(|r| format!(" #{r}"))}</td>
                                                    <td class="num">{format!("{:+}", e.delta)}</td>
                                                    <td>{can.then(|| view! { <button type="button" class="small" on:click=move |_| reverse(hid, target)>{tr(i18n, "冲正", "Reverse")}</button> })}</td>
                                                </tr>
                                            }
                                        }).collect_view()}</tbody>
                                    </table></div>
                                }.into_any()
                            }}
                        }.into_any()
                    }
                    None => {
                        let mut top: Vec<(u32, i64)> = points::balances(&d.ledger).into_iter().collect();
                        top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                        top.truncate(10);
                        view! {
                            <table class="data" data-testid="balances-top">
                                <caption>{tr(i18n, "余额最高的 10 户（输入户编号查看流水）", "Top 10 balances (enter a household number for its ledger)")}</caption>
                                <thead><tr><th scope="col" class="num">{tr(i18n, "户编号", "Household")}</th><th scope="col" class="num">{tr(i18n, "余额", "Balance")}</th></tr></thead>
                                <tbody>{top.into_iter().map(|(h, b)| view! { <tr><td class="num">{h}</td><td class="num">{b}</td></tr> }).collect_view()}</tbody>
                            </table>
                        }.into_any()
                    }
                }
            }}
        </section>
    }
}

#[component]
fn TimeBankView(current: Memo<Option<Shared>>) -> impl IntoView {
    let i18n = use_i18n();
    let storage = use_storage();
    let giver = RwSignal::new(String::new());
    let receiver = RwSignal::new(String::new());
    let minutes = RwSignal::new("60".to_owned());
    let service = RwSignal::new(String::new());
    let transfer = RwSignal::new(false);
    let msg: Msg = RwSignal::new(None);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(Shared(d)) = current.get_untracked() else {
            return;
        };
        let exists = |s: &str| parse_id(s).filter(|h| d.households.iter().any(|x| x.id == *h));
        let (Some(from), Some(to)) = (exists(&giver.get_untracked()), exists(&receiver.get_untracked()))
        else {
            say(
                msg,
                Err(tr(
                    i18n,
                    "请输入户档中存在的两个户编号。",
                    "Enter two household numbers from the register.",
                )),
            );
            return;
        };
        let Ok(mins) = minutes.get_untracked().trim().parse::<u32>() else {
            say(msg, Err(timebank_error(i18n, &TimeBankError::BadMinutes)));
            return;
        };
        let is_transfer = transfer.get_untracked();
        let what = service.get_untracked();
        let Some(db) = storage.db() else { return };
        let at = now_millis();
        spawn_local(async move {
            let reads = vec![
                Read::Index {
                    store: "timebank_ledger",
                    index: "by_giver",
                    key: JsValue::from(from),
                },
                Read::Index {
                    store: "timebank_ledger",
                    index: "by_receiver",
                    key: JsValue::from(from),
                },
                Read::MaxKey {
                    store: "timebank_ledger",
                },
            ];
            let r = db
                .checked(&["timebank_ledger"], reads, move |res| {
                    let mut mine: Vec<TimeBankEntry> = res.records(0)?;
                    mine.extend(res.records::<TimeBankEntry>(1)?);
                    let id = res.max_key(2) + 1;
                    let planned = if is_transfer {
                        plan_transfer(&mine, from, to, mins, id, at)
                    } else {
                        plan_service(from, to, mins, &what, id, at)
                    };
                    Ok(match planned {
                        Ok(e) => {
                            let mut b = Batch::default();
                            b.add("timebank_ledger", &e)?;
                            Ok((b, ()))
                        }
                        Err(e) => Err(e),
                    })
                })
                .await;
            match r {
                Ok(Ok(())) => {
                    say(
                        msg,
                        Ok(tr(i18n, "已记入时间银行。", "Recorded in the time bank.")),
                    );
                    storage.changed();
                }
                Ok(Err(e)) => say(msg, Err(timebank_error(i18n, &e))),
                Err(e) => say(msg, Err(db_fail(i18n, &e))),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="part-tb-h">
            <h2 id="part-tb-h">{move || tr(i18n, "时间银行", "Time bank")}</h2>
            <p class="muted small">{move || tr(i18n,
                "低龄老人服务高龄老人：提供服务的户存入时长，接受服务的户支出时长；存入的时长可转赠家人（不能超过余额）。",
                "Younger elders serve older elders: the giver banks the time, the receiver spends it; banked time can be transferred to family (never more than the balance).")}</p>
            <form class="part-form" on:submit=on_submit novalidate data-testid="timebank-form">
                <label class="tick"><input type="checkbox" prop:checked=transfer on:change=move |ev| transfer.set(event_target_checked(&ev))/>{move || tr(i18n, "转赠家人", "Transfer to family")}</label>
                <label>{move || if transfer.get() { tr(i18n, "转出户编号", "From household") } else { tr(i18n, "服务提供户", "Giver household") }}
                    <input id="tb-giver" type="text" inputmode="numeric" prop:value=giver on:input=move |ev| giver.set(event_target_value(&ev))/></label>
                <label>{move || if transfer.get() { tr(i18n, "家人户编号", "Family household") } else { tr(i18n, "服务接受户", "Receiver household") }}
                    <input id="tb-receiver" type="text" inputmode="numeric" prop:value=receiver on:input=move |ev| receiver.set(event_target_value(&ev))/></label>
                <label>{move || tr(i18n, "分钟", "Minutes")}
                    <input id="tb-minutes" type="text" inputmode="numeric" prop:value=minutes on:input=move |ev| minutes.set(event_target_value(&ev))/></label>
                {move || (!transfer.get()).then(|| view! {
                    <label>{tr(i18n, "服务内容", "Service")}
                        <input id="tb-service" type="text" prop:value=service on:input=move |ev| service.set(event_target_value(&ev))/></label>
                })}
                <button type="submit" class="primary">{move || tr(i18n, "记入", "Record")}</button>
            </form>
            {msg_view(msg, "timebank-msg")}
            {move || current.get().map(|Shared(d)| {
                let acc = timebank::accounts(&d.timebank);
                if acc.is_empty() {
                    return view! { <p class="empty">{tr(i18n, "时间银行还没有记录。", "No time-bank entries yet.")}</p> }.into_any();
                }
                let mut rows: Vec<(u32, timebank::TimeAccount)> = acc.into_iter().collect();
                rows.sort_by(|a, b| b.1.given.cmp(&a.1.given).then(a.0.cmp(&b.0)));
                rows.truncate(12);
                let h = |m: u64| format!("{}.{}", m / 60, m % 60 * 10 / 60);
                view! {
                    <div class="table-wrap"><table class="data" data-testid="timebank-accounts">
                        <caption>{tr(i18n, "服务时长最多的 12 户（小时）", "Top 12 givers (hours)")}</caption>
                        <thead><tr>
                            <th scope="col" class="num">{tr(i18n, "户编号", "Household")}</th>
                            <th scope="col" class="num">{tr(i18n, "提供", "Given")}</th>
                            <th scope="col" class="num">{tr(i18n, "接受", "Received")}</th>
                            <th scope="col" class="num">{tr(i18n, "转入", "In")}</th>
                            <th scope="col" class="num">{tr(i18n, "转出", "Out")}</th>
                            <th scope="col" class="num">{tr(i18n, "余额（分钟）", "Balance (min)")}</th>
                        </tr></thead>
                        <tbody>{rows.into_iter().map(|(id, a)| view! {
                            <tr><td class="num">{id}</td><td class="num">{h(a.given)}</td><td class="num">{h(a.received)}</td>
                            <td class="num">{h(a.transferred_in)}</td><td class="num">{h(a.transferred_out)}</td><td class="num">{a.balance()}</td></tr>
                        }).collect_view()}</tbody>
                    </table></div>
                }.into_any()
            })}
        </section>
    }
}
