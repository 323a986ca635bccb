//! A plan operation's refusal in words (each `PlanError` variant has its own
//! locale key, naming the rule), and the form field it belongs next to.

use linli_domain::money::format_yuan;
use linli_domain::plans::PlanError;

use super::{funder_name, level_name, stage_name, Ctx};
use crate::db::plans::Refused;
use crate::i18n::*;

/// A domain field name (`"the title"`, …) in the current language.
fn field_label(i18n: Ctx, field: &str) -> String {
    match field {
        "the title" => t_string!(i18n, plans.f_title),
        "the category" => t_string!(i18n, plans.f_category),
        "the period" => t_string!(i18n, plans.f_period),
        "the public description" => t_string!(i18n, plans.f_description),
        "the responsible guide" => t_string!(i18n, plans.f_guide),
        "the internal notes" => t_string!(i18n, plans.f_notes),
        "the reason" => t_string!(i18n, plans.f_reason),
        "the objection's text" => t_string!(i18n, plans.f_internal_text),
        "the objection's public summary" => t_string!(i18n, plans.f_public_summary),
        "the response" => t_string!(i18n, plans.f_response),
        "the reason for a rejection" => t_string!(i18n, plans.f_reject_reason),
        "the assessor" => t_string!(i18n, plans.f_assessor),
        "the assessment's conclusion" => t_string!(i18n, plans.f_conclusion),
        "the street review's reference number" => t_string!(i18n, plans.f_reference),
        "the purpose" => t_string!(i18n, plans.f_purpose),
        "the voucher number" => t_string!(i18n, plans.f_voucher),
        "the reason for a reversal" => t_string!(i18n, plans.f_reversal_reason),
        "the reason for a budget change" => t_string!(i18n, plans.f_change_reason),
        "the approver" => t_string!(i18n, plans.f_approver),
        "the reason for a withdrawal" => t_string!(i18n, plans.f_withdraw_reason),
        "the milestone's note" => t_string!(i18n, plans.f_note),
        "the pool the remainder returns to" => t_string!(i18n, plans.f_pool),
        "the evaluation's public summary" => t_string!(i18n, plans.f_summary),
        "actor" => t_string!(i18n, plans.f_actor),
        "budget part" => t_string!(i18n, plans.f_budget_part),
        "budget total" => t_string!(i18n, plans.f_budget_total),
        "a spending entry" => t_string!(i18n, plans.f_amount),
        other => return other.to_owned(),
    }
    .to_owned()
}

/// The form field a domain field name belongs to.
fn field_key(field: &str) -> Option<&'static str> {
    Some(match field {
        "the title" => "title",
        "the category" => "category",
        "the period" => "period",
        "the public description" => "description",
        "the responsible guide" => "guide",
        "the internal notes" => "notes",
        "the reason"
        | "the reason for a rejection"
        | "the reason for a reversal"
        | "the reason for a budget change"
        | "the reason for a withdrawal" => "reason",
        "the objection's text" => "internal_text",
        "the objection's public summary" => "public_summary",
        "the response" => "response",
        "the assessor" => "assessor",
        "the assessment's conclusion" => "conclusion",
        "the street review's reference number" => "reference",
        "the purpose" => "purpose",
        "the voucher number" => "voucher",
        "the approver" => "approver",
        "the milestone's note" => "note",
        "the pool the remainder returns to" => "pool",
        "the evaluation's public summary" => "summary",
        "budget part" | "budget total" => "budget",
        "a spending entry" => "amount",
        _ => return None,
    })
}

/// A date rule (`DateTooEarly::rule`) in the current language.
fn rule_label(i18n: Ctx, rule: &str) -> String {
    match rule {
        "a change is dated on or after the plan became a draft" => t_string!(i18n, plans.r_edit_after_draft),
        "a notice restarts on or after the day it started" => t_string!(i18n, plans.r_restart_after_start),
        "a notice starts on or after the plan became a draft" => t_string!(i18n, plans.r_notice_after_draft),
        "an extension is dated on or after the notice began" => t_string!(i18n, plans.r_extend_after_notice),
        "a response is dated on or after its objection" => t_string!(i18n, plans.r_response_after_objection),
        "a level decides on or after the plan reached it" => t_string!(i18n, plans.r_level_after_reached),
        "execution starts on the day the street review approved the plan" => {
            t_string!(i18n, plans.r_after_approval)
        }
        "a reversal is dated on or after the entry it reverses" => {
            t_string!(i18n, plans.r_reversal_after_entry)
        }
        "a withdrawal is dated on or after its notice began" => {
            t_string!(i18n, plans.r_withdraw_after_notice)
        }
        "milestones are recorded in date order" => t_string!(i18n, plans.r_milestones_in_order),
        "the accounts follow every entry and milestone" => t_string!(i18n, plans.r_accounts_after_entries),
        "the evaluation follows the final accounts" => t_string!(i18n, plans.r_evaluation_after_accounts),
        other => return other.to_owned(),
    }
    .to_owned()
}

