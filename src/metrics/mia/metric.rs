//! The `Metric` adapter of profile `mia` (metrics.md §4): builds the attacker's view of a cell,
//! runs the attacks and writes the columns. The name of the worst-case attack of each metric
//! (`mia_worst_<metric>_attack`) is text, which result columns cannot hold yet: it is written
//! as a diagnostic `mia_worst_<metric>_attack = <attack>`.

use super::scaling::attack_space;
use super::{run_attacks, summary, AttackData, MiaParams};
use crate::error::Result;
use crate::metrics::{EvalInput, Metric, MetricOutput, Score};

/// The `mia` metric family.
pub struct Mia(pub MiaParams);

impl Metric for Mia {
    fn name(&self) -> &'static str {
        "mia"
    }

    fn columns(&self, _classes: &[String]) -> Vec<String> {
        summary::columns()
    }

    fn score(&self, input: &EvalInput<'_>) -> Result<MetricOutput> {
        let candidates = input.train.x.vstack(&input.test.x)?;
        let labels: Vec<String> = input.train.labels.iter().chain(&input.test.labels).cloned().collect();
        let (candidates, synthetic) = attack_space(&candidates, &input.synthetic.x, self.0.scaling);
        let data =
            AttackData::new(candidates, labels, input.train.x.rows(), synthetic, input.synthetic.labels.clone());
        let (attacks, mut diagnostics) = run_attacks(&data, &self.0);
        let (cells, worst) = summary::summarise(&attacks, &data.is_member());
        let scores = cells
            .into_iter()
            .map(|(column, value, reason)| match reason {
                Some(r) => Score::nan(column, r),
                None => Score::new(column, value),
            })
            .collect();
        for w in worst {
            diagnostics.push((format!("mia_worst_{}_attack", w.metric), w.attack.unwrap_or("").to_string()));
        }
        diagnostics.push(("scaling".into(), self.0.scaling.as_str().into()));
        Ok(MetricOutput { scores, diagnostics, pca: None })
    }
}
