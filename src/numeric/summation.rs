//! Floating-point summation in numpy's order, so that sums entering stopping rules and rounded
//! metrics behave like the reference implementation (metrics.md §0.1: pairwise summation).

/// numpy's unrolling width and block size for pairwise summation.
const UNROLL: usize = 8;
const BLOCK: usize = 128;
/// numpy reduces contiguous arrays in buffers of this many elements and adds the buffer sums
/// sequentially.
const BUFFER: usize = 8192;

/// `np.sum(a)` for a contiguous 1-d `f64` array, bit for bit: the array is cut into buffers of
/// 8192 values whose pairwise sums are added left to right.
pub fn numpy_sum(a: &[f64]) -> f64 {
    let mut chunks = a.chunks(BUFFER);
    let first = chunks.next().map_or(0.0, pairwise_sum);
    chunks.fold(first, |acc, c| acc + pairwise_sum(c))
}

/// numpy's `pairwise_sum`: plain loop below 8 values, eight interleaved accumulators up to 128
/// values, otherwise split at a multiple of 8 near the middle and recurse. Error O(ε log n).
pub fn pairwise_sum(a: &[f64]) -> f64 {
    let n = a.len();
    if n < UNROLL {
        a.iter().fold(0.0, |acc, &v| acc + v)
    } else if n <= BLOCK {
        let mut r = [0.0; UNROLL];
        r.copy_from_slice(&a[..UNROLL]);
        let full = n - n % UNROLL;
        for chunk in a[UNROLL..full].chunks_exact(UNROLL) {
            for (acc, &v) in r.iter_mut().zip(chunk) {
                *acc += v;
            }
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for &v in &a[full..] {
            res += v;
        }
        res
    } else {
        let half = n / 2;
        let split = half - half % UNROLL;
        pairwise_sum(&a[..split]) + pairwise_sum(&a[split..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_sums_are_left_to_right() {
        assert_eq!(pairwise_sum(&[]), 0.0);
        assert_eq!(pairwise_sum(&[1.0, 2.0, 3.0]), 6.0);
        // 1e16 + 1 + 1 left to right loses both ones.
        assert_eq!(pairwise_sum(&[1e16, 1.0, 1.0]), 1e16);
    }

    #[test]
    fn eight_accumulators_keep_small_terms() {
        // With 8 accumulators, r[1] = 1 + 1 = 2 survives next to 1e16 only when combined first:
        // ((1e16 + 2) + (0 + 0)) + ... = 1e16 + 2 exactly.
        let mut a = vec![0.0; 16];
        a[0] = 1e16;
        a[1] = 1.0;
        a[9] = 1.0;
        assert_eq!(pairwise_sum(&a), 1e16 + 2.0);
        let sequential = a.iter().fold(0.0, |acc, v| acc + v);
        assert_eq!(sequential, 1e16);
    }

    #[test]
    fn large_sums_are_exact_on_integers() {
        let a: Vec<f64> = (1..=20_000).map(f64::from).collect();
        assert_eq!(numpy_sum(&a), 20_000.0 * 20_001.0 / 2.0);
    }
}
