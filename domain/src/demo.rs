//! The demo community (SPEC §2.11): a synthetic neighbourhood modelled on the
//! source document's Hangzhou case — about 4,500 households and 13,000
//! residents, 22 % aged 60 or over, owners and tenants, five grids with one
//! guide each — with three quarters of activities, points, time bank,
//! requests, proposals and ballots, plans at every stage of their life cycle
//! and adopted decisions (allocation runs, a reserve release, the Q3
//! participatory budget; Q4's is still being voted): see [`plans`](self::plans) for those.
//!
//! Generation is deterministic: the same [`DemoConfig`] always gives the same
//! [`Dataset`]. The only source of randomness is a ChaCha8 generator seeded
//! from [`DemoConfig::seed`]; nothing is read from the environment or a clock.
//! Every name and phone number is invented.

use rand::seq::IndexedRandom;
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::dataset::Dataset;
use crate::date::{day_start_millis, days_from_civil, iso_date};
use crate::model::*;

mod plans;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoConfig {
    /// Seed of the random generator.
    pub seed: u64,
    /// Number of households.
    pub households: u32,
    /// Reference year: ages are counted against it and activities fill its
    /// first three quarters.
    pub year: i64,
}

impl Default for DemoConfig {
    fn default() -> Self {
        Self {
            seed: 2026,
            households: 4_500,
            year: 2026,
        }
    }
}

/// The need categories of the demo and their classes (SPEC §2.3).
pub fn default_categories() -> Vec<NeedCategory> {
    [
        ("elderly_care", "养老服务", "Elderly care", NeedClass::Basic),
        ("childcare", "托育服务", "Childcare", NeedClass::Basic),
        ("health", "健康服务", "Health", NeedClass::Basic),
        ("employment", "就业帮扶", "Employment support", NeedClass::Basic),
        ("culture", "文化活动", "Culture", NeedClass::Improvement),
        ("sport", "体育健身", "Sport", NeedClass::Improvement),
        (
            "housing_repair",
            "居住改善",
            "Housing repair",
            NeedClass::Improvement,
        ),
        ("disability", "助残服务", "Disability support", NeedClass::Special),
    ]
    .into_iter()
    .map(|(code, zh, en, class)| NeedCategory {
        code: code.to_owned(),
        name_zh: zh.to_owned(),
        name_en: en.to_owned(),
        class,
    })
    .collect()
}

/// The resident groups of the demo, used by fairness analysis.
pub const GROUPS: [&str; 6] = [
    "elderly_alone",
    "retired_cadres",
    "families_children",
    "young_tenants",
    "working_families",
    "three_generations",
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何",
    "林", "罗", "高", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "沈", "蒋",
    "蔡", "余", "杜", "叶", "程", "潘", "俞", "施", "姚", "钱", "陆",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
    "秀", "霞", "平", "刚", "桂", "英", "华", "文", "玉", "兰", "建", "国", "志", "海", "燕", "红", "婷",
    "宇", "浩", "欣", "怡", "晨", "琳", "子", "涵", "睿", "佳",
];
const SKILLS: &[&str] = &[
    "维修",
    "理发",
    "书法",
    "烹饪",
    "电脑",
    "法律咨询",
    "医疗护理",
    "心理疏导",
    "教育辅导",
    "摄影",
    "园艺",
    "驾驶",
];
const GUIDES: [&str; 5] = ["陈晓梅", "王建国", "李思远", "周丽华", "孙浩然"];

#[derive(Clone, Copy)]
enum Kind {
    ElderlyAlone,
    ElderlyCouple,
    YoungSingle,
    YoungCouple,
    FamilyChildren,
    ThreeGenerations,
    MiddleAgedWithAdultChild,
}

struct Gen {
    rng: ChaCha8Rng,
    year: i64,
}

impl Gen {
    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p.clamp(0.0, 1.0))
    }
    fn range(&mut self, lo: u32, hi_incl: u32) -> u32 {
        self.rng.random_range(lo..=hi_incl)
    }
    fn pick<'a>(&mut self, xs: &'a [&'a str]) -> &'a str {
        xs.choose(&mut self.rng).copied().unwrap_or("")
    }
    fn name(&mut self, surname: Option<&str>) -> String {
        let s = surname.map_or_else(|| self.pick(SURNAMES).to_owned(), str::to_owned);
        let g1 = self.pick(GIVEN);
        if self.chance(0.6) {
            let g2 = self.pick(GIVEN);
            format!("{s}{g1}{g2}")
        } else {
            format!("{s}{g1}")
        }
    }
    fn phone(&mut self) -> String {
        let p = ["13", "15", "17", "18", "19"];
        let pre = self.pick(&p);
        format!("{pre}{:09}", self.rng.random_range(0..1_000_000_000u32))
    }
    fn member(&mut self, surname: Option<&str>, age_lo: u32, age_hi: u32) -> Member {
        let age = self.range(age_lo, age_hi);
        let birth_year = (self.year - i64::from(age)) as u16;
        let sex = if self.chance(0.5) { Sex::Female } else { Sex::Male };
        let chronic = self.chance(match age {
            0..=39 => 0.03,
            40..=59 => 0.15,
            60..=74 => 0.45,
            _ => 0.65,
        });
        let disability_grade = if self.chance(if age >= 70 { 0.07 } else { 0.02 }) {
            Some(self.range(1, 4) as u8)
        } else {
            None
        };
        let dementia = age >= 75 && self.chance(0.08);
        let employment = match age {
            0..=5 => Employment::NotApplicable,
            6..=21 => Employment::Student,
            22..=59 => {
                if self.chance(0.07) {
                    Employment::Unemployed
                } else {
                    Employment::Employed
                }
            }
            _ => Employment::Retired,
        };
        let school_stage = match age {
            0..=2 => Some(SchoolStage::Infant),
            3..=5 => Some(SchoolStage::Preschool),
            6..=11 => Some(SchoolStage::Primary),
            12..=17 => Some(SchoolStage::Secondary),
            _ => None,
        };
        Member {
            name: self.name(surname),
            birth_year,
            sex,
            chronic_illness: chronic,
            disability_grade,
            dementia,
            employment,
            school_stage,
        }
    }
}

