//! `#/history` — the whole change history: who changed what and when, newest
//! first, filtered by guide, record type and community days, with an export
//! for auditors. Filtering and order are [`linli_domain::audit`]'s; the table is
//! [`HistoryTable`], shared with the household page.

use leptos::prelude::*;
use linli_domain::audit::{self, Filter};
use linli_domain::model::AuditEntry;
use linli_domain::requests::calendar::parse_date;

use crate::browser::{download, local_minute, now_millis};
use crate::components::history::{actor_label, store_label, HistoryTable};
use crate::components::loaded::{load, LoadGate};
use crate::i18n::*;
use crate::state::use_storage;

/// How many more entries "show more" adds.
const PAGE: usize = 200;

/// The change-history page.
#[component]
pub fn HistoryPage() -> impl IntoView {
    let i18n = use_i18n();
    let storage = use_storage();
    let loaded = load(storage, |db| async move { db.audit_log().await });
    let actor = RwSignal::new(String::new());
    let entity = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let limit = RwSignal::new(PAGE);
    let exported = RwSignal::new(None::<String>);

    let day = |s: String| (!s.is_empty()).then(|| parse_date(&s).ok()).flatten();
    let range_error = move || matches!((day(from.get()), day(to.get())), (Some(f), Some(t)) if t < f);
    let filter = move || Filter {
        actor: Some(actor.get()).filter(|a| !a.is_empty()),
        entity: Some(entity.get()).filter(|s| !s.is_empty()),
        from_day: day(from.get()),
        to_day: day(to.get()),
    };
    let log = move || loaded.current.get().map(|d| d.0.clone()).unwrap_or_default();
    let page = Memo::new(move |_| {
        let log: std::sync::Arc<Vec<AuditEntry>> = log();
        let p = audit::select(&log, &filter(), limit.get());
        (
            p.entries.into_iter().cloned().collect::<Vec<_>>(),
            p.total,
            log.len(),
        )
    });
    // A new filter starts again from the first page.
    Effect::new(move |_| {
        let _ = (actor.get(), entity.get(), from.get(), to.get());
        limit.set(PAGE);
    });

    let on_export = move |_| {
        let log = log();
        let all = audit::select(&log, &filter(), usize::MAX);
        let headers = [
            t_string!(i18n, common.history_when).to_string(),
            t_string!(i18n, common.history_who).to_string(),
            t_string!(i18n, common.store).to_string(),
            t_string!(i18n, common.history_record).to_string(),
            t_string!(i18n, common.history_what).to_string(),
            t_string!(i18n, common.history_what).to_string(),
        ];
        let csv = audit::to_csv(&all.entries, headers.each_ref().map(String::as_str));
        let name = format!(
            "linli-history-{}.csv",
            local_minute(now_millis()).replace([' ', ':'], "-")
        );
        if download(&csv, &name, "text/csv;charset=utf-8").is_ok() {
            exported.set(Some(name));
        }
    };

    let options = move |names: Vec<String>, label: fn(leptos_i18n::I18nContext<Locale>, &str) -> String| {
        names
            .into_iter()
            .map(|n| {
                let text = label(i18n, &n);
                view! { <option value=n>{text}</option> }
            })
            .collect_view()
    };

    view! {
        <article class="page" data-page="history">
            <h1>{t!(i18n, common.history_title)}</h1>
            <p>{t!(i18n, common.history_intro)}</p>
            <LoadGate phase=loaded.phase error=Signal::derive(move || loaded.error())>
                <form class="filters" aria-label=move || t_string!(i18n, common.history_filters).to_string()
                    on:submit=|ev| ev.prevent_default()>
                    <label>{t!(i18n, common.history_filter_guide)}
                        <select data-testid="history-guide" on:change=move |ev| actor.set(event_target_value(&ev))>
                            <option value="">{t!(i18n, common.history_filter_any)}</option>
                            {move || options(audit::actors(&log()), actor_label)}
                        </select>
                    </label>
                    <label>{t!(i18n, common.history_filter_store)}
                        <select data-testid="history-store" on:change=move |ev| entity.set(event_target_value(&ev))>
                            <option value="">{t!(i18n, common.history_filter_any)}</option>
                            {move || options(audit::entities(&log()), store_label)}
                        </select>
                    </label>
                    <label>{t!(i18n, common.history_filter_from)}
                        <input type="date" data-testid="history-from" prop:value=from
                            on:change=move |ev| from.set(event_target_value(&ev))/>
                    </label>
                    <label>{t!(i18n, common.history_filter_to)}
                        <input type="date" data-testid="history-to" prop:value=to
                            aria-invalid=move || range_error().then_some("true")
                            aria-describedby="history-to-e"
                            on:change=move |ev| to.set(event_target_value(&ev))/>
                        <span id="history-to-e" class="error" role="alert">
                            {move || range_error().then(|| t_string!(i18n, common.history_e_range).to_string())}
                        </span>
                    </label>
                </form>
                {move || {
                    let (entries, total, all) = page.get();
                    if all == 0 {
                        return view! { <p class="empty">{t!(i18n, common.history_empty)}</p> }.into_any();
                    }
                    if total == 0 {
                        return view! { <p class="empty" data-testid="history-none">{t!(i18n, common.history_none_match)}</p> }.into_any();
                    }
                    let shown = entries.len();
                    view! {
                        <p role="status" data-testid="history-count">
                            {t_string!(i18n, common.history_count, n = total).to_string()}
                            {(shown < total).then(|| format!(" · {}", t_string!(i18n, common.history_showing, n = shown)))}
                        </p>
                        <div class="actions">
                            <button type="button" data-testid="history-export" on:click=on_export>{t!(i18n, common.history_export)}</button>
                        </div>
                        <div class="table-scroll"><HistoryTable entries=entries with_record=true/></div>
                        {(shown < total).then(|| {
                            let more = (total - shown).min(PAGE);
                            view! {
                                <button type="button" data-testid="history-more"
                                    on:click=move |_| limit.update(|l| *l += PAGE)>
                                    {t_string!(i18n, common.history_more, n = more).to_string()}
                                </button>
                            }
                        })}
                    }.into_any()
                }}
                <p aria-live="polite">{move || exported.get().map(|n| format!("{}{n}", t_string!(i18n, common.history_exported)))}</p>
            </LoadGate>
        </article>
    }
}
