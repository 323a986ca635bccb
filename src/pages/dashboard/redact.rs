//! Free text on the publish page: the gate's refusal (each blocked field named, with a
//! link to where it is fixed) and the redaction of a published text
//! (`linli_domain::snapshot::freetext`), confirmed first because it cannot be undone.

use leptos::prelude::*;
use linli_domain::order::SortDyn;
use linli_domain::snapshot::file;
use linli_domain::snapshot::freetext::{self, Hit, HitKind};
use linli_domain::snapshot::prepare::{republish, stored_history, Publication};

use crate::browser::now_millis;
use crate::components::WriteGuard;
use crate::db::DbError;
use crate::i18n::*;
use crate::state::use_storage;

/// A field's path (`plans/3/objections/0/summary`) in words: `Plan #3 · objection summary`.
pub(super) fn field_label(i18n: leptos_i18n::I18nContext<Locale>, path: &str) -> String {
    let seg: Vec<&str> = path.split('/').collect();
    let owner = match seg.as_slice() {
        ["plans", id, ..] => t_string!(i18n, dashboard.field_plan, id = *id).to_string(),
        ["pb", _, "projects", id, ..] => t_string!(i18n, dashboard.field_pb, id = *id).to_string(),
        ["reserve_releases", id, ..] => t_string!(i18n, dashboard.field_reserve, id = *id).to_string(),
        _ => String::new(),
    };
    let part = match (seg.get(2).copied(), seg.last().copied().unwrap_or("")) {
        (Some("evaluation"), _) => t_string!(i18n, dashboard.part_evaluation),
        (_, "title") => t_string!(i18n, dashboard.part_title),
        (_, "description") => t_string!(i18n, dashboard.part_description),
        (_, "summary") => t_string!(i18n, dashboard.part_summary),
        (_, "response") => t_string!(i18n, dashboard.part_response),
        (_, "conclusion") => t_string!(i18n, dashboard.part_conclusion),
        (_, "reference") => t_string!(i18n, dashboard.part_reference),
        (_, "purpose") => t_string!(i18n, dashboard.part_purpose),
        (_, "note") => t_string!(i18n, dashboard.part_note),
        _ => t_string!(i18n, dashboard.part_reason),
    };
    format!("{owner} · {part} ({path})")
}

fn kind_label(i18n: leptos_i18n::I18nContext<Locale>, k: HitKind) -> String {
    match k {
        HitKind::Name => t_string!(i18n, dashboard.kind_name),
        HitKind::Room => t_string!(i18n, dashboard.kind_room),
        HitKind::Phone => t_string!(i18n, dashboard.kind_phone),
        HitKind::Id => t_string!(i18n, dashboard.kind_id),
    }
    .to_string()
}

/// Where a blocked field is fixed: the plan's page, the PB page, the reserve page.
fn fix_href(path: &str) -> String {
    let seg: Vec<&str> = path.split('/').collect();
    match seg.as_slice() {
        ["plans", id, ..] => format!("#/plans/{id}"),
        ["pb", ..] => "#/pb".to_owned(),
        _ => "#/allocation".to_owned(),
    }
}

