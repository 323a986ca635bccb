//! The residents' intake forms (issue #18): "提交诉求" (a new request) and the rating of a
//! resolved request. The phone seals what the resident writes to the community's intake
//! key (`content.intake` of the verified snapshot) and shows the tracking code, the sealed
//! text and its QR code at once; the resident sends the text or shows the code to a guide.
//!
//! These components and the sealing ([`crate::intake_job`]) are compiled into a second
//! wasm, `src/bin/intake_form.rs`, which the page loads only when a form opens
//! ([`crate::lazy`]): they are not part of the dashboard's first load, and `sw.js` keeps
//! them for offline use. The page draws the section, its heading and the button.

use leptos::prelude::*;
use linli_domain::intake::submission::{MAX_COMMENT_CHARS, MAX_CONTACT_CHARS, MAX_DESCRIPTION_CHARS};
use linli_domain::model::Urgency;
use linli_domain::snapshot::IntakePublic;
use wasm_bindgen::JsCast;

use crate::intake_job::{Job, Reply};
use crate::{tr, Lang};

/// The request form's draft and its sealed result are kept for this tab only
/// (`sessionStorage`): the page redraws everything on a language switch and the form
/// must come back as it was; once the tab is closed nothing of it stays on the phone.
const DRAFT_KEY: &str = "linli-intake-draft";
const SEALED_KEY: &str = "linli-intake-sealed";

#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct Draft {
    category: String,
    description: String,
    urgency: Option<Urgency>,
    contact: String,
}

fn tab() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

fn keep<T: serde::Serialize>(key: &str, v: &T) {
    if let (Some(t), Ok(text)) = (tab(), serde_json::to_string(v)) {
        let _ = t.set_item(key, &text);
    }
}

fn kept<T: serde::de::DeserializeOwned>(key: &str) -> Option<T> {
    serde_json::from_str(&tab()?.get_item(key).ok()??).ok()
}

fn forget(key: &str) {
    if let Some(t) = tab() {
        let _ = t.remove_item(key);
    }
}

/// Seals `job` with the page's `crypto.getRandomValues` ([`crate::intake_job::run`]).
fn seal(job: &Job, done: impl FnOnce(Reply)) {
    let crypto = web_sys::window().and_then(|w| w.crypto().ok());
    let mut fill = |b: &mut [u8]| {
        crypto
            .as_ref()
            .is_some_and(|c| c.get_random_values_with_u8_array(b).is_ok())
    };
    let text = serde_json::to_string(job).unwrap_or_default();
    done(crate::intake_job::run(&text, &mut fill));
}

/// Moves the focus to `id` once the view has been updated.
fn focus_later(id: &'static str) {
    set_timeout(move || focus(id), std::time::Duration::from_millis(20));
}

fn focus(id: &str) {
    if let Some(e) = document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = e.focus();
    }
}

/// What a field's refusal says.
fn field_error(l: Lang, field: &str, reason: &str) -> String {
    match (field, reason) {
        (_, "empty") => tr(l, "请填写此项。", "Please fill this in.").to_owned(),
        (_, "too_large") => tr(
            l,
            "内容太长，放不进一个二维码，请缩短。",
            "Too long to fit one QR code: please shorten it.",
        )
        .to_owned(),
        (_, "control characters") => tr(
            l,
            "含有无法发送的字符，请删除。",
            "It holds characters that cannot be sent: please remove them.",
        )
        .to_owned(),
        _ => format!(
            "{} ({reason})",
            tr(l, "无法接受此内容。", "This cannot be accepted.")
        ),
    }
}

fn too_long(l: Lang, max: usize, n: usize) -> String {
    match l {
        Lang::Zh => format!("不能超过 {max} 字（现在 {n} 字）。"),
        Lang::En => format!("At most {max} characters (now {n})."),
    }
}

fn failed(l: Lang) -> String {
    tr(
        l,
        "本机浏览器无法提供安全随机数，无法加密。请换用较新的浏览器再试。",
        "This browser gives no secure random numbers, so nothing could be sealed. Please try a newer browser.",
    )
    .to_owned()
}

