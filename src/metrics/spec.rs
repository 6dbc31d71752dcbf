//! What a result column means, declared once by the metric family that writes it: its name,
//! which way is better (metrics.md §2.1, §3.2–3.3, §4.4, §5), how exactly it reproduces (used by
//! the regression gate, `bench check`), whether it depends on the real data only, its real-data
//! counterpart and its column of the paper's Table 1 (used by the report).
//!
//! A family returns its values through its specs ([`ColumnSpec::value`], [`ColumnSpec::nan`],
//! [`ColumnSpec::label`] for text columns), so every column name is written once. [`Profile::score`] rejects a
//! value for a column its family did not declare, and [`column_spec`] resolves a `cells.csv`
//! column to its spec for the report and the gate.
//!
//! [`Profile::score`]: super::profile::Profile::score
//! [`column_spec`]: super::profile::column_spec

use std::borrow::Cow;

/// Which way is better for the generator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Higher is better (utility, privacy distance, PRDC).
    Higher,
    /// Lower is better (MMD, KL, discriminative score, membership-inference success).
    Lower,
    /// A real-only reference, a ratio with target 1, a count or a label: any change is notable,
    /// neither way is better.
    Reference,
}

/// How a column's value is produced, hence how exactly a rerun reproduces it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exactness {
    /// A closed-form computation: reproducible up to floating-point rounding.
    Deterministic,
    /// Deterministic but rounded to 4 dp: may move by one rounding unit.
    Rounded4,
    /// Depends on an iterative solver's stopping point (logistic regression).
    Iterative,
}

/// What a cell of the column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    /// A number (`NaN` when it cannot be computed, with a reason).
    Number,
    /// A label, e.g. the name of the strongest attack (`mia_worst_aucroc_attack`, metrics.md
    /// §4.4), returned in [`MetricOutput::labels`](super::MetricOutput::labels); compared for
    /// equality only and never aggregated.
    Text,
}

/// The placeholder that makes a spec a per-class template (`submmd_<class>`): the profile writes
/// one column per dataset class.
pub const CLASS_PLACEHOLDER: &str = "<class>";

/// One declared result column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnSpec {
    /// Column name in `cells.csv`, or a per-class template containing [`CLASS_PLACEHOLDER`].
    pub name: Cow<'static, str>,
    pub direction: Direction,
    pub exactness: Exactness,
    pub kind: ValueKind,
    /// True when the value depends on the real folds only, so it is the same for every generator
    /// of a fold (`accuracy_real`, `MMD_base`): the report puts it on the "real data" row.
    pub real_only: bool,
    /// The real-only column that measures the same quantity on real data
    /// (`accuracy_synthetic` → `accuracy_real`), drawn as a reference line in the report.
    pub real_counterpart: Option<&'static str>,
    /// Key of the paper's Table 1 column this column fills (`acc`, `mmd`, …), if any.
    pub paper: Option<&'static str>,
    /// One line for people: what the column measures.
    pub description: &'static str,
}

impl ColumnSpec {
    /// A numeric, generator-dependent column with no counterpart and no paper column.
    pub const fn new(
        name: &'static str,
        direction: Direction,
        exactness: Exactness,
        description: &'static str,
    ) -> ColumnSpec {
        ColumnSpec {
            name: Cow::Borrowed(name),
            direction,
            exactness,
            kind: ValueKind::Number,
            real_only: false,
            real_counterpart: None,
            paper: None,
            description,
        }
    }

    /// A real-only reference column (direction [`Direction::Reference`]).
    pub const fn real_reference(name: &'static str, exactness: Exactness, description: &'static str) -> ColumnSpec {
        let mut spec = ColumnSpec::new(name, Direction::Reference, exactness, description);
        spec.real_only = true;
        spec
    }

    /// A text column (a label such as an attack name); direction [`Direction::Reference`].
    pub const fn text_column(name: &'static str, description: &'static str) -> ColumnSpec {
        let mut spec = ColumnSpec::new(name, Direction::Reference, Exactness::Deterministic, description);
        spec.kind = ValueKind::Text;
        spec
    }

    /// The same spec with its real-data counterpart.
    pub const fn with_real_counterpart(mut self, column: &'static str) -> ColumnSpec {
        self.real_counterpart = Some(column);
        self
    }

    /// The same spec filling a column of the paper's Table 1.
    pub const fn in_paper_column(mut self, key: &'static str) -> ColumnSpec {
        self.paper = Some(key);
        self
    }

