//! Draft, edits, notice and objections.

use super::{
    check_actor, line, next_id, not_before, text, Case, PlanCase, PlanError, PlanRules, MAX_NOTICE_DAYS,
};
use super::{
    CivilDate, Event, Field, Internal, Notice, NoticeEnd, NoticeKind, Objection, ObjectionInput,
    ObjectionInternal, PlanContent, Response, Stage, Stamp, FORMAT_VERSION,
};

fn check_content(c: &PlanContent) -> Result<(), PlanError> {
    line("the title", &c.title)?;
    line("the category", &c.category)?;
    line("the period", &c.period)?;
    text("the public description", &c.description, false)
}

fn check_internal(i: &Internal) -> Result<(), PlanError> {
    if !i.guide.is_empty() {
        line("the responsible guide", &i.guide)?;
    }
    text("the internal notes", &i.notes, true)
}

/// The fields that differ between two contents.
fn changed(a: &PlanContent, b: &PlanContent) -> Vec<Field> {
    let mut f = Vec::new();
    if a.title != b.title {
        f.push(Field::Title);
    }
    if a.category != b.category {
        f.push(Field::Category);
    }
    if a.period != b.period {
        f.push(Field::Period);
    }
    if a.budget != b.budget {
        f.push(Field::Budget);
    }
    if a.description != b.description {
        f.push(Field::Description);
    }
    f
}

fn open_notice(c: &mut Case) -> Result<&mut Notice, PlanError> {
    c.open_notice_mut()
        .ok_or_else(|| PlanError::Corrupt("a notice stage without an open notice".into()))
}

impl PlanCase {
    /// A new draft, created by `by` on `on`.
    ///
    /// # Errors
    ///
    /// [`PlanError::NoActor`], or a text rule ([`PlanError::Empty`],
    /// [`PlanError::TooLong`], [`PlanError::NotOneLine`]) of the content or the
    /// internal part.
    pub fn new(
        id: u32,
        by: &Stamp,
        on: CivilDate,
        content: PlanContent,
        internal: Internal,
    ) -> Result<Self, PlanError> {
        check_actor(by)?;
        check_content(&content)?;
        check_internal(&internal)?;
        let mut c = Case {
            version: FORMAT_VERSION,
            id,
            stage: Stage::Draft,
            since: on,
            content,
            internal,
            notices: Vec::new(),
            objections: Vec::new(),
            approvals: Vec::new(),
            baseline: None,
            spending: Vec::new(),
            budget_changes: Vec::new(),
            milestones: Vec::new(),
            accounts: None,
            evaluation: None,
            history: Vec::new(),
        };
        c.record(by, Some(on), Stage::Draft, Event::Created, "");
        Ok(Self(c))
    }

    /// Replaces the public content. In draft that is all; during a plan notice
    /// the notice ends and a new one starts on `on`, as long as the old one or as
    /// configured, whichever is longer.
    ///
    /// # Errors
    ///
    /// [`PlanError::WrongStage`] outside draft and plan notice,
    /// [`PlanError::NoChange`], a text rule, [`PlanError::DateTooEarly`] (before
    /// the draft began or before the running notice started),
    /// [`PlanError::BadRules`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use linli_domain::plans::*;
    /// # let day = |s| CivilDate::parse(s).unwrap();
    /// # let by = Stamp::new("王", 0);
    /// # let content = PlanContent { title: "照明".into(), category: "c".into(), period: "2026-Q2".into(),
    /// #     budget: Budget::new(100, 0, 0, 0).unwrap(), description: "d".into() };
    /// let rules = PlanRules::default();
    /// let plan = PlanCase::new(1, &by, day("2026-03-01"), content.clone(), Internal::default()).unwrap()
    ///     .start_notice(&by, day("2026-03-02"), &rules).unwrap();
    /// let bigger = PlanContent { budget: Budget::new(200, 0, 0, 0).unwrap(), ..content };
    /// let plan = plan.edit(&by, day("2026-03-05"), bigger, &rules).unwrap();
    /// // The notice starts again, full length.
    /// assert_eq!(plan.open_notice().unwrap().start, day("2026-03-05"));
    /// assert_eq!(plan.open_notice().unwrap().last_day(), day("2026-03-11"));
    /// ```
    pub fn edit(
        &self,
        by: &Stamp,
        on: CivilDate,
        content: PlanContent,
        rules: &PlanRules,
    ) -> Result<Self, PlanError> {
        self.step(by, |c| {
            let fields = changed(&c.content, &content);
            match c.stage {
                Stage::Draft | Stage::Notice => {}
                stage => {
                    return Err(PlanError::WrongStage {
                        action: "change the public content",
                        stage,
                    })
                }
            }
            if fields.is_empty() {
                return Err(PlanError::NoChange);
            }
            check_content(&content)?;
            if c.stage == Stage::Draft {
                not_before(
                    on,
                    c.since,
                    "a change is dated on or after the plan became a draft",
                )?;
                c.content = content;
                c.record(by, Some(on), Stage::Draft, Event::Edited { fields }, "");
                return Ok(());
            }
            rules.check()?;
            let number = next_id(c.notices.len());
            let old = open_notice(c)?;
            not_before(on, old.start, "a notice restarts on or after the day it started")?;
            let days = old.days.max(rules.notice_days);
            let ended = old.number;
            old.ended = Some(NoticeEnd::Restarted(on));
            c.notices.push(Notice::open(number, NoticeKind::Plan, on, days)?);
            c.content = content;
            c.record(by, Some(on), Stage::Notice, Event::Edited { fields }, "");
            c.record(
                by,
                Some(on),
                Stage::Notice,
                Event::NoticeRestarted {
                    ended,
                    notice: number,
                },
                "",
            );
            Ok(())
        })
    }

