//! The change history as a table, shared by the household page (its own
//! entries) and `#/history` (every entry): community time, the guide's name,
//! and the record type, action and changed household fields in the chosen
//! language. A summary that is not a list of household fields is shown as it
//! was recorded (numbers, titles and periods), always as text.

use leptos::prelude::*;
use linli_domain::audit::changed_household_fields;
use linli_domain::model::AuditEntry;

use crate::browser::local_minute;
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
fn field_label(i18n: leptos_i18n::I18nContext<Locale>, code: &str) -> String {
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
    // The demo generator's entry: its English summary says nothing the action does not.
    if e.summary.is_empty() || e.action == "demo" {
        action
    } else {
        format!("{action} · {}", e.summary)
    }
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
