//! The message protocol between the app and the participatory-budgeting Web
//! Worker (`src/bin/pb_worker.rs`), and the work the worker does.
//!
//! The worker first posts [`Reply::Ready`]; the app then posts one [`Job`]
//! as JSON text; the worker answers with
//! [`Reply::Progress`] before each rule and one final [`Reply::Done`] or
//! [`Reply::Failed`]. Rules can take seconds on a large instance (an Add1
//! loop runs MES once per currency unit per voter), so they never run on
//! the main thread: the page stays responsive and can cancel by terminating
//! the worker.

use linli_domain::pb::{Election, Instance, Limits, Outcome, Rule};
use serde::{Deserialize, Serialize};

/// What to compute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    /// The instance as a pabulib `.pb` text.
    pub instance_pb: String,
    /// Rule names ([`Rule::from_name`]), run in this order on one [`Election`].
    pub rules: Vec<String>,
    /// Bound on MES runs in an Add1 loop (`None`: unbounded).
    pub max_add1_iterations: Option<u64>,
}

/// One rule's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleResult {
    pub rule: String,
    pub outcome: Outcome,
    /// Wall-clock milliseconds the rule took in the worker.
    pub millis: u64,
}

/// A message from the worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Reply {
    /// The worker is listening (a message posted before this would be lost
    /// while its wasm is still loading).
    Ready,
    /// The instance was read.
    Parsed {
        projects: usize,
        voters: usize,
        millis: u64,
    },
    /// Rule `index` of `total` starts.
    Progress {
        rule: String,
        index: usize,
        total: usize,
    },
    Done {
        results: Vec<RuleResult>,
    },
    Failed {
        message: String,
    },
}

/// Runs `job`, reporting each step through `post`; `now` gives milliseconds.
pub fn run(job_json: &str, now: impl Fn() -> f64, mut post: impl FnMut(&Reply)) {
    let result = (|| -> Result<Vec<RuleResult>, String> {
        let job: Job = serde_json::from_str(job_json).map_err(|e| format!("bad job: {e}"))?;
        let t0 = now();
        let inst = Instance::from_pb_str(&job.instance_pb).map_err(|e| e.to_string())?;
        post(&Reply::Parsed {
            projects: inst.projects.len(),
            voters: inst.voters.len(),
            millis: (now() - t0) as u64,
        });
        let election = Election::new(&inst).map_err(|e| e.to_string())?;
        let limits = Limits {
            max_add1_iterations: job.max_add1_iterations,
        };
        let mut results = Vec::with_capacity(job.rules.len());
        for (index, name) in job.rules.iter().enumerate() {
            let rule = Rule::from_name(name).ok_or_else(|| format!("unknown rule `{name}`"))?;
            post(&Reply::Progress {
                rule: name.clone(),
                index,
                total: job.rules.len(),
            });
            let t = now();
            let outcome = election
                .run_with_limits(rule, limits)
                .map_err(|e| e.to_string())?;
            results.push(RuleResult {
                rule: name.clone(),
                outcome,
                millis: (now() - t) as u64,
            });
        }
        Ok(results)
    })();
    post(&match result {
        Ok(results) => Reply::Done { results },
        Err(message) => Reply::Failed { message },
    });
}
