//! Participatory budgeting (SPEC §2.5): the pabulib `.pb` format and outcome rules that
//! reproduce pabutools 1.2.3 exactly.
//!
//! The definitions followed here are those of `tests/fixtures/pabulib/SEMANTICS.md`
//! (cited below as "SEMANTICS.md §n"); the reference outcomes are in `expected.json` beside
//! it and are checked by `domain/tests/pb_reference.rs`.
//!
//! * [`Instance`]: projects, approval ballots and META, read with
//!   [`Instance::from_pb_str`] and written with [`Instance::to_pb_string`] (export then
//!   re-parse gives an equal instance). Errors: [`ParseError`] (with line numbers),
//!   [`InstanceError`]. Empty ballots are kept and count as voters (SEMANTICS.md §1).
//! * [`Rule`]: `greedy_cost`, `greedy_card`, `mes_cost`, `mes_card`, `mes_cost_add1`,
//!   `mes_cost_add1_greedy` (pabutools), and `equalshares_add1` /
//!   `equalshares_add1_utilitarian` (the pabulib-checker / equalshares.net Add1, SEMANTICS.md
//!   §9). [`run`] / [`Election::run`] give an [`Outcome`]: the selection, its order, the exact
//!   total cost, and for every project a list of [`Note`]s explaining why it was or was not
//!   funded (e.g. "MES: its supporters paid it, at most t each" or "its supporters had only
//!   X left", then "the greedy completion took it").
//!
//! # Arithmetic and determinism
//!
//! Every decision uses exact arithmetic: costs and the budget are exact rationals
//! ([`BigRational`](num_rational::BigRational)), MES works on big integers over a common
//! denominator (see the `mes` module), and no float, clock or randomness is involved. Ties
//! are broken as pabutools does by default: smallest id in string order (SEMANTICS.md §3).
//!
//! # Choosing a rule
//!
//! * `mes_cost_add1_greedy` ([`Rule::MesCostAdd1Greedy`]) is "MES + Add1 + utilitarian
//!   completion" exactly as pabutools computes it (the reference of SPEC §2.5).
//! * `equalshares_add1` ([`Rule::EqualSharesAdd1`]) is the Add1 of pabulib-checker and
//!   equalshares.net, which differs in its stop rule and tie-breaking (SEMANTICS.md §9); it is
//!   the one that reproduces the published outcomes of Assen 2024, Świecie 2023 and
//!   Wieliczka 2023 (tested).
//!
//! # Cost
//!
//! An Add1 rule steps the share by one currency unit per voter between B/n and its final
//! share (1 to 1,619 steps on the reference instances; about 22,000 for Budapest 2024, in
//! HUF), but it runs MES only where the outcome can change: once an outcome repeats, one
//! exact run with every amount affine in the share tells how many steps cannot change it,
//! and the loop jumps over them (module `jump`; see [`Rule::MesCostAdd1`]). One MES run is
//! roughly linear in the number of approvals times the number of rounds that re-evaluate a
//! project; the largest reference instances (Łódź 2022, 90,494 voters; Warszawa 2026, 61,668
//! voters, 186 steps) take well under a second natively in release.
//!
//! # Untrusted input
//!
//! [`run`] is safe on any file [`Instance::from_pb_str`] accepts, which is what the CLI and
//! the web worker run: costs and the budget are at most [`MAX_AMOUNT`] with a common
//! denominator of at most [`MAX_DENOMINATOR`] (refused when the file is read), an Add1
//! loop makes at most [`DEFAULT_MAX_ADD1_RUNS`] MES runs ([`run_with_limits`] sets
//! another cap), parsing keeps memory within a few times the file's size, and errors quote
//! at most [`QUOTE_CHARS`] characters of a bad value.
//!
//! # Example
//!
//! ```
//! use linli_domain::pb::{Election, Instance, Note, Rule};
//!
//! let text = "META\nkey;value\nbudget;100\n\
//!             PROJECTS\nproject_id;cost;name\np1;60;Park\np2;50;\"Library; new\"\np3;40;Bench\n\
//!             VOTES\nvoter_id;vote\nv1;p1,p2\nv2;p1\nv3;p3\nv4;p2\n";
//! let inst = Instance::from_pb_str(text).unwrap();
//! assert_eq!(inst.projects[1].extra, ["Library; new"]);
//!
//! let election = Election::new(&inst).unwrap();
//! let out = election.run(Rule::from_name("mes_cost").unwrap()).unwrap();
//! // Each voter has 25. p1 needs 60 from 2 voters (30 each): not affordable. p2: 50 from
//! // v1 and v4, 25 each. p3 (40) only has v3 (25).
//! assert_eq!(out.selection_order, ["p2".into()]);
//! assert!(matches!(out.projects[0].notes[0], Note::NotAffordableBySupporters { .. }));
//!
//! // The same instance written back and read again is equal.
//! let again = Instance::from_pb_str(&inst.to_pb_string().unwrap()).unwrap();
//! assert_eq!(again, inst);
//! ```

pub mod community;
mod csv;
mod instance;
mod jump;
mod limbs;
mod mes;
mod number;
pub mod paper;
mod profile;
mod rules;
mod voters;

#[cfg(test)]
mod tests;

pub use instance::{
    int, serde_rational, Instance, InstanceError, ParseError, Project, ProjectId, Voter, VoterRef, Voters,
    VotersFull, MAX_AMOUNT, MAX_DENOMINATOR, QUOTE_CHARS,
};
/// The exact rational type of costs, budgets and payments.
pub use num_rational::BigRational;
pub use number::{format_rational, parse_rational, to_f64_lossy, MAX_DIGITS, MAX_EXPONENT};
pub use rules::{
    run, run_with_limits, Add1Report, Add1Stop, Election, Limits, Note, Outcome, ProjectResult, Rule,
    RunError, UnknownRule, DEFAULT_MAX_ADD1_RUNS,
};
