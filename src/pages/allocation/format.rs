//! Figures of an allocation as text in the current language: percentages, factors,
//! amounts in their unit, quotas, changes of share.

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use linli_domain::alloc::export::{binding_name, Lang};
use linli_domain::alloc::{Binding, Quota};
use linli_domain::model::{NeedCategory, ResourceKind};
use linli_domain::money::format_yuan;

use crate::components::labels::{self, is_zh};
pub use crate::components::matrix_editor::bp_percent as pct;
use crate::i18n::*;

pub type Ctx = I18nContext<Locale>;

/// The export language of the current locale.
pub fn lang(i18n: Ctx) -> Lang {
    if is_zh(i18n) {
        Lang::Zh
    } else {
        Lang::En
    }
}

/// Percentage points with a sign: `1500` → `+15.00`, `-197` → `−1.97`.
fn points(bp: i64) -> String {
    let a = bp.unsigned_abs();
    let sign = match bp.signum() {
        1 => "+",
        -1 => "−",
        _ => "",
    };
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// A factor in basis points: `15000` → `×1.50`.
pub fn factor_text(bp: u64) -> String {
    let h = (bp + 50) / 100;
    format!("×{}.{:02}", h / 100, h % 100)
}

/// The name of a resource kind.
pub fn kind_label(i18n: Ctx, kind: ResourceKind) -> String {
    linli_domain::alloc::export::kind_name(kind, lang(i18n)).to_owned()
}

/// The unit word of a counted kind: `个`/`slots`, `小时`/`h`.
fn unit(i18n: Ctx, kind: ResourceKind) -> &'static str {
    if kind == ResourceKind::Slots {
        t_string!(i18n, allocation.unit_slots)
    } else {
        t_string!(i18n, allocation.unit_hours)
    }
}

/// An amount in its unit: `¥1,234.50`, `38 个`, `97 小时`.
pub fn amount_text(i18n: Ctx, kind: ResourceKind, amount: i64) -> String {
    match kind {
        ResourceKind::Money => format_yuan(amount),
        _ => format!("{amount} {}", unit(i18n, kind)),
    }
}

/// A quota (in the pool's unit) with two decimals, rounded down: money in yuan.
pub fn quota_text(i18n: Ctx, kind: ResourceKind, q: &Quota) -> String {
    let den = q.den.max(1);
    let hundredths = q.num.saturating_mul(100) / den;
    match kind {
        // Whole fen, rounded down.
        ResourceKind::Money => format_yuan(i64::try_from(q.num / den).unwrap_or(i64::MAX)),
        _ => format!(
            "{}.{:02} {}",
            hundredths / 100,
            hundredths % 100,
            unit(i18n, kind)
        ),
    }
}

/// Parts per billion as a percentage with two decimals (rounded down).
pub fn ppb(v: u64) -> String {
    let h = v / 100_000;
    format!("{}.{:02}%", h / 100, h % 100)
}

/// The name of a need category in the current language.
pub fn category_name(i18n: Ctx, cats: &[NeedCategory], code: &str) -> String {
    labels::category(i18n, cats, code)
}

/// An arrow, a class and a text for a change in basis points.
pub fn change_view(i18n: Ctx, change: i64) -> impl IntoView {
    let (arrow, class, word) = match change.signum() {
        1 => ("▲", "chg up", t_string!(i18n, allocation.up)),
        -1 => ("▼", "chg down", t_string!(i18n, allocation.down)),
        _ => (
            t_string!(i18n, common.arrow_same),
            "chg same",
            t_string!(i18n, allocation.no_change),
        ),
    };
    let text = if change == 0 {
        word.to_owned()
    } else {
        format!(
            "{word} {} {}",
            points(change.abs()).trim_start_matches('+'),
            t_string!(i18n, allocation.percentage_points)
        )
    };
    view! { <span class=class><span aria-hidden="true">{arrow}" "</span>{text}</span> }
}

/// What limited a category, in the current language.
pub fn binding_text(i18n: Ctx, b: Binding) -> String {
    binding_name(b, lang(i18n)).to_owned()
}
