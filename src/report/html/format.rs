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

/// One number format for a whole metric column: a fixed number of decimals, fitted to the
/// spread so that the smallest positive sd of the column shows two significant digits. Without
/// any positive sd (one value per row, or a deterministic metric) four significant digits of the
/// largest |value|; never more than six significant digits of the largest |value|, never more
/// than 10 decimals.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct ColumnFormat {
    pub decimals: usize,
}

impl ColumnFormat {
    /// The format of a column holding `stats`.
    pub fn fit<'s>(stats: impl IntoIterator<Item = &'s Stat>) -> ColumnFormat {
        let (mut min_sd, mut max_abs) = (f64::INFINITY, 0.0f64);
        for s in stats.into_iter().filter(|s| s.n > 0) {
            if s.sd.is_finite() && s.sd > 0.0 {
                min_sd = min_sd.min(s.sd);
            }
            if s.mean.is_finite() {
                max_abs = max_abs.max(s.mean.abs());
            }
        }
        let digits_below = |v: f64, significant: i64| significant - 1 - v.log10().floor() as i64;
        let cap = if max_abs > 0.0 { digits_below(max_abs, 6) } else { 10 };
        let want = if min_sd.is_finite() {
            digits_below(min_sd, 2)
        } else if max_abs > 0.0 {
            digits_below(max_abs, 4)
        } else {
            0
        };
        ColumnFormat { decimals: want.min(cap).clamp(0, 10) as usize }
    }

    /// `v` with the column's decimals; NaN and ±inf as in the CSVs.
    pub fn show(&self, v: f64) -> String {
        if !v.is_finite() {
            return fmt_f64(v);
        }
        let d = self.decimals;
        let text = format!("{v:.d$}");
        // "-0.00" reads as a sign that is not there.
        if text.trim_start_matches('-').chars().all(|c| c == '0' || c == '.') {
            text.trim_start_matches('-').to_string()
        } else {
            text
        }
    }
}

/// A result cell: `mean ± sd` in the column's format; below it n and the 95 % percentile-bootstrap
/// interval of the mean (which stays inside the metric's range; table1.csv has it as `boot95_*`).
pub(super) fn stat_cell(s: &Stat, f: ColumnFormat) -> Cell {
    if s.n == 0 {
        return Cell { main: "NaN".into(), sub: Some("no valid value".into()), warn: true, ..Cell::default() };
    }
    let main = if s.sd.is_finite() { format!("{} ± {}", f.show(s.mean), f.show(s.sd)) } else { f.show(s.mean) };
    let sub = if s.boot_lo.is_finite() {
        format!("n = {}, 95% [{}, {}]", s.n, f.show(s.boot_lo), f.show(s.boot_hi))
    } else {
        format!("n = {}", s.n)
    };
    Cell { main, sub: Some(sub), ..Cell::default() }
}

/// The key columns of result tables.
pub(super) const KEY_HEADER: [&str; 4] = ["generator", "kind", "ε", "cells"];

pub(super) fn row_key_cells(r: &Row) -> Vec<Cell> {
    let cells = if r.n_error > 0 {
        Cell { main: r.n_cells.to_string(), sub: Some(format!("{} failed", r.n_error)), warn: true, ..Cell::default() }
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

    fn stat(mean: f64, sd: f64) -> Stat {
        Stat::new(mean, sd, 5)
    }

    #[test]
    fn column_format_fits_the_spread() {
        // Smallest sd 0.017 → two significant digits → 3 decimals, for every row of the column.
        let f = ColumnFormat::fit(&[stat(0.7175, 0.017), stat(0.9, 0.2)]);
        assert_eq!(f.decimals, 3);
        assert_eq!((f.show(0.7175), f.show(0.9), f.show(0.2)), ("0.718".into(), "0.900".into(), "0.200".into()));
        // DCR-like: sd 0.53 → 2 decimals.
        assert_eq!(ColumnFormat::fit(&[stat(28.53, 0.53)]).decimals, 2);
        // No spread (deterministic or one value): 4 significant digits of the largest value.
        assert_eq!(ColumnFormat::fit(&[stat(12.34, 0.0), stat(3.0, f64::NAN)]).decimals, 2);
        // A tiny sd is capped at 6 significant digits of the largest value.
        assert_eq!(ColumnFormat::fit(&[stat(0.5, 1e-12)]).decimals, 6);
        assert_eq!(f.show(f64::NAN), "NaN");
        assert_eq!(ColumnFormat { decimals: 2 }.show(-0.001), "0.00");
    }
}
