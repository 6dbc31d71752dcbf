//! Metric profiles (metrics.md §0.2): the registry that maps a profile name to its ordered
//! metric families, the scoring of one cell by a profile ([`Profile::score`]), and the lookup
//! from a result column to its declared [`ColumnSpec`] ([`column_spec`]) used by the report and
//! the regression gate.
//!
//! # Adding a metric family
//!
//! One file under `src/metrics/` holding the family and the specs of its columns, and one line
//! in [`profile`]: `Box::new(row_ratio::RowRatio),` in the list of each profile that computes it.
//! Every column name is written once, in its spec; the family makes its values through the spec,
//! and a value for a column the family does not declare is an error:
//!
//! ```
//! use bench::data::{dataset::Labelled, matrix::Matrix};
//! use bench::error::Result;
//! use bench::metrics::{
//!     ColumnSpec, Direction, EvalInput, Exactness, Metric, MetricOutput, Profile, RealCache, Value,
//! };
//!
//! // src/metrics/row_ratio.rs
//! const ROW_RATIO: ColumnSpec = ColumnSpec::new(
//!     "row_ratio",
//!     Direction::Reference,
//!     Exactness::Deterministic,
//!     "synthetic rows per real train row",
//! );
//!
//! struct RowRatio;
//!
//! impl Metric for RowRatio {
//!     fn name(&self) -> &'static str {
//!         "row_ratio"
//!     }
//!     fn columns(&self) -> Vec<ColumnSpec> {
//!         vec![ROW_RATIO]
//!     }
//!     fn score(&self, input: &EvalInput<'_>) -> Result<MetricOutput> {
//!         let ratio = input.synthetic.x.rows() as f64 / input.train.x.rows() as f64;
//!         Ok(MetricOutput { scores: vec![ROW_RATIO.value(ratio)], ..Default::default() })
//!     }
//! }
//!
//! // The registry line puts the family in a profile's list; here a profile of its own.
//! let profile = Profile { name: "example", version: "example.v1", metrics: vec![Box::new(RowRatio)] };
//!
//! let rows = |n: usize| Labelled {
//!     x: Matrix::from_rows(&(0..n).map(|i| vec![i as f64, 1.0]).collect::<Vec<_>>()).unwrap(),
//!     labels: vec!["a".to_string(); n],
//! };
//! let (train, test, synthetic) = (rows(4), rows(2), rows(2));
//! let (genes, real) = (vec!["g1".to_string(), "g2".to_string()], RealCache::default());
//! let input = EvalInput { gene_ids: &genes, train: &train, test: &test, synthetic: &synthetic, real: &real };
//! let scored = profile.score(&input, &["a".to_string()]).unwrap();
//! assert_eq!(scored.values, vec![("row_ratio".to_string(), Value::Number(0.5))]);
//!
//! // A family that returns a value for a column it did not declare (here a typo) fails the
//! // cell with an error naming the family and the column; it is never written as a new column.
//! struct Typo;
//!
//! impl Metric for Typo {
//!     fn name(&self) -> &'static str {
//!         "typo"
//!     }
//!     fn columns(&self) -> Vec<ColumnSpec> {
//!         vec![ROW_RATIO]
//!     }
//!     fn score(&self, _: &EvalInput<'_>) -> Result<MetricOutput> {
//!         let undeclared = ROW_RATIO.named("row_rato");
//!         Ok(MetricOutput { scores: vec![undeclared.value(0.5)], ..Default::default() })
//!     }
//! }
//!
//! let sloppy = Profile { name: "example", version: "example.v1", metrics: vec![Box::new(Typo)] };
//! let error = sloppy.score(&input, &["a".to_string()]).unwrap_err();
//! assert_eq!(
//!     error.to_string(),
//!     "metric family 'typo' returned a value for column 'row_rato', which it does not declare \
//!      (declared: row_ratio)"
//! );
//!
//! // Until the registry line is added, the report and the gate reject the column by name.
//! assert!(bench::metrics::resolve_column("row_ratio").is_err());
//! ```

use super::spec::{ColumnSpec, Value, ValueKind};
use super::{bio, dcr, discriminative, kl, mia, mmd, pca, prdc, utility};
use super::{EvalInput, Metric, MetricOutput, PcaProjection, Revision, SideTable};
use crate::error::Result;
use crate::{bail, ensure};
use rayon::prelude::*;
use std::collections::HashSet;
use std::sync::OnceLock;

/// A named, versioned, ordered set of metric families.
pub struct Profile {
    pub name: &'static str,
    pub version: &'static str,
    pub metrics: Vec<Box<dyn Metric>>,
}

