//! Timing of the Gaussian baselines (generators.md §7) on BRCA- and COMBINED-shaped data:
//! fit + sample of `n_train` rows, medians of 5 runs.
//!
//! `cargo run --release --example baselines_perf -- [multivariate|dp-gaussian]`
//!
//! The data are synthetic with the challenge shapes (871 × 978 in 5 classes, 3458 × 978 in 12
//! classes) and a 20-factor correlation structure; the cost depends only on the shapes.

use bench::data::dataset::TrainFold;
use bench::data::dataset::{Labelled, Schema};
use bench::data::matrix::Matrix;
use bench::generators::build;
use bench::privacy::accountant::Budget;
use bench::rng::Rng;
use std::time::Instant;

const GENES: usize = 978;
const FACTORS: usize = 20;

fn shaped_data(counts: &[usize]) -> (Labelled, Schema) {
    let mut rng = Rng::from_seed(7);
    let loadings: Vec<f64> = (0..FACTORS * GENES).map(|_| rng.normal() * 0.3).collect();
    let mut data = Vec::with_capacity(counts.iter().sum::<usize>() * GENES);
    let mut labels = Vec::new();
    for (c, &m) in counts.iter().enumerate() {
        for _ in 0..m {
            let f: Vec<f64> = (0..FACTORS).map(|_| rng.normal()).collect();
            for j in 0..GENES {
                let shared: f64 = f.iter().enumerate().map(|(t, ft)| ft * loadings[t * GENES + j]).sum();
                data.push(8.0 + 0.1 * c as f64 * (j % 7) as f64 + 0.5 * rng.normal() + shared);
            }
            labels.push(format!("class{c:02}"));
        }
    }
    let classes = (0..counts.len()).map(|c| format!("class{c:02}")).collect();
    let x = Matrix::from_row_major(labels.len(), GENES, data).expect("rows x genes");
    let schema = Schema { gene_ids: (0..GENES).map(|j| format!("g{j}")).collect(), classes, public_range: (0.0, 20.0) };
    (Labelled { x, labels }, schema)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let kind = std::env::args().nth(1).unwrap_or_else(|| "multivariate".into());
    let brca = [400, 190, 160, 80, 41];
    let combined = [600, 450, 400, 350, 300, 280, 260, 240, 200, 180, 110, 88];
    for (name, counts) in [("BRCA", &brca[..]), ("COMBINED", &combined[..])] {
        let (data, schema) = shaped_data(counts);
        let train = TrainFold::from_parts(&data, &schema);
        let g = build(&kind, &toml::Table::new()).expect("known kind");
        let budget = if g.is_dp() { Budget::dp(1.0, 1e-5).expect("valid") } else { Budget::NonPrivate };
        let (mut fit, mut sample, mut total) = (vec![], vec![], vec![]);
        for rep in 0..5 {
            let t = Instant::now();
            let model = g.fit(&train, &budget, &mut Rng::from_seed(rep)).expect("fit");
            let fitted = t.elapsed().as_secs_f64();
            let s = model.sample(train.n_rows(), &mut Rng::from_seed(100 + rep)).expect("sample");
            let done = t.elapsed().as_secs_f64();
            assert_eq!(s.x.rows(), train.n_rows());
            fit.push(fitted);
            sample.push(done - fitted);
            total.push(done);
        }
        println!(
            "{kind} {name} ({} x {GENES}, {} classes, {} rayon threads): fit {:.3} s, sample {:.3} s, fit+sample {:.3} s (medians of 5)",
            train.n_rows(),
            counts.len(),
            rayon::current_num_threads(),
            median(fit),
            median(sample),
            median(total)
        );
    }
}
