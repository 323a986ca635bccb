//! Feeds arbitrary bytes to the pabulib `.pb` parser (SPEC §2.5).
//!
//! Checks, besides "never panics": whatever parses validates, writes out and
//! parses back to an equal instance; on small instances greedy and MES run
//! (MES with Add1 bounded) and never spend more than the budget.

#![no_main]

use libfuzzer_sys::fuzz_target;
use linli_domain::pb::{run_with_limits, Instance, Limits, Rule};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(inst) = Instance::from_pb_str(text) else {
        return;
    };
    let written = inst.to_pb_string().expect("a parsed instance writes out");
    let again = Instance::from_pb_str(&written).expect("a written instance parses");
    assert_eq!(again, inst, "export then parse must give the same instance");
    if inst.projects.len() > 40 || inst.voters.len() > 200 || inst.validate().is_err() {
        return;
    }
    let limits = Limits {
        max_add1_iterations: Some(50),
    };
    for name in ["greedy_cost", "greedy_card", "mes_cost", "mes_card", "mes_cost_add1_greedy"] {
        let rule = Rule::from_name(name).expect("known rule");
        if let Ok(out) = run_with_limits(&inst, rule, limits) {
            assert!(out.total_cost <= out.budget, "{name} overspent");
            assert_eq!(out.projects.len(), inst.projects.len());
        }
    }
});
