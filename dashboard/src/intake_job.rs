//! The sealing job of the residents' intake form (issue #18): what the intake worker
//! (`src/bin/intake_worker.rs`) does with a [`Job`] the page sends it. Kept out of the
//! page's own code: only the worker calls [`run`], so the sealing code (X25519,
//! ChaCha20-Poly1305, HKDF, bech32, the QR encoder) is not in the dashboard's first load.
//! The page and the worker exchange JSON text.

use linli_domain::intake::{self, IntakeError, SealEntropy, Submission};
use linli_domain::model::Urgency;
use linli_domain::requests::tracking::{TrackingCode, RANDOM_BYTES};
use serde::{Deserialize, Serialize};

/// What the page asks the worker to seal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Job {
    /// A new request: the worker draws its tracking code.
    Request {
        community: String,
        recipient: String,
        category: String,
        description: String,
        urgency: Urgency,
        contact: String,
    },
    /// A rating of the resident's own (resolved) request.
    Rating {
        community: String,
        recipient: String,
        code: String,
        rating: u8,
        comment: String,
    },
}

/// The worker's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reply", rename_all = "snake_case")]
pub enum Reply {
    /// The worker listens now.
    Ready,
    /// The payload: the tracking code (grouped for reading), the armored age text and a
    /// `data:` URL of its QR code (SVG drawn by `qrcode` from the text's own bytes).
    Sealed {
        code: String,
        armored: String,
        qr: String,
    },
    /// A field's value was refused ([`IntakeError::Invalid`] field, or `description` /
    /// `comment` when the payload would not fit), with the error's stable code.
    Refused { field: String, reason: String },
    /// No secure randomness, an unreadable job, or the worker could not start.
    Failed,
}

/// Seals `job` (JSON text of a [`Job`]). `fill` fills a buffer with secure random bytes
/// (the browser's `crypto.getRandomValues`) and says whether it could: nothing is sealed
/// without it.
pub fn run(job: &str, fill: &mut dyn FnMut(&mut [u8]) -> bool) -> Reply {
    let Ok(job) = serde_json::from_str::<Job>(job) else {
        return Reply::Failed;
    };
    let mut seed = [0u8; SealEntropy::LEN];
    if !fill(&mut seed) {
        return Reply::Failed;
    }
    let entropy = SealEntropy::from_bytes(&seed);
    let (built, recipient, long_field) = match &job {
        Job::Request {
            community,
            recipient,
            category,
            description,
            urgency,
            contact,
        } => {
            let mut r = [0u8; RANDOM_BYTES];
            if !fill(&mut r) {
                return Reply::Failed;
            }
            let s = Submission::request(
                community,
                TrackingCode::from_random(r),
                category,
                description,
                *urgency,
                Some(contact),
            );
            (s, recipient, "description")
        }
        Job::Rating {
            community,
            recipient,
            code,
            rating,
            comment,
        } => {
            let Ok(code) = TrackingCode::parse(code) else {
                return refused("code", "invalid");
            };
            (
                Submission::rating(community, code, *rating, Some(comment)),
                recipient,
                "comment",
            )
        }
    };
    let sealed = built.and_then(|s| intake::seal(&s, recipient, &entropy).map(|a| (s.code, a)));
    match sealed {
        Ok((code, armored)) => Reply::Sealed {
            code: code.display(),
            qr: qr_data_url(&armored),
            armored,
        },
        Err(IntakeError::Invalid { field, reason }) => refused(field, &reason),
        Err(e @ IntakeError::TooLarge) => refused(long_field, e.code()),
        Err(e) => refused("", e.code()),
    }
}

/// The QR code of the armored text at error-correction level L: the largest payload
/// (1,800 bytes of JSON, about 2,600 armored) fits version 40-L (2,953 bytes), not 40-M.
/// Empty if it does not fit (then the text alone is shown).
fn qr_data_url(armored: &str) -> String {
    use qrcode::{render::svg, EcLevel, QrCode};
    QrCode::with_error_correction_level(armored.as_bytes(), EcLevel::L)
        .map(|c| {
            linli_domain::data_url::svg(
                c.render::<svg::Color<'_>>()
                    .min_dimensions(320, 320)
                    .quiet_zone(true)
                    .build()
                    .as_bytes(),
            )
        })
        .unwrap_or_default()
}

