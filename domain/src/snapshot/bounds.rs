//! Bounds on every number and every text of a snapshot, checked when one is built
//! ([`super::build`]) and when one is read ([`super::file::decode`], which `linli verify`
//! and the dashboard call).
//!
//! * **Numbers**: every integer of the content (amounts in fen, counts, shares, times) lies
//!   within ±[`MAX_NUMBER`] = [`money::MAX_FEN`](crate::money::MAX_FEN) (¥10¹²). That is
//!   `i64::MAX / 92,233`: any sum of up to 92,233 published numbers (far more plans, funders
//!   or categories than a snapshot holds) fits in an `i64`, so a reader adding them up
//!   cannot wrap. Before this bound, two plans of `i64::MAX` fen each published a plans
//!   total of ¥754,999.98 and verified.
//! * **Texts**: every string has at most [`MAX_LABEL_CHARS`] = 200 characters (names,
//!   titles, codes, dates, statuses, purposes, references), except free text in a field
//!   named `description`, `summary`, `response`, `reason`, `conclusion` or `note` (or
//!   ending in `_description`, `_summary`, …), which may have [`MAX_TEXT_CHARS`] = 10,000,
//!   the longest text a plan or decision accepts ([`crate::plans::MAX_TEXT`]). Before, a
//!   50 MB label was published and verified.
//!
//! The check walks the content through its `Serialize` implementation, so a field added
//! to the layout is covered without being listed here, and it names the field like the
//! privacy checker does (`plans[0].budget_fen`).

use std::fmt::{self, Display};

use serde::ser::{self, Impossible, Serialize};

/// The largest absolute value of any integer in a snapshot's content: `money::MAX_FEN`.
pub const MAX_NUMBER: i64 = crate::money::MAX_FEN;
/// The most characters of a label, title, name, code or date.
pub const MAX_LABEL_CHARS: usize = 200;
/// The most characters of a free-text field (`description`, `summary`, `response`,
/// `reason`, `conclusion`, `note`): as many as a plan's texts may have.
pub const MAX_TEXT_CHARS: usize = crate::plans::MAX_TEXT;

/// The first value of `value` outside the bounds: `(path, reason)`.
///
/// # Examples
///
/// ```
/// use linli_domain::snapshot::bounds;
/// #[derive(serde::Serialize)]
/// struct Plan { title: String, budget_fen: i64 }
/// let ok = Plan { title: "Ramp".into(), budget_fen: 1_000 };
/// assert_eq!(bounds::first_violation(&ok), None);
/// let bad = Plan { title: "Ramp".into(), budget_fen: i64::MAX };
/// assert_eq!(bounds::first_violation(&bad).unwrap().0, "budget_fen");
/// let long = Plan { title: "x".repeat(201), budget_fen: 0 };
/// assert_eq!(bounds::first_violation(&long).unwrap().0, "title");
/// ```
pub fn first_violation<T: Serialize + ?Sized>(value: &T) -> Option<(String, String)> {
    let mut walker = Walker { path: Vec::new() };
    match value.serialize(&mut walker) {
        Ok(()) => None,
        Err(Stop::Violation { path, reason }) => Some((path, reason)),
        // Only `custom` errors of foreign Serialize impls end up here.
        Err(Stop::Other(reason)) => Some((walker.path_string(), reason)),
    }
}

/// Whether a field of this name holds free text (longer limit).
fn is_free_text(field: &str) -> bool {
    [
        "description",
        "summary",
        "response",
        "reason",
        "conclusion",
        "note",
    ]
    .iter()
    .any(|k| field == *k || field.strip_suffix(k).is_some_and(|p| p.ends_with('_')))
}

enum Seg {
    Field(&'static str),
    Index(usize),
    Key(String),
}

struct Walker {
    path: Vec<Seg>,
}

impl Walker {
    fn path_string(&self) -> String {
        let mut s = String::new();
        for seg in &self.path {
            match seg {
                Seg::Field(f) => {
                    if !s.is_empty() {
                        s.push('.');
                    }
                    s.push_str(f);
                }
                Seg::Index(i) => s.push_str(&format!("[{i}]")),
                Seg::Key(k) => s.push_str(&format!("[{k:?}]")),
            }
        }
        s
    }

    fn violation(&self, reason: String) -> Stop {
        Stop::Violation {
            path: self.path_string(),
            reason,
        }
    }

    fn int(&self, v: i128) -> Result<(), Stop> {
        if v.unsigned_abs() > MAX_NUMBER.unsigned_abs().into() {
            return Err(self.violation(format!(
                "{v} is beyond ±{MAX_NUMBER}, the bound of every published number (money::MAX_FEN)"
            )));
        }
        Ok(())
    }

