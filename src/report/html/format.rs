//! Numbers and row keys for people (the CSVs keep full precision).

use super::model::Cell;
use crate::io::fmt_f64;
use crate::report::table::{Row, RowKind, Stat};

/// Numbers for people: at least 4 decimals and 4 significant digits.
pub(super) fn num(v: f64) -> String {
    if !v.is_finite() {
        return fmt_f64(v);
    }
    if v == 0.0 {
        return "0".into();
    }
    let decimals = (3 - v.abs().log10().floor() as i64).clamp(4, 10) as usize;
    format!("{v:.decimals$}")
}

/// Spreads for people: two significant digits.
pub(super) fn num2(v: f64) -> String {
    if !v.is_finite() || v == 0.0 {
        return if v == 0.0 { "0".into() } else { fmt_f64(v) };
    }
    let decimals = (1 - v.abs().log10().floor() as i64).clamp(0, 12) as usize;
    format!("{v:.decimals$}")
}

pub(super) fn eps_text(e: f64) -> String {
    if e.is_infinite() {
        "∞".into()
    } else {
        fmt_f64(e)
    }
}

pub(super) fn plural(n: usize, one: &str) -> String {
    format!("{n} {one}{}", if n == 1 { "" } else { "s" })
}

pub(super) fn stat_cell(s: &Stat) -> Cell {
    if s.n == 0 {
        return Cell { main: "NaN".into(), sub: Some("no valid value".into()), warn: true, wrap: false };
    }
    let main = if s.sd.is_finite() { format!("{} ± {}", num(s.mean), num2(s.sd)) } else { num(s.mean) };
    let sub = if s.ci_lo.is_finite() {
        format!("n = {}, CI [{}, {}]", s.n, num(s.ci_lo), num(s.ci_hi))
    } else {
        format!("n = {}", s.n)
    };
    Cell { main, sub: Some(sub), ..Cell::default() }
}

/// The key columns of result tables.
pub(super) const KEY_HEADER: [&str; 4] = ["generator", "kind", "ε", "cells"];

pub(super) fn row_key_cells(r: &Row) -> Vec<Cell> {
    let cells = if r.n_error > 0 {
        Cell { main: r.n_cells.to_string(), sub: Some(format!("{} failed", r.n_error)), warn: true, wrap: false }
    } else {
        Cell::text(r.n_cells.to_string())
    };
    vec![
        Cell::text(r.label()),
        Cell::text(if r.row == RowKind::Real { "reference".into() } else { r.kind.clone() }),
        Cell::text(r.epsilon.map(eps_text).unwrap_or_default()),
        cells,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(num(0.7), "0.7000");
        assert_eq!(num(28.5348), "28.5348");
        assert_eq!(num(0.0074), "0.007400");
        assert_eq!(num(f64::NAN), "NaN");
    }
}
