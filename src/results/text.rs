//! Numbers as text in result files: shortest round-trip (`fmt_f64`) with `NaN`, `inf` and
//! `-inf` for the special values, and the empty string for "no value". Used as serde `with`
//! modules, so CSV and JSON spell numbers the same way (JSON has no infinity or NaN).

use crate::io::parse_f64;
use serde::{de::Error, Deserialize, Deserializer, Serializer};

/// An `f64` as text.
pub mod f64_text {
    use super::*;

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&crate::io::fmt_f64(*v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        let text = String::deserialize(d)?;
        parse_f64(&text).ok_or_else(|| D::Error::custom(format!("expected a number, NaN or inf, got '{text}'")))
    }
}

/// An `Option<f64>` as text; `None` is the empty string.
pub mod opt_f64_text {
    use super::*;

    pub fn serialize<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.map(crate::io::fmt_f64).unwrap_or_default())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        let text = String::deserialize(d)?;
        match text.as_str() {
            "" => Ok(None),
            s => parse_f64(s)
                .map(Some)
                .ok_or_else(|| D::Error::custom(format!("expected a number, NaN, inf or empty, got '{text}'"))),
        }
    }
}
