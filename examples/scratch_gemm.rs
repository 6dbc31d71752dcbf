use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par};
use std::time::Instant;
fn main() {
    let (m, n, p) = (3458usize, 3458usize, 978usize);
    let a = Mat::<f64>::from_fn(m, p, |i, j| ((i * 7 + j * 3) % 11) as f64);
    let b = Mat::<f64>::from_fn(n, p, |i, j| ((i * 5 + j * 3) % 13) as f64);
    for par in [Par::Seq, Par::rayon(2)] {
        let mut c = Mat::<f64>::zeros(m, n);
        let t = Instant::now();
        matmul(c.as_mut(), Accum::Replace, a.as_ref(), b.as_ref().transpose(), 1.0, par);
        println!("{par:?} full gemm {:.3}s", t.elapsed().as_secs_f64());
    }
    for h in [32usize, 64, 128, 256] {
        let mut c = Mat::<f64>::zeros(h, n);
        let t = Instant::now();
        let mut i0 = 0;
        while i0 < m {
            let hh = h.min(m - i0);
            matmul(c.as_mut().subrows_mut(0, hh), Accum::Replace, a.as_ref().subrows(i0, hh), b.as_ref().transpose(), 1.0, Par::Seq);
            i0 += h;
        }
        println!("panel {h} colmajor out seq {:.3}s", t.elapsed().as_secs_f64());
    }
    let v: Vec<f64> = (0..m * n).map(|i| (i % 1000) as f64 * 1e-3).collect();
    let t = Instant::now();
    let s: f64 = v.iter().map(|d| (-d).exp()).sum();
    println!("exp 12M {:.3}s {s}", t.elapsed().as_secs_f64());
}
