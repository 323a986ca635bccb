//! The demo's plans and adopted decisions, made through the same domain
//! functions the workspace calls: [`PlanCase`] operations for every plan,
//! [`alloc::prepare`] / [`alloc::allocate_inputs`] / [`alloc::run_record`] for
//! the stored runs (exactly what the allocation page saves), and
//! [`decisions::adopt_run`], [`decisions::release_reserve`] and
//! [`decisions::adopt_pb`] (on the real count of the demo's ballots) for the
//! decisions.
//!
//! Plans, dated in the demo's year, one at every stage of the life cycle:
//!
//! | id | plan | stage |
//! |----|------|-------|
//! | 1 | 老年食堂扩建 | closed: objection answered, three approvals, spending with a reversal, a small budget change, milestones, accounts, evaluation |
//! | 2 | 社区健身角 | final accounts, awaiting the evaluation |
//! | 3 | 四点半课堂 | execution, with a reversal and milestones |
//! | 4 | 助残康复站 | change notice: a budget increase above 10 % on notice |
//! | 5 | 慢病健康管理 | execution |
//! | 6 | 楼道适老化改造 | awaiting the street review (objection answered) |
//! | 7 | 就业技能培训 | awaiting the professional assessment |
//! | 8 | 邻里文化节 | awaiting the residents' council (two objections answered) |
//! | 9 | 周末托管班 | on notice, one objection without a response yet |
//! | 10 | 加装电梯试点 | draft |
//! | 11 | 邻里共享花园 | rejected by the assessment, back in draft and reworked |
//! | 12 | 屋顶漏水抢修 | draft funded by a release of the Q3 emergency reserve |
//! | 13… | the funded proposals of the Q3 participatory budget | drafts made by the PB adoption |
//!
//! Decisions: the allocation runs of Q1, Q2 and Q3 adopted, the Q3 reserve
//! release, and the Q3 participatory-budget count (MES + Add1 + greedy, the
//! page's default rule) adopted. The Q4 participatory budget is still being
//! voted: its proposals and ballots stay undecided.

use crate::alloc::{self, AllocConfig, FunderShare};
use crate::dataset::Dataset;
use crate::date::{day_start_millis, days_from_civil};
use crate::decisions::{self, Decision, Header, PbCount, Release, DEFAULT_PLAN_DESCRIPTION};
use crate::model::{NeedCategory, NeedClass};
use crate::pb::{self, community::instance_for_period, Rule};
use crate::plans::{
    Budget, BudgetChangeInput, CivilDate, CouncilVote, Funder, Internal, ObjectionChannel, ObjectionInput,
    PlanCase, PlanContent, PlanError, PlanRules, Satisfaction, SpendingInput, Stamp,
};

/// Why the demo's plans could not be made (a bug: the demo is fixed data).
#[derive(Debug)]
pub(super) struct Failure(String);

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<decisions::DecisionError> for Failure {
    fn from(e: decisions::DecisionError) -> Self {
        Self(format!("decision: {e}"))
    }
}

impl From<alloc::AllocError> for Failure {
    fn from(e: alloc::AllocError) -> Self {
        Self(format!("allocation: {e}"))
    }
}

fn plan_failure(id: u32, e: PlanError) -> Failure {
    Failure(format!("plan {id}: {e}"))
}

/// The guides of the demo's five grids (see `super::GUIDES`).
fn guide(i: usize) -> &'static str {
    super::GUIDES[i % super::GUIDES.len()]
}

/// Noon of `on`, China time (04:00 UTC): when the demo records a step.
fn noon(on: CivilDate) -> i64 {
    day_start_millis(on.days()) + 4 * 3_600_000
}

/// One plan being taken through its life cycle by one guide.
struct Flow {
    case: PlanCase,
    actor: &'static str,
    rules: PlanRules,
    year: i64,
}

impl Flow {
    fn day(&self, m: u32, d: u32) -> CivilDate {
        date(self.year, m, d)
    }

    fn by(&self, on: CivilDate) -> Stamp {
        Stamp::new(self.actor, noon(on))
    }

    fn step(self, f: impl FnOnce(&PlanCase) -> Result<PlanCase, PlanError>) -> Result<Self, Failure> {
        let case = f(&self.case).map_err(|e| plan_failure(self.case.id(), e))?;
        Ok(Self { case, ..self })
    }

