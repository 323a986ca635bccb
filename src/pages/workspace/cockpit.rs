//! The cockpit (数据驾驶舱): what needs the guide today, each line linking to where
//! it is handled, the days since the last backup, and the key indicators against
//! their targets. Counting is `linli_domain::cockpit`'s; the indicators are the
//! snapshot's (`linli_domain::snapshot::indicators`), so the cockpit shows what a
//! publication today would publish.

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use linli_domain::cockpit::{self, parse_last_backup, show_value, Cockpit, Inputs, Task};
use linli_domain::dataset::Dataset;
use linli_domain::money::format_yuan;
use linli_domain::plans::{NoticeKind, Stage};
use linli_domain::requests::calendar::local_day;
use linli_domain::settings::INDICATORS;
use linli_domain::snapshot::Indicator;
use linli_domain::warnings::{items_from_json, PdcaStage, ITEMS_SETTING};

use crate::browser::now_millis;
use crate::components::loaded::{load, LoadGate, Shared};
use crate::i18n::*;
use crate::pages::participation::channel_name;
use crate::pages::settings::{indicator_name, unit_name};
use crate::state::{use_storage, Route};

type Ctx = I18nContext<Locale>;

/// What the cockpit shows, computed once per load.
struct View {
    cockpit: Cockpit,
    /// The indicators, or why they cannot be computed.
    indicators: Result<Vec<Indicator>, String>,
    /// Why the improvement items setting could not be read, if so.
    items_error: Option<String>,
    /// The last backup download, if recorded.
    last_backup_at: Option<i64>,
    /// The reminder's number of days (setting or default).
    backup_due_days: i64,
    /// What the last sync exchange left (conflicts, flags, peers), if any.
    sync: Option<linli_domain::replication::local::Status>,
    /// The other devices whose last sync is [`PEER_STALE_DAYS`] old or more.
    devices_stale: Vec<linli_domain::replication::seen::Seen>,
}

fn compute(d: &Dataset, now: i64) -> View {
    let today = cockpit::today(now)
        .unwrap_or_else(|| linli_domain::plans::CivilDate::from_days(0).expect("1970-01-01 is a date"));
    let setting = |k: &str| d.settings.iter().find(|s| s.key == k).map(|s| s.value.as_str());
    let items = items_from_json(setting(ITEMS_SETTING).unwrap_or_default());
    let items_error = items.as_ref().err().map(ToString::to_string);
    let items = items.unwrap_or_default();
    let c = cockpit::count(&Inputs {
        today,
        now,
        plans: &d.plans,
        requests: &d.requests,
        activities: &d.activities,
        households: u32::try_from(d.households.len()).unwrap_or(u32::MAX),
        improvement_items: &items,
        resources: &d.resources,
        decisions: &d.decisions,
        last_backup_at: parse_last_backup(setting(cockpit::LAST_BACKUP_SETTING)),
        backup_due_days: cockpit::backup_reminder_days(setting(cockpit::BACKUP_REMINDER_SETTING)),
    });
    View {
        last_backup_at: parse_last_backup(setting(cockpit::LAST_BACKUP_SETTING)),
        backup_due_days: cockpit::backup_reminder_days(setting(cockpit::BACKUP_REMINDER_SETTING)),
        cockpit: c,
        indicators: linli_domain::snapshot::indicators(d, local_day(now)).map_err(|e| e.to_string()),
        items_error,
        sync: linli_domain::replication::local::status(d),
        devices_stale: linli_domain::replication::seen::stale(
            &d.settings,
            crate::db::device::number(),
            now,
            PEER_STALE_DAYS,
        ),
    }
}

/// Devices not exchanged with for this many days are named on the cockpit.
const PEER_STALE_DAYS: i64 = 7;

fn stage_name(i18n: Ctx, s: Stage) -> &'static str {
    match s {
        Stage::Council => t_string!(i18n, workspace.stage_council),
        Stage::Assessment => t_string!(i18n, workspace.stage_assessment),
        _ => t_string!(i18n, workspace.stage_street_review),
    }
}

fn pdca_name(i18n: Ctx, s: PdcaStage) -> &'static str {
    match s {
        PdcaStage::Plan => t_string!(i18n, workspace.pdca_plan),
        PdcaStage::Do => t_string!(i18n, workspace.pdca_do),
        PdcaStage::Check => t_string!(i18n, workspace.pdca_check),
        PdcaStage::Act => t_string!(i18n, workspace.pdca_act),
        PdcaStage::Closed => t_string!(i18n, workspace.pdca_closed),
    }
}

