//! The residents' intake forms (issue #18) as a second wasm: the page
//! (`crate::lazy` of the library) loads it only when a resident opens a form, then calls
//! [`mount_intake`]. Built by Trunk like a worker (`dashboard/index.html`,
//! `data-type="worker"`: no-modules glue `intake_form.js` with the global
//! `wasm_bindgen`, fixed file names) but run on the page, so the forms and the sealing code
//! stay out of the dashboard's first load.

use leptos::prelude::*;
use linli_dashboard::intake::{IntakeForm, RateForm};
use linli_dashboard::lazy::FormConfig;
use linli_dashboard::Lang;
use linli_domain::snapshot::IntakePublic;
use wasm_bindgen::prelude::*;

fn main() {
    console_error_panic_hook::set_once();
}

/// Draws a form into `el`. `config` is a [`FormConfig`] as JSON text.
#[wasm_bindgen]
pub fn mount_intake(el: web_sys::HtmlElement, config: &str) {
    let Ok(c) = serde_json::from_str::<FormConfig>(config) else {
        return;
    };
    let lang = if c.lang == "en" { Lang::En } else { Lang::Zh };
    let intake = IntakePublic {
        recipient: c.recipient,
        community: c.community,
    };
    let (categories, code) = (c.categories, c.code);
    // A form drawn before (in the other language) gives way to this one; its draft
    // and sealed result come back from the tab's storage (`linli_dashboard::intake`).
    el.set_text_content(None);
    let handle = leptos::mount::mount_to(el, move || {
        if code.is_empty() {
            view! { <IntakeForm intake=intake.clone() categories=categories.clone() lang=lang/> }.into_any()
        } else {
            view! { <RateForm intake=intake.clone() code=code.clone() lang=lang/> }.into_any()
        }
    });
    // The form lives as long as its place in the page (the page removes it).
    handle.forget();
}
