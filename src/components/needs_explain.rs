//! Why a household scored what it did: every dimension of the matrix with the
//! indicators that counted, their points and their exact contribution, and the
//! cap notes. Also the number formats of the needs views.

use leptos::prelude::*;
use linli_domain::needs::{Explanation, NeedsMatrix, Tier};

use crate::components::labels::{self, is_zh};
use crate::i18n::*;

/// `523` tenths → `52.3`.
pub fn score_text(tenths: u16) -> String {
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// Exact points in 1/10000 of a point → two decimals, rounded half up: `75_000` → `7.50`.
pub fn exact_points(exact: u32) -> String {
    let hundredths = (u64::from(exact) + 50) / 100;
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// Basis points → percent with two decimals: `2500` → `25.00%`.
pub fn bp_percent(bp: u32) -> String {
    format!("{}.{:02}%", bp / 100, bp % 100)
}

/// A tier badge: the word, not the colour alone, says the tier.
pub fn tier_badge(i18n: leptos_i18n::I18nContext<Locale>, tier: Tier) -> impl IntoView {
    let class = format!("tier tier-{}", tier.code());
    view! { <span class=class data-tier=tier.code()>{move || labels::tier(i18n, tier)}</span> }
}

/// The explanation of one household's score. Its texts are plain strings in the current
/// language: call it inside a reactive closure, which then follows a language switch.
pub fn explanation_view(
    i18n: leptos_i18n::I18nContext<Locale>,
    e: &Explanation,
    matrix: &NeedsMatrix,
) -> impl IntoView {
    let zh = is_zh(i18n);
    let unit = t_string!(i18n, common.needs_points_unit).to_string();
    let dim_unit = t_string!(i18n, common.needs_dim_points_unit).to_string();
    let contribution_word = t_string!(i18n, common.needs_contribution).to_string();
    let weight_word = t_string!(i18n, common.needs_weight).to_string();
    let dims = e
        .dimensions
        .iter()
        .zip(&matrix.dimensions)
        .map(|(d, md)| {
            let name = if zh { md.name_zh.clone() } else { md.name_en.clone() };
            let head = format!("{weight_word} {}", bp_percent(d.weight_bp));
            let sum = format!("{}/100 {dim_unit} → ", d.points);
            let capped = (d.capped_off > 0).then(|| {
                let text = t_string!(i18n, common.needs_cap_note, raw = d.points_raw, off = exact_points(d.capped_off))
                    .to_string();
                view! { <li class="cap" data-testid="cap-note">{text}</li> }
            });
            let empty = d
                .indicators
                .is_empty()
                .then(|| view! { <li class="muted">{t_string!(i18n, common.needs_no_indicators).to_string()}</li> });
            let items = d
                .indicators
                .iter()
                .map(|c| {
                    let rule = &md.rules[c.rule];
                    let label = if zh { c.indicator.label_zh() } else { c.indicator.label_en() };
                    let note = (!c.note.is_empty()).then(|| format!(" · {}", c.note));
                    let mut calc = t_string!(i18n, common.needs_count, count = c.count).to_string();
                    if c.count > c.counted {
                        calc += &t_string!(i18n, common.needs_counted_max, counted = c.counted, max = rule.max_count).to_string();
                    }
                    calc += t_string!(i18n, common.sep_clause);
                    calc += &t_string!(i18n, common.needs_rule_points, per = rule.points, pts = c.points).to_string();
                    calc += &format!("{}{contribution_word} ", t_string!(i18n, common.sep_semicolon));
                    view! {
                        <li data-testid="contribution">
                            <span class="ind">{label}</span><span class="muted">{note}</span>
                            <br/>
                            <span class="calc">{calc}<strong>{exact_points(c.contribution)}</strong>" "{unit.clone()}</span>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <li class="dim">
                    <div class="dim-head">
                        <strong>{name}</strong>" "<span class="muted">{head}</span>
                        <span class="dim-sum">{sum}<strong>{exact_points(d.contribution)}</strong>" "{unit.clone()}</span>
                    </div>
                    <ul class="inds">{items}{empty}{capped}</ul>
                </li>
            }
        })
        .collect_view();
    let total = format!("{} ", t_string!(i18n, common.needs_total));
    let exact = t_string!(i18n, common.needs_exact_total, total = exact_points(e.exact)).to_string();
    view! {
        <div class="explain">
            <p>
                {total}<strong>{score_text(e.score)}</strong>" "{unit.clone()}" "
                {tier_badge(i18n, e.tier)}" "<span class="muted">{exact}</span>
            </p>
            <ul class="dims">{dims}</ul>
        </div>
    }
}
