//! Participation rates by channel, resident group and building; resident
//! leaders per quarter; the falling-attendance warning.

use leptos::prelude::*;
use linli_domain::participation::rates::{self, Rate, CHANNELS};
use linli_domain::warnings::participation_falling;

use super::{channel_name, Ctx, Current};
use crate::components::labels;
use crate::components::loaded::Shared;
use crate::i18n::*;

fn permille(p: u32) -> String {
    format!("{}.{}%", p / 10, p % 10)
}

fn rate_table(
    i18n: Ctx,
    caption: &'static str,
    testid: &'static str,
    rows: Vec<(String, Rate)>,
) -> impl IntoView {
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
                    <th scope="col">{t!(i18n, participation.col_group)}</th>
                    <th scope="col" class="num">{t!(i18n, participation.col_participating)}</th>
                    <th scope="col" class="num">{t!(i18n, participation.col_households)}</th>
                    <th scope="col" class="num">{t!(i18n, participation.col_rate)}</th>
                </tr></thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
}

#[component]
pub(super) fn RatesView(current: Current) -> impl IntoView {
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
        // One definition with the snapshot's `leader_growth` indicator: growth on the
        // same quarter a year earlier, in basis points (`rates::leader_growth`).
        let leaders = rates::leaders_by_quarter(&d.activities);
        let falling = participation_falling(&d.activities);
        let target_met = all.permille > 600;
        view! {
            <section class="card" aria-labelledby="part-rates-h">
                <h2 id="part-rates-h">{t!(i18n, participation.rates_heading)}</h2>
                <p data-testid="part-overall">
                    {t!(i18n, participation.overall_rate)}
                    <strong>{permille(all.permille)}</strong>
                    {format!(" ({}/{}) ", all.participants, all.households)}
                    <span class=if target_met { "badge ok" } else { "badge warn" }>
                        {if target_met { t_string!(i18n, participation.target_met) } else { t_string!(i18n, participation.target_missed) }}
                    </span>
                </p>
                {(!falling.is_empty()).then(|| view! {
                    <div class="warning" role="alert" data-testid="part-falling">
                        <strong>{t!(i18n, participation.falling_warning)}</strong>
                        <ul>{falling.iter().map(|f| {
                            let series = f.activities.iter().map(|(_, n)| n.to_string()).collect::<Vec<_>>().join(" → ");
                            view! { <li>{channel_name(i18n, f.channel)}{t!(i18n, common.sep_colon)}{series}</li> }
                        }).collect_view()}</ul>
                    </div>
                })}
                <div class="part-grid">
                    {rate_table(i18n, t_string!(i18n, participation.by_channel), "part-by-channel", by_channel)}
                    {rate_table(i18n, t_string!(i18n, participation.by_group), "part-by-group", by_group)}
                </div>
                <details>
                    <summary>{t!(i18n, participation.by_building)}</summary>
                    {rate_table(i18n, t_string!(i18n, participation.by_building), "part-by-building", by_building)}
                </details>
                <h3>{t!(i18n, participation.leaders_heading)}</h3>
                {if leaders.is_empty() {
                    view! { <p class="empty">{t!(i18n, participation.no_activity_records)}</p> }.into_any()
                } else {
                    view! {
                        <table class="data" data-testid="part-leaders">
                            <thead><tr>
                                <th scope="col">{t!(i18n, participation.col_quarter)}</th>
                                <th scope="col" class="num">{t!(i18n, participation.col_leaders)}</th>
                                <th scope="col" class="num">{t!(i18n, participation.col_growth)}</th>
                            </tr></thead>
                            <tbody>{leaders.into_iter().map(|(q, n, g)| view! {
                                <tr><th scope="row">{q}</th><td class="num">{n}</td>
                                <td class="num">{g.map_or_else(|| "—".to_owned(), |g| format!("{}{}.{:02}%", if g < 0 { "-" } else { "" }, g.abs() / 100, g.abs() % 100))}</td></tr>
                            }).collect_view()}</tbody>
                        </table>
                    }.into_any()
                }}
            </section>
        }
        .into_any()
    }
}
