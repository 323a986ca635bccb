//! Settings → 同步 → 设备登记 (issue #19): a guide's device hands a new device the
//! community's key and a device number of its own (`linli_domain::replication::enrol`).
//!
//! Giving: a label for the new device; the next free number is taken from the
//! community's registry and every record's id; the enrolment is encrypted in the backup
//! worker as an armored age file to a one-time code, shown as text (copy) and as a QR
//! code, the code beside it to be passed another way. The number given is recorded
//! (replicated setting `devices`) with a history entry.
//!
//! Joining: the text pasted or a picture of the QR code, and the code typed; it is
//! opened in the worker. After confirmation the device's own data gives way to an empty
//! community (the community's comes by sync; the warning says to export a backup first);
//! a protected community asks for this device's first guide and passphrase over the
//! community's data key. The device number
//! is kept on the device ([`crate::db::device`]) and the server's address is filled in.

use leptos::prelude::*;
use leptos::task::spawn_local;

use linli_domain::replication::enrol::{self, Enrolment, Given, Registry, DEVICES_SETTING};
use linli_domain::replication::local;

use super::backup::acting;
use super::sync::root_key;
use crate::backup_crypt::{Job, Seal};
use crate::backup_worker::{self, Outcome};
use crate::browser::{now_millis, random_bytes};
use crate::components::WriteGuard;
use crate::i18n::*;
use crate::state::{use_session, use_storage};

/// What giving produced.
#[derive(Clone)]
struct Given2 {
    device: u16,
    code: String,
    text: String,
    qr: String,
}

