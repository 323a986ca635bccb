//! The saved workshop tallies beside the register's needs (工作坊计数): per building
//! and category, the needs dots of the saved sessions next to the number of the
//! building's households declaring that need, with the sessions' dates
//! (`linli_domain::workshop::tally`).

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use linli_domain::cockpit::day_of;
use linli_domain::model::Millis;
use linli_domain::order::SortDyn;
use linli_domain::workshop::tally::beside_register;

use super::data::NeedsData;
use crate::components::labels;
use crate::components::loaded::Shared;
use crate::i18n::*;

type Ctx = I18nContext<Locale>;

fn date(t: Millis) -> String {
    day_of(t).map(|d| d.to_string()).unwrap_or_default()
}

/// The tally section. `data` is the needs page's newest load.
pub(super) fn workshop_tally(
    i18n: Ctx,
    data: Memo<Option<Shared<NeedsData>>>,
    pick: RwSignal<Option<Millis>>,
) -> impl IntoView {
    move || {
        let Shared(d) = data.get()?;
        let saved = match &d.workshop {
            Err(e) => {
                return Some(view! {
                    <p class="error" role="alert" data-testid="ws-tally-error">{t!(i18n, needs.tally_unreadable)}<code>{e.clone()}</code></p>
                }.into_any());
            }
            Ok(w) => w.clone(),
        };
        if saved.sessions.is_empty() {
            return Some(
                view! { <p class="muted" data-testid="ws-tally-empty">{t!(i18n, needs.tally_none)}</p> }
                    .into_any(),
            );
        }
        let only = pick
            .get()
            .filter(|p| saved.sessions.iter().any(|s| s.session == *p));
        let rows = beside_register(&saved, &d.households, only);
        let building_name = |id: Option<u32>| match id {
            None => t_string!(i18n, needs.tally_open_ground).to_owned(),
            Some(b) => d.building(b).map_or_else(|| b.to_string(), |x| x.name.clone()),
        };
        let mut sessions = saved.sessions.clone();
        sessions.sort_by_key_dyn(|s| s.held_at);
        let options = sessions
            .iter()
            .map(|s| {
                let label = t_string!(i18n, needs.tally_session_option, date = date(s.held_at), dots = s.dots, people = s.participants);
                view! { <option value=s.session.to_string() selected=only == Some(s.session)>{label}</option> }
            })
            .collect_view();
        let body = rows
            .iter()
            .map(|r| {
                let dates = r.sessions.iter().map(|t| date(*t)).collect::<Vec<_>>().join(t_string!(i18n, common.sep_list));
                let register = r.register.map_or_else(|| "–".to_owned(), |n| n.to_string());
                view! {
                    <tr data-building=r.building.map(|b| b.to_string()).unwrap_or_default() data-category=r.category.clone()>
                        <th scope="row">{building_name(r.building)}</th>
                        <td>{labels::category(i18n, &d.categories, &r.category)}</td>
                        <td class="num" data-col="register">{register}</td>
                        <td class="num" data-col="workshop">{r.dots}</td>
                        <td>{dates}</td>
                    </tr>
                }
            })
            .collect_view();
        Some(view! {
            <p class="muted">{t!(i18n, needs.tally_intro)}</p>
            <label>{t!(i18n, needs.tally_sessions)}" "
                <select data-testid="ws-tally-session" on:change=move |ev| pick.set(event_target_value(&ev).parse().ok())>
                    <option value="" selected=only.is_none()>{t_string!(i18n, needs.tally_all_sessions, n = sessions.len())}</option>
                    {options}
                </select>
            </label>
            <div class="table-scroll" tabindex="0" role="region" aria-label=t_string!(i18n, needs.tally_title)>
                <table class="counts agg" data-testid="ws-tally">
                    <thead><tr>
                        <th scope="col">{t!(i18n, needs.tally_col_building)}</th>
                        <th scope="col">{t!(i18n, needs.tally_col_category)}</th>
                        <th scope="col" class="num">{t!(i18n, needs.tally_col_register)}</th>
                        <th scope="col" class="num">{t!(i18n, needs.tally_col_workshop)}</th>
                        <th scope="col">{t!(i18n, needs.tally_col_dates)}</th>
                    </tr></thead>
                    <tbody>{body}</tbody>
                </table>
            </div>
        }.into_any())
    }
}