/// The sealed payload: the code, when it becomes visible, the text with a copy button
/// and the QR code.
/// `p` names its elements (`{p}-code`, `{p}-text`): the request's and the rating's
/// results may be on the page together.
fn sealed_view(l: Lang, p: &'static str, code: Option<String>, armored: String, qr: String) -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    let text = armored.clone();
    let copy = move |_| {
        let Some(w) = web_sys::window() else { return };
        // No clipboard outside a secure context: say so (the text can still be selected).
        let nav = w.navigator();
        let has = js_sys::Reflect::get(&nav, &wasm_bindgen::JsValue::from_str("clipboard"))
            .is_ok_and(|c| !c.is_undefined() && !c.is_null());
        if !has {
            copied.set(Some(false));
            return;
        }
        let promise = nav.clipboard().write_text(&text);
        leptos::task::spawn_local(async move {
            copied.set(Some(wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()));
        });
    };
    let (code_id, text_id) = (format!("{p}-code"), format!("{p}-text"));
    let focus_id = code_id.clone();
    let label_for = text_id.clone();
    let has_code = code.is_some();
    view! {
        <div class="sealed" data-testid="sealed">
            {code.map(|c| view! {
                <p>{tr(l, "您的查询码：", "Your tracking code: ")}<strong id=focus_id.clone() tabindex="-1" class="code" data-testid="sealed-code">{c}</strong></p>
                <p>{tr(
                    l,
                    "请记下查询码。社区收到下面的加密文字并在下一期公示发布后，您可以在“诉求查询”中用它查看进度。",
                    "Keep this code. Once the community has received the sealed text below and the next publication is out, look it up under \"Look up your request\" to follow it.",
                )}</p>
            })}
            {(!has_code).then(|| view! {
                <p id=code_id tabindex="-1" data-testid="sealed-rating">{tr(
                    l,
                    "评价已加密。社区收到后会记入满意度，并在下一期公示中体现。",
                    "Your rating is sealed. Once the community receives it, it counts in the satisfaction figures of the next publication.",
                )}</p>
            })}
            <label for=label_for>{tr(l, "加密文字：请通过微信、短信或邮件完整发给社区（只有社区社工能打开）", "Sealed text: send it in full to the community by WeChat, SMS or e-mail (only the community's guides can open it)")}</label>
            <textarea id=text_id readonly rows="6" spellcheck="false" data-testid="sealed-text">{armored}</textarea>
            <div class="row">
                <button type="button" on:click=copy data-testid="sealed-copy">{tr(l, "复制加密文字", "Copy the sealed text")}</button>
                <span role="status">{move || copied.get().map(|ok| if ok {
                    tr(l, "已复制。", "Copied.")
                } else {
                    tr(l, "无法自动复制，请长按文字框全选后复制。", "Could not copy: select the text in the box and copy it.")
                })}</span>
            </div>
            <p>{tr(l, "或当面出示二维码给社工扫描：", "Or show this QR code to a guide to scan:")}</p>
            <img class="qr" src=qr data-testid="sealed-qr" alt=tr(l, "加密文字的二维码", "QR code of the sealed text")/>
        </div>
    }
}

/// Per-field error texts, shown next to their fields.
#[derive(Clone, Copy)]
struct Errors {
    a: RwSignal<Option<String>>,
    b: RwSignal<Option<String>>,
    c: RwSignal<Option<String>>,
    general: RwSignal<Option<String>>,
}

impl Errors {
    fn new() -> Self {
        Self {
            a: RwSignal::new(None),
            b: RwSignal::new(None),
            c: RwSignal::new(None),
            general: RwSignal::new(None),
        }
    }
    fn clear(self) {
        for s in [self.a, self.b, self.c, self.general] {
            s.set(None);
        }
    }
}

type Sealed = (Option<String>, String, String);