fn age(year: i64, m: &Member) -> i64 {
    year - i64::from(m.birth_year)
}

/// Generates the demo community.
///
/// # Examples
///
/// ```
/// use linli_domain::demo::{generate, DemoConfig};
/// let cfg = DemoConfig { households: 100, ..DemoConfig::default() };
/// let a = generate(&cfg);
/// assert_eq!(a.households.len(), 100);
/// assert_eq!(a, generate(&cfg)); // deterministic
/// ```
pub fn generate(cfg: &DemoConfig) -> Dataset {
    let mut g = Gen {
        rng: ChaCha8Rng::seed_from_u64(cfg.seed),
        year: cfg.year,
    };
    let year = cfg.year;
    let year_start = days_from_civil(year, 1, 1);
    let mut d = Dataset::default();

    // Grids: five, each with a guide.
    for (i, guide) in GUIDES.iter().enumerate() {
        d.grids.push(Grid {
            id: i as u32 + 1,
            name: format!("第{}网格", ["一", "二", "三", "四", "五"][i]),
            guide: (*guide).to_owned(),
        });
    }

    // Buildings and households.
    let target = cfg.households;
    let mut next_building = 1u32;
    let mut next_household = 1u32;
    while next_household <= target {
        let grid_id = (next_building - 1) % 5 + 1;
        let high_rise = g.chance(0.4);
        let (units, floors, per_floor) = if high_rise {
            (2u8, g.range(15, 24) as u8, 2u32)
        } else {
            (g.range(2, 4) as u8, 6u8, 2u32)
        };
        let year_built = if high_rise {
            g.range(2005, 2018)
        } else {
            g.range(1985, 2002)
        } as u16;
        let b_index = next_building - 1;
        let building = Building {
            id: next_building,
            grid_id,
            name: format!("{next_building}幢"),
            units,
            floors,
            year_built,
            plan_x: ((grid_id - 1) * 4 + (b_index / 5) % 4) as u16,
            plan_y: (b_index / 20) as u16,
        };
        let capacity = u32::from(units) * u32::from(floors) * per_floor;
        let occupancy = g.range(85, 100);
        let mut slots = Vec::new();
        for unit in 1..=units {
            for floor in 1..=floors {
                for door in 1..=per_floor {
                    slots.push((unit, format!("{floor}{door:02}")));
                }
            }
        }
        let filled = (capacity * occupancy / 100).max(1);
        for (unit, room) in slots.into_iter().take(filled as usize) {
            if next_household > target {
                break;
            }
            let h = household(&mut g, next_household, &building, unit, room, year_start);
            d.households.push(h);
            next_household += 1;
        }
        d.buildings.push(building);
        next_building += 1;
    }

    settings(&mut d, cfg);
    resources(&mut g, &mut d, year);
    activities_and_ledgers(&mut g, &mut d, year_start);
    requests(&mut g, &mut d, year_start, cfg.seed);
    proposals_and_ballots(&mut g, &mut d, year);
    // Plans and decisions last: the stored runs are computed on the finished data.
    if let Err(e) = plans::add(&mut d, year) {
        debug_assert!(false, "the demo's plans and decisions: {e}");
    }
    d.audit_log.push(AuditEntry {
        id: 1,
        at: day_start_millis(year_start),
        actor: "system".to_owned(),
        entity: "community".to_owned(),
        entity_id: 0,
        action: "demo".to_owned(),
        summary: format!(
            "demo community generated (seed {}, {} households)",
            cfg.seed, cfg.households
        ),
    });
    d
}