    /// Replaces the internal part (responsible guide, notes), in any stage. Never
    /// restarts a notice and carries no business date.
    ///
    /// # Errors
    ///
    /// [`PlanError::NoChange`] or a text rule.
    pub fn edit_internal(&self, by: &Stamp, internal: Internal) -> Result<Self, PlanError> {
        self.step(by, |c| {
            if c.internal == internal {
                return Err(PlanError::NoChange);
            }
            check_internal(&internal)?;
            c.internal = internal;
            let stage = c.stage;
            c.record(by, None, stage, Event::InternalEdited, "");
            Ok(())
        })
    }

    /// Puts a draft on public notice from `on` for `rules.notice_days` days.
    ///
    /// # Errors
    ///
    /// [`PlanError::WrongStage`] unless a draft, [`PlanError::DateTooEarly`]
    /// (before the draft began), [`PlanError::BadRules`].
    pub fn start_notice(&self, by: &Stamp, on: CivilDate, rules: &PlanRules) -> Result<Self, PlanError> {
        self.step(by, |c| {
            if c.stage != Stage::Draft {
                return Err(PlanError::WrongStage {
                    action: "start a notice",
                    stage: c.stage,
                });
            }
            rules.check()?;
            not_before(on, c.since, "a notice starts on or after the plan became a draft")?;
            let number = next_id(c.notices.len());
            c.notices
                .push(Notice::open(number, NoticeKind::Plan, on, rules.notice_days)?);
            c.record(
                by,
                Some(on),
                Stage::Notice,
                Event::NoticeStarted { notice: number },
                "",
            );
            Ok(())
        })
    }

    /// Lengthens the running notice to `days` days in all.
    ///
    /// # Errors
    ///
    /// [`PlanError::WrongStage`] without a running notice,
    /// [`PlanError::NoticeShortened`] for fewer days, [`PlanError::NoChange`] for
    /// the same, [`PlanError::BadRules`] above 366 days,
    /// [`PlanError::DateTooEarly`].
    pub fn extend_notice(
        &self,
        by: &Stamp,
        on: CivilDate,
        days: u16,
        reason: &str,
    ) -> Result<Self, PlanError> {
        self.step(by, |c| {
            if !matches!(c.stage, Stage::Notice | Stage::ChangeNotice) {
                return Err(PlanError::WrongStage {
                    action: "extend a notice",
                    stage: c.stage,
                });
            }
            text("the reason", reason, true)?;
            not_before(on, c.since, "an extension is dated on or after the notice began")?;
            let n = open_notice(c)?;
            if days < n.days {
                return Err(PlanError::NoticeShortened {
                    last_day: n.last_day(),
                });
            }
            if days == n.days {
                return Err(PlanError::NoChange);
            }
            if days > MAX_NOTICE_DAYS {
                return Err(PlanError::BadRules("a notice lasts 1 to 366 days"));
            }
            n.start
                .add_days(i64::from(days))
                .ok_or(PlanError::DateOutOfRange)?;
            n.days = days;
            let notice = n.number;
            let stage = c.stage;
            c.record(
                by,
                Some(on),
                stage,
                Event::NoticeExtended { notice, days },
                reason,
            );
            Ok(())
        })
    }