    /// The same spec under another name, for names built from parameters
    /// (`mia_<attack>_aucroc` for each configured attack).
    pub fn named(&self, name: impl Into<Cow<'static, str>>) -> ColumnSpec {
        ColumnSpec { name: name.into(), ..self.clone() }
    }

    /// Whether this is a per-class template.
    pub fn is_per_class(&self) -> bool {
        self.name.contains(CLASS_PLACEHOLDER)
    }

    /// The concrete column of a per-class template for `class` (`submmd_<class>` →
    /// `submmd_BRCA.LumA`).
    pub fn for_class(&self, class: &str) -> ColumnSpec {
        debug_assert!(self.is_per_class(), "{} is not a per-class template", self.name);
        self.named(self.name.replace(CLASS_PLACEHOLDER, class))
    }

    /// Whether `column` is this spec's column: equal to its name, or an instance of its
    /// per-class template (non-empty class).
    pub fn matches(&self, column: &str) -> bool {
        match self.name.split_once(CLASS_PLACEHOLDER) {
            None => self.name == column,
            Some((prefix, suffix)) => {
                column.len() > prefix.len() + suffix.len() && column.starts_with(prefix) && column.ends_with(suffix)
            }
        }
    }

    /// A numeric value of this column.
    pub fn value(&self, value: f64) -> Score {
        Score { column: self.concrete_name(), value, reason: None }
    }

    /// A NaN of this column with the reason it cannot be computed (metrics.md §0.3).
    pub fn nan(&self, reason: impl Into<String>) -> Score {
        Score { column: self.concrete_name(), value: f64::NAN, reason: Some(reason.into()) }
    }

    /// The value of this text column (an attack name, …).
    pub fn label(&self, text: impl Into<String>) -> Label {
        Label { column: self.concrete_name(), text: text.into() }
    }

    fn concrete_name(&self) -> String {
        debug_assert!(!self.is_per_class(), "a value of template {} needs for_class first", self.name);
        self.name.to_string()
    }
}

/// One numeric result column's value, made by its [`ColumnSpec`] (`SPEC.value(v)`,
/// `SPEC.nan(reason)`). `reason` explains a NaN (metrics.md §0.3).
#[derive(Clone, Debug, PartialEq)]
pub struct Score {
    pub column: String,
    pub value: f64,
    pub reason: Option<String>,
}

/// One text result column's value, made by its [`ColumnSpec`] (`SPEC.label(text)`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub column: String,
    pub text: String,
}

/// One cell of a result column, as a scored profile holds it.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Number(f64),
    Text(String),
}

impl Value {
    /// The number, or `None` for a text value.
    pub fn number(&self) -> Option<f64> {
        match self {
            Value::Number(v) => Some(*v),
            Value::Text(_) => None,
        }
    }

    /// The value's kind.
    pub fn kind(&self) -> ValueKind {
        match self {
            Value::Number(_) => ValueKind::Number,
            Value::Text(_) => ValueKind::Text,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUBMMD: ColumnSpec =
        ColumnSpec::new("submmd_<class>", Direction::Lower, Exactness::Deterministic, "per-class MMD");

    #[test]
    fn templates_match_their_instances_only() {
        assert!(SUBMMD.is_per_class());
        assert!(SUBMMD.matches("submmd_BRCA.LumA"));
        assert!(!SUBMMD.matches("submmd_"));
        assert!(!SUBMMD.matches("MMD_score"));
        let concrete = SUBMMD.for_class("BRCA.LumA");
        assert_eq!(concrete.name, "submmd_BRCA.LumA");
        assert!(concrete.matches("submmd_BRCA.LumA") && !concrete.matches("submmd_BRCA.LumB"));
        assert_eq!(concrete.direction, Direction::Lower);
    }

    #[test]
    fn values_carry_the_declared_name_and_kind() {
        let spec = ColumnSpec::new("x", Direction::Higher, Exactness::Deterministic, "x");
        assert_eq!(spec.value(0.5), Score { column: "x".into(), value: 0.5, reason: None });
        let nan = spec.nan("too_few_rows");
        assert!(nan.value.is_nan() && nan.reason.as_deref() == Some("too_few_rows"));
        let label = ColumnSpec::text_column("worst_attack", "attack name").label("gan_leaks");
        assert_eq!(label, Label { column: "worst_attack".into(), text: "gan_leaks".into() });
    }
}