/// Sends `job` and shows the answer: the sealed view, or the refusal next to its field.
fn submit(
    l: Lang,
    job: Job,
    fields: [&'static str; 3],
    errors: Errors,
    busy: RwSignal<bool>,
    result: RwSignal<Option<Sealed>>,
    p: &'static str,
) {
    let with_code = p == "sealed";
    busy.set(true);
    seal(&job, move |reply| {
        busy.set(false);
        match reply {
            Reply::Sealed { code, armored, qr } => {
                result.set(Some((with_code.then_some(code), armored, qr)));
                focus_later(if with_code { "sealed-code" } else { "rated-code" });
            }
            Reply::Refused { field, reason } => {
                let msg = field_error(l, &field, &reason);
                match fields.iter().position(|f| *f == field) {
                    Some(0) => errors.a.set(Some(msg)),
                    Some(1) => errors.b.set(Some(msg)),
                    Some(_) => errors.c.set(Some(msg)),
                    None => errors.general.set(Some(msg)),
                }
            }
            Reply::Ready | Reply::Failed => errors.general.set(Some(failed(l))),
        }
    });
}

fn err_p(id: &'static str, e: RwSignal<Option<String>>) -> impl IntoView {
    view! { <p id=id class="error" data-testid=id>{move || e.get()}</p> }
}

/// "提交诉求": category, description, the resident's own urgency, optional contact.
#[component]
pub fn IntakeForm(intake: IntakePublic, categories: Vec<(String, String)>, lang: Lang) -> impl IntoView {
    let l = lang;
    let category = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let urgency = RwSignal::new(Urgency::Medium);
    let contact = RwSignal::new(String::new());
    let errors = Errors::new();
    let busy = RwSignal::new(false);
    let result = RwSignal::new(kept::<Sealed>(SEALED_KEY));
    if let Some(d) = kept::<Draft>(DRAFT_KEY) {
        category.set(d.category);
        description.set(d.description);
        urgency.set(d.urgency.unwrap_or(Urgency::Medium));
        contact.set(d.contact);
    }
    // Kept for this tab as the resident types; the sealed result replaces the draft.
    Effect::new(move |_| {
        if let Some(r) = result.get() {
            keep(SEALED_KEY, &r);
            forget(DRAFT_KEY);
            return;
        }
        let d = Draft {
            category: category.get(),
            description: description.get(),
            urgency: Some(urgency.get()),
            contact: contact.get(),
        };
        if d.category.is_empty() && d.description.is_empty() && d.contact.is_empty() {
            forget(DRAFT_KEY);
        } else {
            keep(DRAFT_KEY, &d);
        }
    });
    let another = move |_| {
        forget(SEALED_KEY);
        category.set(String::new());
        description.set(String::new());
        urgency.set(Urgency::Medium);
        contact.set(String::new());
        result.set(None);
        focus_later("in-cat");
    };
    let intake = StoredValue::new(intake);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        errors.clear();
        let (cat, desc, cont) = (
            category.get_untracked(),
            description.get_untracked(),
            contact.get_untracked(),
        );
        let mut first = None;
        if cat.is_empty() {
            errors
                .a
                .set(Some(tr(l, "请选择类别。", "Choose a category.").to_owned()));
            first = first.or(Some("in-cat"));
        }
        let n = desc.trim().chars().count();
        if n == 0 {
            errors.b.set(Some(
                tr(l, "请写下情况说明。", "Describe the problem.").to_owned(),
            ));
            first = first.or(Some("in-desc"));
        } else if n > MAX_DESCRIPTION_CHARS {
            errors.b.set(Some(too_long(l, MAX_DESCRIPTION_CHARS, n)));
            first = first.or(Some("in-desc"));
        }
        let n = cont.trim().chars().count();
        if n > MAX_CONTACT_CHARS {
            errors.c.set(Some(too_long(l, MAX_CONTACT_CHARS, n)));
            first = first.or(Some("in-contact"));
        }
        if let Some(id) = first {
            focus_later(id);
            return;
        }
        let job = intake.with_value(|i| Job::Request {
            community: i.community.clone(),
            recipient: i.recipient.clone(),
            category: cat,
            description: desc,
            urgency: urgency.get_untracked(),
            contact: cont,
        });
        submit(
            l,
            job,
            ["category", "description", "contact"],
            errors,
            busy,
            result,
            "sealed",
        );
    };
    let options = categories
        .into_iter()
        .map(|(code, name)| {
            let selected = code.clone();
            view! { <option value=code selected=move || category.get() == selected>{name}</option> }
        })
        .collect_view();
    let levels = [
        (Urgency::Low, tr(l, "不急", "Not urgent")),
        (Urgency::Medium, tr(l, "一般", "Normal")),
        (Urgency::High, tr(l, "紧急", "Urgent")),
    ]
    .into_iter()
    .map(|(u, name)| {
        view! {
            <label class="choice"><input type="radio" name="in-urg" prop:checked=move || urgency.get() == u on:change=move |_| urgency.set(u)/>{name}</label>
        }
    })
    .collect_view();
    let invalid = |e: RwSignal<Option<String>>| move || if e.get().is_some() { "true" } else { "false" };
    let form = view! {
        <form novalidate on:submit=on_submit data-testid="intake-form" hidden=move || result.with(Option::is_some)>
            <label for="in-cat">{tr(l, "类别", "Category")}</label>
            <select id="in-cat" aria-describedby="in-cat-err" aria-invalid=invalid(errors.a)
                on:change=move |ev| category.set(event_target_value(&ev))>
                <option value="">{tr(l, "请选择", "Choose")}</option>
                {options}
            </select>
            {err_p("in-cat-err", errors.a)}
            <label for="in-desc">{match l {
                Lang::Zh => format!("情况说明（不超过 {MAX_DESCRIPTION_CHARS} 字；请勿写他人的姓名或门牌）"),
                Lang::En => format!("What is the problem (at most {MAX_DESCRIPTION_CHARS} characters; no other person's name or door number)"),
            }}</label>
            <textarea id="in-desc" rows="4" aria-describedby="in-desc-err" aria-invalid=invalid(errors.b)
                prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))></textarea>
            {err_p("in-desc-err", errors.b)}
            <fieldset>
                <legend>{tr(l, "您觉得有多急", "How urgent is it for you")}</legend>
                {levels}
            </fieldset>
            <label for="in-contact">{tr(l, "联系方式（可不填；电话、微信号或邮箱）", "Contact (optional: phone, WeChat id or e-mail)")}</label>
            <input id="in-contact" autocomplete="tel" aria-describedby="in-contact-err" aria-invalid=invalid(errors.c)
                prop:value=move || contact.get() on:input=move |ev| contact.set(event_target_value(&ev))/>
            {err_p("in-contact-err", errors.c)}
            <button type="submit" data-testid="intake-submit" prop:disabled=move || busy.get()>{tr(l, "生成查询码和加密文字", "Make my code and sealed text")}</button>
            <p role="status">{move || busy.get().then(|| tr(l, "正在本机加密…", "Sealing on this phone…"))}</p>
            {err_p("in-err", errors.general)}
        </form>
    };
    focus_later("in-cat");
    view! {
        {form}
        {move || result.get().map(|(code, armored, qr)| view! {
            {sealed_view(l, "sealed", code, armored, qr)}
            <button type="button" on:click=another data-testid="intake-another">{tr(l, "再写一条诉求", "Write another request")}</button>
        })}
    }
}