    /// Records an objection raised during the running notice.
    ///
    /// # Errors
    ///
    /// [`PlanError::WrongStage`] without a running notice,
    /// [`PlanError::ObjectionOutsideNotice`], or a text rule (both texts required).
    pub fn record_objection(&self, by: &Stamp, input: ObjectionInput) -> Result<Self, PlanError> {
        self.step(by, |c| {
            if !matches!(c.stage, Stage::Notice | Stage::ChangeNotice) {
                return Err(PlanError::WrongStage {
                    action: "record an objection",
                    stage: c.stage,
                });
            }
            text("the objection's text", &input.internal_text, false)?;
            text("the objection's public summary", &input.public_summary, false)?;
            let since = c.since;
            let n = open_notice(c)?;
            let (notice, last_day) = (n.number, n.last_day());
            if input.on < since || input.on > last_day {
                return Err(PlanError::ObjectionOutsideNotice {
                    on: input.on,
                    start: since,
                    last_day,
                });
            }
            let id = next_id(c.objections.len());
            c.objections.push(Objection {
                id,
                notice,
                on: input.on,
                channel: input.channel,
                public_summary: input.public_summary,
                internal: ObjectionInternal {
                    text: input.internal_text,
                },
                response: None,
            });
            let stage = c.stage;
            c.record(
                by,
                Some(input.on),
                stage,
                Event::ObjectionRecorded { objection: id },
                "",
            );
            Ok(())
        })
    }

    /// Records the guide's public response to objection `id` (once; any stage
    /// before closed).
    ///
    /// # Errors
    ///
    /// [`PlanError::UnknownObjection`], [`PlanError::AlreadyAnswered`],
    /// [`PlanError::WrongStage`] when closed, [`PlanError::DateTooEarly`] (before
    /// the objection), a text rule.
    pub fn answer_objection(
        &self,
        by: &Stamp,
        id: u32,
        on: CivilDate,
        response: &str,
    ) -> Result<Self, PlanError> {
        self.step(by, |c| {
            if c.stage == Stage::Closed {
                return Err(PlanError::WrongStage {
                    action: "answer an objection",
                    stage: c.stage,
                });
            }
            text("the response", response, false)?;
            let o = c
                .objections
                .iter_mut()
                .find(|o| o.id == id)
                .ok_or(PlanError::UnknownObjection(id))?;
            if o.response.is_some() {
                return Err(PlanError::AlreadyAnswered(id));
            }
            not_before(on, o.on, "a response is dated on or after its objection")?;
            o.response = Some(Response {
                on,
                text: response.to_owned(),
            });
            let stage = c.stage;
            c.record(
                by,
                Some(on),
                stage,
                Event::ObjectionAnswered { objection: id },
                "",
            );
            Ok(())
        })
    }

    /// Ends the running notice on `on`: a plan notice leads to the residents'
    /// council, a budget-change notice puts the change into effect and returns to
    /// execution.
    ///
    /// # Errors
    ///
    /// [`PlanError::WrongStage`] without a running notice,
    /// [`PlanError::NoticeShortened`] before `start + days`,
    /// [`PlanError::UnansweredObjections`] while any objection has no response.
    pub fn close_notice(&self, by: &Stamp, on: CivilDate) -> Result<Self, PlanError> {
        self.step(by, |c| {
            if !matches!(c.stage, Stage::Notice | Stage::ChangeNotice) {
                return Err(PlanError::WrongStage {
                    action: "close a notice",
                    stage: c.stage,
                });
            }
            let unanswered = c.objections.iter().filter(|o| o.response.is_none()).count();
            let n = open_notice(c)?;
            if on < n.closes_from() {
                return Err(PlanError::NoticeShortened {
                    last_day: n.last_day(),
                });
            }
            if unanswered > 0 {
                return Err(PlanError::UnansweredObjections { count: unanswered });
            }
            n.ended = Some(NoticeEnd::Closed(on));
            let (notice, kind) = (n.number, n.kind);
            let to = match kind {
                NoticeKind::Plan => Stage::Council,
                NoticeKind::BudgetChange { change } => {
                    super::execution::put_into_effect(c, change, on)?;
                    Stage::Execution
                }
            };
            c.record(by, Some(on), to, Event::NoticeClosed { notice }, "");
            Ok(())
        })
    }
}
