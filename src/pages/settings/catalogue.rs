//! The redemption catalogue editor (setting `points_catalogue`): add an item, edit
//! an item's names and cost, restock it, or correct its stock after a count. Every
//! stock change is an append-only event of the catalogue's stock log
//! (`linli_domain::participation::points::stock`), shown below the table; each
//! change is checked and written in one transaction with a history entry.

use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::participation::points::stock::{StockError, StockKind, MAX_RESTOCK, MAX_STOCK};
use linli_domain::participation::points::{Catalogue, CatalogueItem, CATALOGUE_SETTING, MAX_POINTS};

use super::editors::{actor, field, stored, whole, Ctx, FieldError, Settings};
use crate::browser::{local_minute, now_millis};
use crate::components::form_message::{db_fail, msg_view, say, Msg};
use crate::components::labels::is_zh;
use crate::components::WriteGuard;
use crate::db::participation::{change_catalogue, CatalogueChange};
use crate::i18n::*;
use crate::state::use_storage;

/// What the form under the table does.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Action {
    Add,
    Edit(String),
    Restock(String),
    Correct(String),
}

/// The form's fields.
#[derive(Clone, Copy)]
struct Form {
    code: (RwSignal<String>, FieldError),
    name_zh: (RwSignal<String>, FieldError),
    name_en: (RwSignal<String>, FieldError),
    cost: (RwSignal<String>, FieldError),
    units: (RwSignal<String>, FieldError),
    reason: (RwSignal<String>, FieldError),
}

fn pair() -> (RwSignal<String>, FieldError) {
    (RwSignal::new(String::new()), RwSignal::new(None))
}

impl Form {
    fn new() -> Self {
        Self {
            code: pair(),
            name_zh: pair(),
            name_en: pair(),
            cost: pair(),
            units: pair(),
            reason: pair(),
        }
    }

    fn fill(self, item: Option<&CatalogueItem>) {
        for (s, e) in [
            self.code,
            self.name_zh,
            self.name_en,
            self.cost,
            self.units,
            self.reason,
        ] {
            s.set(String::new());
            e.set(None);
        }
        if let Some(i) = item {
            self.code.0.set(i.code.clone());
            self.name_zh.0.set(i.name_zh.clone());
            self.name_en.0.set(i.name_en.clone());
            self.cost.0.set(i.cost.to_string());
            self.units.0.set(i.stock.to_string());
        }
    }
}

fn stock_error(i18n: Ctx, e: &StockError) -> String {
    match e {
        StockError::BadCode => t_string!(i18n, settings.err_code).to_owned(),
        StockError::DuplicateCode(_) => t_string!(i18n, settings.err_code_taken).to_owned(),
        StockError::BadName => t_string!(i18n, settings.err_name).to_owned(),
        StockError::BadCost => t_string!(i18n, settings.err_cost).to_owned(),
        StockError::BadUnits => t_string!(i18n, settings.err_units).to_owned(),
        StockError::BadStock => t_string!(i18n, settings.err_stock).to_owned(),
        StockError::BadCorrection => t_string!(i18n, settings.err_correction).to_owned(),
        other => other.to_string(),
    }
}

fn kind_name(i18n: Ctx, k: StockKind) -> &'static str {
    match k {
        StockKind::Added => t_string!(i18n, settings.stock_added),
        StockKind::Restock => t_string!(i18n, settings.stock_restock),
        StockKind::Correction => t_string!(i18n, settings.stock_correction),
    }
}

fn name_of(i18n: Ctx, cat: &Catalogue, code: &str) -> String {
    cat.item(code).map_or_else(
        || code.to_owned(),
        |i| {
            if is_zh(i18n) || i.name_en.is_empty() {
                i.name_zh.clone()
            } else {
                i.name_en.clone()
            }
        },
    )
}