/// Every profile a grid may select.
pub const PROFILES: &[&str] = &["camda2025", "camda2026", "mia", "bio"];

/// The registered profiles that the convenience name `camda2026-full` stands for (issue 13:
/// camda2026 + mia + bio), in column order.
const CAMDA2026_FULL: &[&str] = &["camda2026", "mia", "bio"];

/// Convenience names for several profiles, accepted where a list of profiles is (a grid's
/// `metrics`, `bench score --profile`).
pub const BUNDLES: &[(&str, &[&str])] = &[("camda2026-full", CAMDA2026_FULL)];

/// The registered profiles `name` stands for, in order: the members of a bundle, or `name`
/// itself. Each is checked with [`profile`], so an unknown name or a declaration error fails here.
pub fn profile_members(name: &str) -> Result<Vec<&'static str>> {
    let members: Vec<&'static str> = match BUNDLES.iter().find(|(bundle, _)| *bundle == name) {
        Some((_, members)) => members.to_vec(),
        None => PROFILES.iter().copied().filter(|p| *p == name).collect(),
    };
    if members.is_empty() {
        profile(name)?;
    }
    for member in &members {
        profile(member)?;
    }
    Ok(members)
}

/// The registry: profile name → its metric families in column order. The profile's column
/// declarations are checked here ([`Profile::validate`]), so a declaration error stops a run
/// at start-up.
pub fn profile(name: &str) -> Result<Profile> {
    let profile = match name {
        "camda2025" => Profile {
            name: "camda2025",
            version: "camda2025.v1",
            metrics: vec![
                Box::new(utility::Utility::new(Revision::Camda2025)),
                Box::new(mmd::Mmd(Revision::Camda2025)),
                Box::new(discriminative::Discriminative::new(Revision::Camda2025)),
                Box::new(dcr::DistanceToClosest(Revision::Camda2025)),
                Box::new(pca::PcaPlot(Revision::Camda2025)),
            ],
        },
        "camda2026" => Profile {
            name: "camda2026",
            version: "camda2026.v1",
            metrics: vec![
                Box::new(utility::Utility::new(Revision::Camda2026)),
                Box::new(mmd::Mmd(Revision::Camda2026)),
                Box::new(discriminative::Discriminative::new(Revision::Camda2026)),
                Box::new(dcr::DistanceToClosest(Revision::Camda2026)),
                Box::new(kl::KlDivergence),
                Box::new(prdc::Prdc),
                Box::new(pca::PcaPlot(Revision::Camda2026)),
            ],
        },
        "mia" => Profile {
            name: "mia",
            version: "mia.v1",
            metrics: vec![Box::new(mia::metric::Mia(mia::MiaParams::default()))],
        },
        "bio" => Profile {
            name: "bio",
            version: "bio.v1",
            metrics: vec![
                Box::new(bio::DePreservation { de_p: bio::de::DE_P }),
                Box::new(bio::CoexprPreservation {
                    cutoffs: bio::coexpr::CUTOFFS.to_vec(),
                    mode: bio::coexpr::CoexprMode::Abs,
                }),
            ],
        },
        bundle if BUNDLES.iter().any(|(b, _)| *b == bundle) => {
            bail!("'{bundle}' stands for several metric profiles; one profile is expected here")
        }
        other => bail!("unknown metric profile '{other}' (expected one of: {})", known_names().join(", ")),
    };
    profile.validate()?;
    Ok(profile)
}

/// Every name [`profile_members`] accepts: the registered profiles, then the bundles with their
/// members (`camda2026-full = camda2026 + mia + bio`).
fn known_names() -> Vec<String> {
    let bundles = BUNDLES.iter().map(|(name, members)| format!("{name} = {}", members.join(" + ")));
    PROFILES.iter().map(|p| p.to_string()).chain(bundles).collect()
}

/// The declared spec of a result column, over every registered profile: the spec with that
/// exact name, else the per-class template it instantiates (`submmd_BRCA.LumA` →
/// `submmd_<class>`). `None` for a column no registered family declares.
pub fn column_spec(column: &str) -> Option<&'static ColumnSpec> {
    let specs = registered_specs();
    specs.iter().find(|s| !s.is_per_class() && s.name == column).or_else(|| specs.iter().find(|s| s.matches(column)))
}

/// [`column_spec`], with an error for a column no registered family declares.
pub fn resolve_column(column: &str) -> Result<&'static ColumnSpec> {
    match column_spec(column) {
        Some(spec) => Ok(spec),
        None => bail!(
            "column '{column}' is not declared by any metric family of profiles {} (written by another \
             version of bench?)",
            PROFILES.join(", ")
        ),
    }
}

