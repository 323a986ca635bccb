//! Enrolling a guide's device into a community: what one device hands another so it
//! holds the community's key and gets its own id space.
//!
//! A guide whose device belongs to the community makes an [`Enrolment`]: the root key of
//! the community's documents (the data key of a protected workspace, or the 32-byte sync
//! key of one without a passphrase), the new device's number ([`next_device`]), the
//! server's address if one is set, who made it and when. The workspace encrypts its JSON
//! ([`Enrolment::to_json`]) as a standard armored **age** file to a **one-time code**
//! (age's scrypt passphrase recipient, N = 2^18, the same parameters as backups): the
//! armored text travels as text or a QR code, the code by another way (read aloud, a
//! second message). The code is a [`TrackingCode`]: 80 random bits in Crockford base 32
//! with a check character, so a mistyped code is told as such before any key
//! derivation. Either alone is useless; the armored text holds no name or record.
//!
//! The numbers given are kept in the replicated setting [`DEVICES_SETTING`]
//! ([`Registry`]), so the next enrolment, on any device, gives the next free number.
//! Two guides enrolling offline at the same time could give one number twice; the
//! renumbering of the exchange ([`super::local::renumber_collisions`]) still catches a
//! collision then, and the cockpit's device list shows both.
//!
//! Pure: the random code and the times are passed in.

use serde::{Deserialize, Serialize};

use super::couch::check_url;
use super::ids::{device_of, MAX_DEVICE};
use super::local::{hex, parse_hex_key};
use crate::requests::tracking::TrackingCode;

/// The format tag of an enrolment's JSON.
pub const FORMAT: &str = "linli-enrol/1";
/// The replicated setting listing the device numbers given ([`Registry`]).
pub const DEVICES_SETTING: &str = "devices";
/// Longest device label, in characters.
pub const MAX_LABEL_CHARS: usize = 40;

/// Why an enrolment could not be made or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnrolError {
    /// Every device number (1–255) is given.
    #[error("every device number 1–{MAX_DEVICE} is already given")]
    NoNumber,
    /// The label is empty or too long.
    #[error("the device label must be 1–{MAX_LABEL_CHARS} characters")]
    Label,
    /// The text is not an enrolment of this version.
    #[error("not a Linli enrolment: {0}")]
    Format(String),
}

/// What a new device receives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolment {
    /// [`FORMAT`].
    pub format: String,
    /// The new device's number, 1–255.
    pub device: u16,
    /// The root key, 64 hex digits.
    pub root: String,
    /// Whether the root is the data key of a protected workspace (the new device then
    /// sets a passphrase of its own over it) or a sync key.
    pub protected: bool,
    /// The CouchDB database's address, if the community has one.
    pub server: Option<String>,
    /// The new device's label ("李娜的笔记本").
    pub label: String,
    /// Who made it.
    pub by: String,
    /// When (ms since the epoch).
    pub at: i64,
}

impl Enrolment {
    /// An enrolment of `device` for `root`.
    ///
    /// # Errors
    ///
    /// [`EnrolError::Label`]; [`EnrolError::Format`] for a server address that
    /// [`check_url`] refuses or device 0.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        device: u16,
        root: &[u8; 32],
        protected: bool,
        server: Option<&str>,
        label: &str,
        by: &str,
        at: i64,
    ) -> Result<Self, EnrolError> {
        let label = label.trim();
        if label.is_empty() || label.chars().count() > MAX_LABEL_CHARS {
            return Err(EnrolError::Label);
        }
        let server = match server.map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => Some(check_url(s).map_err(|e| EnrolError::Format(e.to_string()))?),
            None => None,
        };
        let e = Self {
            format: FORMAT.to_owned(),
            device,
            root: hex(root),
            protected,
            server,
            label: label.to_owned(),
            by: by.to_owned(),
            at,
        };
        e.check()?;
        Ok(e)
    }

    fn check(&self) -> Result<(), EnrolError> {
        if self.format != FORMAT {
            return Err(EnrolError::Format(format!(
                "format `{}`",
                self.format.chars().take(40).collect::<String>()
            )));
        }
        if self.device == 0 || self.device > MAX_DEVICE {
            return Err(EnrolError::Format(format!("device number {}", self.device)));
        }
        if parse_hex_key(&self.root).is_none() {
            return Err(EnrolError::Format("root key".into()));
        }
        if let Some(s) = &self.server {
            check_url(s).map_err(|e| EnrolError::Format(e.to_string()))?;
        }
        Ok(())
    }

    /// The root key.
    pub fn root_key(&self) -> [u8; 32] {
        // `check` made sure it parses.
        parse_hex_key(&self.root).unwrap_or([0; 32])
    }

    /// The JSON the workspace encrypts.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads and checks decrypted JSON.
    ///
    /// # Errors
    ///
    /// [`EnrolError::Format`].
    ///
    /// ```
    /// use linli_domain::replication::enrol::Enrolment;
    /// let e = Enrolment::new(3, &[7; 32], true, Some("https://c.example/linli-a"), "李娜的笔记本", "王芳", 1).unwrap();
    /// assert_eq!(Enrolment::from_json(e.to_json().as_bytes()).unwrap(), e);
    /// assert!(Enrolment::from_json(br#"{"format":"other"}"#).is_err());
    /// ```
    pub fn from_json(bytes: &[u8]) -> Result<Self, EnrolError> {
        let e: Self = serde_json::from_slice(bytes).map_err(|e| EnrolError::Format(e.to_string()))?;
        e.check()?;
        Ok(e)
    }
}

/// A new one-time code from 10 random bytes (80 bits).
pub fn code(random: [u8; 10]) -> TrackingCode {
    TrackingCode::from_random(random)
}