fn text_rule(i18n: Ctx, reason: &str) -> String {
    match reason {
        "a notice lasts 1 to 366 days" => t_string!(i18n, plans.r_notice_days),
        "the re-notice share is at most 10,000 basis points" => t_string!(i18n, plans.r_renotice_share),
        "no resident answered" => t_string!(i18n, plans.r_no_answers),
        "more satisfied residents than respondents" => t_string!(i18n, plans.r_more_satisfied),
        other => return other.to_owned(),
    }
    .to_owned()
}

/// The refusal in the current language, naming the rule.
pub(crate) fn plan_error(i18n: Ctx, e: &PlanError) -> String {
    match e {
        PlanError::Empty { field } => t_string!(i18n, plans.err_empty, field = field_label(i18n, field)),
        PlanError::TooLong { field, max } => {
            t_string!(
                i18n,
                plans.err_too_long,
                field = field_label(i18n, field),
                max = max
            )
        }
        PlanError::NotOneLine { field } => {
            t_string!(i18n, plans.err_not_one_line, field = field_label(i18n, field))
        }
        PlanError::BadDate(text) => t_string!(i18n, plans.err_bad_date, text = text),
        PlanError::DateOutOfRange => t_string!(i18n, plans.err_date_out_of_range).to_owned(),
        PlanError::NegativeAmount { what, fen } => t_string!(
            i18n,
            plans.err_negative,
            what = field_label(i18n, what),
            amount = format_yuan(*fen)
        ),
        PlanError::ZeroAmount { what } => t_string!(i18n, plans.err_zero, what = field_label(i18n, what)),
        PlanError::AmountTooLarge { what, fen } => t_string!(
            i18n,
            plans.err_too_large,
            what = field_label(i18n, what),
            amount = format_yuan(*fen)
        ),
        PlanError::SplitMismatch { total, sum } => t_string!(
            i18n,
            plans.err_split_mismatch,
            sum = format_yuan(*sum),
            total = format_yuan(*total)
        ),
        PlanError::DuplicateFunder(f) => {
            t_string!(i18n, plans.err_duplicate_funder, funder = funder_name(i18n, *f))
        }
        PlanError::NoActor => t_string!(i18n, plans.err_no_actor).to_owned(),
        PlanError::BadRules(r) => t_string!(i18n, plans.err_bad_rules, reason = text_rule(i18n, r)),
        PlanError::WrongStage { action, stage } => t_string!(
            i18n,
            plans.err_wrong_stage,
            action = action_label(i18n, action),
            stage = stage_name(i18n, *stage)
        ),
        PlanError::NotInExecution { stage } => {
            t_string!(i18n, plans.err_not_in_execution, stage = stage_name(i18n, *stage))
        }
        PlanError::ApprovalOutOfOrder { level, stage } => t_string!(
            i18n,
            plans.err_out_of_order,
            level = level_name(i18n, *level),
            stage = stage_name(i18n, *stage)
        ),
        PlanError::DateTooEarly { on, earliest, rule } => t_string!(
            i18n,
            plans.err_date_too_early,
            on = on,
            earliest = earliest,
            rule = rule_label(i18n, rule)
        ),
        PlanError::NoticeShortened { last_day } => {
            let from = last_day.add_days(1).unwrap_or(*last_day);
            t_string!(
                i18n,
                plans.err_notice_shortened,
                last_day = last_day,
                closes_from = from
            )
        }
        PlanError::ObjectionOutsideNotice { on, start, last_day } => t_string!(
            i18n,
            plans.err_objection_outside,
            on = on,
            start = start,
            last_day = last_day
        ),
        PlanError::UnansweredObjections { count } => {
            t_string!(i18n, plans.err_unanswered, count = count)
        }
        PlanError::UnknownObjection(id) => t_string!(i18n, plans.err_unknown_objection, id = id),
        PlanError::AlreadyAnswered(id) => t_string!(i18n, plans.err_already_answered, id = id),
        PlanError::UnknownSpending(id) => t_string!(i18n, plans.err_unknown_spending, id = id),
        PlanError::ReversalOfReversal(id) => {
            t_string!(i18n, plans.err_reversal_of_reversal, id = id)
        }
        PlanError::AlreadyReversed { id, by } => {
            t_string!(i18n, plans.err_already_reversed, id = id, by = by)
        }
        PlanError::OverBudget {
            funder,
            budget,
            spent,
        } => t_string!(
            i18n,
            plans.err_over_budget,
            funder = funder_name(i18n, *funder),
            spent = format_yuan(*spent),
            budget = format_yuan(*budget)
        ),
        PlanError::BudgetBelowSpending {
            funder,
            budget,
            spent,
        } => t_string!(
            i18n,
            plans.err_budget_below_spending,
            funder = funder_name(i18n, *funder),
            spent = format_yuan(*spent),
            budget = format_yuan(*budget)
        ),
        PlanError::NoChange => t_string!(i18n, plans.err_no_change).to_owned(),
        PlanError::BadPercent(p) => t_string!(i18n, plans.err_bad_percent, percent = p),
        PlanError::ProgressBackwards { last, percent } => {
            t_string!(i18n, plans.err_progress_backwards, last = last, percent = percent)
        }
        PlanError::BadSatisfaction(r) => {
            t_string!(i18n, plans.err_bad_satisfaction, reason = text_rule(i18n, r))
        }
        PlanError::UnsupportedVersion(v) => {
            t_string!(i18n, plans.err_unsupported_version, version = v)
        }
        PlanError::Corrupt(r) => t_string!(i18n, plans.err_corrupt, reason = r),
    }
}

