//! `#/participation` — activities and participation rates, the points bank and the
//! time bank (积分银行, 时间银行, SPEC §2.6).
//!
//! Every rule is `linli_domain::participation`'s; every read and write is
//! `crate::db::participation`'s. Writes that must keep a balance or a stock from
//! going negative are checked in the transaction that writes them, so two tabs
//! redeeming at once cannot overdraw.

mod activities;
mod ledger;
mod points;
mod rates;
mod timebank;

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use linli_domain::model::Channel;

use self::activities::ActivitiesView;
use self::points::PointsView;
use self::rates::RatesView;
use self::timebank::TimeBankView;
use crate::components::loaded::{load, LoadGate, Shared};
use crate::db::participation::{self as store, ParticipationData};
use crate::i18n::*;
use crate::state::use_storage;

type Ctx = I18nContext<Locale>;

/// The loaded data, newest first (`None` until loaded).
type Current = Memo<Option<Shared<ParticipationData>>>;

/// The name of a channel.
pub fn channel_name(i18n: Ctx, c: Channel) -> String {
    match c {
        Channel::OnlineHall => t_string!(i18n, participation.channel_online_hall),
        Channel::BuildingCorner => t_string!(i18n, participation.channel_building_corner),
        Channel::TenantRepresentatives => t_string!(i18n, participation.channel_tenant_representatives),
        Channel::Volunteering => t_string!(i18n, participation.channel_volunteering),
        Channel::SkillSharing => t_string!(i18n, participation.channel_skill_sharing),
    }
    .to_owned()
}

/// The participation page.
#[component]
pub fn ParticipationPage() -> impl IntoView {
    let i18n = use_i18n();
    let loaded = load(use_storage(), |db| async move { store::load(&db).await });
    let current = loaded.current;
    // The views stay mounted across reloads (their forms keep what was typed).
    view! {
        <article class="page part" data-page="participation">
            <h1>{t!(i18n, participation.title)}</h1>
            <p class="lead">{t!(i18n, participation.lead)}</p>
            <LoadGate phase=loaded.phase error=Signal::derive(move || loaded.error())>
                <RatesView current=current/>
                <ActivitiesView current=current/>
                <PointsView current=current/>
                <TimeBankView current=current/>
            </LoadGate>
        </article>
    }
}
