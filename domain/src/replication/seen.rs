//! When each device of the community last synced, so the cockpit can name the devices
//! not seen for some days (issue #19). With a server, a device's only peer is the
//! server; what tells that a colleague's laptop has not synced for a week is this.
//!
//! Each device keeps one replicated setting, `seen:<device number>`, whose value is the
//! time (ms since the Unix epoch, passed in) of its first exchange of the day. It is
//! rewritten at most once a day ([`heartbeat`]): a write at every run would make the
//! other devices' continuous replication answer every run with one of their own. The
//! record is the device's own: no other device writes it, so it never conflicts. Device
//! number 0 writes none: it is the founding device's legacy space, which every device
//! never enrolled shares ([`super::ids`]), and their records would conflict.
//!
//! ```
//! use linli_domain::replication::seen::{heartbeat, stale, DAY_MS};
//! let now = 1_800_000_000_000;
//! let mut settings = Vec::new();
//! // Device 2 synced ten days ago; device 1 (this one) syncs now.
//! settings.push(heartbeat(&settings, 2, now - 10 * DAY_MS).unwrap());
//! settings.push(heartbeat(&settings, 1, now).unwrap());
//! assert!(heartbeat(&settings, 1, now + DAY_MS / 2).is_none(), "once a day");
//! let old = stale(&settings, 1, now, 7);
//! assert_eq!(old.len(), 1);
//! assert_eq!((old[0].device, old[0].at), (2, now - 10 * DAY_MS));
//! ```

use crate::model::Setting;

use super::enrol::{Registry, DEVICES_SETTING};

/// The settings key prefix: `seen:<device>`.
pub const PREFIX: &str = "seen:";

/// A day in milliseconds: the longest a device's record goes without a rewrite.
pub const DAY_MS: i64 = 86_400_000;

/// The key of `device`'s record.
pub fn key(device: u16) -> String {
    format!("{PREFIX}{device}")
}

/// One device's last exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub device: u16,
    /// The label it was given at enrolment (the registry), when known.
    pub label: Option<String>,
    /// Its first exchange of its last day of syncing (ms since the epoch).
    pub at: i64,
}

/// Every device's last exchange, by device number, with its enrolment label.
pub fn devices(settings: &[Setting]) -> Vec<Seen> {
    let registry = Registry::parse(
        settings
            .iter()
            .find(|s| s.key == DEVICES_SETTING)
            .map(|s| s.value.as_str()),
    );
    let mut out: Vec<Seen> = settings
        .iter()
        .filter_map(|s| {
            let device = s.key.strip_prefix(PREFIX)?.parse::<u16>().ok()?;
            let at = s.value.trim().parse::<i64>().ok()?;
            let label = registry
                .given
                .iter()
                .find(|g| g.device == device)
                .map(|g| g.label.clone());
            Some(Seen { device, label, at })
        })
        .collect();
    out.sort_by_key(|s| s.device);
    out
}

/// The record `device` writes at `now`: `Some` when it has none, or when its last is a
/// day old or more (or in the future: a clock put right); never for device 0.
pub fn heartbeat(settings: &[Setting], device: u16, now: i64) -> Option<Setting> {
    if device == 0 {
        return None;
    }
    // Its own record only (no registry read: this runs at every exchange).
    let own = key(device);
    let last = settings
        .iter()
        .find(|s| s.key == own)
        .and_then(|s| s.value.trim().parse::<i64>().ok());
    match last {
        Some(at) if at <= now && now - at < DAY_MS => None,
        _ => Some(Setting {
            key: key(device),
            value: now.to_string(),
        }),
    }
}

/// Sets `device`'s record in `settings` when [`heartbeat`] says so; whether it did.
pub fn note(settings: &mut Vec<Setting>, device: u16, now: i64) -> bool {
    let Some(s) = heartbeat(settings, device, now) else {
        return false;
    };
    settings.retain(|x| x.key != s.key);
    settings.push(s);
    true
}

/// The devices other than `own` whose last exchange is `days` days or more before
/// `now`, oldest first.
pub fn stale(settings: &[Setting], own: u16, now: i64, days: i64) -> Vec<Seen> {
    let mut out: Vec<Seen> = devices(settings)
        .into_iter()
        .filter(|s| s.device != own && now - s.at >= days.saturating_mul(DAY_MS))
        .collect();
    out.sort_by_key(|s| (s.at, s.device));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replication::enrol::Given;

    const NOW: i64 = 1_800_000_000_000;

    #[test]
    fn a_device_writes_its_record_once_a_day_and_again_after_a_clock_put_back() {
        let mut s = Vec::new();
        assert!(note(&mut s, 3, NOW));
        assert!(!note(&mut s, 3, NOW + DAY_MS - 1));
        assert!(note(&mut s, 3, NOW + DAY_MS));
        assert_eq!(s.len(), 1, "one record per device");
        assert_eq!(s[0].value, (NOW + DAY_MS).to_string());
        // A clock that ran ahead and was put right: rewritten, not stuck in the future.
        assert!(note(&mut s, 3, NOW));
        assert_eq!(devices(&s)[0].at, NOW);
        // Devices never enrolled share number 0: none of them writes one.
        assert!(!note(&mut s, 0, NOW + 5 * DAY_MS));
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn stale_devices_are_the_others_not_seen_for_the_days_with_their_labels() {
        let registry = Registry {
            given: vec![Given {
                device: 5,
                label: "王芳的笔记本".into(),
                by: "李".into(),
                at: 0,
            }],
        };
        let mut s = vec![
            Setting {
                key: DEVICES_SETTING.into(),
                value: registry.to_json(),
            },
            Setting {
                key: "seen:nonsense".into(),
                value: "1".into(),
            },
            Setting {
                key: "seen:9".into(),
                value: "not a time".into(),
            },
        ];
        note(&mut s, 5, NOW - 8 * DAY_MS);
        note(&mut s, 6, NOW - 7 * DAY_MS);
        note(&mut s, 7, NOW - 7 * DAY_MS + 1);
        note(&mut s, 1, NOW - 30 * DAY_MS);
        let old = stale(&s, 1, NOW, 7);
        let got: Vec<(u16, Option<&str>)> = old.iter().map(|x| (x.device, x.label.as_deref())).collect();
        // Oldest first; device 7 is a millisecond short of 7 days; this device never.
        assert_eq!(got, vec![(5, Some("王芳的笔记本")), (6, None)]);
        assert_eq!(devices(&s).len(), 4, "unreadable records are skipped");
    }
}
