//! Translated labels for the domain's codes and enums.

use leptos_i18n::I18nContext;
use linli_domain::model::*;

use crate::i18n::*;

type Ctx = I18nContext<Locale>;

macro_rules! s {
    ($i:expr, $k:ident) => {
        t_string!($i, common.$k).to_string()
    };
}

/// Whether the current language is Chinese.
pub fn is_zh(i18n: Ctx) -> bool {
    i18n.get_locale() == Locale::zh
}

pub fn tenure(i: Ctx, v: Tenure) -> String {
    match v {
        Tenure::Owner => s!(i, tenure_owner),
        Tenure::Tenant => s!(i, tenure_tenant),
        Tenure::PublicRental => s!(i, tenure_public_rental),
    }
}

pub fn income(i: Ctx, v: IncomeBand) -> String {
    match v {
        IncomeBand::Low => s!(i, income_low),
        IncomeBand::LowerMiddle => s!(i, income_lower_middle),
        IncomeBand::Middle => s!(i, income_middle),
        IncomeBand::Upper => s!(i, income_upper),
    }
}

pub fn subsistence(i: Ctx, v: Subsistence) -> String {
    match v {
        Subsistence::None => s!(i, sub_none),
        Subsistence::Dibao => s!(i, sub_dibao),
        Subsistence::Dibian => s!(i, sub_dibian),
    }
}

pub fn housing(i: Ctx, v: HousingCondition) -> String {
    match v {
        HousingCondition::Good => s!(i, housing_good),
        HousingCondition::Fair => s!(i, housing_fair),
        HousingCondition::Poor => s!(i, housing_poor),
    }
}

pub fn willingness(i: Ctx, v: Willingness) -> String {
    match v {
        Willingness::None => s!(i, will_none),
        Willingness::Low => s!(i, will_low),
        Willingness::Medium => s!(i, will_medium),
        Willingness::High => s!(i, will_high),
    }
}

pub fn urgency(i: Ctx, v: Urgency) -> String {
    match v {
        Urgency::Low => s!(i, urg_low),
        Urgency::Medium => s!(i, urg_medium),
        Urgency::High => s!(i, urg_high),
    }
}

pub fn sex(i: Ctx, v: Sex) -> String {
    match v {
        Sex::Female => s!(i, sex_female),
        Sex::Male => s!(i, sex_male),
    }
}

pub fn employment(i: Ctx, v: Employment) -> String {
    match v {
        Employment::Employed => s!(i, emp_employed),
        Employment::Unemployed => s!(i, emp_unemployed),
        Employment::Retired => s!(i, emp_retired),
        Employment::Student => s!(i, emp_student),
        Employment::NotApplicable => s!(i, emp_not_applicable),
    }
}

pub fn school(i: Ctx, v: Option<SchoolStage>) -> String {
    match v {
        None => s!(i, stage_none),
        Some(SchoolStage::Infant) => s!(i, stage_infant),
        Some(SchoolStage::Preschool) => s!(i, stage_preschool),
        Some(SchoolStage::Primary) => s!(i, stage_primary),
        Some(SchoolStage::Secondary) => s!(i, stage_secondary),
    }
}

/// Label of a household flag code (see `db::schema::FLAGS`).
pub fn flag(i: Ctx, code: &str) -> String {
    match code {
        "lives_alone" => s!(i, flag_lives_alone),
        "disability" => s!(i, flag_disability),
        "dementia" => s!(i, flag_dementia),
        "chronic" => s!(i, flag_chronic),
        "dibao" => s!(i, flag_dibao),
        "dibian" => s!(i, flag_dibian),
        other => other.to_owned(),
    }
}

/// Label of a resident group code; unknown codes are shown as typed.
pub fn group(i: Ctx, code: &str) -> String {
    match code {
        "elderly_alone" => s!(i, group_elderly_alone),
        "retired_cadres" => s!(i, group_retired_cadres),
        "families_children" => s!(i, group_families_children),
        "young_tenants" => s!(i, group_young_tenants),
        "working_families" => s!(i, group_working_families),
        "three_generations" => s!(i, group_three_generations),
        other => other.to_owned(),
    }
}

/// Name of a need category in the current language.
pub fn category(i: Ctx, cats: &[NeedCategory], code: &str) -> String {
    cats.iter()
        .find(|c| c.code == code)
        .map(|c| {
            if is_zh(i) {
                c.name_zh.clone()
            } else {
                c.name_en.clone()
            }
        })
        .unwrap_or_else(|| code.to_owned())
}

/// Message for a validation code of `linli_domain::household::validate`.
pub fn field_error(i: Ctx, code: &str) -> String {
    match code {
        "required" => s!(i, e_required),
        "building_unknown" => s!(i, e_building_unknown),
        "unit_range" => s!(i, e_unit_range),
        "no_members" => s!(i, e_no_members),
        "birth_year_future" => s!(i, e_birth_year_future),
        "birth_year_too_old" => s!(i, e_birth_year_too_old),
        "disability_grade_range" => s!(i, e_disability_grade_range),
        "phone_format" => s!(i, e_phone_format),
        "phone_mobile_length" => s!(i, e_phone_mobile_length),
        "lives_alone_mismatch" => s!(i, e_lives_alone_mismatch),
        "need_unknown" => s!(i, e_need_unknown),
        "need_duplicate" => s!(i, e_need_duplicate),
        "too_long" => s!(i, e_too_long),
        "number" => s!(i, e_number),
        other => other.to_owned(),
    }
}

/// 高 / 中 / 低 priority tier.
pub fn tier(i: Ctx, t: linli_domain::needs::Tier) -> String {
    use linli_domain::needs::Tier;
    match t {
        Tier::High => s!(i, tier_high),
        Tier::Medium => s!(i, tier_medium),
        Tier::Low => s!(i, tier_low),
    }
}

/// A plan's stage in words (the plans view's names).
pub fn plan_stage(i: Ctx, s: linli_domain::plans::Stage) -> String {
    use linli_domain::plans::Stage;
    match s {
        Stage::Draft => t_string!(i, plans.stage_draft),
        Stage::Notice => t_string!(i, plans.stage_notice),
        Stage::Council => t_string!(i, plans.stage_council),
        Stage::Assessment => t_string!(i, plans.stage_assessment),
        Stage::StreetReview => t_string!(i, plans.stage_street_review),
        Stage::Execution => t_string!(i, plans.stage_execution),
        Stage::ChangeNotice => t_string!(i, plans.stage_change_notice),
        Stage::Accounts => t_string!(i, plans.stage_accounts),
        Stage::Closed => t_string!(i, plans.stage_closed),
    }
    .to_owned()
}

/// A plan stage's code (as recorded in history and published) in words; `None`
/// for a code no stage has.
pub fn plan_stage_code(i: Ctx, code: &str) -> Option<String> {
    linli_domain::plans::Stage::ALL
        .into_iter()
        .find(|s| s.code() == code)
        .map(|s| plan_stage(i, s))
}