    fn text(&self, v: &str) -> Result<(), Stop> {
        let field = self.path.iter().rev().find_map(|s| match s {
            Seg::Field(f) => Some(*f),
            _ => None,
        });
        let max = if field.is_some_and(is_free_text) {
            MAX_TEXT_CHARS
        } else {
            MAX_LABEL_CHARS
        };
        // Count no further than needed: a 50 MB label is refused after max + 1 characters.
        if v.len() > max && v.chars().nth(max).is_some() {
            let n = v.chars().count();
            return Err(self.violation(format!("{n} characters, more than the limit of {max}")));
        }
        Ok(())
    }
}

#[derive(Debug)]
enum Stop {
    Violation { path: String, reason: String },
    Other(String),
}

impl Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stop::Violation { path, reason } => write!(f, "{path}: {reason}"),
            Stop::Other(r) => f.write_str(r),
        }
    }
}

impl std::error::Error for Stop {}

impl ser::Error for Stop {
    fn custom<T: Display>(msg: T) -> Self {
        Stop::Other(msg.to_string())
    }
}

/// Serialises an element with a path segment pushed.
fn nested<T: Serialize + ?Sized>(w: &mut Walker, seg: Seg, value: &T) -> Result<(), Stop> {
    w.path.push(seg);
    value.serialize(&mut *w)?;
    w.path.pop();
    Ok(())
}

/// Map keys: only their text is checked (as a label), and kept for the path.
struct KeyText<'a> {
    w: &'a Walker,
    key: String,
}

