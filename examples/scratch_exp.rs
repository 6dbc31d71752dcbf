use bench::data::matrix::Matrix;
use bench::numeric::distance::{Coverage, Pairwise};
use bench::rng::Rng;
use std::time::Instant;
fn main() {
    let mut rng = Rng::from_seed(1);
    let (n, p) = (3458, 978);
    let a = Matrix::from_row_major(n, p, (0..n * p).map(|_| 8.0 + rng.normal()).collect()).unwrap();
    let b = Matrix::from_row_major(n, p, (0..n * p).map(|_| 8.0 + rng.normal()).collect()).unwrap();
    let pw = Pairwise::new(&a, &b);
    for _ in 0..3 {
        let t = Instant::now();
        let s: f64 = pw.map_panels(Coverage::Full, |pn| pn.rows.clone().map(|i| pn.row(i).iter().sum::<f64>()).sum::<f64>()).iter().sum();
        let t1 = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let e: f64 = pw.map_panels(Coverage::Full, |pn| pn.rows.clone().map(|i| pn.row(i).iter().map(|d| (-d / 978.0).exp()).sum::<f64>()).sum::<f64>()).iter().sum();
        let t2 = t.elapsed().as_secs_f64();
        println!("gemm-only {t1:.3}s  with exp {t2:.3}s  {s} {e}");
    }
}
