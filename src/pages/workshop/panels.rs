//! The workshop's panels around the plan: the header (mode, total, timer,
//! actions), the categories and the cell under the cursor, the voting list, the
//! participant, the tools and the footer (message or key help).

use leptos::prelude::*;
use linli_domain::order::SortDyn;
use linli_domain::workshop::keys::{number_label, Mode};
use linli_domain::workshop::{format_mmss, Spot, Timer};

use super::sessions::SavedSessions;
use super::state::{Msg, Ws};
use crate::charts::workshop_plan as draw;
use crate::i18n::*;

/// A workshop button: it never takes the focus from the page (so Enter and space
/// stay the workshop's keys).
fn btn(
    label: impl Fn() -> &'static str + Send + Sync + 'static,
    testid: &'static str,
    f: impl Fn() + 'static,
) -> impl IntoView {
    view! {
        <button type="button" class="ws-btn" data-testid=testid
            on:mousedown=|ev| ev.prevent_default()
            on:click=move |_| f()>{label}</button>
    }
}

/// The header: title, mode, needs dots, timer and the actions.
#[component]
pub(super) fn Header(ws: Ws) -> impl IntoView {
    let i18n = ws.i18n;
    let timer_text = move || format_mmss(ws.timer.with(|t| t.remaining(ws.now.get())));
    let timer_done = move || ws.timer.with(|t| t.remaining(ws.now.get()) == 0);
    let mode_label = move || match ws.mode.get() {
        Mode::Map => t_string!(i18n, workshop.mode_map),
        Mode::Vote => t_string!(i18n, workshop.dot_voting),
        Mode::Arrange => t_string!(i18n, workshop.mode_arrange),
    };
    let total = move || {
        ws.rev.track();
        ws.session.with_value(|s| s.dots().len())
    };
    view! {
        <header class="ws-top">
            <h1>{t!(i18n, workshop.title)}</h1>
            <span class="ws-mode" data-testid="ws-mode">{mode_label}</span>
            <span class="ws-total">{t!(i18n, workshop.needs_dots)}<b data-testid="ws-total">{total}</b></span>
            <span class="ws-timer" data-testid="ws-timer" class:running=move || ws.timer.with(Timer::running)
                class:done=timer_done role="timer" aria-live="off">{timer_text}</span>
            <nav class="ws-actions" aria-label=move || t_string!(i18n, workshop.actions_label)>
                {btn(move || t_string!(i18n, workshop.save_s), "ws-save", move || ws.save())}
                {btn(move || t_string!(i18n, workshop.csv), "ws-csv", move || ws.export_csv())}
                {btn(move || t_string!(i18n, workshop.png), "ws-png", move || ws.export_png())}
                {btn(move || t_string!(i18n, workshop.full_screen_f), "ws-fs", move || ws.toggle_fullscreen())}
                {btn(move || t_string!(i18n, workshop.other_language), "ws-lang", move || ws.toggle_lang())}
                <a class="ws-btn ws-exit" href="#/workspace">{t!(i18n, workshop.exit)}</a>
            </nav>
        </header>
    }
}

