//! Nearest training prompts by cosine similarity, shared by the knn head and
//! its tuning: brute force over normalised vectors (tens of thousands of
//! points of a few hundred dimensions take about a millisecond).

use super::dot;

/// Normalised copies of `dim`-wide rows.
pub fn normalised(rows: &[f32], dim: usize) -> Vec<f32> {
    let mut out = rows.to_vec();
    for r in out.chunks_exact_mut(dim) {
        let n = dot(r, r).sqrt();
        if n > 0.0 {
            r.iter_mut().for_each(|v| *v /= n);
        }
    }
    out
}

/// The `k` most similar points to `x` (any norm) among `points` (normalised), most similar
/// first, skipping the points `skip` rejects.
pub fn nearest(
    points: &[f32],
    dim: usize,
    x: &[f32],
    k: usize,
    skip: impl Fn(usize) -> bool,
) -> Vec<(f32, u32)> {
    let norm = dot(x, x).sqrt().max(1e-12);
    let mut sims: Vec<(f32, u32)> = points
        .chunks_exact(dim)
        .enumerate()
        .filter(|(i, _)| !skip(*i))
        .map(|(i, p)| (dot(p, x) / norm, i as u32))
        .collect();
    let k = k.min(sims.len());
    if k == 0 {
        return vec![];
    }
    sims.select_nth_unstable_by(k - 1, |a, b| b.0.total_cmp(&a.0));
    sims.truncate(k);
    sims.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    sims
}

/// Softmax weights of similarities at a temperature (the most similar weighs most).
pub fn weights(neighbours: &[(f32, u32)], temperature: f32) -> Vec<f32> {
    let top = neighbours.first().map_or(0.0, |n| n.0);
    let w: Vec<f32> = neighbours
        .iter()
        .map(|n| ((n.0 - top) / temperature.max(1e-4)).exp())
        .collect();
    let sum: f32 = w.iter().sum();
    w.into_iter().map(|v| v / sum.max(1e-12)).collect()
}

/// The weighted mean of `value` over the neighbours that have one (NaN = none); `fallback`
/// when none has.
pub fn weighted_mean(
    neighbours: &[(f32, u32)],
    w: &[f32],
    value: impl Fn(usize) -> f32,
    fallback: f32,
) -> f32 {
    let (mut num, mut den) = (0.0f32, 0.0f32);
    for (n, wi) in neighbours.iter().zip(w) {
        let v = value(n.1 as usize);
        if !v.is_nan() {
            num += wi * v;
            den += wi;
        }
    }
    if den > 0.0 {
        num / den
    } else {
        fallback
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_most_similar_and_weighs_them() {
        let pts = normalised(&[1.0, 0.0, 0.0, 1.0, 1.0, 1.0, -1.0, 0.0], 2);
        let n = nearest(&pts, 2, &[2.0, 0.1], 2, |_| false);
        assert_eq!(n.iter().map(|p| p.1).collect::<Vec<_>>(), vec![0, 2]);
        assert_eq!(nearest(&pts, 2, &[2.0, 0.1], 2, |i| i == 0)[0].1, 2);
        let w = weights(&n, 0.1);
        assert!((w.iter().sum::<f32>() - 1.0).abs() < 1e-6 && w[0] > w[1]);
        let values = [1.0, f32::NAN, 0.0, 0.0];
        let m = weighted_mean(&n, &w, |i| values[i], 9.0);
        assert!(m > 0.5 && m < 1.0);
        assert_eq!(weighted_mean(&n[1..], &w[1..], |_| f32::NAN, 9.0), 9.0);
        assert!(nearest(&pts, 2, &[1.0, 0.0], 3, |_| true).is_empty());
    }
}