impl<'a> ser::Serializer for &'a mut Walker {
    type Ok = ();
    type Error = Stop;
    type SerializeSeq = Seq<'a>;
    type SerializeTuple = Seq<'a>;
    type SerializeTupleStruct = Seq<'a>;
    type SerializeTupleVariant = Seq<'a>;
    type SerializeMap = Map<'a>;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn serialize_bool(self, _: bool) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), Stop> {
        self.int(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<(), Stop> {
        self.int(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<(), Stop> {
        self.int(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<(), Stop> {
        self.int(v.into())
    }
    fn serialize_i128(self, v: i128) -> Result<(), Stop> {
        self.int(v)
    }
    fn serialize_u8(self, v: u8) -> Result<(), Stop> {
        self.int(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<(), Stop> {
        self.int(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<(), Stop> {
        self.int(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<(), Stop> {
        self.int(v.into())
    }
    fn serialize_u128(self, v: u128) -> Result<(), Stop> {
        self.int(i128::try_from(v).unwrap_or(i128::MAX))
    }
    fn serialize_f32(self, v: f32) -> Result<(), Stop> {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<(), Stop> {
        if !v.is_finite() || v.abs() > MAX_NUMBER as f64 {
            return Err(self.violation(format!("{v} is beyond ±{MAX_NUMBER}")));
        }
        Ok(())
    }
    fn serialize_char(self, _: char) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), Stop> {
        self.text(v)
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_none(self) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Stop> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<(), Stop> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Stop> {
        nested(self, Seg::Field(variant), value)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Seq<'a>, Stop> {
        Ok(Seq { w: self, i: 0 })
    }
    fn serialize_tuple(self, _: usize) -> Result<Seq<'a>, Stop> {
        Ok(Seq { w: self, i: 0 })
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Seq<'a>, Stop> {
        Ok(Seq { w: self, i: 0 })
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Seq<'a>, Stop> {
        Ok(Seq { w: self, i: 0 })
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Map<'a>, Stop> {
        Ok(Map { w: self, key: None })
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Stop> {
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, Stop> {
        Ok(self)
    }
}

struct Seq<'a> {
    w: &'a mut Walker,
    i: usize,
}

impl Seq<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Stop> {
        let i = self.i;
        self.i += 1;
        nested(self.w, Seg::Index(i), value)
    }
}

impl ser::SerializeSeq for Seq<'_> {
    type Ok = ();
    type Error = Stop;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Stop> {
        self.element(value)
    }
    fn end(self) -> Result<(), Stop> {
        Ok(())
    }
}

impl ser::SerializeTuple for Seq<'_> {
    type Ok = ();
    type Error = Stop;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Stop> {
        self.element(value)
    }
    fn end(self) -> Result<(), Stop> {
        Ok(())
    }
}

impl ser::SerializeTupleStruct for Seq<'_> {
    type Ok = ();
    type Error = Stop;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Stop> {
        self.element(value)
    }
    fn end(self) -> Result<(), Stop> {
        Ok(())
    }
}

impl ser::SerializeTupleVariant for Seq<'_> {
    type Ok = ();
    type Error = Stop;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Stop> {
        self.element(value)
    }
    fn end(self) -> Result<(), Stop> {
        Ok(())
    }
}

struct Map<'a> {
    w: &'a mut Walker,
    key: Option<String>,
}

impl ser::SerializeMap for Map<'_> {
    type Ok = ();
    type Error = Stop;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Stop> {
        let mut k = KeyText {
            w: self.w,
            key: String::new(),
        };
        key.serialize(&mut k)?;
        self.key = Some(k.key);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Stop> {
        let key = self.key.take().unwrap_or_default();
        nested(self.w, Seg::Key(key), value)
    }
    fn end(self) -> Result<(), Stop> {
        Ok(())
    }
}

impl ser::SerializeStruct for &mut Walker {
    type Ok = ();
    type Error = Stop;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Stop> {
        nested(self, Seg::Field(key), value)
    }
    fn end(self) -> Result<(), Stop> {
        Ok(())
    }
}

impl ser::SerializeStructVariant for &mut Walker {
    type Ok = ();
    type Error = Stop;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Stop> {
        nested(self, Seg::Field(key), value)
    }
    fn end(self) -> Result<(), Stop> {
        Ok(())
    }
}

impl ser::Serializer for &mut KeyText<'_> {
    type Ok = ();
    type Error = Stop;
    type SerializeSeq = Impossible<(), Stop>;
    type SerializeTuple = Impossible<(), Stop>;
    type SerializeTupleStruct = Impossible<(), Stop>;
    type SerializeTupleVariant = Impossible<(), Stop>;
    type SerializeMap = Impossible<(), Stop>;
    type SerializeStruct = Impossible<(), Stop>;
    type SerializeStructVariant = Impossible<(), Stop>;

    fn serialize_str(self, v: &str) -> Result<(), Stop> {
        self.w.text(v)?;
        self.key = v.to_owned();
        Ok(())
    }
    fn serialize_bool(self, _: bool) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), Stop> {
        self.serialize_str(&v.to_string())
    }
    fn serialize_i16(self, v: i16) -> Result<(), Stop> {
        self.serialize_str(&v.to_string())
    }
    fn serialize_i32(self, v: i32) -> Result<(), Stop> {
        self.serialize_str(&v.to_string())
    }
    fn serialize_i64(self, v: i64) -> Result<(), Stop> {
        self.serialize_str(&v.to_string())
    }
    fn serialize_u8(self, v: u8) -> Result<(), Stop> {
        self.serialize_str(&v.to_string())
    }
    fn serialize_u16(self, v: u16) -> Result<(), Stop> {
        self.serialize_str(&v.to_string())
    }
    fn serialize_u32(self, v: u32) -> Result<(), Stop> {
        self.serialize_str(&v.to_string())
    }
    fn serialize_u64(self, v: u64) -> Result<(), Stop> {
        self.serialize_str(&v.to_string())
    }
    fn serialize_f32(self, _: f32) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_f64(self, _: f64) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_char(self, _: char) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_none(self) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Stop> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), Stop> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<(), Stop> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Stop> {
        Err(Stop::Other("map key is not a string".into()))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Stop> {
        Err(Stop::Other("map key is not a string".into()))
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Stop> {
        Err(Stop::Other("map key is not a string".into()))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, Stop> {
        Err(Stop::Other("map key is not a string".into()))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Stop> {
        Err(Stop::Other("map key is not a string".into()))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Stop> {
        Err(Stop::Other("map key is not a string".into()))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Stop> {
        Err(Stop::Other("map key is not a string".into()))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Stop> {
        Err(Stop::Other("map key is not a string".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[derive(serde::Serialize)]
    struct Inner {
        amount_fen: i64,
        evaluation_summary: String,
        name: String,
    }

    #[derive(serde::Serialize)]
    struct Outer {
        items: Vec<Inner>,
        counts: BTreeMap<String, u64>,
        maybe: Option<u64>,
    }

    fn outer() -> Outer {
        Outer {
            items: vec![
                Inner {
                    amount_fen: MAX_NUMBER,
                    evaluation_summary: "s".repeat(MAX_TEXT_CHARS),
                    name: "名".repeat(MAX_LABEL_CHARS),
                },
                Inner {
                    amount_fen: -MAX_NUMBER,
                    evaluation_summary: String::new(),
                    name: String::new(),
                },
            ],
            counts: BTreeMap::from([("a".to_owned(), 1)]),
            maybe: Some(7),
        }
    }

    #[test]
    fn values_at_the_bounds_pass_and_one_past_them_is_named() {
        assert_eq!(first_violation(&outer()), None);
        let mut o = outer();
        o.items[1].amount_fen = -MAX_NUMBER - 1;
        let (path, reason) = first_violation(&o).unwrap();
        assert_eq!(path, "items[1].amount_fen");
        assert!(reason.contains("-100000000000001"), "{reason}");
        let mut o = outer();
        o.items[0].name.push('x');
        let (path, reason) = first_violation(&o).unwrap();
        assert_eq!(path, "items[0].name");
        assert_eq!(reason, "201 characters, more than the limit of 200");
        let mut o = outer();
        o.items[0].evaluation_summary.push('x');
        assert_eq!(first_violation(&o).unwrap().0, "items[0].evaluation_summary");
        let mut o = outer();
        o.maybe = Some(u64::MAX);
        assert_eq!(first_violation(&o).unwrap().0, "maybe");
        let mut o = outer();
        o.counts.insert("b".into(), u64::MAX);
        assert_eq!(first_violation(&o).unwrap().0, "counts[\"b\"]");
    }

    #[test]
    fn free_text_fields_are_named_so() {
        for f in [
            "description",
            "summary",
            "response",
            "objection_response",
            "evaluation_summary",
            "reason",
            "conclusion",
            "note",
        ] {
            assert!(is_free_text(f), "{f}");
        }
        for f in [
            "title",
            "name_zh",
            "responses",
            "xsummary",
            "code",
            "purpose",
            "reference",
            "notes",
        ] {
            assert!(!is_free_text(f), "{f}");
        }
    }
}