/// Reads the form for `action` into a change; sets the fields' messages and
/// returns `None` on bad input.
fn read_form(i18n: Ctx, f: Form, action: &Action) -> Option<CatalogueChange> {
    let text = |p: (RwSignal<String>, FieldError)| p.0.get_untracked().trim().to_owned();
    let fail = |p: (RwSignal<String>, FieldError), m: &str| {
        p.1.set(Some(m.to_owned()));
    };
    let mut ok = true;
    let mut check = |good: bool, p: (RwSignal<String>, FieldError), m: &str| {
        if !good {
            fail(p, m);
            ok = false;
        }
    };
    let cost = whole(&text(f.cost), 1..=MAX_POINTS);
    let names_ok = |p| {
        let t = text(p);
        t.chars().count() <= 200 && !t.chars().any(char::is_control)
    };
    match action {
        Action::Add | Action::Edit(_) => {
            if *action == Action::Add {
                let code = text(f.code);
                let good = !code.is_empty()
                    && code.len() <= 40
                    && code
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
                check(good, f.code, t_string!(i18n, settings.err_code));
                check(
                    whole(&text(f.units), 0..=i64::from(MAX_STOCK)).is_some(),
                    f.units,
                    t_string!(i18n, settings.err_stock),
                );
            }
            check(
                !text(f.name_zh).is_empty() && names_ok(f.name_zh),
                f.name_zh,
                t_string!(i18n, settings.err_name),
            );
            check(names_ok(f.name_en), f.name_en, t_string!(i18n, settings.err_name));
            check(cost.is_some(), f.cost, t_string!(i18n, settings.err_cost));
            if !ok {
                return None;
            }
            let cost = cost?;
            Some(match action {
                Action::Add => CatalogueChange::Add(CatalogueItem {
                    code: text(f.code),
                    name_zh: text(f.name_zh),
                    name_en: text(f.name_en),
                    cost,
                    stock: whole(&text(f.units), 0..=i64::from(MAX_STOCK))
                        .and_then(|v| u32::try_from(v).ok())?,
                }),
                _ => CatalogueChange::Edit {
                    code: match action {
                        Action::Edit(c) => c.clone(),
                        _ => return None,
                    },
                    name_zh: text(f.name_zh),
                    name_en: text(f.name_en),
                    cost,
                },
            })
        }
        Action::Restock(code) => {
            let units = whole(&text(f.units), 1..=i64::from(MAX_RESTOCK)).and_then(|v| u32::try_from(v).ok());
            check(units.is_some(), f.units, t_string!(i18n, settings.err_units));
            check(
                names_ok(f.reason),
                f.reason,
                t_string!(i18n, settings.err_reason_long),
            );
            ok.then(|| CatalogueChange::Restock {
                code: code.clone(),
                units: units.unwrap_or_default(),
                reason: text(f.reason),
            })
        }
        Action::Correct(code) => {
            let stock = whole(&text(f.units), 0..=i64::from(MAX_STOCK)).and_then(|v| u32::try_from(v).ok());
            check(stock.is_some(), f.units, t_string!(i18n, settings.err_stock));
            check(
                !text(f.reason).is_empty() && names_ok(f.reason),
                f.reason,
                t_string!(i18n, settings.err_correction),
            );
            ok.then(|| CatalogueChange::Correct {
                code: code.clone(),
                stock: stock.unwrap_or_default(),
                reason: text(f.reason),
            })
        }
    }
}

