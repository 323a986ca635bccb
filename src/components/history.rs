//! The change history as a table, shared by the household page (its own
//! entries) and `#/history` (every entry): community time, the guide's name,
//! and the record type, action and changed household fields in the chosen
//! language. Recorded summaries are read back (`linli_domain::audit::detail`) and
//! put into words: status and stage changes, assignees, points and time-bank lines;
//! typed titles are shown as written, always as text; an English sentence of an
//! older save is shown only in the English view (the CSV keeps it as recorded).

use leptos::prelude::*;
use linli_domain::audit::{changed_household_fields, detail, Detail};
use linli_domain::model::AuditEntry;

use crate::browser::local_minute;
use crate::components::labels::plan_stage_code;
use crate::i18n::*;

macro_rules! l {
    ($i18n:ident, $k:ident) => {
        t_string!($i18n, common.$k).to_string()
    };
}

/// The name of a store (record type) in the chosen language.
pub fn store_label(i18n: leptos_i18n::I18nContext<Locale>, store: &str) -> String {
    match store {
        "settings" => l!(i18n, store_settings),
        "grids" => l!(i18n, store_grids),
        "buildings" => l!(i18n, store_buildings),
        "households" => l!(i18n, store_households),
        "resources" => l!(i18n, store_resources),
        "allocation_runs" => l!(i18n, store_allocation_runs),
        "proposals" => l!(i18n, store_proposals),
        "ballots" => l!(i18n, store_ballots),
        "activities" => l!(i18n, store_activities),
        "points_ledger" => l!(i18n, store_points_ledger),
        "timebank_ledger" => l!(i18n, store_timebank_ledger),
        "requests" => l!(i18n, store_requests),
        "plans" => l!(i18n, store_plans),
        "decisions" => l!(i18n, store_decisions),
        "snapshots" => l!(i18n, store_snapshots),
        "guides" => l!(i18n, store_guides),
        "dataset" => l!(i18n, store_dataset),
        "community" => l!(i18n, community),
        _ => l!(i18n, store_audit_log),
    }
}

/// What an entry's action code means, in the chosen language.
pub fn action_label(i18n: leptos_i18n::I18nContext<Locale>, action: &str) -> String {
    match action {
        "create" => l!(i18n, hist_action_create),
        "update" => l!(i18n, hist_action_update),
        "delete" => l!(i18n, hist_action_delete),
        "import" => l!(i18n, hist_action_import),
        "export" => l!(i18n, hist_action_export),
        "restore" => l!(i18n, hist_action_restore),
        "reset_demo" => l!(i18n, hist_action_reset_demo),
        "clear_all" => l!(i18n, hist_action_clear_all),
        "publish" => l!(i18n, hist_action_publish),
        "redact" => l!(i18n, hist_action_redact),
        "adopt_run" => l!(i18n, hist_action_adopt_run),
        "adopt_pb" => l!(i18n, hist_action_adopt_pb),
        "release_reserve" => l!(i18n, hist_action_release_reserve),
        "reserve_release" => l!(i18n, hist_action_reserve_release),
        "earn" => l!(i18n, hist_action_earn),
        "redeem" => l!(i18n, hist_action_redeem),
        "reverse" => l!(i18n, hist_action_reverse),
        "status" => l!(i18n, hist_action_status),
        "assign" => l!(i18n, hist_action_assign),
        "transfer" => l!(i18n, hist_action_transfer),
        "edit" => l!(i18n, hist_action_edit),
        "edit_internal" => l!(i18n, hist_action_edit_internal),
        "start_notice" => l!(i18n, hist_action_start_notice),
        "extend_notice" => l!(i18n, hist_action_extend_notice),
        "record_objection" => l!(i18n, hist_action_record_objection),
        "answer_objection" => l!(i18n, hist_action_answer_objection),
        "close_notice" => l!(i18n, hist_action_close_notice),
        "council" => l!(i18n, hist_action_council),
        "assessment" => l!(i18n, hist_action_assessment),
        "street_review" => l!(i18n, hist_action_street_review),
        "spend" => l!(i18n, hist_action_spend),
        "change_budget" => l!(i18n, hist_action_change_budget),
        "withdraw_budget_change" => l!(i18n, hist_action_withdraw_budget_change),
        "milestone" => l!(i18n, hist_action_milestone),
        "close_accounts" => l!(i18n, hist_action_close_accounts),
        "evaluate" => l!(i18n, hist_action_evaluate),
        "demo" => l!(i18n, hist_action_demo),
        _ => l!(i18n, history_action_other),
    }
}

