//! `knn`: the nearest training prompts by embedding (with the explicit
//! features), distance-weighted (softmax of cosine similarity at a
//! temperature). The score is their mean gain — what a strong model wins over
//! a mid-range one there (targets.rs), so it needs no particular pair in the
//! data; the outputs are each model's predicted quality (its mean score over
//! the neighbours that score it, its overall mean where none does).
//! `k` and the temperature are tuned by inner cross-validation inside the
//! training data only: each training dataset held out in turn (each source,
//! when there is one dataset), the pair of settings whose predicted gains
//! correlate best with the true ones, averaged over the held-out groups.

use super::neighbours::{nearest, normalised, weighted_mean, weights};
use super::{Context, RouterHead};
use crate::routing::meta::RouterMeta;
use crate::routing::targets::ScoreMatrix;
use crate::routing::tensors::{Named, Tensors};
use crate::routing::train::TrainSet;

const KS: &[usize] = &[8, 16, 32, 64, 128];
const TEMPERATURES: &[f32] = &[0.01, 0.03, 0.1, 0.3];
/// Training prompts used as inner queries at most (spread evenly over the data).
const TUNING_QUERIES: usize = 2000;

#[derive(Debug, Clone)]
pub struct Knn {
    /// Normalised training inputs, `n x dim`.
    pub points: Vec<f32>,
    /// Each point's target, the gain or (`--target difficulty`) the difficulty (NaN: none).
    pub gain: Vec<f32>,
    /// Each point's score for each model, `n x models` (NaN: not scored).
    pub quality: Vec<f32>,
    pub model_mean: Vec<f32>,
    pub k: usize,
    pub temperature: f32,
    /// The mean gain, where no neighbour has one.
    pub fallback: [f32; 1],
}