/// The rating of a resolved request found by its code: 1–5 and a comment.
#[component]
pub fn RateForm(intake: IntakePublic, code: String, lang: Lang) -> impl IntoView {
    let l = lang;
    let rating = RwSignal::new(0u8);
    let comment = RwSignal::new(String::new());
    let errors = Errors::new();
    let busy = RwSignal::new(false);
    let result = RwSignal::new(None::<Sealed>);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        errors.clear();
        let r = rating.get_untracked();
        let text = comment.get_untracked();
        let n = text.trim().chars().count();
        if r == 0 {
            errors
                .a
                .set(Some(tr(l, "请选择 1 到 5 分。", "Choose 1 to 5.").to_owned()));
            focus_later("rate-1");
            return;
        }
        if n > MAX_COMMENT_CHARS {
            errors.b.set(Some(too_long(l, MAX_COMMENT_CHARS, n)));
            focus_later("rate-comment");
            return;
        }
        let job = Job::Rating {
            community: intake.community.clone(),
            recipient: intake.recipient.clone(),
            code: code.clone(),
            rating: r,
            comment: text,
        };
        submit(l, job, ["rating", "comment", "-"], errors, busy, result, "rated");
    };
    let stars = (1..=5u8)
        .map(|n| {
            let id = format!("rate-{n}");
            view! {
                <label class="choice"><input id=id type="radio" name="rate" prop:checked=move || rating.get() == n on:change=move |_| rating.set(n)/>{n}</label>
            }
        })
        .collect_view();
    view! {
        <div class="rate" data-testid="rate">
                <form novalidate on:submit=on_submit data-testid="rate-form" hidden=move || result.with(Option::is_some)>
                    <fieldset aria-describedby="rate-err">
                        <legend>{tr(l, "这件事已解决。您满意吗？（1 分最不满意，5 分最满意）", "This was resolved. Are you satisfied? (1 least, 5 most)")}</legend>
                                {stars}
                    </fieldset>
                    {err_p("rate-err", errors.a)}
                    <label for="rate-comment">{match l {
                        Lang::Zh => format!("意见（可不填，不超过 {MAX_COMMENT_CHARS} 字）"),
                        Lang::En => format!("Comment (optional, at most {MAX_COMMENT_CHARS} characters)"),
                    }}</label>
                    <textarea id="rate-comment" rows="3" aria-describedby="rate-comment-err"
                        prop:value=move || comment.get() on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                    {err_p("rate-comment-err", errors.b)}
                    <button type="submit" data-testid="rate-submit" prop:disabled=move || busy.get()>{tr(l, "生成加密评价", "Seal my rating")}</button>
                    {err_p("rate-gen-err", errors.general)}
                </form>
            {move || result.get().map(|(code, armored, qr)| sealed_view(l, "rated", code, armored, qr))}
        </div>
    }
}