/// The age passphrase of a typed code: its canonical text, or `None` for a text that
/// is not a code (a typo, a wrong check character).
///
/// ```
/// use linli_domain::replication::enrol::{code, passphrase};
/// let c = code([9; 10]);
/// let typed = c.display().to_lowercase();
/// assert_eq!(passphrase(&typed).as_deref(), Some(c.as_str()));
/// assert_eq!(passphrase("not a code"), None);
/// ```
pub fn passphrase(typed: &str) -> Option<String> {
    TrackingCode::parse(typed).ok().map(|c| c.as_str().to_owned())
}

/// One device number given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Given {
    /// The number.
    pub device: u16,
    /// The label.
    pub label: String,
    /// Who gave it.
    pub by: String,
    /// When.
    pub at: i64,
}

/// The device numbers given in the community (the JSON of [`DEVICES_SETTING`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registry {
    /// In the order given.
    pub given: Vec<Given>,
}

impl Registry {
    /// Reads the setting's value (an empty registry for none or for text that does not
    /// decode: numbers are then taken from the ids alone).
    pub fn parse(value: Option<&str>) -> Self {
        value
            .and_then(|v| serde_json::from_str(v).ok())
            .unwrap_or_default()
    }

    /// The setting's value.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The next free device number: above every number in `registry`, in any id of
/// `ids` (records made on enrolled devices) and `own` (this device's). Device 0 is the
/// founding device's legacy space and is never given.
///
/// # Errors
///
/// [`EnrolError::NoNumber`] when 255 is taken.
///
/// ```
/// use linli_domain::replication::enrol::{next_device, Given, Registry};
/// use linli_domain::replication::ids::compose;
/// let mut r = Registry::default();
/// assert_eq!(next_device(&r, [1, 2, 3], 0).unwrap(), 1);
/// r.given.push(Given { device: 1, label: "a".into(), by: "b".into(), at: 0 });
/// assert_eq!(next_device(&r, [compose(4, 1).unwrap()], 0).unwrap(), 5);
/// assert_eq!(next_device(&r, [], 7).unwrap(), 8);
/// ```
pub fn next_device(
    registry: &Registry,
    ids: impl IntoIterator<Item = u32>,
    own: u16,
) -> Result<u16, EnrolError> {
    let top = registry
        .given
        .iter()
        .map(|g| g.device)
        .chain(ids.into_iter().map(device_of))
        .chain(std::iter::once(own))
        .max()
        .unwrap_or(0);
    if top >= MAX_DEVICE {
        return Err(EnrolError::NoNumber);
    }
    Ok(top + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replication::ids::compose;
    use proptest::prelude::*;

    #[test]
    fn checks_what_it_reads() {
        let e = Enrolment::new(2, &[1; 32], false, None, "笔记本", "王芳", 5).unwrap();
        let mut v: serde_json::Value = serde_json::from_str(&e.to_json()).unwrap();
        v["device"] = 0.into();
        assert!(matches!(
            Enrolment::from_json(v.to_string().as_bytes()),
            Err(EnrolError::Format(_))
        ));
        v["device"] = 256.into();
        assert!(Enrolment::from_json(v.to_string().as_bytes()).is_err());
        v["device"] = 2.into();
        v["root"] = "abc".into();
        assert!(Enrolment::from_json(v.to_string().as_bytes()).is_err());
        v["root"] = hex(&[1; 32]).into();
        v["server"] = "https://user:pw@c.example/db".into();
        assert!(Enrolment::from_json(v.to_string().as_bytes()).is_err());
        v["server"] = serde_json::Value::Null;
        assert_eq!(
            Enrolment::from_json(v.to_string().as_bytes()).unwrap().root_key(),
            [1; 32]
        );
        assert_eq!(
            Enrolment::new(2, &[1; 32], false, None, "  ", "王芳", 5),
            Err(EnrolError::Label)
        );
        assert_eq!(
            Enrolment::new(2, &[1; 32], false, None, &"长".repeat(41), "王芳", 5),
            Err(EnrolError::Label)
        );
        assert!(Enrolment::new(2, &[1; 32], false, Some("ftp://x/db"), "a", "b", 5).is_err());
    }

    #[test]
    fn the_last_number_is_255() {
        let r = Registry {
            given: vec![Given {
                device: MAX_DEVICE - 1,
                label: "a".into(),
                by: "b".into(),
                at: 0,
            }],
        };
        assert_eq!(next_device(&r, [], 0), Ok(MAX_DEVICE));
        assert_eq!(
            next_device(&r, [compose(MAX_DEVICE, 1).unwrap()], 0),
            Err(EnrolError::NoNumber)
        );
        assert_eq!(Registry::parse(Some(&r.to_json())), r);
        assert_eq!(Registry::parse(Some("garbage")), Registry::default());
    }

    proptest! {
        /// The number given is never one in use: not in the registry, not in any id,
        /// not this device's.
        #[test]
        fn never_gives_a_number_in_use(
            given in proptest::collection::vec(1u16..=200, 0..5),
            devices in proptest::collection::vec(0u16..=200, 0..8),
            own in 0u16..=200,
        ) {
            let r = Registry {
                given: given.iter().map(|&d| Given { device: d, label: "x".into(), by: "y".into(), at: 0 }).collect(),
            };
            let ids: Vec<u32> = devices.iter().map(|&d| if d == 0 { 7 } else { compose(d, 3).unwrap() }).collect();
            let n = next_device(&r, ids.iter().copied(), own).unwrap();
            prop_assert!(n >= 1);
            prop_assert!(!given.contains(&n));
            prop_assert!(!ids.iter().any(|&i| device_of(i) == n));
            prop_assert_ne!(n, own);
        }
    }
}