/// A task's line and where it is handled.
fn task_line(i18n: Ctx, t: &Task) -> (String, String) {
    let href = match (t.plan(), t.view()) {
        (Some(id), _) => Route::Plan(id).href(),
        (None, "plans") => Route::Plans.href(),
        (None, "requests") => Route::Requests.href(),
        (None, "participation") => Route::Participation.href(),
        (None, "allocation") => Route::Allocation.href(),
        (None, _) => Route::Settings.href(),
    };
    let text = match t {
        Task::NoticeEnding {
            title,
            kind,
            last_day,
            days_left,
            ..
        } => {
            let what = match kind {
                NoticeKind::Plan => t_string!(i18n, workspace.notice_plan),
                NoticeKind::BudgetChange { .. } => t_string!(i18n, workspace.notice_change),
            };
            if *days_left == 0 {
                t_string!(
                    i18n,
                    workspace.task_notice_ended,
                    title = title,
                    what = what,
                    day = last_day
                )
            } else {
                t_string!(
                    i18n,
                    workspace.task_notice_ending,
                    title = title,
                    what = what,
                    n = days_left,
                    day = last_day
                )
            }
        }
        Task::Objections {
            title, unanswered, ..
        } => {
            t_string!(i18n, workspace.task_objections, title = title, n = unanswered)
        }
        Task::Approval {
            title,
            stage,
            since,
            waiting_days,
            ..
        } => t_string!(
            i18n,
            workspace.task_approval,
            title = title,
            level = stage_name(i18n, *stage),
            since = since,
            n = waiting_days
        ),
        Task::RequestsOverdue {
            total,
            red,
            yellow,
            blue,
            oldest,
        } => t_string!(
            i18n,
            workspace.task_overdue,
            n = total,
            red = red,
            yellow = yellow,
            blue = blue,
            days = cockpit::whole_days(oldest.1)
        ),
        Task::ComplaintsRising { per_thousand } => {
            let months = per_thousand
                .iter()
                .map(|(m, v)| format!("{m} {v}‰"))
                .collect::<Vec<_>>()
                .join(t_string!(i18n, common.sep_list));
            t_string!(i18n, workspace.task_complaints, months = months)
        }
        Task::SatisfactionLow { permille, rated } => t_string!(
            i18n,
            workspace.task_satisfaction,
            pct = format!("{}.{}", permille / 10, permille % 10),
            n = rated
        ),
        Task::ParticipationFalling { channel } => {
            t_string!(
                i18n,
                workspace.task_falling,
                channel = channel_name(i18n, *channel)
            )
        }
        Task::Improvement { id, trigger, stage } => t_string!(
            i18n,
            workspace.task_improvement,
            id = id,
            trigger = if trigger == linli_domain::warnings::TRIGGER_SATISFACTION {
                t_string!(i18n, workspace.trigger_satisfaction).to_owned()
            } else {
                trigger.clone()
            },
            stage = pdca_name(i18n, *stage)
        ),
        Task::Unallocated {
            period,
            resources,
            money_fen,
        } => t_string!(
            i18n,
            workspace.task_unallocated,
            period = period,
            n = resources,
            money = format_yuan(*money_fen)
        ),
        Task::Unspent {
            period,
            money_fen,
            spent_fen,
            left_fen,
        } => t_string!(
            i18n,
            workspace.task_unspent,
            period = period,
            left = format_yuan(*left_fen),
            money = format_yuan(*money_fen),
            spent = format_yuan(*spent_fen)
        ),
        Task::Backup { days: None } => t_string!(i18n, workspace.task_backup_never).to_owned(),
        Task::Backup { days: Some(n) } => t_string!(i18n, workspace.task_backup_old, n = n),
    };
    (text, href)
}

