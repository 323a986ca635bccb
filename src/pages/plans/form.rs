//! What every plan form shares: the refusal next to the form and next to the
//! field it concerns, the business date field (today in Asia/Shanghai by
//! default), amounts in yuan (the shared money parsing), the budget split by
//! funder (prefilled by the cost-sharing rule, exact to the fen), and running a
//! `Command` against the stored plan.

use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::alloc::apportion::largest_remainder;
use linli_domain::alloc::{CostRules, FunderShare};
use linli_domain::model::{Fen, NeedCategory};
use linli_domain::money::{format_yuan, parse_yuan};
use linli_domain::plans::{Budget, CivilDate, Command, Funder, PlanCase};

use super::errors::{fields_of, plan_error, refused};
use super::{command_name, funder_name, stage_name, today, Ctx};
use crate::components::form_message::{db_fail, msg_view, Msg};
use crate::components::money::money_error;
use crate::db::plans::{self as store, Refused};
use crate::i18n::*;
use crate::state::Storage;

/// A form's message (refusals next to the form) and its field messages.
#[derive(Clone, Copy)]
pub(crate) struct Form {
    pub msg: Msg,
    /// The last message's number: kept when the message is cleared, so that a
    /// new message is always a higher `data-seq`.
    seq: RwSignal<u32>,
    errs: RwSignal<Vec<(&'static str, String)>>,
    /// The field keys the form has (a refusal goes next to the first it names).
    keys: &'static [&'static str],
}