fn household(g: &mut Gen, id: u32, b: &Building, unit: u8, room: String, year_start: i64) -> Household {
    let roll = g.range(0, 999);
    let kind = match roll {
        0..=99 => Kind::ElderlyAlone,
        100..=219 => Kind::ElderlyCouple,
        220..=349 => Kind::YoungSingle,
        350..=469 => Kind::YoungCouple,
        470..=739 => Kind::FamilyChildren,
        740..=869 => Kind::ThreeGenerations,
        _ => Kind::MiddleAgedWithAdultChild,
    };
    let surname = g.pick(SURNAMES).to_owned();
    let s = Some(surname.as_str());
    let mut members = Vec::new();
    match kind {
        Kind::ElderlyAlone => members.push(g.member(s, 65, 93)),
        Kind::ElderlyCouple => {
            members.push(g.member(s, 60, 88));
            members.push(g.member(None, 60, 86));
        }
        Kind::YoungSingle => members.push(g.member(s, 22, 35)),
        Kind::YoungCouple => {
            members.push(g.member(s, 24, 38));
            members.push(g.member(None, 24, 38));
            if g.chance(0.25) {
                members.push(g.member(s, 0, 2));
            }
        }
        Kind::FamilyChildren => {
            members.push(g.member(s, 28, 46));
            members.push(g.member(None, 28, 46));
            let kids = if g.chance(0.6) { 2 } else { 1 };
            for _ in 0..kids {
                members.push(g.member(s, 0, 17));
            }
            if g.chance(0.15) {
                members.push(g.member(s, 60, 80));
            }
        }
        Kind::ThreeGenerations => {
            members.push(g.member(s, 58, 82));
            members.push(g.member(None, 58, 80));
            members.push(g.member(s, 30, 48));
            members.push(g.member(None, 30, 48));
            members.push(g.member(s, 0, 14));
            if g.chance(0.4) {
                members.push(g.member(s, 0, 14));
            }
        }
        Kind::MiddleAgedWithAdultChild => {
            members.push(g.member(s, 45, 59));
            members.push(g.member(None, 45, 59));
            members.push(g.member(s, 18, 28));
            if g.chance(0.3) {
                members.push(g.member(s, 18, 28));
            }
        }
    }
    let year = g.year;
    let elders = members.iter().filter(|m| age(year, m) >= 60).count();
    let old_old = members.iter().filter(|m| age(year, m) >= 80).count();
    let kids_young = members.iter().filter(|m| age(year, m) <= 5).count();
    let kids = members.iter().filter(|m| age(year, m) <= 17).count();
    let disabled = members.iter().any(|m| m.disability_grade.is_some());
    let chronic = members.iter().filter(|m| m.chronic_illness).count();
    let unemployed = members.iter().any(|m| m.employment == Employment::Unemployed);

    let tenure = match kind {
        Kind::YoungSingle | Kind::YoungCouple => {
            if g.chance(0.7) {
                Tenure::Tenant
            } else if g.chance(0.2) {
                Tenure::PublicRental
            } else {
                Tenure::Owner
            }
        }
        Kind::FamilyChildren => {
            if g.chance(0.3) {
                Tenure::Tenant
            } else if g.chance(0.05) {
                Tenure::PublicRental
            } else {
                Tenure::Owner
            }
        }
        _ => {
            if g.chance(0.08) {
                Tenure::PublicRental
            } else if g.chance(0.06) {
                Tenure::Tenant
            } else {
                Tenure::Owner
            }
        }
    };
    let subsistence = if g.chance(if tenure == Tenure::PublicRental {
        0.25
    } else {
        0.02
    }) {
        Subsistence::Dibao
    } else if g.chance(0.03) {
        Subsistence::Dibian
    } else {
        Subsistence::None
    };
    let income_band = match subsistence {
        Subsistence::Dibao => IncomeBand::Low,
        Subsistence::Dibian => IncomeBand::LowerMiddle,
        Subsistence::None => match g.range(0, 9) {
            0 => IncomeBand::Low,
            1..=3 => IncomeBand::LowerMiddle,
            4..=7 => IncomeBand::Middle,
            _ => IncomeBand::Upper,
        },
    };
    let housing = if b.year_built < 1995 && g.chance(0.3) {
        HousingCondition::Poor
    } else if b.year_built < 2003 && g.chance(0.4) {
        HousingCondition::Fair
    } else {
        HousingCondition::Good
    };
    let retired_cadre = matches!(kind, Kind::ElderlyCouple | Kind::ElderlyAlone)
        && tenure == Tenure::Owner
        && income_band == IncomeBand::Upper;
    let group = match kind {
        _ if retired_cadre => "retired_cadres",
        Kind::ElderlyAlone | Kind::ElderlyCouple => "elderly_alone",
        Kind::YoungSingle | Kind::YoungCouple if tenure != Tenure::Owner => "young_tenants",
        Kind::FamilyChildren => "families_children",
        Kind::ThreeGenerations => "three_generations",
        _ => "working_families",
    };
    let willingness = {
        let base = match group {
            "retired_cadres" => 75,
            "elderly_alone" => 45,
            "young_tenants" => 20,
            "families_children" => 40,
            "three_generations" => 45,
            _ => 30,
        };
        match g.range(0, 99) {
            r if r < base / 3 => Willingness::High,
            r if r < base => Willingness::Medium,
            r if r < base + 30 => Willingness::Low,
            _ => Willingness::None,
        }
    };

    let mut needs = Vec::new();
    let urgency = |g: &mut Gen, high: f64| {
        if g.chance(high) {
            Urgency::High
        } else if g.chance(0.5) {
            Urgency::Medium
        } else {
            Urgency::Low
        }
    };
    if elders > 0 && g.chance(0.35 + 0.2 * old_old as f64 + if members.len() == 1 { 0.2 } else { 0.0 }) {
        let u = urgency(g, if old_old > 0 { 0.4 } else { 0.15 });
        needs.push(Need {
            category: "elderly_care".to_owned(),
            urgency: u,
        });
    }
    if kids_young > 0 && g.chance(0.7) {
        let u = urgency(g, 0.3);
        needs.push(Need {
            category: "childcare".to_owned(),
            urgency: u,
        });
    }
    if chronic > 0 && g.chance(0.35) {
        let u = urgency(g, 0.2);
        needs.push(Need {
            category: "health".to_owned(),
            urgency: u,
        });
    }
    if unemployed && g.chance(0.6) {
        let u = urgency(g, 0.25);
        needs.push(Need {
            category: "employment".to_owned(),
            urgency: u,
        });
    }
    if disabled && g.chance(0.8) {
        let u = urgency(g, 0.45);
        needs.push(Need {
            category: "disability".to_owned(),
            urgency: u,
        });
    }
    if housing == HousingCondition::Poor && g.chance(0.6) {
        let u = urgency(g, 0.3);
        needs.push(Need {
            category: "housing_repair".to_owned(),
            urgency: u,
        });
    }
    if g.chance(if kids > 0 { 0.3 } else { 0.15 }) {
        needs.push(Need {
            category: "sport".to_owned(),
            urgency: Urgency::Low,
        });
    }
    if g.chance(if elders > 0 { 0.3 } else { 0.12 }) {
        needs.push(Need {
            category: "culture".to_owned(),
            urgency: Urgency::Low,
        });
    }
    let mut skills = Vec::new();
    if g.chance(0.18) {
        skills.push(g.pick(SKILLS).to_owned());
        if g.chance(0.25) {
            let s2 = g.pick(SKILLS).to_owned();
            if !skills.contains(&s2) {
                skills.push(s2);
            }
        }
    }
    let lives_alone = members.len() == 1;
    let notes = if lives_alone && elders > 0 && g.chance(0.3) {
        "需定期探访".to_owned()
    } else {
        String::new()
    };
    let contact_name = members.first().map(|m| m.name.clone()).unwrap_or_default();
    let contact_phone = g.phone();
    Household {
        id,
        building_id: b.id,
        unit,
        room,
        tenure,
        income_band,
        subsistence,
        housing,
        skills,
        needs,
        willingness,
        group: group.to_owned(),
        contact_name,
        contact_phone,
        notes,
        lives_alone,
        members,
        updated_at: day_start_millis(year_start),
    }
}

