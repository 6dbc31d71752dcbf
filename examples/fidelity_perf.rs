//! Times the fidelity kernels on BRCA- and COMBINED-shaped random data (release build):
//! `cargo run --release --example fidelity_perf [runs]`. Prints the median of the runs.

use bench::data::matrix::Matrix;
use bench::numeric::distance::{nearest_sq_distances, rbf_kernel_sum, rbf_kernel_sum_offdiag};
use bench::rng::Rng;
use std::time::Instant;

/// VST-like values: a per-gene mean in [4, 14] plus unit-variance noise.
fn random(rows: usize, cols: usize, seed: u64) -> Matrix {
    let mut rng = Rng::from_seed(seed);
    let means: Vec<f64> = (0..cols).map(|_| 4.0 + 10.0 * rng.uniform()).collect();
    let data = (0..rows * cols).map(|i| means[i % cols] + rng.normal()).collect();
    Matrix::from_row_major(rows, cols, data).unwrap()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn time(runs: usize, mut f: impl FnMut()) -> f64 {
    median((0..runs).map(|_| {
        let t = Instant::now();
        f();
        t.elapsed().as_secs_f64()
    }).collect())
}

fn main() {
    let runs: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(5);
    for (name, ntr, nte) in [("BRCA", 871, 218), ("COMBINED", 3458, 865)] {
        let p = 978;
        let (xtr, xte, xs) = (random(ntr, p, 1), random(nte, p, 2), random(ntr, p, 3));
        let g = 1.0 / p as f64;
        let t_xx = time(runs, || { std::hint::black_box(rbf_kernel_sum_offdiag(&xtr, g)); });
        let t_xy = time(runs, || { std::hint::black_box(rbf_kernel_sum(&xtr, &xs, g)); });
        let t_dcr = time(runs, || { std::hint::black_box(nearest_sq_distances(&xs, &xtr)); });
        let t_base = time(runs, || { std::hint::black_box(nearest_sq_distances(&xte, &xtr)); });
        println!("{name}: K_XX offdiag {t_xx:.3}s  K_XY {t_xy:.3}s  DCR {t_dcr:.3}s  DCR base {t_base:.3}s");
    }
}