/// The categories on the number keys, with their needs dots.
#[component]
pub(super) fn Categories(ws: Ws) -> impl IntoView {
    let n = ws.data.with_value(|d| d.categories.len());
    let rows = (0..n)
        .map(|i| {
            let count = Memo::new(move |_| {
                ws.rev.track();
                ws.session
                    .with_value(|s| s.by_category().get(i).copied().unwrap_or(0))
            });
            let poly = draw::svg_points(i, 18.0, 18.0, 15.0);
            view! {
                <li class="ws-cat" class:chosen=move || ws.category.get() == i data-testid=format!("ws-cat-{i}") data-count=move || count.get()>
                    <kbd>{i + 1}</kbd>
                    <svg width="36" height="36" viewBox="0 0 36 36" aria-hidden="true">
                        {match poly {
                            Some(p) => view! { <polygon points=p fill=draw::colour(i) stroke="#000" stroke-width="2"/> }.into_any(),
                            None => view! { <circle cx="18" cy="18" r="13" fill=draw::colour(i) stroke="#000" stroke-width="2"/> }.into_any(),
                        }}
                    </svg>
                    <span class="ws-cat-name">{move || ws.cat_name(i)}</span>
                    <span class="ws-cat-count">{move || count.get()}</span>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="ws-cats">{rows}</ul> }
}

/// The cell under the cursor: its name and its four largest categories.
#[component]
pub(super) fn Here(ws: Ws) -> impl IntoView {
    move || {
        ws.rev.track();
        let (x, y) = ws.cursor.get();
        let spot = ws.plan.with_value(|p| Spot::of_cell(p, x, y));
        let counts = ws.session.with_value(|s| s.spot(spot).cloned());
        let mut parts: Vec<(usize, u32)> = counts
            .map(|c| {
                c.by_category
                    .iter()
                    .copied()
                    .enumerate()
                    .filter(|(_, n)| *n > 0)
                    .collect()
            })
            .unwrap_or_default();
        parts.sort_by_dyn(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        parts.truncate(4);
        view! {
            <div class="ws-here" data-testid="ws-here">
                <strong>{ws.spot_name(spot)}</strong>
                <ul>
                    {parts.into_iter().map(|(i, n)| view! {
                        <li><span class="ws-chip" style:background=draw::colour(i)></span>{ws.cat_name(i)}" "<b>{n}</b></li>
                    }).collect_view()}
                </ul>
            </div>
        }
    }
}

/// The voting list: a bar per proposal with its voting dots.
#[component]
pub(super) fn VoteList(ws: Ws) -> impl IntoView {
    let i18n = ws.i18n;
    let rows = ws.data.with_value(|d| {
        d.proposals
            .iter()
            .map(|p| (p.id, p.title.clone()))
            .collect::<Vec<_>>()
    });
    let period = ws.data.with_value(|d| d.period.clone()).unwrap_or_default();
    if rows.is_empty() {
        return view! { <p class="ws-empty">{t!(i18n, workshop.no_reviewed_proposal)}</p> }.into_any();
    }
    view! {
        <div class="ws-vote" data-testid="ws-vote">
            <h2>{move || t_string!(i18n, workshop.vote_heading, period = period.clone()).to_string()}</h2>
            <ol class="ws-bars">
                {rows.into_iter().enumerate().map(|(i, (id, title))| {
                    let count = move || {
                        ws.rev.track();
                        ws.session.with_value(|s| s.by_proposal().get(i).copied().unwrap_or(0))
                    };
                    let width = move || {
                        ws.rev.track();
                        let top = ws.session.with_value(|s| s.by_proposal().iter().copied().max().unwrap_or(0)).max(1);
                        format!("{}%", f64::from(count()) * 100.0 / f64::from(top))
                    };
                    let label = number_label(i).map_or_else(|| "·".to_owned(), |n| n.to_string());
                    let key = label.clone();
                    view! {
                        <li class:chosen=move || ws.selected.get() == i data-testid=format!("ws-prop-{id}") data-count=count
                            data-key=key>
                            <kbd>{label}</kbd>
                            <span class="ws-title">{title}</span>
                            <span class="ws-bar"><span style:width=width></span></span>
                            <b class="ws-votes">{count}</b>
                        </li>
                    }
                }).collect_view()}
            </ol>
        </div>
    }
    .into_any()
}

/// The participant voting now, their dots left and the dots each.
#[component]
pub(super) fn Participant(ws: Ws) -> impl IntoView {
    let i18n = ws.i18n;
    move || {
        ws.rev.track();
        let (p, left, limit, voters) = ws.session.with_value(|s| {
            (
                s.participant(),
                s.left(),
                s.dots_per_participant(),
                s.participants(),
            )
        });
        view! {
            <div class="ws-participant" data-testid="ws-participant" data-participant=p data-left=left>
                <p><strong>{move || t_string!(i18n, workshop.participant_heading, n = p).to_string()}</strong></p>
                <p>{move || t_string!(i18n, workshop.dots_left, left = left, limit = limit).to_string()}</p>
                <p>{move || t_string!(i18n, workshop.voted, n = voters).to_string()}</p>
                <label class="ws-limit">{t!(i18n, workshop.dots_each)}
                    <input type="number" min="1" max="20" data-testid="ws-limit" prop:value=limit
                        on:change=move |ev| ws.set_limit(&event_target_value(&ev))/>
                </label>
            </div>
        }
    }
}

/// The side panel: the participant when voting, else the categories and the
/// cell under the cursor; then the tools.
#[component]
pub(super) fn Side(ws: Ws) -> impl IntoView {
    let i18n = ws.i18n;
    let vote_label = move || match ws.mode.get() {
        Mode::Vote => t_string!(i18n, workshop.map_v),
        _ => t_string!(i18n, workshop.vote_v),
    };
    let arrange_label = move || match ws.mode.get() {
        Mode::Arrange => t_string!(i18n, workshop.save_layout_l),
        _ => t_string!(i18n, workshop.layout_l),
    };
    view! {
        <aside class="ws-side">
            {move || if ws.mode.get() == Mode::Vote {
                view! { <Participant ws/> }.into_any()
            } else {
                view! { <Categories ws/><Here ws/> }.into_any()
            }}
            <SavedSessions ws/>
            <div class="ws-tools">
                {btn(vote_label, "ws-vote-mode", move || ws.toggle_vote())}
                {btn(arrange_label, "ws-arrange", move || ws.toggle_arrange())}
                <label class="ws-btn ws-file">{t!(i18n, workshop.plan_image)}
                    <input type="file" accept="image/png,image/jpeg,image/svg+xml" data-testid="ws-image"
                        on:change=move |ev| ws.upload_image(ev)/>
                </label>
                {move || ws.image.get().is_some().then(|| {
                    btn(move || t_string!(i18n, workshop.remove_image), "ws-image-remove", move || ws.remove_image())
                })}
            </div>
        </aside>
    }
}

/// The key help of the current mode.
fn help_text(ws: Ws) -> &'static str {
    let i18n = ws.i18n;
    match ws.mode.get() {
        Mode::Vote => t_string!(i18n, workshop.help_vote),
        Mode::Arrange => t_string!(i18n, workshop.help_arrange),
        Mode::Map => t_string!(i18n, workshop.help_map),
    }
}

/// The footer: the last message, else the key help (again with `?`).
#[component]
pub(super) fn Footer(ws: Ws) -> impl IntoView {
    view! {
        <footer class="ws-foot">
            {move || match ws.msg.get() {
                Some(Msg::Info(m)) => view! { <p class="ws-msg" role="status" data-testid="ws-msg">{m}</p> }.into_any(),
                Some(Msg::Error(m)) => view! { <p class="ws-msg ws-err" role="alert" data-testid="ws-msg">{m}</p> }.into_any(),
                None => view! { <p class="ws-msg ws-keys">{move || help_text(ws)}</p> }.into_any(),
            }}
            {move || ws.help.get().then(|| view! { <p class="ws-keys">{move || help_text(ws)}</p> })}
        </footer>
    }
}