fn settings(d: &mut Dataset, cfg: &DemoConfig) {
    let community = serde_json::json!({
        "name_zh": "杭州·邻里示范社区（演示）",
        "name_en": "Linli Demo Community, Hangzhou",
        "demo": true,
        "seed": cfg.seed,
    });
    let categories = serde_json::to_string(&default_categories()).unwrap_or_default();
    d.settings = vec![
        Setting {
            key: "community".to_owned(),
            value: community.to_string(),
        },
        Setting {
            key: "need_categories".to_owned(),
            value: categories,
        },
        Setting {
            key: "groups".to_owned(),
            value: serde_json::to_string(&GROUPS).unwrap_or_default(),
        },
        Setting {
            // The Q4 participatory budget: 300,000 yuan for 655,000 yuan of feasible proposals
            // (being voted); Q3's: 100,000 yuan for 195,000 yuan (counted and adopted).
            key: crate::pb::community::BUDGET_SETTING.to_owned(),
            value: serde_json::json!({
                format!("{}-Q3", cfg.year): 10_000_000i64,
                format!("{}-Q4", cfg.year): 30_000_000i64,
            })
            .to_string(),
        },
    ];
}

fn resources(g: &mut Gen, d: &mut Dataset, year: i64) {
    let cats = default_categories();
    let mut rid = 1;
    for q in 0..3 {
        let period = format!("{year}-Q{}", q + 1);
        for c in &cats {
            let base_yuan: i64 = match c.code.as_str() {
                "elderly_care" => 180_000,
                "childcare" => 90_000,
                "health" => 60_000,
                "disability" => 40_000,
                "employment" => 30_000,
                "housing_repair" => 50_000,
                _ => 25_000,
            };
            let jitter = i64::from(g.range(90, 110));
            d.resources.push(Resource {
                id: rid,
                name: format!("{}专项资金", c.name_zh),
                kind: ResourceKind::Money,
                category: c.code.clone(),
                period: period.clone(),
                quantity: base_yuan * jitter,
            });
            rid += 1;
        }
        d.resources.push(Resource {
            id: rid,
            name: "日间照料床位".to_owned(),
            kind: ResourceKind::Slots,
            category: "elderly_care".to_owned(),
            period: period.clone(),
            quantity: 40,
        });
        rid += 1;
        d.resources.push(Resource {
            id: rid,
            name: "活动室时段".to_owned(),
            kind: ResourceKind::RoomHours,
            category: "culture".to_owned(),
            period,
            quantity: 360,
        });
        rid += 1;
    }
    // Before issue #14 the demo drew its plans' spending here. Plans are now
    // made by `plans::add`, without randomness; the same draws are still taken
    // so that every later record (activities, requests, ballots) stays as it was.
    let progress: [u8; 10] = [60, 75, 10, 100, 40, 100, 0, 55, 100, 0];
    for p in progress {
        if p > 0 {
            let n = g.range(2, 8);
            for k in 0..n {
                if k + 1 != n {
                    g.range(70, 130);
                }
                g.range(0, 220);
                g.range(0, 3);
            }
        }
    }
}

