//! Serde of byte strings as standard base64 ([`crate::signing::b64`]).

use serde::{de::Error as _, Deserialize, Deserializer, Serializer};

use crate::signing::b64;

pub(crate) fn serialize<S: Serializer, T: AsRef<[u8]>>(bytes: &T, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&b64::encode(bytes.as_ref()))
}

pub(crate) fn deserialize<'de, D: Deserializer<'de>, T: TryFrom<Vec<u8>>>(d: D) -> Result<T, D::Error> {
    let s = String::deserialize(d)?;
    let v = b64::decode(&s).ok_or_else(|| D::Error::custom("not standard base64"))?;
    T::try_from(v).map_err(|_| D::Error::custom("wrong length"))
}