/// Pearson correlation; 0 for constant input.
pub(crate) fn correlation(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len() as f32;
    let (ma, mb) = (a.iter().sum::<f32>() / n, b.iter().sum::<f32>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    if saa <= 0.0 || sbb <= 0.0 {
        0.0
    } else {
        sab / (saa * sbb).sqrt()
    }
}

/// Inner cross-validation: (k, temperature) with the best mean per-group correlation between
/// predicted and true gains, each query's neighbours taken from other groups only.
fn tune(points: &[f32], dim: usize, gain: &[f32], group: &[u32], fallback: f32) -> (usize, f32) {
    let queries: Vec<usize> = (0..gain.len())
        .filter(|&i| !gain[i].is_nan())
        .step_by((gain.len() / TUNING_QUERIES).max(1))
        .collect();
    let kmax = *KS.last().unwrap_or(&64);
    let lists: Vec<Vec<(f32, u32)>> = queries
        .iter()
        .map(|&q| {
            let x = &points[q * dim..(q + 1) * dim];
            nearest(points, dim, x, kmax, |j| group[j] == group[q])
        })
        .collect();
    let mut best = (KS[0], TEMPERATURES[0], f32::NEG_INFINITY);
    for &k in KS {
        for &t in TEMPERATURES {
            let predicted: Vec<f32> = lists
                .iter()
                .map(|l| {
                    let l = &l[..k.min(l.len())];
                    weighted_mean(l, &weights(l, t), |j| gain[j], fallback)
                })
                .collect();
            let mut by_group: std::collections::BTreeMap<u32, (Vec<f32>, Vec<f32>)> =
                Default::default();
            for (qi, &q) in queries.iter().enumerate() {
                let e = by_group.entry(group[q]).or_default();
                e.0.push(predicted[qi]);
                e.1.push(gain[q]);
            }
            let score = by_group
                .values()
                .map(|(p, g)| correlation(p, g))
                .sum::<f32>()
                / by_group.len().max(1) as f32;
            if score > best.2 {
                best = (k, t, score);
            }
        }
    }
    (best.0, best.1)
}

impl Knn {
    pub fn train(set: &mut TrainSet, meta: &mut RouterMeta) -> Self {
        let m = ScoreMatrix::build(set.examples, set.indices, set.target);
        let dim = set.dim;
        let mut raw = vec![0.0f32; set.indices.len() * dim];
        for (k, &i) in set.indices.iter().enumerate() {
            set.encode(i, &mut raw[k * dim..(k + 1) * dim]);
        }
        let points = normalised(&raw, dim);
        let known: Vec<f32> = m.target.iter().copied().filter(|g| !g.is_nan()).collect();
        let fallback = known.iter().sum::<f32>() / known.len().max(1) as f32;
        // Inner groups: datasets, or sources when the training data is one dataset.
        let group: Vec<u32> = if m.datasets.len() > 1 {
            m.dataset.clone()
        } else {
            let mut names: Vec<&str> = set
                .indices
                .iter()
                .map(|&i| set.examples[i].source.as_str())
                .collect();
            let all = names.clone();
            names.sort_unstable();
            names.dedup();
            all.iter()
                .map(|s| names.binary_search(s).unwrap_or(0) as u32)
                .collect()
        };
        let (k, temperature) = tune(&points, dim, &m.target, &group, fallback);
        let models = m.models.len();
        let mut quality = vec![f32::NAN; set.indices.len() * models];
        for (row, cells) in quality.chunks_exact_mut(models.max(1)).zip(&m.cells) {
            for &(mi, y) in cells {
                row[mi as usize] = y;
            }
        }
        meta.models = m.models;
        meta.k = k;
        meta.gamma = temperature;
        Knn {
            points,
            gain: m.target,
            quality,
            model_mean: m.model_mean,
            k,
            temperature,
            fallback: [fallback],
        }
    }

    pub fn load(meta: &RouterMeta, t: &Tensors) -> Result<Self, String> {
        let gain = t.take("knn.gain")?;
        let n = gain.len();
        Ok(Knn {
            points: t.take_len("knn.points", n * meta.dim)?,
            quality: t.take_len("knn.quality", n * meta.models.len())?,
            model_mean: t.take_len("knn.model_mean", meta.models.len())?,
            fallback: [t.take_len("knn.fallback", 1)?[0]],
            gain,
            k: meta.k,
            temperature: meta.gamma,
        })
    }

    fn neighbours(&self, x: &[f32]) -> (Vec<(f32, u32)>, Vec<f32>) {
        let n = nearest(&self.points, x.len(), x, self.k, |_| false);
        let w = weights(&n, self.temperature);
        (n, w)
    }
}

impl RouterHead for Knn {
    fn score(&self, x: &[f32], _ctx: &Context) -> f32 {
        let (n, w) = self.neighbours(x);
        weighted_mean(&n, &w, |j| self.gain[j], self.fallback[0])
    }

    fn outputs(&self, x: &[f32], _ctx: &Context) -> Vec<f32> {
        let (n, w) = self.neighbours(x);
        let models = self.model_mean.len();
        (0..models)
            .map(|m| weighted_mean(&n, &w, |j| self.quality[j * models + m], self.model_mean[m]))
            .collect()
    }

    fn tensors(&self) -> Named<'_> {
        vec![
            ("knn.points", &self.points),
            ("knn.gain", &self.gain),
            ("knn.quality", &self.quality),
            ("knn.model_mean", &self.model_mean),
            ("knn.fallback", &self.fallback),
        ]
    }

    /// The score is model-agnostic: any pair (the outputs hold each model's quality).
    fn repoint(&mut self, _strong: &str, _weak: &str, _meta: &RouterMeta) -> Result<(), String> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routing::heads::toy;
    use crate::routing::meta::RouterKind;

    #[test]
    fn learns_the_toy_split_tunes_inside_the_training_data_and_round_trips() {
        let r = toy::learns_and_round_trips(RouterKind::Knn);
        assert!(KS.contains(&r.meta.k) && TEMPERATURES.contains(&r.meta.gamma));
        // any pair: the gain does not depend on it
        let other = r.clone().with_pair("anyone", "else").unwrap();
        assert_eq!(other.score("prove it"), r.score("prove it"));
        let q = r.outputs("prove the integral bound again");
        assert_eq!(r.meta.models, vec!["s", "w"]);
        assert!(q[0] > 0.9 && q[1] < 0.2, "{q:?}");
    }

    #[test]
    fn correlation_of_constant_input_is_zero() {
        assert_eq!(correlation(&[1.0, 1.0], &[0.0, 1.0]), 0.0);
        assert!((correlation(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]) - 1.0).abs() < 1e-6);
    }
}