fn activities_and_ledgers(g: &mut Gen, d: &mut Dataset, year_start: i64) {
    let n_house = d.households.len() as u32;
    if n_house == 0 {
        return;
    }
    let weights: Vec<u32> = d
        .households
        .iter()
        .map(|h| match h.willingness {
            Willingness::High => 12,
            Willingness::Medium => 5,
            Willingness::Low => 1,
            Willingness::None => 0,
        })
        .collect();
    let total_w: u32 = weights.iter().sum::<u32>().max(1);
    let titles = [
        (Channel::OnlineHall, "线上议事厅：停车管理"),
        (Channel::OnlineHall, "线上议事厅：垃圾分类"),
        (Channel::BuildingCorner, "楼栋议事角：加装电梯"),
        (Channel::BuildingCorner, "楼栋议事角：楼道整治"),
        (Channel::TenantRepresentatives, "租户代表座谈会"),
        (Channel::Volunteering, "助老志愿服务"),
        (Channel::Volunteering, "环境清洁日"),
        (Channel::SkillSharing, "技能分享：手机使用课"),
        (Channel::SkillSharing, "技能分享：家电维修"),
    ];
    let mut pid = 1u32;
    // About two activities a week over three quarters, slowly growing attendance.
    for a in 0..78u32 {
        let day = year_start + i64::from(a) * 273 / 78 + i64::from(g.range(0, 2));
        let (channel, title) = titles[g.range(0, titles.len() as u32 - 1) as usize];
        let size = g.range(15, 45) + a / 6;
        let mut attendance = Vec::new();
        let building_id = if channel == Channel::BuildingCorner {
            Some(g.range(1, d.buildings.len() as u32))
        } else {
            None
        };
        for _ in 0..size * 3 {
            if attendance.len() as u32 >= size {
                break;
            }
            // Weighted draw by willingness.
            let mut r = g.range(0, total_w - 1);
            let mut idx = 0usize;
            for (i, w) in weights.iter().enumerate() {
                if r < *w {
                    idx = i;
                    break;
                }
                r -= w;
            }
            let hid = d.households[idx].id;
            if !attendance.contains(&hid) {
                attendance.push(hid);
            }
        }
        attendance.sort_unstable();
        let hours_tenths = match channel {
            Channel::Volunteering => g.range(15, 40) as u16,
            _ => g.range(10, 20) as u16,
        };
        let at = day_start_millis(day) + 19 * 3_600_000;
        for &hid in &attendance {
            let (delta, reason) = match channel {
                Channel::Volunteering => (i64::from(hours_tenths) * 5 / 10, "earn:volunteering"),
                Channel::SkillSharing => (15, "earn:skill_sharing"),
                _ => (10, "earn:deliberation"),
            };
            d.points_ledger.push(PointsEntry {
                id: pid,
                household_id: hid,
                at,
                delta,
                // `@a<id>`: credited for this activity (participation::points).
                reason: format!("{reason}@a{}", a + 1),
                reverses: None,
            });
            pid += 1;
        }
        d.activities.push(Activity {
            id: a + 1,
            date: iso_date(day),
            title: title.to_owned(),
            channel,
            building_id,
            attendance,
            hours_tenths,
        });
    }
    // Some redemptions, never more than the balance.
    let mut balance = std::collections::HashMap::<u32, i64>::new();
    for e in &d.points_ledger {
        *balance.entry(e.household_id).or_default() += e.delta;
    }
    let mut rich: Vec<(u32, i64)> = balance.into_iter().filter(|(_, b)| *b >= 30).collect();
    rich.sort_unstable();
    for (hid, bal) in rich.into_iter().take(120) {
        let (cost, what) = if bal >= 60 && g.chance(0.3) {
            (60, "redeem:summer_childcare")
        } else if g.chance(0.5) {
            (30, "redeem:parking_discount")
        } else {
            (20, "redeem:canteen_voucher")
        };
        d.points_ledger.push(PointsEntry {
            id: pid,
            household_id: hid,
            // After the last activity (day 271 at the latest), so no balance dips below zero.
            at: day_start_millis(year_start + 272) + 10 * 3_600_000,
            delta: -cost,
            reason: what.to_owned(),
            reverses: None,
        });
        pid += 1;
    }
    // Time bank: younger elders serving older elders.
    let young_old: Vec<u32> = d
        .households
        .iter()
        .filter(|h| h.members.iter().any(|m| (60..=70).contains(&age(g.year, m))))
        .map(|h| h.id)
        .collect();
    let old_old: Vec<u32> = d
        .households
        .iter()
        .filter(|h| h.members.iter().any(|m| age(g.year, m) >= 80))
        .map(|h| h.id)
        .collect();
    if !young_old.is_empty() && !old_old.is_empty() {
        let services = ["陪同就医", "代购买菜", "上门聊天", "理发", "打扫卫生"];
        for t in 0..300u32 {
            let giver = young_old[g.range(0, young_old.len() as u32 - 1) as usize];
            let receiver = old_old[g.range(0, old_old.len() as u32 - 1) as usize];
            if giver == receiver {
                continue;
            }
            let service = services[g.range(0, 4) as usize];
            d.timebank_ledger.push(TimeBankEntry {
                id: t + 1,
                at: day_start_millis(year_start + i64::from(g.range(0, 272))) + 9 * 3_600_000,
                giver_household_id: giver,
                receiver_household_id: receiver,
                minutes: g.range(2, 8) * 30,
                service: service.to_owned(),
            });
        }
    }
}

