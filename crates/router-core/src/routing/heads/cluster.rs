//! `cluster` (Avengers-Pro): the training prompts' embeddings clustered once
//! (spherical k-means), and per cluster the mean gain (targets.rs) and each
//! model's mean quality, shrunk towards the overall means where a cluster has
//! few prompts. A prompt takes its nearest cluster's figures: the score is the
//! gain, the outputs each model's quality, which the predictive strategy turns
//! into utility with each backend's cost. The number of clusters is tuned by
//! inner cross-validation inside the training data (each training dataset
//! held out in turn: clusters are fitted on the embeddings alone, the figures
//! without the held-out dataset).

use super::kmeans::{kmeans, nearest_centroid};
use super::knn::correlation;
use super::neighbours::normalised;
use super::{Context, RouterHead};
use crate::routing::meta::RouterMeta;
use crate::routing::rng::Rng;
use crate::routing::targets::ScoreMatrix;
use crate::routing::tensors::{Named, Tensors};
use crate::routing::train::TrainSet;

const KS: &[usize] = &[8, 16, 32, 64, 128];
/// Prompts' worth of the overall mean in every cluster figure.
const SHRINK: f32 = 10.0;
const ITERATIONS: usize = 25;

#[derive(Debug, Clone)]
pub struct Cluster {
    /// `clusters x dim`, normalised.
    pub centroids: Vec<f32>,
    /// Per cluster: the mean target of its prompts, the gain or (`--target difficulty`) the difficulty.
    pub gain: Vec<f32>,
    /// `clusters x models`.
    pub quality: Vec<f32>,
}

/// Per-cluster gain and model quality from the examples `use_row` accepts.
fn figures(
    m: &ScoreMatrix,
    assign: &[usize],
    k: usize,
    use_row: impl Fn(usize) -> bool,
) -> (Vec<f32>, Vec<f32>) {
    let models = m.models.len();
    let known: Vec<f32> = (0..assign.len())
        .filter(|&i| use_row(i) && !m.target[i].is_nan())
        .map(|i| m.target[i])
        .collect();
    let overall = known.iter().sum::<f32>() / known.len().max(1) as f32;
    let (mut gs, mut gn) = (vec![0.0f32; k], vec![0.0f32; k]);
    let (mut qs, mut qn) = (vec![0.0f32; k * models], vec![0.0f32; k * models]);
    for (i, &c) in assign.iter().enumerate().filter(|(i, _)| use_row(*i)) {
        if !m.target[i].is_nan() {
            gs[c] += m.target[i];
            gn[c] += 1.0;
        }
        for &(mi, y) in &m.cells[i] {
            qs[c * models + mi as usize] += y;
            qn[c * models + mi as usize] += 1.0;
        }
    }
    let gain = (0..k)
        .map(|c| (gs[c] + SHRINK * overall) / (gn[c] + SHRINK))
        .collect();
    let quality = (0..k * models)
        .map(|j| (qs[j] + SHRINK * m.model_mean[j % models]) / (qn[j] + SHRINK))
        .collect();
    (gain, quality)
}

/// Mean per-dataset correlation of held-out cluster gains with the true gains.
fn inner_score(m: &ScoreMatrix, assign: &[usize], k: usize) -> f32 {
    let mut total = 0.0;
    for d in 0..m.datasets.len() as u32 {
        let (gain, _) = figures(m, assign, k, |i| m.dataset[i] != d);
        let (p, g): (Vec<f32>, Vec<f32>) = (0..assign.len())
            .filter(|&i| m.dataset[i] == d && !m.target[i].is_nan())
            .map(|i| (gain[assign[i]], m.target[i]))
            .unzip();
        if !p.is_empty() {
            total += correlation(&p, &g);
        }
    }
    total / m.datasets.len().max(1) as f32
}

impl Cluster {
    pub fn train(set: &mut TrainSet, rng: &mut Rng, meta: &mut RouterMeta) -> Self {
        let m = ScoreMatrix::build(set.examples, set.indices, set.target);
        let dim = set.dim;
        let mut raw = vec![0.0f32; set.indices.len() * dim];
        for (k, &i) in set.indices.iter().enumerate() {
            set.encode(i, &mut raw[k * dim..(k + 1) * dim]);
        }
        let points = normalised(&raw, dim);
        let mut best: Option<(f32, Vec<f32>, Vec<usize>)> = None;
        for &k in KS.iter().filter(|&&k| k * 4 <= set.indices.len().max(4)) {
            let (centroids, assign) = kmeans(&points, dim, k, ITERATIONS, rng);
            // One dataset: nothing to hold out inside, the largest fitting k stands.
            let score = if m.datasets.len() > 1 {
                inner_score(&m, &assign, k)
            } else {
                k as f32
            };
            if best.as_ref().is_none_or(|b| score > b.0) {
                best = Some((score, centroids, assign));
            }
        }
        let (_, centroids, assign) =
            best.unwrap_or_else(|| (0.0, points[..dim].to_vec(), vec![0; set.indices.len()]));
        let k = centroids.len() / dim;
        let (gain, quality) = figures(&m, &assign, k, |_| true);
        meta.models = m.models;
        meta.k = k;
        Cluster {
            centroids,
            gain,
            quality,
        }
    }

    pub fn load(meta: &RouterMeta, t: &Tensors) -> Result<Self, String> {
        Ok(Cluster {
            centroids: t.take_len("cluster.centroids", meta.k * meta.dim)?,
            gain: t.take_len("cluster.gain", meta.k)?,
            quality: t.take_len("cluster.quality", meta.k * meta.models.len())?,
        })
    }

    fn cluster_of(&self, x: &[f32]) -> usize {
        nearest_centroid(&self.centroids, x.len(), x)
    }
}

impl RouterHead for Cluster {
    fn score(&self, x: &[f32], _ctx: &Context) -> f32 {
        self.gain[self.cluster_of(x)]
    }

    fn outputs(&self, x: &[f32], _ctx: &Context) -> Vec<f32> {
        let models = self.quality.len() / self.gain.len().max(1);
        let c = self.cluster_of(x);
        self.quality[c * models..(c + 1) * models].to_vec()
    }

    fn tensors(&self) -> Named<'_> {
        vec![
            ("cluster.centroids", &self.centroids),
            ("cluster.gain", &self.gain),
            ("cluster.quality", &self.quality),
        ]
    }

    /// The score is model-agnostic: any pair (the outputs hold each model's quality).
    fn repoint(&mut self, _strong: &str, _weak: &str, _meta: &RouterMeta) -> Result<(), String> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::routing::heads::toy;
    use crate::routing::meta::RouterKind;

    #[test]
    fn learns_the_toy_split_and_round_trips() {
        let r = toy::learns_and_round_trips(RouterKind::Cluster);
        assert!(r.meta.k >= 8);
        let q = r.outputs("hello what is the weather like");
        assert_eq!(q.len(), 2);
        assert!(q[1] > 0.7, "{q:?}");
    }
}