    fn notice(self, m: u32, d: u32) -> Result<Self, Failure> {
        let (on, rules) = (self.day(m, d), self.rules);
        let by = self.by(on);
        self.step(|c| c.start_notice(&by, on, &rules))
    }

    fn object(
        self,
        m: u32,
        d: u32,
        channel: ObjectionChannel,
        internal: &str,
        public: &str,
    ) -> Result<Self, Failure> {
        let on = self.day(m, d);
        let by = self.by(on);
        let input = ObjectionInput {
            on,
            channel,
            internal_text: internal.to_owned(),
            public_summary: public.to_owned(),
        };
        self.step(|c| c.record_objection(&by, input))
    }

    fn answer(self, id: u32, m: u32, d: u32, text: &str) -> Result<Self, Failure> {
        let on = self.day(m, d);
        let by = self.by(on);
        self.step(|c| c.answer_objection(&by, id, on, text))
    }

    fn close(self, m: u32, d: u32) -> Result<Self, Failure> {
        let on = self.day(m, d);
        let by = self.by(on);
        self.step(|c| c.close_notice(&by, on))
    }

    fn council(
        self,
        m: u32,
        d: u32,
        votes_for: u32,
        votes_against: u32,
        abstain: u32,
    ) -> Result<Self, Failure> {
        let on = self.day(m, d);
        let by = self.by(on);
        let vote = CouncilVote {
            votes_for,
            votes_against,
            abstain,
            quorum_met: true,
        };
        self.step(|c| c.council(&by, on, vote, ""))
    }

    fn assess(
        self,
        m: u32,
        d: u32,
        assessor: &str,
        conclusion: &str,
        approved: bool,
        reason: &str,
    ) -> Result<Self, Failure> {
        let on = self.day(m, d);
        let by = self.by(on);
        self.step(|c| c.assessment(&by, on, assessor, conclusion, approved, reason))
    }

    fn street(self, m: u32, d: u32, reference: &str) -> Result<Self, Failure> {
        let on = self.day(m, d);
        let by = self.by(on);
        self.step(|c| c.street_review(&by, on, reference, true, ""))
    }

    /// The three levels approving on the given days.
    fn approved(
        self,
        council: (u32, u32),
        assessment: (u32, u32, &str, &str),
        street: (u32, u32, &str),
    ) -> Result<Self, Failure> {
        self.council(council.0, council.1, 21, 2, 1)?
            .assess(assessment.0, assessment.1, assessment.2, assessment.3, true, "")?
            .street(street.0, street.1, street.2)
    }

    fn spend(self, m: u32, d: u32, fen: i64, funder: Funder, purpose: &str) -> Result<Self, Failure> {
        let on = self.day(m, d);
        let by = self.by(on);
        let n = self.case.spending().len() + 1;
        let input = SpendingInput {
            on,
            amount: fen,
            funder,
            purpose: purpose.to_owned(),
            voucher: format!("{}{m:02}{d:02}-{:02}-{n}", self.year, self.case.id()),
        };
        self.step(|c| c.spend(&by, input))
    }

    fn reverse(self, id: u32, m: u32, d: u32, reason: &str) -> Result<Self, Failure> {
        let on = self.day(m, d);
        let by = self.by(on);
        let voucher = format!("{}{m:02}{d:02}-{:02}-R{id}", self.year, self.case.id());
        self.step(|c| c.reverse(&by, id, on, &voucher, reason))
    }

    fn milestone(self, m: u32, d: u32, percent: u8, note: &str) -> Result<Self, Failure> {
        let on = self.day(m, d);
        let by = self.by(on);
        self.step(|c| c.milestone(&by, on, percent, note))
    }

    fn change_budget(self, m: u32, d: u32, to: Budget, reason: &str) -> Result<Self, Failure> {
        let (on, rules) = (self.day(m, d), self.rules);
        let by = self.by(on);
        let input = BudgetChangeInput {
            on,
            to,
            reason: reason.to_owned(),
            approver: "居委会".to_owned(),
        };
        self.step(|c| c.change_budget(&by, input, &rules))
    }

    fn accounts(self, m: u32, d: u32, pool: &str) -> Result<Self, Failure> {
        let on = self.day(m, d);
        let by = self.by(on);
        self.step(|c| c.close_accounts(&by, on, pool))
    }
}