#[component]
pub(super) fn CatalogueEditor(settings: Settings) -> impl IntoView {
    let i18n = use_i18n();
    let session = crate::state::use_session();
    let storage = use_storage();
    let value = stored(settings, CATALOGUE_SETTING);
    let catalogue = Memo::new(move |_| {
        value.get().map(|v| match v {
            None => Ok(Catalogue::default()),
            Some(t) => serde_json::from_str::<Catalogue>(&t).map_err(|e| e.to_string()),
        })
    });
    let action = RwSignal::new(None::<Action>);
    let form = Form::new();
    let msg: Msg = RwSignal::new(None);
    let busy = RwSignal::new(false);

    let open = move |a: Action| {
        let cat = catalogue.get_untracked().and_then(Result::ok).unwrap_or_default();
        match &a {
            Action::Add => form.fill(None),
            Action::Edit(c) | Action::Restock(c) | Action::Correct(c) => {
                form.fill(cat.item(c));
                if matches!(a, Action::Restock(_)) {
                    form.units.0.set(String::new());
                }
            }
        }
        action.set(Some(a));
        msg.set(None);
    };

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(a) = action.get_untracked() else { return };
        let Some(change) = read_form(i18n, form, &a) else {
            return say(msg, Err(t_string!(i18n, settings.not_saved_fix).to_owned()));
        };
        let Some(db) = storage.db() else { return };
        let who = actor(session);
        busy.set(true);
        spawn_local(async move {
            let r = change_catalogue(&db, change, who, now_millis()).await;
            busy.set(false);
            match r {
                Ok(Ok(_)) => {
                    action.set(None);
                    say(msg, Ok(t_string!(i18n, settings.saved_catalogue).to_owned()));
                    storage.changed();
                }
                Ok(Err(e)) => say(msg, Err(stock_error(i18n, &e))),
                Err(e) => say(msg, Err(db_fail(i18n, &e))),
            }
        });
    };

    let table = move || {
        let cat = match catalogue.get()? {
            Ok(c) => c,
            Err(e) => {
                return Some(view! { <p class="error" role="alert">{t!(i18n, settings.stored_unreadable)}<code>{e}</code></p> }.into_any());
            }
        };
        let rows = cat.items.iter().map(|it| {
            let code = it.code.clone();
            let (c1, c2, c3) = (code.clone(), code.clone(), code.clone());
            let out = it.stock == 0;
            view! {
                <tr data-testid=format!("cat-row-{code}") class:out=out>
                    <th scope="row">{it.name_zh.clone()}<br/><span class="muted small">{it.name_en.clone()}" · "<code>{code.clone()}</code></span></th>
                    <td class="num">{it.cost}</td>
                    <td class="num" data-testid=format!("cat-stock-{code}")>{it.stock}
                        {out.then(|| view! { <span class="warning small">" "{t!(i18n, settings.out_of_stock)}</span> })}</td>
                    <td class="actions">
                        <button type="button" data-testid=format!("cat-restock-{code}") on:click=move |_| open(Action::Restock(c1.clone()))>{t!(i18n, settings.restock)}</button>
                        <button type="button" data-testid=format!("cat-edit-{code}") on:click=move |_| open(Action::Edit(c2.clone()))>{t!(i18n, settings.edit)}</button>
                        <button type="button" data-testid=format!("cat-correct-{code}") on:click=move |_| open(Action::Correct(c3.clone()))>{t!(i18n, settings.correct)}</button>
                    </td>
                </tr>
            }
        }).collect_view();
        let log = cat
            .stock_log
            .iter()
            .rev()
            .take(20)
            .map(|e| {
                let delta = if e.delta > 0 {
                    format!("+{}", e.delta)
                } else {
                    e.delta.to_string()
                };
                view! {
                    <tr>
                        <td>{local_minute(e.at)}</td>
                        <td>{name_of(i18n, &cat, &e.item)}</td>
                        <td>{kind_name(i18n, e.kind)}</td>
                        <td class="num">{delta}</td>
                        <td class="num">{e.stock_before}" → "{e.stock_after}</td>
                        <td>{e.actor.clone()}</td>
                        <td>{e.reason.clone()}</td>
                    </tr>
                }
            })
            .collect_view();
        let has_log = !cat.stock_log.is_empty();
        Some(view! {
            <table class="data" data-testid="cat-table">
                <thead><tr>
                    <th scope="col">{t!(i18n, settings.col_item)}</th>
                    <th scope="col" class="num">{t!(i18n, settings.col_cost)}</th>
                    <th scope="col" class="num">{t!(i18n, settings.col_stock)}</th>
                    <th scope="col">{t!(i18n, settings.col_actions)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <h3>{t!(i18n, settings.stock_log_title)}</h3>
            {if has_log {
                view! {
                    <table class="data" data-testid="stock-log">
                        <thead><tr>
                            <th scope="col">{t!(i18n, settings.col_when)}</th>
                            <th scope="col">{t!(i18n, settings.col_item)}</th>
                            <th scope="col">{t!(i18n, settings.col_kind)}</th>
                            <th scope="col" class="num">{t!(i18n, settings.col_delta)}</th>
                            <th scope="col" class="num">{t!(i18n, settings.col_stock)}</th>
                            <th scope="col">{t!(i18n, settings.col_who)}</th>
                            <th scope="col">{t!(i18n, settings.col_reason)}</th>
                        </tr></thead>
                        <tbody>{log}</tbody>
                    </table>
                }.into_any()
            } else {
                view! { <p class="muted" data-testid="stock-log-empty">{t!(i18n, settings.stock_log_empty)}</p> }.into_any()
            }}
        }.into_any())
    };

    let form_view = move || {
        let a = action.get()?;
        let cat = catalogue.get_untracked().and_then(Result::ok).unwrap_or_default();
        let title = match &a {
            Action::Add => t_string!(i18n, settings.add_item).to_owned(),
            Action::Edit(c) => t_string!(i18n, settings.edit_item, name = name_of(i18n, &cat, c)),
            Action::Restock(c) => t_string!(i18n, settings.restock_item, name = name_of(i18n, &cat, c)),
            Action::Correct(c) => t_string!(i18n, settings.correct_item, name = name_of(i18n, &cat, c)),
        };
        let s = |k: &str| k.to_owned();
        let fields = match &a {
            Action::Add | Action::Edit(_) => {
                let add = a == Action::Add;
                view! {
                    {add.then(|| field(s("cat-code"), t_string!(i18n, settings.item_code).to_owned(), String::new(), t_string!(i18n, settings.err_code).to_owned(), form.code.0, form.code.1, "text"))}
                    {field(s("cat-name-zh"), t_string!(i18n, settings.item_name_zh).to_owned(), String::new(), String::new(), form.name_zh.0, form.name_zh.1, "text")}
                    {field(s("cat-name-en"), t_string!(i18n, settings.item_name_en).to_owned(), String::new(), String::new(), form.name_en.0, form.name_en.1, "text")}
                    {field(s("cat-cost"), t_string!(i18n, settings.item_cost).to_owned(), t_string!(i18n, settings.unit_points).to_owned(), t_string!(i18n, settings.err_cost).to_owned(), form.cost.0, form.cost.1, "numeric")}
                    {add.then(|| field(s("cat-stock"), t_string!(i18n, settings.item_opening_stock).to_owned(), t_string!(i18n, settings.unit_units).to_owned(), t_string!(i18n, settings.err_stock).to_owned(), form.units.0, form.units.1, "numeric"))}
                    {(!add).then(|| view! { <p class="muted small">{t!(i18n, settings.edit_keeps_stock)}</p> })}
                }.into_any()
            }
            Action::Restock(_) => view! {
                {field(s("cat-units"), t_string!(i18n, settings.restock_units).to_owned(), t_string!(i18n, settings.unit_units).to_owned(), t_string!(i18n, settings.err_units).to_owned(), form.units.0, form.units.1, "numeric")}
                {field(s("cat-reason"), t_string!(i18n, settings.restock_reason).to_owned(), String::new(), String::new(), form.reason.0, form.reason.1, "text")}
            }.into_any(),
            Action::Correct(_) => view! {
                {field(s("cat-units"), t_string!(i18n, settings.counted_stock).to_owned(), t_string!(i18n, settings.unit_units).to_owned(), t_string!(i18n, settings.err_stock).to_owned(), form.units.0, form.units.1, "numeric")}
                {field(s("cat-reason"), t_string!(i18n, settings.correct_reason).to_owned(), String::new(), t_string!(i18n, settings.err_correction).to_owned(), form.reason.0, form.reason.1, "text")}
            }.into_any(),
        };
        Some(view! {
            <WriteGuard><form class="settings-subform" on:submit=on_submit novalidate data-testid="cat-form">
                <h3>{title}</h3>
                {fields}
                <div class="actions">
                    <button type="submit" class="primary" data-testid="cat-save" disabled=move || busy.get()>{t!(i18n, settings.save)}</button>
                    <button type="button" on:click=move |_| action.set(None)>{t!(i18n, settings.cancel)}</button>
                </div>
            </form></WriteGuard>
        })
    };

    view! {
        <section aria-labelledby="catalogue-h" class="settings-editor" data-testid="catalogue-editor">
            <h2 id="catalogue-h">{t!(i18n, settings.catalogue_title)}</h2>
            <p class="muted">{t!(i18n, settings.catalogue_intro)}</p>
            {table}
            <div class="actions">
                <button type="button" data-testid="cat-add" on:click=move |_| open(Action::Add)>{t!(i18n, settings.add_item)}</button>
            </div>
            {form_view}
            {msg_view(msg, "cat-msg")}
        </section>
    }
}
