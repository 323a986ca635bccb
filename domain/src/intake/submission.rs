//! What a resident submits (the plaintext inside the age file) and its wire format:
//! one JSON object, UTF-8, version [`VERSION`] of format [`FORMAT`].
//!
//! ```text
//! {"format":"linli-intake","version":1,"community":"linli/…","code":"<17 symbols>",
//!  "kind":"request","category":"<need category code>","description":"…",
//!  "urgency":"low|medium|high","contact":"…"}            (contact optional)
//! {"format":"linli-intake","version":1,"community":"linli/…","code":"<17 symbols>",
//!  "kind":"rating","rating":1..5,"comment":"…"}          (comment optional)
//! ```
//!
//! Unknown fields are refused; a newer `version` is refused as such (the workspace must be
//! updated first). Texts are trimmed, checked against the limits in characters
//! ([`MAX_DESCRIPTION_CHARS`], [`MAX_COMMENT_CHARS`], [`MAX_CONTACT_CHARS`]) and may not
//! hold control characters other than line breaks and tabs; they are plain text, never
//! markup (every view shows them as text). The whole JSON is at most
//! [`MAX_PLAINTEXT_BYTES`].

use serde::{Deserialize, Serialize};

use super::IntakeError;
use crate::model::Urgency;
use crate::requests::tracking::TrackingCode;

/// The `format` field.
pub const FORMAT: &str = "linli-intake";
/// The wire format's version.
pub const VERSION: u32 = 1;
/// Longest description, in characters (a request's own limit is 2,000; a sealed payload
/// must fit a QR code).
pub const MAX_DESCRIPTION_CHARS: usize = 400;
/// Longest rating comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 200;
/// Longest contact (a phone number, a WeChat id, an e-mail address), in characters.
pub const MAX_CONTACT_CHARS: usize = 40;
/// Longest category code, in characters.
pub const MAX_CATEGORY_CHARS: usize = 64;
/// Longest community id, in characters.
pub const MAX_COMMUNITY_CHARS: usize = 120;
/// Largest plaintext (the JSON), in bytes: sealed to one recipient and armored it stays
/// under 2,800 bytes, which fits one QR code (version 40, level L: 2,953 bytes).
pub const MAX_PLAINTEXT_BYTES: usize = 1_800;

/// A resident's submission, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// The community it is for ([`super::community_id`], published in the snapshot).
    pub community: String,
    /// The tracking code the phone made (a new request) or holds (a rating).
    pub code: TrackingCode,
    pub body: Body,
}

/// What the submission asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// A new request.
    Request {
        /// A need category code.
        category: String,
        description: String,
        /// The resident's own view of how urgent it is.
        urgency: Urgency,
        /// How to reach the resident, if given. Internal, never published.
        contact: Option<String>,
    },
    /// A rating of the request with [`Submission::code`], resolved or closed.
    Rating {
        /// 1–5 (4 and 5 count as satisfied).
        rating: u8,
        comment: Option<String>,
    },
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire {
    format: String,
    version: u32,
    community: String,
    code: String,
    kind: Kind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    urgency: Option<Urgency>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    contact: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rating: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Kind {
    Request,
    Rating,
}

/// Only the head, read leniently first so that another format or a newer version is
/// named as such.
#[derive(Deserialize)]
struct Head {
    format: Option<String>,
    version: Option<u32>,
}

fn invalid(field: &'static str, reason: &str) -> IntakeError {
    IntakeError::Invalid {
        field,
        reason: reason.to_owned(),
    }
}

/// `text` trimmed, checked: not empty (when `required`), at most `max` characters, no
/// control characters but line breaks and tabs.
fn text(field: &'static str, value: &str, max: usize, required: bool) -> Result<String, IntakeError> {
    let t = value.trim();
    if required && t.is_empty() {
        return Err(invalid(field, "empty"));
    }
    if t.chars().count() > max {
        return Err(invalid(field, &format!("longer than {max} characters")));
    }
    if t.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(invalid(field, "control characters"));
    }
    Ok(t.to_owned())
}

fn optional(field: &'static str, value: Option<&str>, max: usize) -> Result<Option<String>, IntakeError> {
    match value {
        None => Ok(None),
        Some(v) => text(field, v, max, false).map(|t| (!t.is_empty()).then_some(t)),
    }
}

fn category_code(value: &str) -> Result<String, IntakeError> {
    let c = text("category", value, MAX_CATEGORY_CHARS, true)?;
    if !c
        .chars()
        .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-')
    {
        return Err(invalid("category", "not a category code"));
    }
    Ok(c)
}