fn refused(field: &str, reason: &str) -> Reply {
    Reply::Refused {
        field: field.to_owned(),
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linli_domain::intake::{Body, Identity, IntakeKeys};

    fn keys() -> IntakeKeys {
        IntakeKeys::default()
            .rotate(&Identity::from_bytes([7; 32]).secret_string(), "2026-12-07")
            .unwrap()
    }

    fn counter() -> impl FnMut(&mut [u8]) -> bool {
        let mut n = 0u8;
        move |b: &mut [u8]| {
            for x in b.iter_mut() {
                n = n.wrapping_add(37);
                *x = n;
            }
            true
        }
    }

    fn request(description: &str) -> String {
        serde_json::to_string(&Job::Request {
            community: "linli/test".into(),
            recipient: keys().public_key().unwrap().to_owned(),
            category: "elderly_care".into(),
            description: description.into(),
            urgency: Urgency::High,
            contact: " ".into(),
        })
        .unwrap()
    }

    #[test]
    fn a_request_is_sealed_to_the_key_and_opens_with_it() {
        let Reply::Sealed { code, armored, qr } = run(&request("楼道灯坏了 <b>x</b>"), &mut counter())
        else {
            panic!("not sealed")
        };
        assert!(armored.starts_with("-----BEGIN AGE ENCRYPTED FILE-----"));
        assert!(qr.starts_with("data:image/svg+xml,") && !qr.contains('<') && !qr.contains('"'));
        let opened = intake::open(armored.as_bytes(), &keys()).unwrap();
        assert_eq!(opened.submission.code.display(), code);
        assert_eq!(opened.submission.community, "linli/test");
        let Body::Request {
            description,
            urgency,
            contact,
            ..
        } = opened.submission.body
        else {
            panic!("not a request")
        };
        assert_eq!(description, "楼道灯坏了 <b>x</b>");
        assert_eq!(urgency, Urgency::High);
        assert_eq!(contact, None);
        // Another draw, another code and another text.
        let Reply::Sealed {
            code: c2,
            armored: a2,
            ..
        } = run(&request("楼道灯坏了 <b>x</b>"), &mut counter())
        else {
            panic!()
        };
        let mut other = counter();
        let mut skip = [0u8; 3];
        other(&mut skip);
        let Reply::Sealed {
            code: c3,
            armored: a3,
            ..
        } = run(&request("楼道灯坏了 <b>x</b>"), &mut other)
        else {
            panic!()
        };
        assert_eq!((&c2, &a2), (&code, &armored), "same randomness, same payload");
        assert_ne!(c3, code);
        assert_ne!(a3, armored);
    }

    #[test]
    fn a_rating_carries_the_residents_code() {
        let code = TrackingCode::from_random([3; RANDOM_BYTES]);
        let job = serde_json::to_string(&Job::Rating {
            community: "linli/test".into(),
            recipient: keys().public_key().unwrap().to_owned(),
            code: code.display().to_lowercase(),
            rating: 4,
            comment: "很快".into(),
        })
        .unwrap();
        let Reply::Sealed {
            code: shown, armored, ..
        } = run(&job, &mut counter())
        else {
            panic!()
        };
        assert_eq!(shown, code.display());
        let s = intake::open(armored.as_bytes(), &keys()).unwrap().submission;
        assert_eq!(s.code, code);
        assert_eq!(
            s.body,
            Body::Rating {
                rating: 4,
                comment: Some("很快".into())
            }
        );
        let bad = job.replace("\"rating\":4", "\"rating\":6");
        assert_eq!(run(&bad, &mut counter()), refused("rating", "not 1 to 5"));
        let bad = job.replace(&code.display().to_lowercase(), "abc");
        assert_eq!(run(&bad, &mut counter()), refused("code", "invalid"));
    }

    #[test]
    fn the_largest_payload_has_a_qr_code() {
        // 400 four-byte characters: about 2,600 bytes armored, over what 40-M holds.
        let Reply::Sealed { armored, qr, .. } = run(&request(&"😀".repeat(400)), &mut counter()) else {
            panic!("not sealed")
        };
        assert!(armored.len() > 2_331, "{}", armored.len());
        assert!(qr.starts_with("data:image/svg+xml,") && qr.len() > 10_000);
    }

    #[test]
    fn refusals_name_the_field() {
        assert!(
            matches!(run(&request("  "), &mut counter()), Reply::Refused { field, .. } if field == "description")
        );
        // Four-byte characters: within the limits in characters, over the plaintext limit.
        let long = request(&"😀".repeat(400)).replace(
            "\"contact\":\" \"",
            &format!("\"contact\":\"{}\"", "😀".repeat(40)),
        );
        assert_ne!(long, request(&"😀".repeat(400)), "the contact was not replaced");
        assert_eq!(run(&long, &mut counter()), refused("description", "too_large"));
        let bad_key = request("x").replace("age1", "age2");
        assert!(
            matches!(run(&bad_key, &mut counter()), Reply::Refused { field, .. } if field == "recipient")
        );
        // No randomness, no payload.
        assert_eq!(run(&request("x"), &mut |_: &mut [u8]| false), Reply::Failed);
        assert_eq!(run("{", &mut counter()), Reply::Failed);
    }
}