/// The gate's refusal: every blocked field and what kind of personal data it holds
/// (never the value), each with a link to where it is fixed.
#[component]
pub(super) fn BlockedTexts(hits: Vec<Hit>) -> impl IntoView {
    let i18n = use_i18n();
    let items = hits
        .into_iter()
        .map(|h| {
            let label = field_label(i18n, &h.path);
            let kind = kind_label(i18n, h.kind);
            let href = fix_href(&h.path);
            view! {
                <li data-testid="blocked-field" data-path=h.path.clone() data-kind=h.kind.code()>
                    {format!("{label}: {kind} ")}
                    <a href=href>{t!(i18n, dashboard.blocked_fix)}</a>
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="error" role="alert" data-testid="publish-blocked">
            <p>{t!(i18n, dashboard.blocked_personal)}</p>
            <ul>{items}</ul>
        </div>
    }
}

#[derive(Clone, PartialEq)]
enum Step {
    Idle,
    Confirm,
    Working,
    Done(String),
    Error(String),
}

/// Redaction of a published text: pick the field (from every stored snapshot), the day,
/// confirm; saved in one transaction; then `published` holds the folder made again, to
/// download as after publishing.
#[component]
pub(super) fn RedactPanel(published: RwSignal<Option<Publication>>) -> impl IntoView {
    let i18n = use_i18n();
    let session = crate::state::use_session();
    let storage = use_storage();
    let data = crate::components::loaded::load(storage, |db| async move { db.read_all().await });
    let field = RwSignal::new(String::new());
    let day = RwSignal::new(crate::db::plans::today(now_millis()).to_string());
    let step = RwSignal::new(Step::Idle);
    // Every field that still shows a text in some stored snapshot: path and text.
    let fields = Memo::new(move |_| {
        let mut out: Vec<(String, String)> = Vec::new();
        if let Some(d) = data.current.get() {
            for bytes in stored_history(&d).iter().rev() {
                if let Ok(s) = file::decode(bytes) {
                    for (p, t) in freetext::texts(&s.content) {
                        if !t.is_empty() && !out.iter().any(|(q, _)| *q == p) {
                            out.push((p, t));
                        }
                    }
                }
            }
        }
        out.sort_dyn();
        out
    });
    let redact = move |_| {
        let path = field.get_untracked();
        let on = day.get_untracked();
        step.set(Step::Working);
        let actor = session.actor();
        leptos::task::spawn_local(async move {
            let result: Result<(Vec<u32>, Publication), String> = async {
                let db = storage
                    .db()
                    .ok_or_else(|| crate::components::db_error::plain(i18n, &DbError::Unavailable))?;
                let seqs = db
                    .redact_field(path, on, now_millis(), actor)
                    .await
                    .map_err(|e| crate::components::db_error::plain(i18n, &e))??;
                let d = db
                    .read_all()
                    .await
                    .map_err(|e| crate::components::db_error::plain(i18n, &e))?;
                let p = republish(&d).map_err(|e| e.to_string())?;
                Ok((seqs, p))
            }
            .await;
            match result {
                Ok((seqs, p)) => {
                    let list: Vec<String> = seqs.iter().map(|s| format!("#{s}")).collect();
                    step.set(Step::Done(format!(
                        "{} {} · {}",
                        t_string!(i18n, dashboard.redact_done),
                        list.join(", "),
                        t_string!(i18n, dashboard.redact_download)
                    )));
                    published.set(Some(p));
                    field.set(String::new());
                    storage.changed();
                }
                Err(e) => step.set(Step::Error(format!(
                    "{} {e}",
                    t_string!(i18n, dashboard.redact_failed)
                ))),
            }
        });
    };
    view! {
        <section class="redact-panel" aria-labelledby="redact-h" data-testid="redact-panel">
            <h2 id="redact-h">{t!(i18n, dashboard.redact_heading)}</h2>
            <p class="muted">{t!(i18n, dashboard.redact_help)}</p>
            {move || if fields.with(Vec::is_empty) {
                view! { <p class="muted">{t!(i18n, dashboard.redact_none)}</p> }.into_any()
            } else {
                view! {
                    <label for="redact-field">{t!(i18n, dashboard.redact_field)}</label>
                    <select id="redact-field" data-testid="redact-field"
                        prop:value=move || field.get()
                        on:change=move |ev| { field.set(event_target_value(&ev)); step.set(Step::Idle); }>
                        <option value="">"—"</option>
                        {fields.get().into_iter().map(|(p, t)| {
                            let short: String = t.chars().take(40).collect();
                            let label = format!("{} — {short}", field_label(i18n, &p));
                            view! { <option value=p>{label}</option> }
                        }).collect_view()}
                    </select>
                    <label for="redact-date">{t!(i18n, dashboard.redact_date)}</label>
                    <input id="redact-date" type="date" data-testid="redact-date"
                        prop:value=move || day.get() on:input=move |ev| day.set(event_target_value(&ev))/>
                    <WriteGuard><button type="button" data-testid="redact-start"
                        disabled=move || field.with(String::is_empty) || matches!(step.get(), Step::Working)
                        on:click=move |_| step.set(Step::Confirm)>
                        {t!(i18n, dashboard.redact_start)}
                    </button></WriteGuard>
                }.into_any()
            }}
            <div role="status" aria-live="polite" data-testid="redact-status">
                {move || match step.get() {
                    Step::Idle => ().into_any(),
                    Step::Confirm => view! {
                        <div class="confirm" role="alertdialog" aria-labelledby="redact-confirm-text">
                            <p id="redact-confirm-text">{t!(i18n, dashboard.redact_confirm_text)}</p>
                            <button type="button" class="danger" data-testid="redact-confirm" on:click=redact>
                                {t!(i18n, dashboard.redact_confirm)}
                            </button>
                            <button type="button" on:click=move |_| step.set(Step::Idle)>
                                {t!(i18n, dashboard.redact_cancel)}
                            </button>
                        </div>
                    }.into_any(),
                    Step::Working => view! { <p class="muted">{t!(i18n, dashboard.redact_working)}</p> }.into_any(),
                    Step::Done(m) => view! { <p class="ok" data-testid="redact-done">{m}</p> }.into_any(),
                    Step::Error(m) => view! { <p class="error">{m}</p> }.into_any(),
                }}
            </div>
        </section>
    }
}