/// A household field code ([`linli_domain::household::FIELD_CODES`]) in the chosen language.
pub fn field_label(i18n: leptos_i18n::I18nContext<Locale>, code: &str) -> String {
    match code {
        "building_id" => l!(i18n, hist_field_building_id),
        "unit" => l!(i18n, hist_field_unit),
        "room" => l!(i18n, hist_field_room),
        "tenure" => l!(i18n, hist_field_tenure),
        "income_band" => l!(i18n, hist_field_income_band),
        "subsistence" => l!(i18n, hist_field_subsistence),
        "housing" => l!(i18n, hist_field_housing),
        "skills" => l!(i18n, hist_field_skills),
        "needs" => l!(i18n, hist_field_needs),
        "willingness" => l!(i18n, hist_field_willingness),
        "group" => l!(i18n, hist_field_group),
        "contact_name" => l!(i18n, hist_field_contact_name),
        "contact_phone" => l!(i18n, hist_field_contact_phone),
        "notes" => l!(i18n, hist_field_notes),
        "lives_alone" => l!(i18n, hist_field_lives_alone),
        _ => l!(i18n, hist_field_members),
    }
}

/// The "what" cell of an entry: the action, then the changed fields (translated)
/// or the recorded summary.
pub fn describe(i18n: leptos_i18n::I18nContext<Locale>, e: &AuditEntry) -> String {
    let action = action_label(i18n, &e.action);
    if let Some(fields) = changed_household_fields(e) {
        let sep = l!(i18n, sep_list);
        let names: Vec<String> = fields.iter().map(|f| field_label(i18n, f)).collect();
        return format!(
            "{action} · {}{}",
            l!(i18n, history_fields_changed),
            names.join(&sep)
        );
    }
    // The demo generator's entry: its summary says nothing the action does not.
    if e.action == "demo" {
        return action;
    }
    match words(i18n, &detail(e)) {
        Some(w) => format!("{action} · {w}"),
        // An English sentence of an older save: as recorded, in the English view only.
        None if i18n.get_locale_untracked() == Locale::en && !e.summary.trim().is_empty() => {
            format!("{action} · {}", e.summary.trim())
        }
        None => action,
    }
}

/// A request status code in words (the requests view's names).
fn status_label(i18n: leptos_i18n::I18nContext<Locale>, code: &str) -> String {
    match code {
        "received" => t_string!(i18n, requests.status_received).to_string(),
        "assigned" => t_string!(i18n, requests.status_assigned).to_string(),
        "in_progress" => t_string!(i18n, requests.status_in_progress).to_string(),
        "resolved" => t_string!(i18n, requests.status_resolved).to_string(),
        "closed" => t_string!(i18n, requests.status_closed).to_string(),
        "rejected" => t_string!(i18n, requests.status_rejected).to_string(),
        "duplicate" => t_string!(i18n, requests.status_duplicate).to_string(),
        _ => l!(i18n, history_action_other),
    }
}

/// A plan stage code in words ("other" for a code no stage has).
fn stage_label(i18n: leptos_i18n::I18nContext<Locale>, code: &str) -> String {
    plan_stage_code(i18n, code).unwrap_or_else(|| l!(i18n, history_action_other))
}

/// A guide's name, or "unassigned" for `-`.
fn assignee_label(i18n: leptos_i18n::I18nContext<Locale>, name: &str) -> String {
    if name == "-" {
        t_string!(i18n, requests.unassigned).to_string()
    } else {
        name.to_owned()
    }
}