/// An action of `PlanError::WrongStage` in the current language.
fn action_label(i18n: Ctx, action: &str) -> String {
    match action {
        "change the public content" => t_string!(i18n, plans.a_edit),
        "start a notice" => t_string!(i18n, plans.a_start_notice),
        "extend a notice" => t_string!(i18n, plans.a_extend_notice),
        "record an objection" => t_string!(i18n, plans.a_record_objection),
        "answer an objection" => t_string!(i18n, plans.a_answer_objection),
        "close a notice" => t_string!(i18n, plans.a_close_notice),
        "change the budget" => t_string!(i18n, plans.a_change_budget),
        "withdraw a budget change" => t_string!(i18n, plans.a_withdraw),
        "record progress" => t_string!(i18n, plans.a_milestone),
        "draw the final accounts" => t_string!(i18n, plans.a_accounts),
        "evaluate" => t_string!(i18n, plans.a_evaluate),
        other => return other.to_owned(),
    }
    .to_owned()
}

/// The form fields a refusal belongs next to, most specific first.
pub(crate) fn fields_of(e: &PlanError) -> Vec<&'static str> {
    match e {
        PlanError::Empty { field } | PlanError::TooLong { field, .. } | PlanError::NotOneLine { field } => {
            field_key(field).into_iter().collect()
        }
        PlanError::NegativeAmount { what, .. }
        | PlanError::ZeroAmount { what }
        | PlanError::AmountTooLarge { what, .. } => field_key(what).into_iter().collect(),
        PlanError::BadDate(_)
        | PlanError::DateOutOfRange
        | PlanError::DateTooEarly { .. }
        | PlanError::ObjectionOutsideNotice { .. } => vec!["on"],
        PlanError::NoticeShortened { .. } => vec!["days", "on"],
        PlanError::BadRules(_) => vec!["days"],
        PlanError::SplitMismatch { .. }
        | PlanError::DuplicateFunder(_)
        | PlanError::BudgetBelowSpending { .. } => {
            vec!["budget"]
        }
        PlanError::OverBudget { .. } => vec!["amount"],
        PlanError::BadPercent(_) | PlanError::ProgressBackwards { .. } => vec!["percent"],
        PlanError::BadSatisfaction(_) => vec!["satisfaction"],
        _ => Vec::new(),
    }
}

/// A refused write in words.
pub(crate) fn refused(i18n: Ctx, r: &Refused) -> String {
    match r {
        Refused::NotFound(id) => t_string!(i18n, plans.err_not_found, id = id),
        Refused::Rules(reason) => t_string!(i18n, plans.err_rules_setting, reason = reason),
        Refused::Plan(e) => plan_error(i18n, e),
    }
}
