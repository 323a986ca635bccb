//! The default matrix: the source document's dimensions and weights (人口结构 25 %,
//! 健康状况 20 %, 经济状况 20 %, 参与意愿 15 %, 特殊需求 20 %) with Linli's default rules.
//!
//! The source gives only the dimensions, weights, methods and data sources; the rules are
//! Linli's, chosen so that each dimension reaches its 100 points only for households with
//! several needs at once, and every rule says why in its `note`. Guides edit them in the
//! settings.
//!
//! | dimension | rule | points |
//! |---|---|---|
//! | population (25 %) | per member aged 60+ (≤ 2) | 15 |
//! | | per member aged 80+ (≤ 2), on top of 60+ | 20 |
//! | | per child under 6 (≤ 2) | 20 |
//! | | aged 60+ living alone | 30 |
//! | | all members aged 60+ | 10 |
//! | health (20 %) | per member with a chronic illness (≤ 3) | 20 |
//! | | per member with a disability (≤ 2) | 25 |
//! | | per member with a grade 1–2 disability (≤ 2), on top | 20 |
//! | | per member with dementia (≤ 2) | 40 |
//! | economic (20 %) | 低保 or 低边 | 30 |
//! | | 低保, on top | 30 |
//! | | income lower-middle or low | 10 |
//! | | income low, on top | 15 |
//! | | per unemployed member (≤ 2) | 15 |
//! | | housing fair or poor | 5 |
//! | | housing poor, on top | 15 |
//! | willingness (15 %) | willingness medium or lower | 30 |
//! | | low or lower, on top | 30 |
//! | | none, on top | 40 |
//! | special (20 %) | per need of any urgency (≤ 3) | 5 |
//! | | per need of medium urgency or higher (≤ 2), on top | 15 |
//! | | per need of high urgency (≤ 2), on top | 25 |
//! | | a disability-support need | 15 |
//! | | living alone with a care need | 25 |
//!
//! Each dimension is capped at 100 points.

use crate::model::{HousingCondition, IncomeBand, Subsistence, Urgency, Willingness};

use super::af::{AfConfig, AfIndicator};
use super::{Dimension, Indicator, NeedsMatrix, Rule, TierThresholds, MATRIX_VERSION};

fn rule(indicator: Indicator, points: u16, max_count: u8, note: &str) -> Rule {
    Rule {
        indicator,
        points,
        max_count,
        note: note.to_owned(),
    }
}

fn dimension(code: &str, zh: &str, en: &str, weight_bp: u32, rules: Vec<Rule>) -> Dimension {
    Dimension {
        code: code.to_owned(),
        name_zh: zh.to_owned(),
        name_en: en.to_owned(),
        weight_bp,
        rules,
    }
}