impl Form {
    pub fn new(keys: &'static [&'static str]) -> Self {
        Self {
            msg: RwSignal::new(None),
            seq: RwSignal::new(0),
            errs: RwSignal::new(Vec::new()),
            keys,
        }
    }

    /// Clears the field messages and the form message.
    pub fn clear(&self) {
        self.errs.set(Vec::new());
        self.msg.set(None);
    }

    /// A message next to field `key`.
    pub fn field(&self, key: &'static str, text: String) {
        self.errs.update(|v| v.push((key, text)));
    }

    /// Whether any field has a message.
    pub fn has_errors(&self) -> bool {
        self.errs.with_untracked(|v| !v.is_empty())
    }

    /// The message of field `key`, shown next to it.
    pub fn err(self, key: &'static str) -> impl Fn() -> Option<AnyView> + Send + Sync + 'static {
        move || {
            self.errs.with(|v| {
                v.iter().find(|(k, _)| *k == key).map(|(_, m)| {
                    view! { <span class="field-error" data-field=key>{m.clone()}</span> }.into_any()
                })
            })
        }
    }

    /// The form's message paragraph (`data-testid=testid`).
    pub fn view(self, testid: &'static str) -> impl IntoView {
        msg_view(self.msg, testid)
    }

    /// Shows a refusal: in the form's message and next to the field it names.
    pub fn refuse(&self, i18n: Ctx, text: String, fields: &[&'static str]) {
        if let Some(k) = fields.iter().find(|k| self.keys.contains(k)) {
            self.field(k, text.clone());
        }
        self.fail(format!("{}{text}", t_string!(i18n, plans.not_saved)));
    }

    /// Refuses the form because some fields have messages ("fix the fields
    /// marked"): what every form does when its own parsing fails.
    pub fn refuse_fields(&self, i18n: Ctx) {
        self.refuse(i18n, t_string!(i18n, plans.fix_fields).to_owned(), &[]);
    }

    /// Shows `text` as the form's refusal (numbered after every earlier message).
    pub fn fail(&self, text: String) {
        let seq = self.seq.get_untracked() + 1;
        self.seq.set(seq);
        self.msg.set(Some((seq, Err(text))));
    }
}

/// `YYYY-MM-DD` of today in Asia/Shanghai.
pub(crate) fn today_text() -> String {
    today().to_string()
}

/// Parses the date field `key` of `form` (message next to it when invalid).
pub(crate) fn date_of(i18n: Ctx, form: &Form, key: &'static str, text: &str) -> Option<CivilDate> {
    if text.trim().is_empty() {
        form.field(key, t_string!(i18n, plans.err_date_empty).to_owned());
        return None;
    }
    match CivilDate::parse(text.trim()) {
        Ok(d) => Some(d),
        Err(e) => {
            form.field(key, plan_error(i18n, &e));
            None
        }
    }
}

/// Parses an amount in yuan (message next to field `key` when invalid).
pub(crate) fn yuan_of(i18n: Ctx, form: &Form, key: &'static str, text: &str) -> Option<Fen> {
    match parse_yuan(text) {
        Ok(f) => Some(f),
        Err(e) => {
            form.field(key, money_error(i18n, e));
            None
        }
    }
}

/// Parses a whole number (message next to field `key` when invalid).
pub(crate) fn count_of(i18n: Ctx, form: &Form, key: &'static str, text: &str) -> Option<u32> {
    match text.trim().parse::<u32>() {
        Ok(n) => Some(n),
        Err(_) => {
            form.field(key, t_string!(i18n, plans.err_count).to_owned());
            None
        }
    }
}

/// Fen as the text of a yuan input: `1234.50`.
pub(crate) fn yuan_text(fen: Fen) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// A date field (type `date`, keyboard usable), with its message.
pub(crate) fn date_field(
    i18n: Ctx,
    form: Form,
    id: impl Into<String>,
    value: RwSignal<String>,
) -> impl IntoView {
    let id: String = id.into();
    view! {
        <label>{t!(i18n, plans.date)}
            <input id=id type="date" required prop:value=value on:input=move |ev| value.set(event_target_value(&ev))/>
            {form.err("on")}</label>
    }
}

/// A one-line text field: its `label`, the input `id` bound to `value`, and
/// the message of field `key` next to it; `wide` spans the form's width.
pub(crate) fn text_field(
    form: Form,
    label: impl IntoView + 'static,
    id: &'static str,
    key: &'static str,
    value: RwSignal<String>,
    wide: bool,
) -> impl IntoView {
    view! {
        <label class=wide.then_some("wide")>{label}
            <input id=id type="text" prop:value=value on:input=move |ev| value.set(event_target_value(&ev))/>
            {form.err(key)}</label>
    }
}

/// A whole-number field from `min` (to `max` when given), laid out as
/// [`text_field`].
pub(crate) fn number_field(
    form: Form,
    label: impl IntoView + 'static,
    id: &'static str,
    key: &'static str,
    value: RwSignal<String>,
    min: u32,
    max: Option<u32>,
) -> impl IntoView {
    view! {
        <label>{label}
            <input id=id type="number" min=min max=max inputmode="numeric" prop:value=value
                on:input=move |ev| value.set(event_target_value(&ev))/>
            {form.err(key)}</label>
    }
}

/// The budget being typed: a total (optional) and one part per funder, in yuan.
#[derive(Clone, Copy)]
pub(crate) struct BudgetInput {
    pub total: RwSignal<String>,
    pub parts: [RwSignal<String>; 4],
}

impl BudgetInput {
    pub fn new() -> Self {
        Self {
            total: RwSignal::new(String::new()),
            parts: std::array::from_fn(|_| RwSignal::new(String::new())),
        }
    }

    /// Shows `b`.
    pub fn set(&self, b: &Budget) {
        self.total.set(yuan_text(b.total()));
        for (i, f) in Funder::ALL.into_iter().enumerate() {
            self.parts[i].set(yuan_text(b.get(f)));
        }
    }

    /// The typed budget. With `with_total`, the parts must add up to the typed
    /// total exactly; without, the total is their sum. Messages go next to the
    /// fields (`budget`, `budget_<funder>`).
    pub fn parse(&self, i18n: Ctx, form: &Form, with_total: bool) -> Option<Budget> {
        let total = if with_total {
            yuan_of(i18n, form, "budget", &self.total.get_untracked())
        } else {
            Some(0)
        };
        let mut parts = Vec::with_capacity(4);
        let mut ok = true;
        for (i, f) in Funder::ALL.into_iter().enumerate() {
            let text = self.parts[i].get_untracked();
            let text = if text.trim().is_empty() {
                "0".to_owned()
            } else {
                text
            };
            match parse_yuan(&text) {
                Ok(fen) => parts.push((f, fen)),
                Err(e) => {
                    form.field(part_key(f), money_error(i18n, e));
                    ok = false;
                }
            }
        }
        let total = total?;
        if !ok {
            return None;
        }
        let made = if with_total {
            Budget::from_split(total, &parts)
        } else {
            Budget::new(parts[0].1, parts[1].1, parts[2].1, parts[3].1)
        };
        match made {
            Ok(b) => Some(b),
            Err(e) => {
                form.field("budget", plan_error(i18n, &e));
                None
            }
        }
    }

    /// Splits the typed total by `rule` (largest remainder over its basis
    /// points, exact to the fen): the parts' new texts, or why not.
    pub fn split_by(&self, i18n: Ctx, rule: &[FunderShare]) -> Result<(), String> {
        let total = parse_yuan(&self.total.get_untracked()).map_err(|e| money_error(i18n, e))?;
        let b =
            split_budget(total, rule).map_err(|f| t_string!(i18n, plans.err_unknown_funder, funder = f))?;
        for (i, f) in Funder::ALL.into_iter().enumerate() {
            self.parts[i].set(yuan_text(b.get(f)));
        }
        Ok(())
    }
}

/// `total` split by a cost-sharing rule, exact to the fen (the allocation's own
/// method: largest remainder over the rule's basis points). `Err(funder)` for a
/// funder code plans do not have.
pub(crate) fn split_budget(total: Fen, rule: &[FunderShare]) -> Result<Budget, String> {
    let mut funders = Vec::with_capacity(rule.len());
    for s in rule {
        funders.push(Funder::from_code(&s.funder).ok_or_else(|| s.funder.clone())?);
    }
    let weights: Vec<u128> = rule.iter().map(|s| u128::from(s.bp)).collect();
    let parts = largest_remainder(total.max(0) as u64, &weights).map_err(|e| e.to_string())?;
    let split: Vec<(Funder, Fen)> = funders
        .into_iter()
        .zip(parts)
        .map(|(f, p)| (f, p as Fen))
        .collect();
    let mut sum = [0; 4];
    for (f, p) in split {
        sum[Funder::ALL.iter().position(|x| *x == f).unwrap_or(0)] += p;
    }
    Budget::new(sum[0], sum[1], sum[2], sum[3]).map_err(|e| e.to_string())
}

/// The cost-sharing rule of a category (by its need class).
pub(crate) fn rule_of<'a>(
    rules: &'a CostRules,
    cats: &[NeedCategory],
    code: &str,
) -> Option<&'a [FunderShare]> {
    cats.iter().find(|c| c.code == code).map(|c| rules.of(c.class))
}