fn reason_text(i18n: Ctx, code: &str) -> String {
    match code {
        "too_few_households" => t_string!(i18n, workspace.reason_too_few_households).to_owned(),
        "no_households" => t_string!(i18n, workspace.reason_no_households).to_owned(),
        "no_leaders_a_year_before" => t_string!(i18n, workspace.reason_no_leaders).to_owned(),
        "no_adopted_allocation" => t_string!(i18n, workspace.reason_no_adopted).to_owned(),
        "too_few_rated_groups" => t_string!(i18n, workspace.reason_few_groups).to_owned(),
        "too_few_ratings" => t_string!(i18n, workspace.reason_few_ratings).to_owned(),
        "no_resolved_requests" => t_string!(i18n, workspace.reason_no_resolved).to_owned(),
        "no_final_accounts" => t_string!(i18n, workspace.reason_no_accounts).to_owned(),
        "no_public_money" => t_string!(i18n, workspace.reason_no_public_money).to_owned(),
        other => other.to_owned(),
    }
}

fn indicator_rows(i18n: Ctx, list: &[Indicator]) -> impl IntoView {
    list.iter()
        .map(|ind| {
            let def = INDICATORS.iter().find(|d| d.code == ind.code);
            let name = def.map_or_else(|| ind.name_zh.clone(), |d| indicator_name(i18n, d).to_owned());
            let unit = unit_name(i18n, &ind.unit);
            let shown = |v: i64| format!("{}{}", show_value(&ind.unit, v), unit);
            let value = ind.value.map_or_else(|| "–".to_owned(), shown);
            let symbol = match ind.direction.as_str() {
                "gt" => t_string!(i18n, workspace.cmp_gt),
                "lt" => t_string!(i18n, workspace.cmp_lt),
                "ge" => t_string!(i18n, workspace.cmp_ge),
                _ => t_string!(i18n, workspace.cmp_le),
            };
            let direction = crate::pages::settings::direction_name(i18n, &ind.direction);
            let target = ind.target.map_or_else(
                || t_string!(i18n, workspace.no_target).to_owned(),
                |t| format!("{symbol} {}", shown(t)),
            );
            let status = match ind.status.as_str() {
                "met" => t_string!(i18n, workspace.status_met).to_owned(),
                "not_met" => t_string!(i18n, workspace.status_not_met).to_owned(),
                "no_target" => t_string!(i18n, workspace.status_no_target).to_owned(),
                _ => {
                    let why = ind
                        .reason
                        .as_deref()
                        .map(|r| reason_text(i18n, r))
                        .unwrap_or_default();
                    t_string!(i18n, workspace.status_not_measured, why = why)
                }
            };
            let class = match ind.status.as_str() {
                "met" => "ok",
                "not_met" => "warning",
                _ => "muted",
            };
            view! {
                <tr data-indicator=ind.code.clone() data-status=ind.status.clone()>
                    <th scope="row">{name}</th>
                    <td class="num">{value}</td>
                    <td title=direction>{target}</td>
                    <td class=class>{status}</td>
                </tr>
            }
        })
        .collect_view()
}

