//! Cost sharing of a run's money among the funders, by category and by need class.

use leptos::prelude::*;
use linli_domain::alloc::export::{class_name, funder_name};
use linli_domain::alloc::AllocationResult;
use linli_domain::model::NeedCategory;
use linli_domain::money::format_yuan;

use super::format::{category_name, lang, Ctx};
use crate::i18n::*;

pub fn cost_view(i18n: Ctx, r: &AllocationResult, cats: &[NeedCategory]) -> impl IntoView {
    r.cost_sharing.as_ref().map(|cs| {
        let l = lang(i18n);
        let funders: Vec<String> = cs.by_funder.iter().map(|f| f.funder.clone()).collect();
        let cells = |list: &[linli_domain::alloc::FunderAmount]| {
            funders
                .iter()
                .map(|f| {
                    let v: i64 = list.iter().filter(|x| &x.funder == f).map(|x| x.amount_fen).sum();
                    view! { <td class="num">{format_yuan(v)}</td> }
                })
                .collect_view()
        };
        let heads = funders.iter().map(|f| view! { <th scope="col" class="num">{funder_name(f, l)}</th> }).collect_view();
        let cat_rows = cs
            .by_category
            .iter()
            .map(|c| {
                view! {
                    <tr data-testid="cost-row" data-code=c.code.clone()>
                        <th scope="row">{category_name(i18n, cats, &c.code)}</th>
                        <td>{class_name(c.class, l)}</td>
                        <td class="num">{format_yuan(c.total_fen)}</td>
                        {cells(&c.funders)}
                    </tr>
                }
            })
            .collect_view();
        let class_rows = cs
            .by_class
            .iter()
            .map(|c| {
                view! {
                    <tr class="subtotal">
                        <th scope="row">{format!("{}{}", class_name(c.class, l), t_string!(i18n, allocation.subtotal_suffix))}</th>
                        <td></td>
                        <td class="num">{format_yuan(c.total_fen)}</td>
                        {cells(&c.funders)}
                    </tr>
                }
            })
            .collect_view();
        let reserve: i64 = cs.reserve.iter().map(|f| f.amount_fen).sum();
        view! {
            <h3>{t_string!(i18n, allocation.cost_sharing_money)}</h3>
            <p class="muted small">{t_string!(i18n, allocation.each_category_s_money_is_split)}</p>
            <div class="table-scroll">
                <table class="agg" data-testid="alloc-cost">
                    <thead><tr>
                        <th scope="col">{t_string!(i18n, allocation.category_short)}</th>
                        <th scope="col">{t_string!(i18n, allocation.class)}</th>
                        <th scope="col" class="num">{t_string!(i18n, allocation.total)}</th>
                        {heads}
                    </tr></thead>
                    <tbody>{cat_rows}{class_rows}
                        <tr class="subtotal">
                            <th scope="row">{t_string!(i18n, allocation.emergency_reserve)}</th><td></td>
                            <td class="num">{format_yuan(reserve)}</td>{cells(&cs.reserve)}
                        </tr>
                    </tbody>
                    <tfoot><tr data-testid="cost-total">
                        <th scope="row">{t_string!(i18n, allocation.total)}</th><td></td>
                        <td class="num">{format_yuan(cs.total_fen)}</td>{cells(&cs.by_funder)}
                    </tr></tfoot>
                </table>
            </div>
        }
    })
}
