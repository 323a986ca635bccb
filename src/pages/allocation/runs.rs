//! The stored allocation runs, each with "verify": a re-run from the run's stored inputs
//! that checks the inputs hash and the outputs against what was stored.

use leptos::prelude::*;
use linli_domain::alloc::verify_run;
use linli_domain::model::AllocationRun;

use super::adopt::{AdoptCell, Decided};
use crate::browser::local_minute;
use crate::components::form_message::{msg_view, Msg};
use crate::i18n::*;

/// The stored runs with "verify" and "adopt".
#[component]
pub fn RunsList(runs: Memo<Vec<AllocationRun>>, decided: Decided) -> impl IntoView {
    let i18n = use_i18n();
    let adopt_msg: Msg = RwSignal::new(None);
    let verified = RwSignal::new(Vec::<(u32, Result<(), String>)>::new());
    let body = move || {
        let list = runs.get();
        if list.is_empty() {
            return view! { <p class="muted">{t!(i18n, allocation.no_stored_runs_yet)}</p> }.into_any();
        }
        let rows = list
            .into_iter()
            .map(|run| {
                let id = run.id;
                let sha = run.inputs_sha256.chars().take(12).collect::<String>();
                let period = run.period.clone();
                let run = StoredValue::new(run);
                let on_verify = move |_| {
                    let res = run.with_value(|r| verify_run(r).map(|_| ()).map_err(|e| e.to_string()));
                    verified.update(|v| {
                        v.retain(|(i, _)| *i != id);
                        v.push((id, res));
                    });
                };
                let result = move || {
                    verified.with(|v| v.iter().find(|(i, _)| *i == id).map(|(_, r)| r.clone())).map(|r| match r {
                        Ok(()) => view! { <span class="badge ok" data-testid="verify-result" data-ok="true">{t!(i18n, allocation.consistent)}</span> }.into_any(),
                        Err(e) => view! { <span class="badge bad" role="alert" data-testid="verify-result" data-ok="false">{t!(i18n, allocation.inconsistent)}<code>{e.clone()}</code></span> }.into_any(),
                    })
                };
                view! {
                    <tr data-testid="run-row" data-id=id>
                        <td class="num">{format!("#{id}")}</td>
                        <td>{run.with_value(|r| r.period.clone())}</td>
                        <td>{run.with_value(|r| local_minute(r.created_at))}</td>
                        <td><code title=run.with_value(|r| r.inputs_sha256.clone())>{sha}"…"</code></td>
                        <td>
                            <button type="button" data-testid="verify-run" on:click=on_verify>{t!(i18n, allocation.verify)}</button>
                            " "{result}
                        </td>
                        <td><AdoptCell run_id=id period=period decided=decided msg=adopt_msg/></td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="table-scroll">
                <table class="agg" data-testid="alloc-runs">
                    <thead><tr>
                        <th scope="col">{t!(i18n, allocation.number)}</th>
                        <th scope="col">{t!(i18n, allocation.period)}</th>
                        <th scope="col">{t!(i18n, allocation.saved_at)}</th>
                        <th scope="col">{t!(i18n, allocation.inputs)}</th>
                        <th scope="col">{t!(i18n, allocation.verify_re_run)}</th>
                        <th scope="col">{t!(i18n, allocation.adopt_col)}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <section class="card" aria-labelledby="alloc-runs-h">
            <h2 id="alloc-runs-h">{t!(i18n, allocation.stored_allocation_runs)}</h2>
            <p class="muted small">{t!(i18n, allocation.verify_re_runs_a_record_from_its)}</p>
            <p class="muted small">{t!(i18n, allocation.adopt_help)}</p>
            {body}
            {msg_view(adopt_msg, "adopt-msg")}
        </section>
    }
}