fn date(year: i64, m: u32, d: u32) -> CivilDate {
    CivilDate::from_days(days_from_civil(year, m, d)).unwrap_or_else(|| {
        CivilDate::from_days(0).unwrap_or_else(|| unreachable!("1970-01-01 is a valid date"))
    })
}

/// Makes the plans and the decisions and adds them to `d` (all or nothing).
pub(super) fn add(d: &mut Dataset, year: i64) -> Result<(), Failure> {
    let config = AllocConfig::from_dataset(d)?;
    let categories = crate::settings::need_categories(&d.settings)
        .map_err(|e| Failure(format!("setting `{}`: {}", e.key, e.reason)))?;
    let mut plans = hand_made(year, &config, &categories)?;
    let mut out = d.clone();
    out.plans.append(&mut plans);
    let rules = PlanRules::default();

    // The stored runs of Q1–Q3, each adopted at the start of its quarter. They
    // are computed on the finished data (with the plans' spending), as the
    // allocation page computes and saves them. A community too small to
    // allocate (a test demo of a few households) gets no run for that quarter.
    let mut decisions: Vec<Decision> = Vec::new();
    for q in 1..=3u32 {
        let period = format!("{year}-Q{q}");
        let start = date(year, q * 3 - 2, 1);
        let Ok(inputs) = alloc::prepare(&out, &config, &period) else {
            continue;
        };
        let Ok(result) = alloc::allocate_inputs(&inputs, &config) else {
            continue;
        };
        let id = out.allocation_runs.len() as u32 + 1;
        out.allocation_runs.push(alloc::run_record(
            &inputs,
            &config,
            &result,
            id,
            noon(start) - 86_400_000,
        ));
        let header = Header {
            id: decisions.len() as u32 + 1,
            period,
            on: start,
            by: Stamp::new(guide(q as usize), noon(start)),
        };
        decisions.push(decisions::adopt_run(
            &decisions,
            &out.allocation_runs,
            id,
            &header,
        )?);
    }

    // Part of the Q3 emergency reserve released to the roof repair (plan 12).
    let q3 = format!("{year}-Q3");
    if decisions::adopted_run(&decisions, &q3).is_some() {
        let on = date(year, 9, 10);
        let header = Header {
            id: decisions.len() as u32 + 1,
            period: q3,
            on,
            by: Stamp::new(guide(4), noon(on)),
        };
        let release = Release {
            plan_id: 12,
            amount_fen: 1_200_000,
            reason: "9 月 6 日暴雨致屋面渗漏，属应急抢修事项".to_owned(),
            approver: "居委会主任办公会".to_owned(),
        };
        let (decision, funded) = decisions::release_reserve(
            &decisions,
            &out.allocation_runs,
            &out.plans,
            &release,
            &rules,
            &header,
        )?;
        decisions.push(decision);
        if let Some(p) = out.plans.iter_mut().find(|p| p.id() == funded.id()) {
            *p = funded;
        }
    }

    // The Q3 participatory budget: the real count of its ballots, adopted in July
    // (Q4's is still being voted and stays unadopted).
    let period = format!("{year}-Q3");
    let inst = instance_for_period(&out, &period, None)
        .map_err(|e| Failure(format!("PB count: {e}")))?
        .instance;
    let outcome = pb::run(&inst, Rule::MesCostAdd1Greedy).map_err(|e| Failure(format!("PB count: {e}")))?;
    let sha = decisions::instance_sha256(&inst).map_err(|e| Failure(format!("PB count: {e}")))?;
    let count = PbCount {
        instance_sha256: &sha,
        outcome: &outcome,
        description: DEFAULT_PLAN_DESCRIPTION,
    };
    let on = date(year, 7, 20);
    let header = Header {
        id: decisions.len() as u32 + 1,
        period,
        on,
        by: Stamp::new(guide(0), noon(on)),
    };
    let next_plan = out.plans.iter().map(PlanCase::id).max().unwrap_or(0) + 1;
    let adoption = decisions::adopt_pb(&decisions, &out, &count, next_plan, &header)?;
    decisions.push(adoption.decision);
    for p in adoption.proposals {
        if let Some(old) = out.proposals.iter_mut().find(|o| o.id == p.id) {
            *old = p;
        }
    }
    out.plans.extend(adoption.plans);
    out.decisions = decisions;
    *d = out;
    Ok(())
}