/// The default matrix.
pub(super) fn matrix() -> NeedsMatrix {
    use Indicator as I;
    NeedsMatrix {
        version: MATRIX_VERSION,
        dimensions: vec![
            dimension(
                "population",
                "人口结构",
                "Population structure",
                2500,
                vec![
                    rule(
                        I::MembersAged { min_age: 60 },
                        15,
                        2,
                        "每位60岁及以上成员：养老服务需求",
                    ),
                    rule(
                        I::MembersAged { min_age: 80 },
                        20,
                        2,
                        "每位80岁及以上高龄成员（另加）",
                    ),
                    rule(I::ChildrenUnder { age: 6 }, 20, 2, "每位6岁以下儿童：托育需求"),
                    rule(
                        I::ElderLivingAlone { min_age: 60 },
                        30,
                        1,
                        "老人独居：孤独与照护风险",
                    ),
                    rule(I::ElderlyOnly { min_age: 60 }, 10, 1, "纯老户：无年轻成员照应"),
                ],
            ),
            dimension(
                "health",
                "健康状况",
                "Health",
                2000,
                vec![
                    rule(I::ChronicIllness, 20, 3, "每位慢性病成员"),
                    rule(I::Disability { max_grade: 4 }, 25, 2, "每位残疾成员"),
                    rule(
                        I::Disability { max_grade: 2 },
                        20,
                        2,
                        "每位1–2级重度残疾成员（另加）",
                    ),
                    rule(I::Dementia, 40, 2, "每位失智成员：需长期照护"),
                ],
            ),
            dimension(
                "economic",
                "经济状况",
                "Economic situation",
                2000,
                vec![
                    rule(
                        I::Subsistence {
                            at_least: Subsistence::Dibian,
                        },
                        30,
                        1,
                        "低边或低保家庭",
                    ),
                    rule(
                        I::Subsistence {
                            at_least: Subsistence::Dibao,
                        },
                        30,
                        1,
                        "低保家庭（另加）",
                    ),
                    rule(
                        I::IncomeAtMost {
                            band: IncomeBand::LowerMiddle,
                        },
                        10,
                        1,
                        "中低收入及以下",
                    ),
                    rule(
                        I::IncomeAtMost {
                            band: IncomeBand::Low,
                        },
                        15,
                        1,
                        "低收入（另加）",
                    ),
                    rule(I::Unemployed, 15, 2, "每位失业成员"),
                    rule(
                        I::HousingAtMost {
                            condition: HousingCondition::Fair,
                        },
                        5,
                        1,
                        "住房条件一般或差",
                    ),
                    rule(
                        I::HousingAtMost {
                            condition: HousingCondition::Poor,
                        },
                        15,
                        1,
                        "住房条件差（另加）",
                    ),
                ],
            ),
            dimension(
                "willingness",
                "参与意愿",
                "Willingness to take part",
                1500,
                vec![
                    rule(
                        I::WillingnessAtMost {
                            level: Willingness::Medium,
                        },
                        30,
                        1,
                        "参与意愿中等及以下：需要动员",
                    ),
                    rule(
                        I::WillingnessAtMost {
                            level: Willingness::Low,
                        },
                        30,
                        1,
                        "参与意愿低（另加）",
                    ),
                    rule(
                        I::WillingnessAtMost {
                            level: Willingness::None,
                        },
                        40,
                        1,
                        "无参与意愿（另加）：沉默需求，优先走访",
                    ),
                ],
            ),
            dimension(
                "special",
                "特殊需求",
                "Special needs",
                2000,
                vec![
                    rule(
                        I::Needs {
                            min_urgency: Urgency::Low,
                            category: None,
                        },
                        5,
                        3,
                        "每项登记的服务需求",
                    ),
                    rule(
                        I::Needs {
                            min_urgency: Urgency::Medium,
                            category: None,
                        },
                        15,
                        2,
                        "每项中等及以上紧急需求（另加）",
                    ),
                    rule(
                        I::Needs {
                            min_urgency: Urgency::High,
                            category: None,
                        },
                        25,
                        2,
                        "每项高度紧急需求（另加）",
                    ),
                    rule(
                        I::Needs {
                            min_urgency: Urgency::Low,
                            category: Some("disability".to_owned()),
                        },
                        15,
                        1,
                        "助残服务需求",
                    ),
                    rule(
                        I::AloneWithCareNeed { min_age: 80 },
                        25,
                        1,
                        "独居且失智、重度残疾或高龄",
                    ),
                ],
            ),
        ],
        tiers: TierThresholds::default(),
        af: af_config(),
    }
}

fn af_indicator(
    code: &str,
    zh: &str,
    en: &str,
    indicator: Indicator,
    min_count: u16,
    weight_bp: u32,
) -> AfIndicator {
    AfIndicator {
        code: code.to_owned(),
        name_zh: zh.to_owned(),
        name_en: en.to_owned(),
        indicator,
        min_count,
        weight_bp,
    }
}

/// The default AF configuration: four dimensions of the matrix (willingness left out,
/// SPEC §2.2) weighted equally at 25 %, each split equally among its indicators (the
/// nested weighting of the global MPI), k = 33.33 %.
pub(super) fn af_config() -> AfConfig {
    use Indicator as I;
    AfConfig {
        k_bp: 3333,
        indicators: vec![
            af_indicator(
                "elder_alone",
                "老人独居",
                "Older person living alone",
                I::ElderLivingAlone { min_age: 60 },
                1,
                1250,
            ),
            af_indicator(
                "aged_80",
                "有80岁及以上成员",
                "Member aged 80+",
                I::MembersAged { min_age: 80 },
                1,
                1250,
            ),
            af_indicator(
                "chronic",
                "有慢性病成员",
                "Member with a chronic illness",
                I::ChronicIllness,
                1,
                1250,
            ),
            af_indicator(
                "disability",
                "有残疾成员",
                "Member with a disability",
                I::Disability { max_grade: 4 },
                1,
                625,
            ),
            af_indicator(
                "dementia",
                "有失智成员",
                "Member with dementia",
                I::Dementia,
                1,
                625,
            ),
            af_indicator(
                "subsistence",
                "低保或低边",
                "Dibao or dibian",
                I::Subsistence {
                    at_least: Subsistence::Dibian,
                },
                1,
                1250,
            ),
            af_indicator(
                "housing",
                "住房条件差",
                "Poor housing",
                I::HousingAtMost {
                    condition: HousingCondition::Poor,
                },
                1,
                625,
            ),
            af_indicator(
                "unemployment",
                "有失业成员",
                "Unemployed member",
                I::Unemployed,
                1,
                625,
            ),
            af_indicator(
                "urgent_need",
                "有高度紧急需求",
                "Urgent need",
                I::Needs {
                    min_urgency: Urgency::High,
                    category: None,
                },
                1,
                1250,
            ),
            af_indicator(
                "multiple_needs",
                "两项及以上中等以上紧急需求",
                "Two or more pressing needs",
                I::Needs {
                    min_urgency: Urgency::Medium,
                    category: None,
                },
                2,
                1250,
            ),
        ],
    }
}