fn requests(g: &mut Gen, d: &mut Dataset, year_start: i64, seed: u64) {
    let cats = [
        "elderly_care",
        "housing_repair",
        "health",
        "childcare",
        "sport",
        "culture",
        "employment",
        "disability",
    ];
    let descs = [
        "楼道灯坏了",
        "家中老人需要助餐",
        "小区健身器材损坏",
        "希望增加托育名额",
        "下水道堵塞",
        "噪音扰民",
        "申请助残器具",
        "咨询就业培训",
        "电梯故障",
        "希望组织书画活动",
    ];
    let n = (d.households.len() / 8).max(1) as u32;
    let calendar = crate::requests::calendar::WorkCalendar::default();
    let mut code_rng = ChaCha8Rng::seed_from_u64(seed ^ 0x636f_6465);
    for i in 0..n {
        let day = year_start + i64::from(i) * 300 / i64::from(n);
        let colour = match g.range(0, 9) {
            0..=1 => RequestColour::Red,
            2..=5 => RequestColour::Yellow,
            _ => RequestColour::Blue,
        };
        let received_at = day_start_millis(day) + i64::from(g.range(8, 18)) * 3_600_000;
        let due_at = crate::requests::lifecycle::due_at(&calendar, colour, received_at);
        let mut history = vec![StatusChange {
            status: RequestStatus::Received,
            at: received_at,
            note: None,
        }];
        let progress = if day < year_start + 250 { 5 } else { g.range(0, 4) };
        let path = [
            RequestStatus::Assigned,
            RequestStatus::InProgress,
            RequestStatus::Resolved,
            RequestStatus::Closed,
        ];
        let mut t = received_at;
        let mut status = RequestStatus::Received;
        if g.chance(0.03) {
            t += 3_600_000;
            status = RequestStatus::Duplicate;
            history.push(StatusChange {
                status,
                at: t,
                note: None,
            });
        } else {
            for s in path.iter().take(progress as usize) {
                t += i64::from(g.range(1, 30)) * 3_600_000;
                status = *s;
                history.push(StatusChange {
                    status,
                    at: t,
                    note: None,
                });
            }
        }
        let satisfaction = (status == RequestStatus::Closed).then(|| match g.range(0, 9) {
            0 => 2,
            1..=2 => 3,
            3..=5 => 4,
            _ => 5,
        });
        // Ten draws from the main stream as before (so the ballots generated after
        // the requests stay the same); the code's 80 bits come from its own stream.
        for _ in 0..10 {
            g.range(0, 31);
        }
        let mut bytes = [0u8; crate::requests::tracking::RANDOM_BYTES];
        code_rng.fill_bytes(&mut bytes);
        let code = crate::requests::tracking::TrackingCode::from_random(bytes)
            .as_str()
            .to_owned();
        let household_id = Some(d.households[g.range(0, d.households.len() as u32 - 1) as usize].id);
        d.requests.push(Request {
            id: i + 1,
            tracking_code: code,
            household_id,
            category: cats[g.range(0, cats.len() as u32 - 1) as usize].to_owned(),
            description: descs[g.range(0, descs.len() as u32 - 1) as usize].to_owned(),
            colour,
            status,
            history,
            received_at,
            due_at,
            satisfaction,
            assignee: None,
            resident: None,
        });
    }
}

fn proposals_and_ballots(g: &mut Gen, d: &mut Dataset, year: i64) {
    let items = [
        ("小区口袋公园", "sport", 120_000i64, "families_children"),
        ("老年助餐点延时", "elderly_care", 60_000, "elderly_alone"),
        ("儿童游乐区翻新", "childcare", 90_000, "families_children"),
        ("租户夜校", "employment", 30_000, "young_tenants"),
        ("书画活动室", "culture", 50_000, "retired_cadres"),
        ("无障碍坡道", "disability", 40_000, "three_generations"),
        ("共享工具屋", "housing_repair", 20_000, "working_families"),
        ("门球场改造", "sport", 80_000, "retired_cadres"),
        ("社区合唱团", "culture", 15_000, "retired_cadres"),
        ("电动车充电棚", "housing_repair", 70_000, "young_tenants"),
        ("四点半课堂扩班", "childcare", 45_000, "families_children"),
        ("健康小屋", "health", 55_000, "elderly_alone"),
    ];
    let n_ballots = (d.households.len() / 15).max(1) as u32;
    pb_period(
        g,
        d,
        &format!("{year}-Q4"),
        &items,
        (6, "场地不足"),
        (days_from_civil(year, 9, 1), days_from_civil(year, 10, 10)),
        n_ballots,
    );
    // The Q3 participatory budget, counted and adopted in July (see `plans`). Drawn after
    // Q4's ballots, so that those stay as they were before issue #14.
    let q3 = [
        ("楼道灯改声控", "housing_repair", 30_000i64, "three_generations"),
        ("老年大学分班", "elderly_care", 40_000, "retired_cadres"),
        ("亲子阅读角", "childcare", 25_000, "families_children"),
        ("租户互助活动", "employment", 15_000, "young_tenants"),
        ("广场舞音响", "culture", 12_000, "retired_cadres"),
        ("助残出行车", "disability", 50_000, "elderly_alone"),
        ("篮球架更换", "sport", 20_000, "working_families"),
        ("社区义诊日", "health", 18_000, "elderly_alone"),
    ];
    pb_period(
        g,
        d,
        &format!("{year}-Q3"),
        &q3,
        (6, "篮球架由物业维修基金更换"),
        (days_from_civil(year, 6, 1), days_from_civil(year, 7, 5)),
        n_ballots,
    );
}