/// What a recorded summary says, in the chosen language; `None` when it is in no
/// known shape (an English sentence of an older save): then a Chinese view shows the
/// action alone and an English one the summary as recorded. The CSV export keeps every
/// summary as recorded.
fn words(i18n: leptos_i18n::I18nContext<Locale>, d: &Detail) -> Option<String> {
    Some(match d {
        Detail::Status {
            from,
            to,
            rating,
            assignee,
        } => {
            let mut w = format!("{} → {}", status_label(i18n, from), status_label(i18n, to));
            if let Some(r) = rating {
                w.push_str(&t_string!(i18n, common.hist_rating, r = *r).to_string());
            }
            if let Some((a, b)) = assignee {
                w.push_str(&l!(i18n, sep_list));
                w.push_str(
                    &t_string!(
                        i18n,
                        common.hist_assignee,
                        from = assignee_label(i18n, a),
                        to = assignee_label(i18n, b)
                    )
                    .to_string(),
                );
            }
            w
        }
        Detail::Assigned { from, to } => t_string!(
            i18n,
            common.hist_assignee,
            from = assignee_label(i18n, from),
            to = assignee_label(i18n, to)
        )
        .to_string(),
        Detail::Stage { from, to } => t_string!(
            i18n,
            common.hist_stage,
            from = stage_label(i18n, from),
            to = stage_label(i18n, to)
        )
        .to_string(),
        Detail::Earned { households, points } => t_string!(
            i18n,
            common.hist_earned,
            households = *households,
            points = *points
        )
        .to_string(),
        Detail::Redeemed { household, delta, .. } => {
            t_string!(i18n, common.hist_redeemed, household = *household, delta = *delta).to_string()
        }
        Detail::Reversed {
            household,
            entry,
            delta,
        } => t_string!(
            i18n,
            common.hist_reversed,
            household = *household,
            entry = *entry,
            delta = *delta
        )
        .to_string(),
        Detail::Transfer { from, to, minutes } => t_string!(
            i18n,
            common.hist_transfer,
            from = *from,
            to = *to,
            minutes = *minutes
        )
        .to_string(),
        Detail::Text(t) => t.clone(),
        Detail::Other => return None,
    })
}

/// Who made a change: the guide's name, or "system" in the chosen language.
pub fn actor_label(i18n: leptos_i18n::I18nContext<Locale>, actor: &str) -> String {
    if actor == "system" {
        l!(i18n, history_actor_system)
    } else {
        actor.to_owned()
    }
}

/// The history table. `with_record`: add the record type and a link to the
/// record (households), for the whole-community view.
#[component]
pub fn HistoryTable(
    /// The entries to show, in the order given.
    entries: Vec<AuditEntry>,
    /// Whether to show which record each entry is about.
    #[prop(optional)]
    with_record: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let rows = entries
        .into_iter()
        .map(|e| {
            let record = with_record.then(|| {
                let entity = e.entity.clone();
                let id = e.entity_id;
                let label = move || {
                    let name = store_label(i18n, &entity);
                    if id > 0 {
                        format!("{name} #{id}")
                    } else {
                        name
                    }
                };
                let cell = if e.entity == "households" && id > 0 {
                    view! { <a href=crate::state::Route::Household(id).href()>{label}</a> }.into_any()
                } else {
                    view! { <span>{label}</span> }.into_any()
                };
                view! { <td class="nowrap">{cell}</td> }
            });
            let what = e.clone();
            let who = e.actor.clone();
            view! {
                <tr data-action=e.action.clone() data-entity=e.entity.clone()>
                    <td class="nowrap">{local_minute(e.at)}</td>
                    <td>{move || actor_label(i18n, &who)}</td>
                    {record}
                    <td>{move || describe(i18n, &what)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="counts history" data-testid="history">
            <thead><tr>
                <th scope="col">{t!(i18n, common.history_when)}</th>
                <th scope="col">{t!(i18n, common.history_who)}</th>
                {with_record.then(|| view! { <th scope="col">{t!(i18n, common.history_record)}</th> })}
                <th scope="col">{t!(i18n, common.history_what)}</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
