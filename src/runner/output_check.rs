//! The generator contract every synthetic set is held to before it is scored or saved
//! (generators.md §8 / metrics.md §0.4), the same for built-in generators (in memory) and
//! external commands (whose files `bench score`'s reader already bounds): exactly `n` rows, every
//! gene, labels from the class set, at least 2 rows, and values within the bound input loading
//! enforces (data-formats.md §0: finite, |value| ≤ [`MAX_ABS_VALUE`], so that no metric
//! overflows). A set that breaks it fails its cell in the sample phase with a one-line reason.

use crate::data::dataset::Schema;
use crate::data::load::MAX_ABS_VALUE;
use crate::error::Result;
use crate::generators::Synthetic;
use crate::io::fmt_f64;
use crate::{bail, ensure};

/// `s` if it keeps the generator contract for `n` rows of `schema`, else the first breach.
pub(crate) fn check_synthetic(s: &Synthetic, schema: &Schema, n: usize) -> Result<Synthetic> {
    let genes = &schema.gene_ids;
    ensure!(s.x.rows() == n, "generator returned {} rows, expected {n}", s.x.rows());
    ensure!(s.labels.len() == n, "generator returned {} labels for {n} rows", s.labels.len());
    ensure!(s.x.cols() == genes.len(), "generator returned {} genes, expected {}", s.x.cols(), genes.len());
    ensure!(n >= 2, "generator returned {n} rows; metrics need at least 2");
    let out_of_bound = |v: &f64| !v.is_finite() || v.abs() > MAX_ABS_VALUE;
    if let Some(at) = s.x.as_slice().iter().position(out_of_bound) {
        let (i, j) = (at / genes.len(), at % genes.len());
        let v = s.x.get(i, j);
        let (what, shown) =
            if v.is_finite() { ("too large a value", format!("{v:e}")) } else { ("non-finite value", fmt_f64(v)) };
        bail!(
            "generator returned {what} {} at row {} gene '{}' (every value must be finite with |value| <= 1e100, \
             data-formats.md §0)",
            shown,
            i + 1,
            genes[j]
        );
    }
    if let Some(l) = s.labels.iter().find(|l| schema.classes.binary_search(l).is_err()) {
        bail!("generator returned label '{l}', not one of the dataset's classes {:?}", schema.classes);
    }
    Ok(s.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::matrix::Matrix;

    fn schema() -> Schema {
        Schema {
            gene_ids: vec!["G0".into(), "G1".into()],
            classes: vec!["A".into(), "B".into()],
            public_range: (0.0, 20.0),
        }
    }

    fn set(values: [f64; 4]) -> Synthetic {
        Synthetic { x: Matrix::from_row_major(2, 2, values.to_vec()).unwrap(), labels: vec!["A".into(), "B".into()] }
    }

    #[test]
    fn values_beyond_the_input_bound_fail_with_their_place() {
        assert!(check_synthetic(&set([1.0, -1e100, 1e100, 0.0]), &schema(), 2).is_ok());
        let e = |v: f64| check_synthetic(&set([1.0, 2.0, 3.0, v]), &schema(), 2).unwrap_err().to_string();
        assert_eq!(
            e(-1e300),
            "generator returned too large a value -1e300 at row 2 gene 'G1' (every value must be finite with \
             |value| <= 1e100, data-formats.md §0)"
        );
        assert!(
            e(f64::INFINITY).starts_with("generator returned non-finite value inf at row 2 gene 'G1'"),
            "{}",
            e(f64::INFINITY)
        );
        assert!(
            e(f64::NAN).starts_with("generator returned non-finite value NaN at row 2 gene 'G1'"),
            "{}",
            e(f64::NAN)
        );
    }

    #[test]
    fn shape_and_labels_are_checked() {
        let mut wrong_label = set([0.0; 4]);
        wrong_label.labels[1] = "C".into();
        let e = check_synthetic(&wrong_label, &schema(), 2).unwrap_err().to_string();
        assert!(e.contains("label 'C'"), "{e}");
        assert!(check_synthetic(&set([0.0; 4]), &schema(), 3).unwrap_err().to_string().contains("2 rows, expected 3"));
    }
}