/// Every registered profile's specs (templates unexpanded), first declaration of each name.
fn registered_specs() -> &'static [ColumnSpec] {
    static SPECS: OnceLock<Vec<ColumnSpec>> = OnceLock::new();
    SPECS.get_or_init(|| {
        let mut specs: Vec<ColumnSpec> = Vec::new();
        for name in PROFILES {
            let profile = profile(name).expect("registered profiles are valid (unit-tested)");
            for spec in profile.metrics.iter().flat_map(|m| m.columns()) {
                if !specs.iter().any(|s| s.name == spec.name) {
                    specs.push(spec);
                }
            }
        }
        specs
    })
}

/// A profile's values for one cell.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScoredProfile {
    /// (column, value): every declared column, in the order the families returned them, then the
    /// columns a family did not return (NaN or empty text, reason `not_computed`).
    pub values: Vec<(String, Value)>,
    /// `column=reason` for every value with a reason, in the same order.
    pub nan_reasons: Vec<String>,
    pub pca: Vec<PcaProjection>,
    /// The families' diagnostics, keys prefixed `<profile>.`.
    pub diagnostics: Vec<(String, String)>,
    /// The families' side table (`bio`: `de_pairs`): at most one per profile, written by the
    /// runner as `<profile>/<cell>.csv` (`bench run`) or `<profile>_split_<k>.csv` (`bench score`).
    pub tables: Vec<SideTable>,
}

impl Profile {
    /// All columns of the profile in output order, per-class templates expanded over `classes`.
    pub fn columns(&self, classes: &[String]) -> Vec<String> {
        self.specs(classes).into_iter().map(|s| s.name.into_owned()).collect()
    }

    /// The concrete specs of the profile's columns in output order.
    pub fn specs(&self, classes: &[String]) -> Vec<ColumnSpec> {
        self.metrics.iter().flat_map(|m| expand(m.columns(), classes)).collect()
    }

    /// Check the declarations: no column declared twice (templates included), every real
    /// counterpart a real-only column of the profile, text columns with reference direction.
    pub fn validate(&self) -> Result<()> {
        let specs: Vec<(&str, ColumnSpec)> =
            self.metrics.iter().flat_map(|m| m.columns().into_iter().map(move |s| (m.name(), s))).collect();
        for (i, (family, spec)) in specs.iter().enumerate() {
            let name = spec.name.as_ref();
            let clash = |s: &ColumnSpec| s.name == spec.name || s.matches(name) || spec.matches(&s.name);
            if let Some((other, _)) = specs[..i].iter().find(|(_, s)| clash(s)) {
                bail!("profile {}: column '{name}' of family '{family}' is also declared by '{other}'", self.name);
            }
            if let Some(counterpart) = spec.real_counterpart {
                ensure!(
                    specs.iter().any(|(_, s)| s.name == counterpart && s.real_only),
                    "profile {}: column '{name}' names real counterpart '{counterpart}', which is not a \
                     real-only column of the profile",
                    self.name
                );
            }
            ensure!(
                spec.kind == ValueKind::Number || spec.direction == super::Direction::Reference,
                "profile {}: text column '{name}' must have direction Reference",
                self.name
            );
        }
        Ok(())
    }

    /// Score one cell: every family on `input` (`classes` = the dataset's sorted classes, for
    /// per-class columns). A column a family declares but did not return becomes NaN (text:
    /// empty) with reason `not_computed` (never silently dropped, metrics.md §0.3); a value for a
    /// column the family does not declare, of the wrong kind, or returned twice is an error, and
    /// so is more than one side table per profile.
    ///
    /// The families are independent, so they run as parallel tasks; their outputs are collected
    /// in profile order, so the result does not depend on which finished first.
    pub fn score(&self, input: &EvalInput<'_>, classes: &[String]) -> Result<ScoredProfile> {
        let outputs: Vec<Result<MetricOutput>> = self
            .metrics
            .par_iter()
            .map(|metric| metric.score(input).map_err(|e| e.context(format!("metric {}", metric.name()))))
            .collect();
        let mut scored = ScoredProfile::default();
        for (metric, out) in self.metrics.iter().zip(outputs) {
            let out = out?;
            check_declared(metric.as_ref(), &out, classes)?;
            for s in out.scores {
                if let Some(r) = &s.reason {
                    scored.nan_reasons.push(format!("{}={r}", s.column));
                }
                scored.values.push((s.column, Value::Number(s.value)));
            }
            scored.values.extend(out.labels.into_iter().map(|l| (l.column, Value::Text(l.text))));
            scored.pca.extend(out.pca);
            scored.tables.extend(out.tables);
            scored.diagnostics.extend(out.diagnostics.into_iter().map(|(k, v)| (format!("{}.{k}", self.name), v)));
        }
        if let [first, second, ..] = &scored.tables[..] {
            bail!(
                "profile {}: side tables '{}' and '{}'; a profile writes at most one (<profile>/<cell>.csv)",
                self.name,
                first.name,
                second.name
            );
        }
        for spec in self.specs(classes) {
            if !scored.values.iter().any(|(c, _)| *c == spec.name) {
                let missing = match spec.kind {
                    ValueKind::Number => Value::Number(f64::NAN),
                    ValueKind::Text => Value::Text(String::new()),
                };
                scored.nan_reasons.push(format!("{}=not_computed", spec.name));
                scored.values.push((spec.name.into_owned(), missing));
            }
        }
        Ok(scored)
    }
}