/// `yuan` split by the cost-sharing rule of `category`'s need class, exact to the fen.
fn budget(
    config: &AllocConfig,
    categories: &[NeedCategory],
    category: &str,
    yuan: i64,
) -> Result<Budget, Failure> {
    let class = categories
        .iter()
        .find(|c| c.code == category)
        .map_or(NeedClass::Improvement, |c| c.class);
    let (rule, name): (&[FunderShare], &'static str) = match class {
        NeedClass::Basic => (&config.cost_sharing.basic, "basic"),
        NeedClass::Improvement => (&config.cost_sharing.improvement, "improvement"),
        NeedClass::Special => (&config.cost_sharing.special, "special"),
    };
    Ok(decisions::split_budget(yuan * 100, rule, name)?)
}

/// The twelve hand-made plans, by id.
fn hand_made(year: i64, config: &AllocConfig, categories: &[NeedCategory]) -> Result<Vec<PlanCase>, Failure> {
    let rules = PlanRules::default();
    let q = |n: u32| format!("{year}-Q{n}");
    let start = |id: u32,
                 m: u32,
                 d: u32,
                 title: &str,
                 category: &str,
                 period: String,
                 yuan: i64,
                 description: &str,
                 notes: &str|
     -> Result<Flow, Failure> {
        let actor = guide(id as usize - 1);
        let on = date(year, m, d);
        let content = PlanContent {
            title: title.to_owned(),
            category: category.to_owned(),
            period,
            budget: budget(config, categories, category, yuan)?,
            description: description.to_owned(),
        };
        let internal = Internal {
            guide: actor.to_owned(),
            notes: notes.to_owned(),
        };
        let case = PlanCase::new(id, &Stamp::new(actor, noon(on)), on, content, internal)
            .map_err(|e| plan_failure(id, e))?;
        Ok(Flow {
            case,
            actor,
            rules,
            year,
        })
    };
    let fen = |g: i64, m: i64, s: i64, r: i64| Budget::new(g, m, s, r).map_err(|e| plan_failure(0, e));
    use Funder::{Government as Gov, Market, Residents, Society};
    use ObjectionChannel as Ch;
    let mut out = Vec::new();

    // 1. Closed: the whole life cycle.
    let p = start(
        1,
        1,
        5,
        "老年食堂扩建",
        "elderly_care",
        q(1),
        320_000,
        "在社区服务中心一楼扩建老年食堂，新增 60 个座位和送餐服务，服务辖区 60 岁以上老人。",
        "三家供应商比选报价，内部留档。",
    )?
    .notice(1, 6)?
    .object(
        1,
        8,
        Ch::Phone,
        "3幢李阿姨来电：担心油烟影响楼上住户。",
        "担心厨房油烟影响楼上住户",
    )?
    .answer(1, 1, 10, "厨房加装油烟净化设备，排烟口改至楼顶。")?
    .close(1, 13)?
    .council(1, 15, 23, 2, 1)?
    .assess(
        1,
        20,
        "区养老服务指导中心",
        "方案可行，需加装油烟净化设备",
        true,
        "",
    )?
    .street(1, 26, "街审〔2026〕3号")?
    .spend(2, 3, 9_600_000, Gov, "厨房设备采购")?
    .spend(2, 10, 2_400_000, Market, "餐桌椅 60 套")?
    .milestone(2, 15, 30, "厨房设备安装完成")?
    .spend(2, 20, 3_000_000, Society, "送餐保温箱及电动车")?
    .spend(2, 25, 1_280_000, Gov, "油烟净化设备")?
    .reverse(4, 2, 27, "金额录错，应为 12,080 元")?
    .spend(2, 27, 1_208_000, Gov, "油烟净化设备")?
    .milestone(3, 10, 70, "装修与无障碍改造完成")?
    .change_budget(
        3,
        12,
        fen(23_100_000, 4_800_000, 5_100_000, 0)?,
        "增加无障碍坡道和扶手",
    )?
    .spend(3, 15, 8_000_000, Gov, "装修工程尾款")?
    .spend(3, 20, 2_000_000, Society, "无障碍坡道和扶手")?
    .milestone(3, 28, 100, "食堂试运营")?
    .accounts(3, 31, &format!("{} 弹性池", q(2)))?;
    let by = p.by(p.day(4, 20));
    let on = p.day(4, 20);
    let p = p.step(|c| {
        c.evaluate(
            &by,
            on,
            Satisfaction::Counts([2, 3, 9, 41, 65]),
            "回访 120 位就餐老人，88.3% 满意；建议增加素食和低盐菜品。",
        )
    })?;
    out.push(p.case);

    // 2. Final accounts, awaiting the evaluation.
    let p = start(
        2,
        2,
        2,
        "社区健身角",
        "sport",
        q(1),
        80_000,
        "在 6 幢与 9 幢之间的空地设健身角，安装 12 件器材并铺设塑胶地面。",
        "",
    )?
    .notice(2, 3)?
    .close(2, 10)?
    .approved(
        (2, 12),
        (2, 16, "区体育局场地中心", "场地承重与安全距离满足要求"),
        (2, 20, "街审〔2026〕7号"),
    )?
    .spend(3, 2, 2_200_000, Market, "健身器材 12 件")?
    .spend(3, 5, 1_500_000, Gov, "塑胶地面")?
    .milestone(3, 10, 50, "器材安装完成")?
    .spend(3, 9, 800_000, Residents, "遮阳棚（居民众筹）")?
    .milestone(3, 20, 100, "验收并开放")?
    .accounts(3, 25, &format!("{} 弹性池", q(2)))?;
    out.push(p.case);

    // 3. Execution, with a reversal and milestones.
    let p = start(
        3,
        3,
        16,
        "四点半课堂",
        "childcare",
        q(2),
        120_000,
        "放学后为双职工家庭的小学生提供作业辅导和兴趣课，每周一至周五 16:30–18:30。",
        "志愿教师名单见网格台账。",
    )?
    .notice(3, 18)?
    .close(3, 25)?
    .approved(
        (3, 27),
        (4, 1, "区教育局校外教育科", "师资与场地符合要求"),
        (4, 7, "街审〔2026〕12号"),
    )?
    .spend(4, 10, 2_000_000, Gov, "春季学期志愿教师补贴")?
    .spend(4, 15, 600_000, Society, "图书与文具")?
    .milestone(4, 30, 25, "开班 3 个，学员 68 人")?
    .spend(5, 20, 500_000, Market, "课桌椅")?
    .reverse(3, 5, 22, "凭证金额录错，应为 4,500 元")?
    .spend(5, 22, 450_000, Market, "课桌椅")?
    .spend(6, 25, 2_100_000, Gov, "夏季学期志愿教师补贴")?
    .milestone(7, 15, 60, "暑期班开班")?
    .spend(9, 5, 1_800_000, Gov, "秋季学期志愿教师补贴")?;
    out.push(p.case);

    // 4. A budget increase above 10 % on notice.
    let p = start(
        4,
        4,
        1,
        "助残康复站",
        "disability",
        q(2),
        150_000,
        "在社区卫生服务站旁设康复站，为持证残疾人提供康复训练和辅具租借。",
        "",
    )?
    .notice(4, 3)?
    .close(4, 10)?
    .approved(
        (4, 13),
        (4, 17, "区残联康复指导中心", "设备清单合理"),
        (4, 22, "街审〔2026〕15号"),
    )?
    .spend(5, 6, 6_000_000, Gov, "康复设备（首批）")?
    .spend(5, 20, 1_500_000, Society, "康复师培训")?
    .milestone(6, 1, 40, "康复室装修完成")?
    .spend(7, 10, 4_500_000, Gov, "康复设备（二批）")?
    .milestone(8, 1, 70, "开放预约，服务 42 人")?
    .change_budget(
        9,
        15,
        fen(15_000_000, 0, 3_000_000, 0)?,
        "服务对象增加 18 人，需增购两台下肢康复训练设备",
    )?;
    out.push(p.case);

    // 5. Execution.
    let p = start(
        5,
        6,
        1,
        "慢病健康管理",
        "health",
        q(3),
        90_000,
        "为高血压、糖尿病居民建立健康档案，每季度随访并开展健康讲座。",
        "",
    )?
    .notice(6, 3)?
    .close(6, 10)?
    .approved(
        (6, 12),
        (6, 17, "社区卫生服务中心", "与家庭医生签约服务衔接"),
        (6, 23, "街审〔2026〕21号"),
    )?
    .spend(7, 6, 2_500_000, Gov, "血压血糖监测设备")?
    .spend(7, 20, 900_000, Market, "健康讲座 6 场")?
    .milestone(8, 5, 30, "建档 320 人")?
    .spend(8, 25, 700_000, Society, "随访志愿者培训")?
    .milestone(9, 20, 55, "完成三轮随访")?;
    out.push(p.case);

    // 6. Awaiting the street review; an objection answered.
    let p = start(
        6,
        7,
        20,
        "楼道适老化改造",
        "housing_repair",
        q(3),
        260_000,
        "为 12 栋老旧楼道加装扶手、感应照明和休息座椅。",
        "",
    )?
    .notice(7, 22)?
    .object(
        7,
        24,
        Ch::Meeting,
        "楼栋议事角：5幢居民希望先改造低层楼道。",
        "希望优先改造老人较多的楼栋",
    )?
    .answer(1, 7, 27, "按 60 岁以上住户比例排序，先改 5、8、12 幢。")?
    .close(7, 29)?
    .council(8, 3, 25, 4, 3)?
    .assess(
        8,
        20,
        "市政设计院",
        "扶手与照明方案可行，施工前补充消防评估",
        true,
        "",
    )?;
    out.push(p.case);

    // 7. Awaiting the professional assessment.
    let p = start(
        7,
        8,
        10,
        "就业技能培训",
        "employment",
        q(3),
        60_000,
        "面向失业和灵活就业居民开设家政、电商和养老护理培训各一期。",
        "",
    )?
    .notice(8, 12)?
    .close(8, 19)?
    .council(8, 24, 16, 2, 0)?;
    out.push(p.case);

    // 8. Awaiting the residents' council; two objections answered.
    let p = start(
        8,
        8,
        28,
        "邻里文化节",
        "culture",
        q(3),
        45_000,
        "国庆前举办邻里文化节：文艺演出、美食市集和亲子手工。",
        "",
    )?
    .notice(9, 1)?
    .object(
        9,
        2,
        Ch::Online,
        "线上议事厅留言（10幢）：担心夜间噪音。",
        "担心晚间演出噪音",
    )?
    .object(
        9,
        3,
        Ch::InPerson,
        "租户代表当面反映：活动多为业主参与。",
        "希望增加租户家庭参与的项目",
    )?
    .answer(1, 9, 4, "演出 21 点前结束，音响朝向空地。")?
    .answer(2, 9, 5, "增设亲子手工和租户美食摊位。")?
    .close(9, 8)?;
    out.push(p.case);

    // 9. On notice; one objection without a response yet.
    let p = start(
        9,
        9,
        22,
        "周末托管班",
        "childcare",
        q(4),
        70_000,
        "周六上午为 6–12 岁儿童提供托管、阅读和体育活动。",
        "",
    )?
    .notice(9, 24)?
    .object(
        9,
        26,
        Ch::Written,
        "书面意见（2幢）：是否收费、如何报名。",
        "询问是否收费和报名方式",
    )?;
    out.push(p.case);

    // 10. A draft.
    let p = start(
        10,
        9,
        10,
        "加装电梯试点",
        "housing_repair",
        q(4),
        600_000,
        "在 3 幢试点加装电梯，费用由政府补贴、市场和业主共同分担。",
        "需经本单元 2/3 以上业主同意，正在逐户征询。",
    )?;
    out.push(p.case);

    // 11. Rejected by the assessment, back in draft, reworked.
    let p = start(
        11,
        6,
        15,
        "邻里共享花园",
        "culture",
        q(3),
        35_000,
        "在 4 幢北侧空地建共享花园，居民认领花池。",
        "",
    )?
    .notice(6, 17)?
    .close(6, 24)?
    .council(6, 26, 19, 5, 2)?
    .assess(
        7,
        2,
        "区园林绿化站",
        "选址占用消防通道",
        false,
        "选址占用消防通道，需另选场地",
    )?;
    let mut content = p.case.content().clone();
    content.description = "改在 7 幢南侧空地建共享花园，居民认领花池；不占用消防通道。".to_owned();
    let on = p.day(7, 10);
    let by = p.by(on);
    let p = p.step(|c| c.edit(&by, on, content, &rules))?;
    out.push(p.case);

    // 12. A draft that the Q3 emergency reserve will fund.
    let p = start(
        12,
        9,
        8,
        "屋顶漏水抢修",
        "housing_repair",
        q(3),
        8_000,
        "9 月 6 日暴雨后 11 幢顶层三户漏水，抢修屋面防水层。",
        "",
    )?;
    out.push(p.case);
    Ok(out)
}
