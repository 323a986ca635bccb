//! `linli plans BACKUP`: every plan of a backup with its whole life cycle, as JSON.
//!
//! ```text
//! {
//!   "file": {"app_version", "created_at", "format_version", "schema_version"},
//!   "by_stage": {"draft": n, "notice": n, …, "closed": n},   // every stage, life-cycle order
//!   "plans": [ … ]                                             // by id
//! }
//! ```
//!
//! Each plan: `id`, `title`, `category`, `period`, `description`, `stage`,
//! `stage_since`, `guide`, `internal_notes`, `budget` (by funder), `baseline`,
//! `spent` (net, by funder and `total`), `progress`, `history` (every
//! transition: `seq`, `actor`, `at`, `on`, `from`, `to`, `event`, `reason`),
//! `notices` (with `last_day` and `closes_from`), `objections` (with their
//! internal text and response), `unanswered_objections`, `approvals`,
//! `spending` (reversals included), `budget_changes`, `milestones`, `accounts`
//! and `evaluation` (`null` until drawn). With `--public`, `plans` holds only
//! what a snapshot may publish (`linli_domain::plans::PublicPlan`, notice
//! countdowns as of `--today`), and a plan never put on notice is left out.
//!
//! A version-1 backup is read too: its plans are converted as the app converts
//! them (`linli_domain::plans::legacy`).

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use serde::Serialize;

use linli_domain::backup;
use linli_domain::model::Fen;
use linli_domain::plans::{
    Approval, Budget, BudgetChange, CivilDate, Evaluation, FinalAccounts, Funder, Milestone, NoticeEnd,
    NoticeKind, Objection, PlanCase, PublicPlan, SpendingEntry, Stage, Transition,
};

#[derive(Serialize)]
struct FileInfo<'a> {
    app_version: &'a str,
    created_at: i64,
    format_version: u32,
    schema_version: u32,
}

/// Plans per stage, every stage in life-cycle order (a JSON object keeps the order).
struct ByStage(Vec<(Stage, usize)>);

impl Serialize for ByStage {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (stage, n) in &self.0 {
            m.serialize_entry(stage.code(), n)?;
        }
        m.end()
    }
}

#[derive(Serialize)]
struct Out<'a, P> {
    file: FileInfo<'a>,
    by_stage: ByStage,
    plans: Vec<P>,
}

#[derive(Serialize)]
struct Spent {
    government: Fen,
    market: Fen,
    society: Fen,
    residents: Fen,
    total: Fen,
}

#[derive(Serialize)]
struct NoticeOut {
    number: u32,
    kind: NoticeKind,
    start: CivilDate,
    days: u16,
    last_day: CivilDate,
    closes_from: CivilDate,
    ended: Option<NoticeEnd>,
}

#[derive(Serialize)]
struct PlanOut<'a> {
    id: u32,
    title: &'a str,
    category: &'a str,
    period: &'a str,
    description: &'a str,
    stage: Stage,
    stage_since: CivilDate,
    guide: &'a str,
    internal_notes: &'a str,
    budget: Budget,
    baseline: Option<&'a Budget>,
    spent: Spent,
    progress: u8,
    history: &'a [Transition],
    notices: Vec<NoticeOut>,
    objections: &'a [Objection],
    unanswered_objections: usize,
    approvals: &'a [Approval],
    spending: &'a [SpendingEntry],
    budget_changes: &'a [BudgetChange],
    milestones: &'a [Milestone],
    accounts: Option<&'a FinalAccounts>,
    evaluation: Option<&'a Evaluation>,
}

fn full(p: &PlanCase) -> PlanOut<'_> {
    let c = p.content();
    PlanOut {
        id: p.id(),
        title: &c.title,
        category: &c.category,
        period: &c.period,
        description: &c.description,
        stage: p.stage(),
        stage_since: p.stage_since(),
        guide: &p.internal().guide,
        internal_notes: &p.internal().notes,
        budget: c.budget,
        baseline: p.baseline(),
        spent: Spent {
            government: p.spent(Funder::Government),
            market: p.spent(Funder::Market),
            society: p.spent(Funder::Society),
            residents: p.spent(Funder::Residents),
            total: p.spent_total(),
        },
        progress: p.progress(),
        history: p.history(),
        notices: p
            .notices()
            .iter()
            .map(|n| NoticeOut {
                number: n.number,
                kind: n.kind,
                start: n.start,
                days: n.days,
                last_day: n.last_day(),
                closes_from: n.closes_from(),
                ended: n.ended,
            })
            .collect(),
        objections: p.objections(),
        unanswered_objections: p.unanswered(),
        approvals: p.approvals(),
        spending: p.spending(),
        budget_changes: p.budget_changes(),
        milestones: p.milestones(),
        accounts: p.accounts(),
        evaluation: p.evaluation(),
    }
}

/// The day (China time, UTC+8) of an instant.
fn day_of(ms: i64) -> Option<CivilDate> {
    CivilDate::from_days(ms.saturating_add(8 * 3_600_000).div_euclid(86_400_000))
}

fn write<T: Serialize>(out: &T, pretty: bool) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    if pretty {
        serde_json::to_writer_pretty(&mut stdout, out)
    } else {
        serde_json::to_writer(&mut stdout, out)
    }
    .context("cannot write the result")?;
    writeln!(stdout)
        .and_then(|()| stdout.flush())
        .context("cannot write to standard output")?;
    Ok(())
}

/// Runs `linli plans`.
///
/// # Errors
///
/// An unreadable or invalid backup, a bad `--today`, or standard output closed.
pub fn run(
    file: &Path,
    public: bool,
    today: Option<&str>,
    pretty: bool,
    secrets: &crate::vault::ReadSecrets,
) -> Result<()> {
    let bytes = crate::read_backup(file, secrets)?;
    let (header, mut d) = backup::decode(&bytes)
        .with_context(|| format!("`{}` is not a valid Linli backup", file.display()))?;
    d.plans.sort_by_key(PlanCase::id);
    let by_stage = ByStage(
        Stage::ALL
            .into_iter()
            .map(|s| (s, d.plans.iter().filter(|p| p.stage() == s).count()))
            .collect(),
    );
    let info = FileInfo {
        app_version: &header.app_version,
        created_at: header.created_at,
        format_version: header.format_version,
        schema_version: header.schema_version,
    };
    if public {
        let today = match today {
            Some(t) => CivilDate::parse(t).with_context(|| format!("--today {t:?}"))?,
            None => day_of(header.created_at).context("the backup's created_at is out of range")?,
        };
        let plans: Vec<PublicPlan> = d.plans.iter().filter_map(|p| p.public_view(today)).collect();
        write(
            &Out {
                file: info,
                by_stage,
                plans,
            },
            pretty,
        )
    } else {
        let plans: Vec<PlanOut<'_>> = d.plans.iter().map(full).collect();
        write(
            &Out {
                file: info,
                by_stage,
                plans,
            },
            pretty,
        )
    }
}
