//! Participation (SPEC §2.6): activities and participation rates, the points
//! bank and the time bank.
//!
//! - [`rates`]: participation rate by channel, group and building; resident leaders.
//! - [`points`]: earning rules, redemption catalogue with stock, append-only ledger.
//! - [`timebank`]: hours given and received, transfers to family, balances.

pub mod points;
pub mod rates;
pub mod timebank;
