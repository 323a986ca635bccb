//! Argon2id (RFC 9106, version 0x13) from a guide's passphrase to a key-encryption key.

use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::VaultError;

/// Salt length, bytes (random, one per wrapped key, passed in).
pub const SALT_BYTES: usize = 16;
/// OWASP Password Storage Cheat Sheet minimum for Argon2id: 19 MiB.
pub const OWASP_MIN_M_KIB: u32 = 19_456;
/// OWASP minimum iterations at 19 MiB.
pub const OWASP_MIN_T: u32 = 2;
/// Largest memory accepted when unwrapping (1 GiB), so that edited parameters cannot make the
/// app allocate without bound.
pub const MAX_M_KIB: u32 = 1_048_576;
/// Largest iteration count accepted.
pub const MAX_T: u32 = 64;
/// Largest parallelism accepted (the browser computes lanes one after another anyway).
pub const MAX_P: u32 = 16;
/// Memory cap of [`KdfParams::tuned`]: 64 MiB, what a shared office computer's browser tab
/// can spare; beyond it the tuning raises `t`.
pub const TUNE_MAX_M_KIB: u32 = 65_536;

/// Argon2id parameters, stored beside every wrapped key so they can be raised later
/// (re-wrap with larger ones; old wraps keep opening with theirs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory, KiB.
    pub m_kib: u32,
    /// Iterations (passes over memory).
    pub t: u32,
    /// Parallelism (lanes).
    pub p: u32,
    /// Random salt, 16 bytes, standard base64 in JSON.
    #[serde(with = "super::b64serde")]
    pub salt: [u8; SALT_BYTES],
}

impl KdfParams {
    /// The default: exactly OWASP's minimum for Argon2id (m = 19,456 KiB, t = 2, p = 1).
    ///
    /// It is a floor, not the target: the app measures one derivation with these on the
    /// device and calls [`KdfParams::tuned`] to reach about one second, which stays within
    /// the 1.5 s unlock budget and costs an attacker about a second of a browser core per guess.
    #[must_use]
    pub fn owasp_minimum(salt: [u8; SALT_BYTES]) -> Self {
        KdfParams {
            m_kib: OWASP_MIN_M_KIB,
            t: OWASP_MIN_T,
            p: 1,
            salt,
        }
    }

    /// Parameters aiming at `target_ms`, given that one derivation with
    /// [`KdfParams::owasp_minimum`] took `measured_ms` on this device. Memory grows first
    /// (up to [`TUNE_MAX_M_KIB`], memory hardness is what GPUs lack), then iterations
    /// (up to [`MAX_T`]). Never below the OWASP minimum. Cost is taken as proportional to m·t.
    ///
    /// ```
    /// use linli_domain::vault::KdfParams;
    /// let p = KdfParams::tuned([0; 16], 1000, 100); // 10x the floor's time
    /// assert_eq!((p.m_kib, p.t), (65_536, 5));
    /// let q = KdfParams::tuned([0; 16], 1000, 5_000); // slow device: stay at the floor
    /// assert_eq!((q.m_kib, q.t), (19_456, 2));
    /// ```
    #[must_use]
    pub fn tuned(salt: [u8; SALT_BYTES], target_ms: u32, measured_ms: u32) -> Self {
        let floor = u64::from(OWASP_MIN_M_KIB) * u64::from(OWASP_MIN_T);
        let budget = floor * u64::from(target_ms) / u64::from(measured_ms.max(1));
        // m: as much as the budget allows at t = OWASP_MIN_T, capped.
        let m =
            (budget / u64::from(OWASP_MIN_T)).clamp(u64::from(OWASP_MIN_M_KIB), u64::from(TUNE_MAX_M_KIB));
        let t = (budget / m).clamp(u64::from(OWASP_MIN_T), u64::from(MAX_T));
        KdfParams {
            m_kib: m as u32,
            t: t as u32,
            p: 1,
            salt,
        }
    }

    /// A cheap parameter set (m = 64 KiB, t = 1, p = 1) that exists ONLY for unit tests, so
    /// that they run in milliseconds. Never use it for a real wrap: it offers no protection
    /// against guessing. [`KdfParams::meets_owasp_minimum`] is `false` for it.
    #[must_use]
    pub fn insecure_for_tests(salt: [u8; SALT_BYTES]) -> Self {
        KdfParams {
            m_kib: 64,
            t: 1,
            p: 1,
            salt,
        }
    }

    /// At or above OWASP's minimum (m ≥ 19,456 KiB and t ≥ 2, or m·t at least as large with t ≥ 2).
    /// The app should re-wrap a key whose parameters fail this.
    #[must_use]
    pub fn meets_owasp_minimum(&self) -> bool {
        self.m_kib >= OWASP_MIN_M_KIB && self.t >= OWASP_MIN_T && self.p >= 1
    }

    fn argon2(&self) -> Result<Argon2<'static>, VaultError> {
        if self.m_kib > MAX_M_KIB {
            return Err(VaultError::BadKdfParams {
                what: "memory above 1 GiB",
            });
        }
        if self.t == 0 || self.t > MAX_T {
            return Err(VaultError::BadKdfParams {
                what: "iterations outside 1..=64",
            });
        }
        if self.p == 0 || self.p > MAX_P {
            return Err(VaultError::BadKdfParams {
                what: "parallelism outside 1..=16",
            });
        }
        let params =
            Params::new(self.m_kib, self.t, self.p, Some(32)).map_err(|_| VaultError::BadKdfParams {
                what: "memory below 8 KiB per lane",
            })?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }

    /// The 32-byte key-encryption key of `passphrase` (its UTF-8 bytes, unchanged) under these
    /// parameters; zeroised on drop.
    pub fn derive_kek(&self, passphrase: &str) -> Result<Zeroizing<[u8; 32]>, VaultError> {
        let mut out = Zeroizing::new([0u8; 32]);
        self.argon2()?
            .hash_password_into(passphrase.as_bytes(), &self.salt, out.as_mut())
            .map_err(|_| VaultError::BadKdfParams {
                what: "rejected by Argon2",
            })?;
        Ok(out)
    }
}