/// The cockpit on the workspace home.
#[component]
pub(super) fn CockpitView() -> impl IntoView {
    let i18n = use_i18n();
    let loaded = load(use_storage(), |db| async move { db.cockpit_data().await });
    let view_of = Memo::new(move |_| {
        loaded
            .current
            .get()
            .map(|Shared(d)| Shared(std::sync::Arc::new(compute(&d, now_millis()))))
    });
    let tasks = move || {
        let v = view_of.get()?;
        let c = &v.cockpit;
        if c.tasks.is_empty() {
            return Some(
                view! { <p class="ok" data-testid="cockpit-empty">{t!(i18n, workspace.nothing_today)}</p> }
                    .into_any(),
            );
        }
        let lines = c
            .tasks
            .iter()
            .map(|t| {
                let (text, href) = task_line(i18n, t);
                view! {
                    <li data-task=t.code() data-plan=t.plan().map(|p| p.to_string())>
                        <a href=href>{text}</a>
                    </li>
                }
            })
            .collect_view();
        Some(view! { <ul class="cockpit-tasks" data-testid="cockpit-tasks">{lines}</ul> }.into_any())
    };
    let backup = move || {
        let v = view_of.get()?;
        let text = match v.cockpit.backup_days {
            None => t_string!(i18n, workspace.backup_never).to_owned(),
            Some(0) => t_string!(i18n, workspace.backup_today).to_owned(),
            Some(n) => t_string!(i18n, workspace.backup_days, n = n),
        };
        let days = v.cockpit.backup_days.map(|d| d.to_string()).unwrap_or_default();
        let due = v.cockpit.backup_days.is_none_or(|d| d >= v.backup_due_days);
        let last = v.last_backup_at.map(|t| {
            let at = linli_domain::requests::calendar::local_datetime(t);
            view! { " "<span data-testid="cockpit-backup-at">{t_string!(i18n, workspace.backup_last_at, at = at)}</span> }
        });
        let every = t_string!(i18n, workspace.backup_every, n = v.backup_due_days);
        Some(view! {
            <p class=if due { "warning" } else { "muted" } data-testid="cockpit-backup" data-days=days
                data-due=due.to_string() role=if due { Some("status") } else { None }>
                {text}{last}" "{every}" "
                <a href=Route::Settings.href() data-testid="cockpit-backup-link">
                    {if due { t!(i18n, workspace.backup_now).into_any() } else { t!(i18n, workspace.backup_link).into_any() }}
                </a>
            </p>
        })
    };
    let sync = move || {
        let v = view_of.get()?;
        let s = v.sync.as_ref()?;
        let now = now_millis();
        let stale: Vec<String> = s
            .peers
            .iter()
            .filter(|(_, at)| now - **at >= PEER_STALE_DAYS * linli_domain::replication::seen::DAY_MS)
            .map(|(p, _)| p.clone())
            .chain(v.devices_stale.iter().map(|d| {
                let since = linli_domain::requests::calendar::local_datetime(d.at);
                match &d.label {
                    Some(l) => t_string!(
                        i18n,
                        workspace.sync_device_named,
                        label = l.clone(),
                        n = d.device,
                        since = since.clone()
                    )
                    .to_string(),
                    None => t_string!(i18n, workspace.sync_device, n = d.device, since = since).to_string(),
                }
            }))
            .collect();
        let open = !s.waiting.is_empty() || !s.flags.is_empty();
        Some(view! {
            <p class=if open { "warning" } else { "muted" } data-testid="cockpit-sync"
                data-conflicts=s.waiting.len().to_string() data-flags=s.flags.len().to_string() data-stale=stale.len().to_string()>
                {t_string!(i18n, workspace.sync_line, n = s.waiting.len(), m = s.flags.len())}
                {(!stale.is_empty()).then(|| view! {
                    " "<span data-testid="cockpit-sync-stale">{t_string!(i18n, workspace.sync_stale, days = PEER_STALE_DAYS, list = stale.join(t_string!(i18n, common.sep_list)))}</span>
                })}
                " "<a href=Route::Settings.href() data-testid="cockpit-sync-link">{t!(i18n, workspace.sync_link)}</a>
            </p>
        })
    };
    let items_error = move || {
        view_of.get()?.items_error.clone().map(|e| {
            view! {
                <p class="error" role="alert">{t!(i18n, workspace.items_unreadable)}<code>{e}</code></p>
            }
        })
    };
    let indicators = move || {
        let v = view_of.get()?;
        Some(match &v.indicators {
            Err(e) => view! { <p class="error" role="alert" data-testid="cockpit-indicators-error">{t!(i18n, workspace.indicators_failed)}<code>{e.clone()}</code></p> }.into_any(),
            Ok(list) => view! {
                <table class="data" data-testid="cockpit-indicators">
                    <thead><tr>
                        <th scope="col">{t!(i18n, workspace.col_indicator)}</th>
                        <th scope="col" class="num">{t!(i18n, workspace.col_value)}</th>
                        <th scope="col">{t!(i18n, workspace.col_target)}</th>
                        <th scope="col">{t!(i18n, workspace.col_status)}</th>
                    </tr></thead>
                    <tbody>{indicator_rows(i18n, list)}</tbody>
                </table>
                <p class="muted small"><a href=Route::Settings.href()>{t!(i18n, workspace.targets_link)}</a></p>
            }.into_any(),
        })
    };
    view! {
        <section aria-labelledby="cockpit-h" class="cockpit" data-testid="cockpit">
            <h2 id="cockpit-h">{t!(i18n, workspace.cockpit_title)}</h2>
            <LoadGate phase=loaded.phase error=Signal::derive(move || loaded.error())>
                <h3>{t!(i18n, workspace.today_title)}</h3>
                {tasks}
                {items_error}
                {backup}
                {sync}
                <h3>{t!(i18n, workspace.indicators_title)}</h3>
                {indicators}
            </LoadGate>
        </section>
    }
}
