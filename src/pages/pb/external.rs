//! Counting an outside `.pb` file (pabulib), for auditors and comparison
//! with other cities; nothing is stored.

use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::pb::format_rational;

use super::count::{cancel, cancel_on_cleanup, rules_for, start_count, CountState, RuleControls};
use super::{rule_name, MAX_PB_BYTES, RULES};
use crate::i18n::*;
use crate::pb_job::{Job, RuleResult};
use crate::pb_worker::PbRun;

#[component]
pub(super) fn ExternalCount() -> impl IntoView {
    let i18n = use_i18n();
    let rule = RwSignal::new(RULES[0].to_owned());
    let state = RwSignal::new(CountState::Idle);
    let slot = StoredValue::new_local(None::<Rc<PbRun>>);
    let file_text = StoredValue::new_local(None::<Rc<String>>);
    let file_name = RwSignal::new(None::<String>);
    let read_error = RwSignal::new(None::<String>);
    cancel_on_cleanup(slot);
    let on_file = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        let name = file.name();
        read_error.set(None);
        if file.size() > MAX_PB_BYTES {
            file_text.set_value(None);
            file_name.set(None);
            read_error.set(Some(format!(
                "{} {:.0} MB{}",
                t_string!(i18n, pb.file_too_large),
                file.size() / 1_048_576.0,
                t_string!(i18n, pb.file_too_large_tail)
            )));
            return;
        }
        spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(t) => {
                    file_text.set_value(t.as_string().map(Rc::new));
                    file_name.set(Some(name));
                    state.set(CountState::Idle);
                }
                Err(e) => read_error.set(Some(format!("{e:?}"))),
            }
        });
    };
    let on_run = move |_| {
        let Some(text) = file_text.get_value() else { return };
        let job = Job {
            instance_pb: (*text).clone(),
            rules: rules_for(rule.get_untracked()),
            max_add1_iterations: None,
        };
        start_count(i18n, job, state, slot);
    };
    let on_cancel = move |_| cancel(slot, state);
    view! {
        <section class="card" aria-labelledby="pb-ext-h">
            <h2 id="pb-ext-h">{t!(i18n, pb.ext_title)}</h2>
            <p class="muted">{t!(i18n, pb.ext_note)}</p>
            <label class="file">{t!(i18n, pb.choose_file)}
                <input type="file" accept=".pb,text/plain" data-testid="pb-file" on:change=on_file/>
            </label>
            {move || file_name.get().map(|n| view! { <span class="muted" data-testid="pb-file-name">" "{n}</span> })}
            {move || read_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || file_name.get().is_some().then(|| view! {
                <RuleControls rule=rule state=state on_run=on_run on_cancel=on_cancel enabled=true/>
            })}
            {move || match state.get() {
                CountState::Done(results) => Some(view! { <ExternalResults results=results/> }),
                _ => None,
            }}
        </section>
    }
}

#[component]
fn ExternalResults(results: Arc<Vec<RuleResult>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-scroll">
            <table class="counts" data-testid="pb-ext-results">
                <thead><tr>
                    <th scope="col">{t!(i18n, pb.col_rule)}</th>
                    <th scope="col" class="num">{t!(i18n, pb.col_funded)}</th>
                    <th scope="col" class="num">{t!(i18n, pb.col_total_exact)}</th>
                    <th scope="col" class="num">{t!(i18n, pb.col_time)}</th>
                    <th scope="col">{t!(i18n, pb.col_selected)}</th>
                </tr></thead>
                <tbody>
                    {results.iter().map(|r| {
                        let code = r.rule.clone();
                        let name = move || rule_name(i18n, &code);
                        view! {
                            <tr data-rule=r.rule.clone()>
                                <th scope="row">{name}</th>
                                <td class="num">{r.outcome.selected.len()}</td>
                                <td class="num">{format_rational(&r.outcome.total_cost)}</td>
                                <td class="num" data-testid="pb-ms">{r.millis}</td>
                                <td class="ids">{r.outcome.selected.iter().map(|p| p.0.clone()).collect::<Vec<_>>().join(", ")}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