impl Submission {
    /// A new request, checked and normalised (texts trimmed; an empty contact is none).
    ///
    /// # Errors
    ///
    /// [`IntakeError::Invalid`] naming the field.
    pub fn request(
        community: &str,
        code: TrackingCode,
        category: &str,
        description: &str,
        urgency: Urgency,
        contact: Option<&str>,
    ) -> Result<Self, IntakeError> {
        Ok(Self {
            community: text("community", community, MAX_COMMUNITY_CHARS, true)?,
            code,
            body: Body::Request {
                category: category_code(category)?,
                description: text("description", description, MAX_DESCRIPTION_CHARS, true)?,
                urgency,
                contact: optional("contact", contact, MAX_CONTACT_CHARS)?,
            },
        })
    }

    /// A rating, checked and normalised.
    ///
    /// # Errors
    ///
    /// [`IntakeError::Invalid`] naming the field (`rating` outside 1–5).
    pub fn rating(
        community: &str,
        code: TrackingCode,
        rating: u8,
        comment: Option<&str>,
    ) -> Result<Self, IntakeError> {
        if !(1..=5).contains(&rating) {
            return Err(invalid("rating", "not 1 to 5"));
        }
        Ok(Self {
            community: text("community", community, MAX_COMMUNITY_CHARS, true)?,
            code,
            body: Body::Rating {
                rating,
                comment: optional("comment", comment, MAX_COMMENT_CHARS)?,
            },
        })
    }

    /// The wire JSON (what is sealed).
    ///
    /// # Errors
    ///
    /// [`IntakeError::TooLarge`] over [`MAX_PLAINTEXT_BYTES`] (possible with many
    /// characters of four bytes or many escaped ones: the phone shortens the text).
    pub fn encode(&self) -> Result<Vec<u8>, IntakeError> {
        let mut w = Wire {
            format: FORMAT.to_owned(),
            version: VERSION,
            community: self.community.clone(),
            code: self.code.as_str().to_owned(),
            kind: Kind::Request,
            category: None,
            description: None,
            urgency: None,
            contact: None,
            rating: None,
            comment: None,
        };
        match &self.body {
            Body::Request {
                category,
                description,
                urgency,
                contact,
            } => {
                w.category = Some(category.clone());
                w.description = Some(description.clone());
                w.urgency = Some(*urgency);
                w.contact.clone_from(contact);
            }
            Body::Rating { rating, comment } => {
                w.kind = Kind::Rating;
                w.rating = Some(*rating);
                w.comment.clone_from(comment);
            }
        }
        let bytes = serde_json::to_vec(&w).map_err(|e| IntakeError::Malformed(e.to_string()))?;
        if bytes.len() > MAX_PLAINTEXT_BYTES {
            return Err(IntakeError::TooLarge);
        }
        Ok(bytes)
    }

    /// Reads and validates the wire JSON.
    ///
    /// # Errors
    ///
    /// [`IntakeError::TooLarge`], [`IntakeError::Format`] (not JSON, another format, a
    /// missing, unknown or misplaced field), [`IntakeError::Newer`],
    /// [`IntakeError::Invalid`] (a field's value).
    pub fn decode(plain: &[u8]) -> Result<Self, IntakeError> {
        if plain.len() > MAX_PLAINTEXT_BYTES {
            return Err(IntakeError::TooLarge);
        }
        let head: Head = serde_json::from_slice(plain).map_err(|e| IntakeError::Format(e.to_string()))?;
        if head.format.as_deref() != Some(FORMAT) {
            return Err(IntakeError::Format(format!("not a {FORMAT} payload")));
        }
        match head.version {
            Some(v) if v > VERSION => return Err(IntakeError::Newer { found: v }),
            Some(v) if v >= 1 => {}
            _ => return Err(IntakeError::Format("no valid version".into())),
        }
        let w: Wire = serde_json::from_slice(plain).map_err(|e| IntakeError::Format(e.to_string()))?;
        let code = TrackingCode::parse(&w.code).map_err(|e| invalid("code", &e.to_string()))?;
        let misplaced = |field: &str| IntakeError::Format(format!("`{field}` does not belong to this kind"));
        match w.kind {
            Kind::Request => {
                if w.rating.is_some() {
                    return Err(misplaced("rating"));
                }
                if w.comment.is_some() {
                    return Err(misplaced("comment"));
                }
                let (Some(category), Some(description), Some(urgency)) =
                    (w.category, w.description, w.urgency)
                else {
                    return Err(IntakeError::Format(
                        "a request needs category, description and urgency".into(),
                    ));
                };
                Self::request(
                    &w.community,
                    code,
                    &category,
                    &description,
                    urgency,
                    w.contact.as_deref(),
                )
            }
            Kind::Rating => {
                for (field, present) in [
                    ("category", w.category.is_some()),
                    ("description", w.description.is_some()),
                    ("urgency", w.urgency.is_some()),
                    ("contact", w.contact.is_some()),
                ] {
                    if present {
                        return Err(misplaced(field));
                    }
                }
                let Some(rating) = w.rating else {
                    return Err(IntakeError::Format("a rating needs `rating`".into()));
                };
                Self::rating(&w.community, code, rating, w.comment.as_deref())
            }
        }
    }
}