/// The enrolment part of the 同步 section.
#[component]
pub(super) fn Enrol(
    /// The sync key typed in the section (the root key while there is no passphrase).
    key: RwSignal<String>,
    /// The server address field of the section.
    server_url: RwSignal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let storage = use_storage();
    let protected = crate::db::cipher::active();

    // Giving.
    let label = RwSignal::new(String::new());
    let give_error = RwSignal::new(None::<String>);
    let giving = RwSignal::new(false);
    let given = RwSignal::new(None::<Given2>);
    let copied = RwSignal::new(false);

    let on_give = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        give_error.set(None);
        given.set(None);
        copied.set(false);
        let l = label.get_untracked().trim().to_owned();
        if l.is_empty() || l.chars().count() > enrol::MAX_LABEL_CHARS {
            give_error.set(Some(
                t_string!(i18n, settings.enrol_label_invalid, n = enrol::MAX_LABEL_CHARS).to_owned(),
            ));
            crate::browser::focus_after_draw("#enrol-label");
            return;
        }
        let Some(root) = root_key(&key.get_untracked()) else {
            give_error.set(Some(t_string!(i18n, settings.enrol_needs_key).to_owned()));
            crate::browser::focus_after_draw("#sync-key");
            return;
        };
        let Some(db) = storage.db() else { return };
        let by = acting(i18n, session);
        let server = server_url.get_untracked();
        giving.set(true);
        spawn_local(async move {
            crate::browser::paint().await;
            let fail = |m: String| {
                give_error.set(Some(m));
                giving.set(false);
            };
            let ds = match db.read_all().await {
                Ok(d) => d,
                Err(e) => return fail(crate::components::db_error::plain(i18n, &e)),
            };
            let mut registry = Registry::parse(
                ds.settings
                    .iter()
                    .find(|s| s.key == DEVICES_SETTING)
                    .map(|s| s.value.as_str()),
            );
            let ids = local::records(&ds)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|(_, k, _)| k.parse::<u32>().ok());
            let device = match enrol::next_device(&registry, ids, crate::db::device::number()) {
                Ok(n) => n,
                Err(_) => return fail(t_string!(i18n, settings.enrol_no_number).to_owned()),
            };
            let at = now_millis();
            let server = super::sync_server::checked(&server);
            let e = match Enrolment::new(device, &root, protected, server.as_deref(), &l, &by, at) {
                Ok(e) => e,
                Err(_) => {
                    return fail(
                        t_string!(i18n, settings.enrol_label_invalid, n = enrol::MAX_LABEL_CHARS).to_owned(),
                    )
                }
            };
            let code = enrol::code(random_bytes::<10>());
            let json = zeroize::Zeroizing::new(e.to_json());
            let text = match backup_worker::run(
                &Job::SealArmored(Seal::Passphrase(code.as_str().to_owned())),
                json.as_bytes(),
            )
            .await
            {
                Outcome::Done(b) => String::from_utf8(b).unwrap_or_default(),
                Outcome::Refused(_) => return fail(t_string!(i18n, settings.enrol_failed).to_owned()),
                Outcome::Failed(m) => return fail(format!("{} {m}", t_string!(i18n, settings.enrol_failed))),
            };
            let qr = match backup_worker::run(&Job::Qr, text.as_bytes()).await {
                Outcome::Done(svg) => linli_domain::data_url::svg(&svg),
                _ => String::new(),
            };
            registry.given.push(Given {
                device,
                label: l.clone(),
                by: by.clone(),
                at,
            });
            if let Err(e) = db
                .save_devices(&registry, format!("enrol device {device}: {l}"), by)
                .await
            {
                return fail(crate::components::db_error::plain(i18n, &e));
            }
            storage.changed();
            given.set(Some(Given2 {
                device,
                code: code.display(),
                text,
                qr,
            }));
            giving.set(false);
        });
    };

    // Joining.
    let pasted = RwSignal::new(String::new());
    let typed_code = RwSignal::new(String::new());
    let join_error = RwSignal::new(None::<(&'static str, String)>);
    let opening = RwSignal::new(false);
    let opened = RwSignal::new(None::<Enrolment>);
    let name = RwSignal::new(String::new());
    let pass = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let joined = RwSignal::new(None::<u16>);

    let on_image = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        join_error.set(None);
        spawn_local(async move {
            match crate::qr_scan::read_file(&file).await {
                Ok(t) => pasted.set(t),
                Err(crate::qr_scan::ScanError::NotAnImage) => {
                    join_error.set(Some((
                        "text",
                        t_string!(i18n, requests.intake_err_image).to_owned(),
                    )));
                }
                Err(crate::qr_scan::ScanError::NoCode) => {
                    join_error.set(Some((
                        "text",
                        t_string!(i18n, requests.intake_err_no_qr).to_owned(),
                    )));
                }
            }
        });
    };

    let on_open = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        join_error.set(None);
        opened.set(None);
        let text = pasted.get_untracked();
        if !crate::backup_crypt::is_age(text.as_bytes()) {
            join_error.set(Some((
                "text",
                t_string!(i18n, settings.enrol_text_invalid).to_owned(),
            )));
            crate::browser::focus_after_draw("#enrol-paste");
            return;
        }
        let Some(secret) = enrol::passphrase(&typed_code.get_untracked()) else {
            join_error.set(Some((
                "code",
                t_string!(i18n, settings.enrol_code_invalid).to_owned(),
            )));
            crate::browser::focus_after_draw("#enrol-code");
            return;
        };
        opening.set(true);
        spawn_local(async move {
            let r = backup_worker::run(&Job::Open(secret), text.as_bytes()).await;
            opening.set(false);
            match r {
                Outcome::Done(plain) => match Enrolment::from_json(&plain) {
                    Ok(e) => {
                        opened.set(Some(e));
                        crate::browser::focus_after_draw("#enrol-confirm");
                    }
                    Err(_) => join_error.set(Some((
                        "text",
                        t_string!(i18n, settings.enrol_text_invalid).to_owned(),
                    ))),
                },
                Outcome::Refused(crate::backup_crypt::OpenError::WrongPassphrase) => {
                    join_error.set(Some((
                        "code",
                        t_string!(i18n, settings.enrol_code_wrong).to_owned(),
                    )));
                    crate::browser::focus_after_draw("#enrol-code");
                }
                Outcome::Refused(_) => join_error.set(Some((
                    "text",
                    t_string!(i18n, settings.enrol_text_invalid).to_owned(),
                ))),
                Outcome::Failed(m) => join_error.set(Some(("text", m))),
            }
        });
    };

    let on_join = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(e) = opened.get_untracked() else { return };
        join_error.set(None);
        let root = e.root_key();
        let summary = format!(
            "joined as device {} ({}), enrolled by {}",
            e.device, e.label, e.by
        );
        let finish = move |e: &Enrolment| {
            if let Err(err) = crate::db::device::set_number(e.device) {
                join_error.set(Some(("join", format!("{err:?}"))));
                return;
            }
            if let Some(s) = &e.server {
                server_url.set(s.clone());
                super::sync_server::remember(s, "");
            }
            if !e.protected {
                key.set(local::hex(&e.root_key()));
            }
            opened.set(None);
            typed_code.set(String::new());
            pasted.set(String::new());
            joined.set(Some(e.device));
        };
        // The device's own data gives way: the community's comes by sync.
        let start_with = crate::state::storage::empty_dataset;
        match (e.protected, crate::db::cipher::data_key()) {
            // Already holds this community's key (a restored backup): only the number.
            (true, Some(k)) if *k.as_bytes() == root => finish(&e),
            (_, Some(_)) => join_error.set(Some((
                "join",
                t_string!(i18n, settings.enrol_other_key).to_owned(),
            ))),
            (true, None) => {
                opening.set(true);
                let (n, p, c) = (
                    name.get_untracked(),
                    pass.get_untracked(),
                    confirm.get_untracked(),
                );
                spawn_local(async move {
                    let key = linli_domain::vault::DataKey::from_bytes(root);
                    let r = session.join(n, p, c, summary, key, start_with()).await;
                    opening.set(false);
                    match r {
                        Ok(()) => finish(&e),
                        Err(f) => {
                            join_error.set(Some(("join", crate::components::vault_text::fail_text(i18n, &f))))
                        }
                    }
                });
            }
            (false, None) => {
                opening.set(true);
                spawn_local(async move {
                    let entry = crate::db::history_entry(
                        now_millis(),
                        acting(i18n, session),
                        "dataset",
                        0,
                        "enrol",
                        summary,
                    );
                    let r = storage
                        .replace_all_recorded(&start_with(), entry)
                        .await
                        .map_err(|err| crate::components::db_error::plain(i18n, &err));
                    opening.set(false);
                    match r {
                        Ok(()) => finish(&e),
                        Err(m) => join_error.set(Some(("join", m))),
                    }
                });
            }
        }
    };

    let err_for = move |field: &'static str| {
        move || {
            join_error.get().filter(|(f, _)| *f == field).map(|(_, m)| {
                view! {
                    <p class="error" role="alert" data-testid=format!("enrol-{field}-error")>{m}</p>
                }
            })
        }
    };

    view! {
        <h3 id="enrol-h">{t!(i18n, settings.enrol_title)}</h3>
        <p>{t!(i18n, settings.enrol_intro)}</p>
        <p class="muted small" data-testid="enrol-device" data-device=move || { let _ = joined.get(); crate::db::device::number().to_string() }>
            {move || { let _ = joined.get(); t_string!(i18n, settings.enrol_this_device, n = crate::db::device::number()).to_owned() }}
        </p>
        <WriteGuard>
            <form on:submit=on_give data-testid="enrol-give-form" novalidate>
                <div class="field">
                    <label for="enrol-label">{t!(i18n, settings.enrol_label)}</label>
                    <input id="enrol-label" type="text" autocomplete="off" data-testid="enrol-label"
                        maxlength=enrol::MAX_LABEL_CHARS.to_string()
                        aria-invalid=move || give_error.get().is_some().to_string() aria-describedby="enrol-label-help"
                        prop:value=move || label.get() on:input=move |ev| label.set(event_target_value(&ev))/>
                    <p id="enrol-label-help" class="muted small">{t!(i18n, settings.enrol_label_help)}</p>
                    {move || give_error.get().map(|m| view! { <p class="error" role="alert" data-testid="enrol-give-error">{m}</p> })}
                </div>
                <button type="submit" data-testid="enrol-give" disabled=move || giving.get()>{t!(i18n, settings.enrol_give)}</button>
                {move || giving.get().then(|| view! { <p role="status">{t!(i18n, common.working)}</p> })}
            </form>
        </WriteGuard>
        {move || given.get().map(|g| {
            let text = g.text.clone();
            view! {
                <div class="enrol-given" data-testid="enrol-given" data-device=g.device.to_string()>
                    <p>{t_string!(i18n, settings.enrol_given, n = g.device)}</p>
                    <p>{t!(i18n, settings.enrol_code)}" "<strong class="code" data-testid="enrol-code">{g.code.clone()}</strong></p>
                    <p class="muted small">{t!(i18n, settings.enrol_code_help)}</p>
                    <div class="field">
                        <label for="enrol-text">{t!(i18n, settings.enrol_text)}</label>
                        <textarea id="enrol-text" readonly rows="6" spellcheck="false" data-testid="enrol-text" prop:value=g.text.clone()></textarea>
                    </div>
                    <div class="actions">
                        <button type="button" data-testid="enrol-copy" on:click=move |_| copied.set(crate::browser::copy_text(&text))>
                            {move || if copied.get() { t_string!(i18n, settings.enrol_copied) } else { t_string!(i18n, settings.enrol_copy) }}
                        </button>
                    </div>
                    {(!g.qr.is_empty()).then(|| view! {
                        <p><img class="qr" src=g.qr.clone() width="320" height="320" alt=t_string!(i18n, settings.enrol_qr_alt) data-testid="enrol-qr"/></p>
                    })}
                </div>
            }
        })}
        <h4>{t!(i18n, settings.enrol_join_title)}</h4>
        <form on:submit=on_open data-testid="enrol-open-form" novalidate>
            <div class="field">
                <label for="enrol-paste">{t!(i18n, settings.enrol_paste)}</label>
                <textarea id="enrol-paste" rows="5" spellcheck="false" data-testid="enrol-paste"
                    aria-invalid=move || join_error.get().is_some_and(|(f, _)| f == "text").to_string()
                    prop:value=move || pasted.get() on:input=move |ev| pasted.set(event_target_value(&ev))></textarea>
                <label class="button file">
                    {t!(i18n, settings.enrol_picture)}
                    <input type="file" accept="image/*" data-testid="enrol-picture" on:change=on_image/>
                </label>
                {err_for("text")}
            </div>
            <div class="field">
                <label for="enrol-code">{t!(i18n, settings.enrol_code)}</label>
                <input id="enrol-code" type="text" autocomplete="off" spellcheck="false" data-testid="enrol-code-in"
                    aria-invalid=move || join_error.get().is_some_and(|(f, _)| f == "code").to_string()
                    prop:value=move || typed_code.get() on:input=move |ev| typed_code.set(event_target_value(&ev))/>
                {err_for("code")}
            </div>
            <button type="submit" data-testid="enrol-open" disabled=move || opening.get()>{t!(i18n, settings.enrol_open)}</button>
            {move || (opening.get() && opened.with(Option::is_none)).then(|| view! { <p role="status">{t!(i18n, common.working)}</p> })}
        </form>
        {move || opened.get().map(|e| {
            let needs_guide = e.protected && !protected;
            view! {
                <form on:submit=on_join data-testid="enrol-join-form" novalidate>
                    <p data-testid="enrol-opened">{t_string!(i18n, settings.enrol_opened, n = e.device, label = e.label.clone(), by = e.by.clone(),
                        at = linli_domain::requests::calendar::local_datetime(e.at))}</p>
                    <p class="banner warn" data-testid="enrol-clear-warning">{t!(i18n, settings.enrol_replace_warning)}</p>
                    {needs_guide.then(|| view! {
                        <div class="field">
                            <label for="enrol-name">{t!(i18n, lock.your_name)}</label>
                            {super::guides::text_input("enrol-name", "text", name, "name")}
                        </div>
                        <div class="field">
                            <label for="enrol-pass">{t!(i18n, lock.new_passphrase)}</label>
                            {super::guides::text_input("enrol-pass", "password", pass, "new-password")}
                        </div>
                        <div class="field">
                            <label for="enrol-confirm-pass">{t!(i18n, lock.confirm_passphrase)}</label>
                            {super::guides::text_input("enrol-confirm-pass", "password", confirm, "new-password")}
                        </div>
                    })}
                    <div class="actions">
                        <button type="submit" id="enrol-confirm" data-testid="enrol-join" disabled=move || opening.get()>{t!(i18n, settings.enrol_join)}</button>
                        <button type="button" data-testid="enrol-cancel" on:click=move |_| opened.set(None)>{t!(i18n, settings.enrol_cancel)}</button>
                    </div>
                    {move || opening.get().then(|| view! { <p role="status">{t!(i18n, common.working)}</p> })}
                </form>
            }
        })}
        {err_for("join")}
        {move || joined.get().map(|n| view! { <p class="ok" role="status" data-testid="enrol-joined">{t_string!(i18n, settings.enrol_joined, n = n)}</p> })}
    }
}
