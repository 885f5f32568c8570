//! k-means on normalised vectors (spherical: cosine assignment), seeded
//! k-means++ starts and Lloyd iterations; reproducible from the seed like the
//! rest of training (rng.rs), which is why it is written here and not taken
//! from a crate whose random stream could change.

use super::dot;
use super::neighbours::normalised;
use crate::routing::rng::Rng;

/// The index of the centroid most similar to `x`.
pub fn nearest_centroid(centroids: &[f32], dim: usize, x: &[f32]) -> usize {
    let mut best = (0, f32::NEG_INFINITY);
    for (c, row) in centroids.chunks_exact(dim).enumerate() {
        let s = dot(row, x);
        if s > best.1 {
            best = (c, s);
        }
    }
    best.0
}

/// `k` normalised centroids of the normalised `points` (`n x dim`), and each point's cluster.
pub fn kmeans(
    points: &[f32],
    dim: usize,
    k: usize,
    iterations: usize,
    rng: &mut Rng,
) -> (Vec<f32>, Vec<usize>) {
    let n = points.len() / dim;
    let k = k.clamp(1, n.max(1));
    let row = |i: usize| &points[i * dim..(i + 1) * dim];
    // k-means++: each next start drawn with probability growing with its distance to the chosen.
    let mut centroids = row((rng.next_u64() % n as u64) as usize).to_vec();
    let mut far = vec![f32::INFINITY; n];
    while centroids.len() < k * dim {
        let last = &centroids[centroids.len() - dim..];
        for (i, f) in far.iter_mut().enumerate() {
            *f = f.min((1.0 - dot(row(i), last)).max(0.0));
        }
        let total: f32 = far.iter().sum();
        let mut pick = rng.next_f32() * total;
        let mut chosen = n - 1;
        for (i, f) in far.iter().enumerate() {
            if pick < *f {
                chosen = i;
                break;
            }
            pick -= f;
        }
        centroids.extend_from_slice(row(chosen));
    }
    let mut assign = vec![0usize; n];
    for _ in 0..iterations {
        let mut changed = false;
        for (i, a) in assign.iter_mut().enumerate() {
            let c = nearest_centroid(&centroids, dim, row(i));
            changed |= c != *a;
            *a = c;
        }
        let mut sums = vec![0.0f32; k * dim];
        for (i, &a) in assign.iter().enumerate() {
            for (s, v) in sums[a * dim..(a + 1) * dim].iter_mut().zip(row(i)) {
                *s += v;
            }
        }
        // An emptied cluster keeps its centroid.
        for c in 0..k {
            if sums[c * dim..(c + 1) * dim].iter().any(|v| *v != 0.0) {
                centroids[c * dim..(c + 1) * dim].copy_from_slice(&sums[c * dim..(c + 1) * dim]);
            }
        }
        centroids = normalised(&centroids, dim);
        if !changed {
            break;
        }
    }
    (centroids, assign)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separates_two_directions_reproducibly() {
        let pts: Vec<f32> = (0..40)
            .flat_map(|i| {
                if i % 2 == 0 {
                    [1.0, 0.05 * (i % 5) as f32]
                } else {
                    [0.05 * (i % 3) as f32, 1.0]
                }
            })
            .collect();
        let pts = normalised(&pts, 2);
        let (c, a) = kmeans(&pts, 2, 2, 20, &mut Rng::new(1));
        assert!(a.iter().enumerate().all(|(i, &x)| x == a[i % 2]));
        assert_ne!(a[0], a[1]);
        assert_eq!(nearest_centroid(&c, 2, &[1.0, 0.0]), a[0]);
        assert_eq!(kmeans(&pts, 2, 2, 20, &mut Rng::new(1)).1, a);
    }
}