/// A rule in words: `政府 70% · 市场 15% · 社会 15%`.
pub(crate) fn rule_text(i18n: Ctx, rule: &[FunderShare]) -> String {
    rule.iter()
        .map(|s| {
            let name =
                Funder::from_code(&s.funder).map_or_else(|| s.funder.clone(), |f| funder_name(i18n, f));
            let pct = if s.bp % 100 == 0 {
                format!("{}%", s.bp / 100)
            } else {
                format!("{}.{:02}%", s.bp / 100, s.bp % 100)
            };
            format!("{name} {pct}")
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The field key of a funder's part.
pub(crate) fn part_key(f: Funder) -> &'static str {
    match f {
        Funder::Government => "budget_government",
        Funder::Market => "budget_market",
        Funder::Society => "budget_society",
        Funder::Residents => "budget_residents",
    }
}

/// The budget fields: the total (with `on_total`, called as it is typed) and
/// the four parts. `prefix` makes the ids unique on the page.
pub(crate) fn budget_fields(
    i18n: Ctx,
    form: Form,
    b: BudgetInput,
    prefix: &'static str,
    with_total: bool,
    on_total: impl Fn() + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let total_id = format!("{prefix}-budget");
    view! {
        <fieldset class="wide plan-budget" data-testid=format!("{prefix}-budget-fields")>
            <legend>{t!(i18n, plans.budget_legend)}</legend>
            {with_total.then(|| view! {
                <label>{t!(i18n, plans.budget_total_yuan)}
                    <input id=total_id type="text" inputmode="decimal" autocomplete="off" prop:value=b.total
                        on:input=move |ev| { b.total.set(event_target_value(&ev)); on_total(); }/>
                    </label>
            })}
            {Funder::ALL.into_iter().enumerate().map(|(i, f)| {
                let id = format!("{prefix}-part-{}", f.code());
                view! {
                    <label>{move || funder_name(i18n, f)}
                        <input id=id type="text" inputmode="decimal" autocomplete="off" prop:value=b.parts[i]
                            on:input=move |ev| b.parts[i].set(event_target_value(&ev))/>
                        {form.err(part_key(f))}</label>
                }
            }).collect_view()}
            {move || (!with_total).then(|| {
                let sum: Option<Fen> = b.parts.iter().map(|p| {
                    let t = p.get();
                    if t.trim().is_empty() { Some(0) } else { parse_yuan(&t).ok() }
                }).sum();
                view! { <p class="muted">{t!(i18n, plans.budget_sum)}" "{sum.map(format_yuan).unwrap_or_default()}</p> }
            })}
            <p>{form.err("budget")}</p>
        </fieldset>
    }
}

/// What a page's forms need: the plan, the page-level "done" message, storage.
#[derive(Clone, Copy)]
pub(crate) struct PlanCtx {
    pub i18n: Ctx,
    pub id: u32,
    pub plan: Memo<Option<PlanCase>>,
    /// The confirmation of the last change (stays when the stage's forms change).
    pub done: Msg,
    /// The last confirmation's number (kept while `done` is cleared).
    pub done_seq: RwSignal<u32>,
    pub storage: Storage,
    /// The acting guide (recorded in the change history).
    pub session: crate::state::Session,
}

impl PlanCtx {
    /// The current stage (`None` before the plan is loaded).
    pub fn stage(&self) -> Option<linli_domain::plans::Stage> {
        self.plan.with(|p| p.as_ref().map(PlanCase::stage))
    }

    /// Runs `cmd` on the stored plan (checked in one transaction). On success:
    /// the page's confirmation, `after`, reload; on refusal: `form`'s messages.
    pub fn run(&self, form: Form, cmd: Command, after: impl FnOnce() + 'static) {
        let this = *self;
        let i18n = self.i18n;
        let Some(db) = self.storage.db() else { return };
        let by = super::stamp(self.session);
        // The last confirmation is about an earlier change: hide it.
        this.done.set(None);
        spawn_local(async move {
            match store::apply(&db, this.id, by, cmd.clone()).await {
                Ok(Ok(plan)) => {
                    form.clear();
                    let seq = this.done_seq.get_untracked() + 1;
                    this.done_seq.set(seq);
                    this.done.set(Some((seq, Ok(done_text(i18n, &cmd, &plan)))));
                    after();
                    this.storage.changed();
                }
                Ok(Err(r)) => {
                    let fields = match &r {
                        Refused::Plan(e) => fields_of(e),
                        _ => Vec::new(),
                    };
                    form.refuse(i18n, refused(i18n, &r), &fields);
                }
                Err(e) => form.fail(db_fail(i18n, &e)),
            }
        });
    }
}

/// "Saved: <what>. Stage: <stage>."
fn done_text(i18n: Ctx, cmd: &Command, plan: &PlanCase) -> String {
    let what = command_name(i18n, cmd);
    t_string!(
        i18n,
        plans.done,
        what = what,
        stage = stage_name(i18n, plan.stage())
    )
}