/// Per-class templates replaced by one concrete spec per class, in class order.
fn expand(specs: Vec<ColumnSpec>, classes: &[String]) -> Vec<ColumnSpec> {
    specs
        .into_iter()
        .flat_map(|s| if s.is_per_class() { classes.iter().map(|c| s.for_class(c)).collect() } else { vec![s] })
        .collect()
}

/// Every value of `out` belongs to a column `metric` declares, of the declared kind, once.
fn check_declared(metric: &dyn Metric, out: &MetricOutput, classes: &[String]) -> Result<()> {
    let declared = expand(metric.columns(), classes);
    let returned = out.scores.iter().map(|s| (&s.column, ValueKind::Number));
    let mut seen = HashSet::new();
    for (column, kind) in returned.chain(out.labels.iter().map(|l| (&l.column, ValueKind::Text))) {
        let Some(spec) = declared.iter().find(|s| s.name == column.as_str()) else {
            let names: Vec<&str> = declared.iter().map(|s| s.name.as_ref()).collect();
            bail!(
                "metric family '{}' returned a value for column '{column}', which it does not declare (declared: {})",
                metric.name(),
                names.join(", ")
            );
        };
        ensure!(
            spec.kind == kind,
            "metric family '{}' returned a {kind:?} value for column '{column}', declared {:?}",
            metric.name(),
            spec.kind
        );
        ensure!(seen.insert(column), "metric family '{}' returned column '{column}' twice", metric.name());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::dataset::Labelled;
    use crate::data::matrix::Matrix;
    use crate::metrics::{Direction, Exactness, RealCache};

    /// `n` rows of 6 genes in 3 classes, with class-dependent means and a deterministic spread.
    fn rows(n: usize, offset: u64) -> Labelled {
        let mut state = offset.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let mut next = move || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let labels: Vec<String> = (0..n).map(|i| ["a", "b", "c"][i % 3].to_string()).collect();
        let x = labels.iter().map(|l| (0..6).map(|g| next() + if l == "a" && g < 2 { 1.5 } else { 0.0 }).collect());
        Labelled { x: Matrix::from_rows(&x.collect::<Vec<Vec<f64>>>()).unwrap(), labels }
    }

    /// Every registered family returns exactly its declared columns on a small fold: no value for
    /// an undeclared column (that is an error) and none left `not_computed`.
    #[test]
    fn every_registered_family_returns_exactly_its_declared_columns() {
        let (train, test, synthetic) = (rows(36, 1), rows(12, 2), rows(36, 3));
        let genes: Vec<String> = (0..6).map(|g| format!("g{g}")).collect();
        let classes = vec!["a".to_string(), "b".to_string(), "c".to_string()];
        for name in PROFILES {
            let p = profile(name).unwrap();
            let real = RealCache::default();
            let input = EvalInput { gene_ids: &genes, train: &train, test: &test, synthetic: &synthetic, real: &real };
            let scored = p.score(&input, &classes).unwrap();
            let columns: Vec<&str> = scored.values.iter().map(|(c, _)| c.as_str()).collect();
            assert_eq!(columns, p.columns(&classes), "{name}");
            assert!(
                !scored.nan_reasons.iter().any(|r| r.ends_with("=not_computed")),
                "{name}: {:?}",
                scored.nan_reasons
            );
        }
    }

    /// The expansion of the convenience name `camda2026-full` (issue 13 item 3).
    #[test]
    fn camda2026_full_expands_to_its_registered_members() {
        assert_eq!(profile_members("camda2026-full").unwrap(), ["camda2026", "mia", "bio"]);
        assert_eq!(profile_members("bio").unwrap(), ["bio"]);
        for (bundle, members) in BUNDLES {
            assert!(!PROFILES.contains(bundle), "{bundle} is both a profile and a bundle");
            assert!(members.iter().all(|m| PROFILES.contains(m)), "{bundle}: {members:?}");
        }
        let err = profile_members("camda2026-ful").unwrap_err().to_string();
        assert_eq!(
            err,
            "unknown metric profile 'camda2026-ful' (expected one of: camda2025, camda2026, mia, bio, \
             camda2026-full = camda2026 + mia + bio)"
        );
    }

    #[test]
    fn registered_declarations_agree_across_profiles() {
        for name in PROFILES {
            let p = profile(name).unwrap();
            for spec in p.metrics.iter().flat_map(|m| m.columns()) {
                assert_eq!(column_spec(&spec.name), Some(&spec), "{name}: {} differs between profiles", spec.name);
            }
        }
    }

    #[test]
    fn lookup_resolves_names_and_per_class_templates() {
        let spec = column_spec("submmd_BRCA.LumA").unwrap();
        assert_eq!((spec.name.as_ref(), spec.direction), ("submmd_<class>", Direction::Lower));
        let acc = column_spec("accuracy_synthetic").unwrap();
        assert_eq!(
            (acc.direction, acc.exactness, acc.real_counterpart),
            (Direction::Higher, Exactness::Iterative, Some("accuracy_real"))
        );
        assert!(column_spec("accuracy_real").unwrap().real_only);
        assert_eq!(column_spec("distance_to_closest").unwrap().exactness, Exactness::Rounded4);
        assert!(column_spec("x").is_none());
        let err = resolve_column("accuracy_synth").unwrap_err().to_string();
        assert!(err.starts_with("column 'accuracy_synth' is not declared by any metric family"), "{err}");
    }

    #[test]
    fn validation_rejects_duplicate_and_dangling_declarations() {
        struct Declares(Vec<ColumnSpec>);
        impl Metric for Declares {
            fn name(&self) -> &'static str {
                "declares"
            }
            fn columns(&self) -> Vec<ColumnSpec> {
                self.0.clone()
            }
            fn score(&self, _: &EvalInput<'_>) -> Result<MetricOutput> {
                Ok(MetricOutput::default())
            }
        }
        let spec = |name| ColumnSpec::new(name, Direction::Lower, Exactness::Deterministic, "test");
        let profile_of = |specs: Vec<ColumnSpec>| Profile {
            name: "t",
            version: "t.v1",
            metrics: vec![Box::new(Declares(specs.clone())), Box::new(Declares(vec![]))],
        };
        assert!(profile_of(vec![spec("m_<class>"), spec("m_x")]).validate().is_err());
        assert!(profile_of(vec![spec("m").with_real_counterpart("m_real")]).validate().is_err());
        let real = ColumnSpec::real_reference("m_real", Exactness::Deterministic, "test");
        assert!(profile_of(vec![spec("m").with_real_counterpart("m_real"), real]).validate().is_ok());
    }

    #[test]
    fn text_values_are_carried_and_checked_against_their_kind() {
        const WORST: ColumnSpec = ColumnSpec::text_column("worst_attack", "the strongest attack");
        const AUC: ColumnSpec = ColumnSpec::new("worst_auc", Direction::Lower, Exactness::Deterministic, "its AUC");
        struct Attack(bool);
        impl Metric for Attack {
            fn name(&self) -> &'static str {
                "attack"
            }
            fn columns(&self) -> Vec<ColumnSpec> {
                vec![AUC, WORST]
            }
            fn score(&self, _: &EvalInput<'_>) -> Result<MetricOutput> {
                let labels = if self.0 { vec![WORST.label("gan_leaks")] } else { vec![AUC.label("gan_leaks")] };
                Ok(MetricOutput { scores: vec![AUC.value(0.75)], labels, ..Default::default() })
            }
        }
        let data = rows(6, 1);
        let (genes, real) = (vec!["g".to_string(); 6], RealCache::default());
        let input = EvalInput { gene_ids: &genes, train: &data, test: &data, synthetic: &data, real: &real };
        let p = |ok| Profile { name: "t", version: "t.v1", metrics: vec![Box::new(Attack(ok))] };
        let scored = p(true).score(&input, &[]).unwrap();
        assert_eq!(
            scored.values,
            vec![("worst_auc".into(), Value::Number(0.75)), ("worst_attack".into(), Value::Text("gan_leaks".into()))]
        );
        let err = p(false).score(&input, &[]).unwrap_err().to_string();
        assert_eq!(err, "metric family 'attack' returned a Text value for column 'worst_auc', declared Number");
    }
}