/// One period's proposals `items` (title, category, cost in yuan, proposer
/// group), numbered after those stored, proposed one a day from `days.0`; the
/// one at `infeasible.0` reviewed infeasible for reason `infeasible.1`, the rest
/// feasible. Then `n_ballots` paper ballots cast on day `days.1`, each from a
/// random household, approving each feasible proposal with chance 0.7 when it
/// comes from the household's group and 0.2 otherwise.
fn pb_period(
    g: &mut Gen,
    d: &mut Dataset,
    period: &str,
    items: &[(&str, &str, i64, &str)],
    infeasible: (usize, &str),
    days: (i64, i64),
    n_ballots: u32,
) {
    let first = d.proposals.len() as u32 + 1;
    for (i, (title, cat, yuan, group)) in items.iter().enumerate() {
        let out = i == infeasible.0;
        d.proposals.push(Proposal {
            id: first + i as u32,
            title: (*title).to_owned(),
            category: (*cat).to_owned(),
            cost_fen: yuan * 100,
            proposer_group: (*group).to_owned(),
            status: if out {
                ProposalStatus::Infeasible
            } else {
                ProposalStatus::Feasible
            },
            review_note: if out {
                infeasible.1.to_owned()
            } else {
                String::new()
            },
            period: period.to_owned(),
            created_at: day_start_millis(days.0 + i as i64),
        });
    }
    let feasible: Vec<usize> = (0..items.len()).filter(|&i| i != infeasible.0).collect();
    let first_ballot = d.ballots.len() as u32 + 1;
    for b in 0..n_ballots {
        let hh = &d.households[g.range(0, d.households.len() as u32 - 1) as usize];
        let mut approvals = Vec::new();
        for &i in &feasible {
            let liked = if items[i].3 == hh.group { 0.7 } else { 0.2 };
            if g.chance(liked) {
                approvals.push(first + i as u32);
            }
        }
        d.ballots.push(Ballot {
            id: first_ballot + b,
            period: period.to_owned(),
            approvals,
            source: "paper".to_owned(),
            building_id: Some(hh.building_id),
            created_at: day_start_millis(days.1),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_demo_matches_the_source_case() {
        let d = generate(&DemoConfig::default());
        assert_eq!(d.households.len(), 4_500);
        let residents = d.resident_count();
        assert!((12_500..=13_500).contains(&residents), "residents {residents}");
        let aged = d
            .households
            .iter()
            .flat_map(|h| &h.members)
            .filter(|m| 2026 - i64::from(m.birth_year) >= 60)
            .count();
        let share = aged as f64 / residents as f64;
        assert!((0.21..=0.23).contains(&share), "60+ share {share}");
        eprintln!("demo: {residents} residents, {:.1}% aged 60+", share * 100.0);
        let tenants = d.households.iter().filter(|h| h.tenure != Tenure::Owner).count();
        assert!(tenants > 400 && tenants < 2_000, "tenants {tenants}");
        assert_eq!(d.grids.len(), 5);
        assert!(d.buildings.len() > 50);
        assert!(!d.activities.is_empty() && !d.requests.is_empty());
        assert!(d.plans.iter().any(|p| !p.spending().is_empty()));
        d.check_integrity().unwrap();
    }

    #[test]
    fn deterministic_and_seed_sensitive() {
        let cfg = DemoConfig {
            households: 300,
            ..DemoConfig::default()
        };
        assert_eq!(generate(&cfg), generate(&cfg));
        let other = generate(&DemoConfig {
            seed: 1,
            ..cfg.clone()
        });
        assert_ne!(generate(&cfg), other);
    }

    #[test]
    fn points_balances_never_negative() {
        let d = generate(&DemoConfig {
            households: 800,
            ..DemoConfig::default()
        });
        let mut bal = std::collections::HashMap::<u32, i64>::new();
        let mut entries = d.points_ledger.clone();
        entries.sort_by_key(|e| (e.at, e.id));
        for e in entries {
            let b = bal.entry(e.household_id).or_default();
            *b += e.delta;
            assert!(*b >= 0, "household {} negative", e.household_id);
        }
    }

    #[test]
    fn spending_never_exceeds_plan_budget() {
        let d = generate(&DemoConfig::default());
        assert!(!d.plans.is_empty());
        for p in &d.plans {
            let spent = p.spent_total();
            let budget = p.content().budget.total();
            assert!(
                spent <= budget && spent >= 0,
                "{}: {spent} > {budget}",
                p.content().title
            );
        }
    }

    #[test]
    fn tracking_codes_are_unique_crockford() {
        let d = generate(&DemoConfig::default());
        let mut seen = std::collections::HashSet::new();
        for r in &d.requests {
            let code = crate::requests::tracking::TrackingCode::parse(&r.tracking_code).unwrap();
            assert_eq!(code.as_str(), r.tracking_code);
            assert!(seen.insert(r.tracking_code.clone()));
        }
    }

    #[test]
    fn plans_are_at_every_stage_and_decisions_adopted() {
        use crate::decisions::DecisionKind;
        use crate::plans::{Event, Stage};
        let d = generate(&DemoConfig {
            households: 600,
            ..DemoConfig::default()
        });
        d.check_integrity().unwrap();
        for stage in Stage::ALL {
            assert!(d.plans.iter().any(|p| p.stage() == stage), "no plan {stage:?}");
        }
        let plan = |id: u32| d.plans.iter().find(|p| p.id() == id).unwrap();
        // Closed: every step of the life cycle, in order.
        let closed = plan(1);
        assert_eq!(closed.stage(), Stage::Closed);
        let stages: Vec<Stage> = closed.history().iter().map(|t| t.to).collect();
        for s in [
            Stage::Draft,
            Stage::Notice,
            Stage::Council,
            Stage::Assessment,
            Stage::StreetReview,
            Stage::Execution,
            Stage::Accounts,
            Stage::Closed,
        ] {
            assert!(stages.contains(&s), "{s:?}");
        }
        assert!(closed.spending().iter().any(|e| e.reverses.is_some()));
        assert!(!closed.budget_changes().is_empty() && closed.milestones().len() >= 3);
        let a = closed.accounts().unwrap();
        assert_eq!(a.actual, closed.spent_total());
        assert_eq!(a.budget, a.actual + a.remainder);
        assert!(closed.evaluation().is_some());
        // Execution with a reversal; a rejection back in draft; answered objections.
        assert!(plan(3).spending().iter().any(|e| e.reverses.is_some()));
        let rejected = plan(11);
        assert_eq!(rejected.stage(), Stage::Draft);
        assert!(rejected
            .approvals()
            .iter()
            .any(|a| !a.approved && !a.reason.is_empty()));
        assert!(rejected
            .history()
            .iter()
            .any(|t| matches!(t.event, Event::Edited { .. })));
        let answered = plan(8);
        assert_eq!(answered.objections().len(), 2);
        assert_eq!(answered.unanswered(), 0);
        assert_eq!(plan(9).unanswered(), 1);
        assert_eq!(plan(4).stage(), Stage::ChangeNotice);
        // Every plan went through the real operations: each step an edge of the life cycle.
        for p in &d.plans {
            assert!(
                p.history().iter().all(|t| t.from.may_become(t.to)),
                "plan {}",
                p.id()
            );
        }

        // Decisions: Q1–Q3 runs adopted, the reserve released to plan 12, the PB count adopted.
        let runs: Vec<u32> = d
            .decisions
            .iter()
            .filter_map(|x| match &x.kind {
                DecisionKind::AllocationAdopted { run_id, .. } => Some(*run_id),
                _ => None,
            })
            .collect();
        assert_eq!(runs, vec![1, 2, 3]);
        assert!(d.decisions.iter().any(|x| matches!(
            x.kind,
            DecisionKind::ReserveReleased {
                plan_id: 12,
                amount_fen: 1_200_000,
                ..
            }
        )));
        assert_eq!(plan(12).content().budget.total(), 800_000 + 1_200_000);
        let Some(DecisionKind::PbAdopted { projects, voters, .. }) = d
            .decisions
            .iter()
            .map(|x| &x.kind)
            .find(|k| matches!(k, DecisionKind::PbAdopted { .. }))
        else {
            panic!("no PB adoption");
        };
        let q3 = d.ballots.iter().filter(|b| b.period == "2026-Q3").count();
        assert_eq!(*voters, q3 as u64);
        // Q4 is being voted: its proposals are not decided.
        assert!(d
            .proposals
            .iter()
            .filter(|p| p.period == "2026-Q4")
            .all(|p| matches!(p.status, ProposalStatus::Feasible | ProposalStatus::Infeasible)));
        let funded: Vec<&crate::decisions::PbProjectOutcome> = projects.iter().filter(|p| p.funded).collect();
        assert!(!funded.is_empty() && funded.len() < projects.len());
        for f in &funded {
            let p = plan(f.plan_id.unwrap());
            assert_eq!(
                (p.stage(), p.content().title.as_str()),
                (Stage::Draft, f.title.as_str())
            );
            let proposal = d.proposals.iter().find(|x| x.id == f.proposal_id).unwrap();
            assert_eq!(proposal.status, ProposalStatus::Funded);
        }
        assert!(d.proposals.iter().any(|p| p.status == ProposalStatus::NotFunded));
    }

    #[test]
    fn the_stored_runs_are_what_the_allocation_page_would_save() {
        use crate::alloc::{allocate_inputs, prepare, verify_run, AllocConfig};
        let d = generate(&DemoConfig {
            households: 400,
            ..DemoConfig::default()
        });
        let config = AllocConfig::from_dataset(&d).unwrap();
        assert_eq!(d.allocation_runs.len(), 3);
        for run in &d.allocation_runs {
            // Each re-runs from its stored inputs, and the finished data gives the same inputs.
            verify_run(run).unwrap();
            let mut before = d.clone();
            before.allocation_runs.retain(|r| r.id < run.id);
            let inputs = prepare(&before, &config, &run.period).unwrap();
            let result = allocate_inputs(&inputs, &config).unwrap();
            let again = crate::alloc::run_record(&inputs, &config, &result, run.id, run.created_at);
            assert_eq!(&again, run, "{}", run.period);
        }
    }

    #[test]
    fn every_size_of_demo_gets_its_plans_and_decisions() {
        for (seed, households) in [(1, 1), (2, 12), (3, 45), (2026, 150)] {
            let d = generate(&DemoConfig {
                seed,
                households,
                ..DemoConfig::default()
            });
            assert!(d.plans.len() >= 12, "{households}: {} plans", d.plans.len());
            // The PB adoption always; the runs (and the release) once the register can be allocated.
            assert!(!d.decisions.is_empty(), "{households}");
            if households >= 45 {
                assert_eq!(d.decisions.len(), 5, "{households}");
            }
            d.check_integrity().unwrap();
        }
    }
}
