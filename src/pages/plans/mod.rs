//! `#/plans` — plans from draft to evaluation (issue #14): the list by stage
//! with notice countdowns, and a new plan (by hand, or from a category of the
//! period's adopted allocation run). `#/plans/<id>` — one plan: every action
//! of its current stage as a form, its notices, objections, approvals,
//! spending, budget changes, milestones, accounts, evaluation and history.
//!
//! Every change goes through `crate::db::plans` (`create`, `apply`): one
//! read-decide-write transaction running `linli_domain::plans`'
//! `PlanCase::apply`; a refusal (`PlanError`) is shown next to the form in the
//! current language, naming the rule, and nothing is written. Business dates
//! default to today in the community's time zone (Asia/Shanghai).

mod accounts;
mod approvals;
mod create;
mod detail;
mod edit;
mod errors;
mod form;
mod history;
mod list;
mod notice;
mod objections;
mod spending;

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use linli_domain::plans::{CivilDate, Command, Funder, Level, ObjectionChannel, Stamp};

use self::create::CreateView;
use self::detail::DetailView;
use self::list::ListView;
use crate::browser::now_millis;
use crate::components::loaded::{load, LoadGate};
use crate::db::plans as store;
use crate::i18n::*;
use crate::state::{use_storage, Route};

type Ctx = I18nContext<Locale>;

/// The name of a stage (shared with the history and the publish confirmation).
pub(crate) use crate::components::labels::plan_stage as stage_name;

/// The name of a funder.
pub(crate) fn funder_name(i18n: Ctx, f: Funder) -> String {
    match f {
        Funder::Government => t_string!(i18n, plans.funder_government),
        Funder::Market => t_string!(i18n, plans.funder_market),
        Funder::Society => t_string!(i18n, plans.funder_society),
        Funder::Residents => t_string!(i18n, plans.funder_residents),
    }
    .to_owned()
}

/// The name of an approval level.
pub(crate) fn level_name(i18n: Ctx, l: Level) -> String {
    match l {
        Level::Council => t_string!(i18n, plans.level_council),
        Level::Assessment => t_string!(i18n, plans.level_assessment),
        Level::StreetReview => t_string!(i18n, plans.level_street_review),
    }
    .to_owned()
}

/// Every objection channel, in the form's order.
pub(crate) const CHANNELS: [ObjectionChannel; 6] = [
    ObjectionChannel::InPerson,
    ObjectionChannel::Phone,
    ObjectionChannel::Written,
    ObjectionChannel::Online,
    ObjectionChannel::Meeting,
    ObjectionChannel::Other,
];

/// The code of a channel (as in JSON).
pub(crate) fn channel_code(c: ObjectionChannel) -> &'static str {
    match c {
        ObjectionChannel::InPerson => "in_person",
        ObjectionChannel::Phone => "phone",
        ObjectionChannel::Written => "written",
        ObjectionChannel::Online => "online",
        ObjectionChannel::Meeting => "meeting",
        ObjectionChannel::Other => "other",
    }
}

/// The name of an objection channel.
pub(crate) fn channel_name(i18n: Ctx, c: ObjectionChannel) -> String {
    match c {
        ObjectionChannel::InPerson => t_string!(i18n, plans.channel_in_person),
        ObjectionChannel::Phone => t_string!(i18n, plans.channel_phone),
        ObjectionChannel::Written => t_string!(i18n, plans.channel_written),
        ObjectionChannel::Online => t_string!(i18n, plans.channel_online),
        ObjectionChannel::Meeting => t_string!(i18n, plans.channel_meeting),
        ObjectionChannel::Other => t_string!(i18n, plans.channel_other),
    }
    .to_owned()
}

/// What a command does, in words (the confirmation names it).
pub(crate) fn command_name(i18n: Ctx, c: &Command) -> String {
    match c {
        Command::Edit { .. } => t_string!(i18n, plans.cmd_edit),
        Command::EditInternal { .. } => t_string!(i18n, plans.cmd_edit_internal),
        Command::StartNotice { .. } => t_string!(i18n, plans.cmd_start_notice),
        Command::ExtendNotice { .. } => t_string!(i18n, plans.cmd_extend_notice),
        Command::RecordObjection { .. } => t_string!(i18n, plans.cmd_record_objection),
        Command::AnswerObjection { .. } => t_string!(i18n, plans.cmd_answer_objection),
        Command::CloseNotice { .. } => t_string!(i18n, plans.cmd_close_notice),
        Command::Council { .. } => t_string!(i18n, plans.cmd_council),
        Command::Assessment { .. } => t_string!(i18n, plans.cmd_assessment),
        Command::StreetReview { .. } => t_string!(i18n, plans.cmd_street_review),
        Command::Spend { .. } => t_string!(i18n, plans.cmd_spend),
        Command::Reverse { .. } => t_string!(i18n, plans.cmd_reverse),
        Command::ChangeBudget { .. } => t_string!(i18n, plans.cmd_change_budget),
        Command::WithdrawBudgetChange { .. } => t_string!(i18n, plans.cmd_withdraw),
        Command::Milestone { .. } => t_string!(i18n, plans.cmd_milestone),
        Command::CloseAccounts { .. } => t_string!(i18n, plans.cmd_close_accounts),
        Command::Evaluate { .. } => t_string!(i18n, plans.cmd_evaluate),
    }
    .to_owned()
}

/// Today in Asia/Shanghai.
pub(crate) fn today() -> CivilDate {
    store::today(now_millis())
}

/// Who does it and when: the guide, now.
pub(crate) fn stamp(session: crate::state::Session) -> Stamp {
    Stamp::new(session.actor(), now_millis())
}

/// The plans page: list by stage and a new plan.
#[component]
pub fn PlansPage() -> impl IntoView {
    let i18n = use_i18n();
    let loaded = load(use_storage(), |db| async move { store::load(&db).await });
    let current = loaded.current;
    view! {
        <article class="page reqs plans" data-page="plans">
            <h1>{t!(i18n, plans.title)}</h1>
            <p class="lead">{t!(i18n, plans.lead)}</p>
            <LoadGate phase=loaded.phase error=Signal::derive(move || loaded.error())>
                <ListView current=current/>
                <CreateView current=current/>
            </LoadGate>
        </article>
    }
}

/// One plan's page.
#[component]
pub fn PlanPage(
    /// The plan's id.
    id: u32,
) -> impl IntoView {
    let i18n = use_i18n();
    let loaded = load(
        use_storage(),
        move |db| async move { store::load_plan(&db, id).await },
    );
    view! {
        <article class="page reqs plans" data-page="plan">
            <p><a href=Route::Plans.href() data-testid="plans-back">{t!(i18n, plans.back_to_list)}</a></p>
            <LoadGate phase=loaded.phase error=Signal::derive(move || loaded.error())>
                <DetailView id=id current=loaded.current/>
            </LoadGate>
        </article>
    }
}
