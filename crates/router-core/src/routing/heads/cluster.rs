//! `cluster` (Avengers-Pro): the training prompts' embeddings clustered once
//! per resolution (spherical k-means at every k of `KS` the data can fill),
//! and per cluster the mean target (targets.rs) and each model's mean quality,
//! shrunk towards the overall means where a cluster has few prompts. A prompt
//! is spread over each resolution's clusters by a softmax of its similarity to
//! them, and the resolutions are averaged: the score is the target, the
//! outputs each model's quality, which the predictive strategy turns into
//! utility with each backend's cost.
//!
//! Why soft and several resolutions rather than the nearest cluster at one
//! tuned k (this head before 2026-12-02): on prompts of a dataset it never
//! saw, the nearest cluster is often only a little nearer than the next, and
//! the k that inner cross-validation picks moves from split to split. Both
//! cost generalization; measured leave one dataset out in docs/routing.md.
//! Why the datasets are weighted by 1/sqrt(size) in the figures: one large
//! file (mmlu-train holds 45% of the data) otherwise sets every cluster's
//! figure, and the data it would teach is the least like unseen traffic.
//! Why each resolution is clustered `RESTARTS` times from different starts:
//! one k-means run's clusters decide which held-out prompts share a figure,
//! and with one run per resolution the held-out llmrouter APGR moved from
//! 0.47 to 0.61 between training seeds; averaging three runs held it within
//! 0.03, and ten runs (since 2026-12-07) halve the spread again
//! (docs/routing.md, "The default router").
//! For exam questions offering options and for maths prompts the score also
//! moves with prompt length (length_slope.rs, since 2026-12-07), as the
//! clusters alone rank those no better than a coin.

use super::kmeans::{kmeans, nearest_centroid};
use super::length_slope::{FeaturePositions, LengthSlope};
use super::neighbours::normalised;
use super::{dot, Context, RouterHead};
use crate::routing::meta::RouterMeta;
use crate::routing::rng::Rng;
use crate::routing::targets::ScoreMatrix;
use crate::routing::tensors::{Named, Tensors};
use crate::routing::train::TrainSet;

const KS: &[usize] = &[8, 16, 32, 64, 128];
/// Prompts' worth of the overall mean in every cluster figure.
const SHRINK: f32 = 10.0;
const ITERATIONS: usize = 25;
/// k-means runs per resolution, each from its own k-means++ start, averaged like the resolutions.
const RESTARTS: usize = 10;
/// Softmax temperature of a prompt's cosine similarities to a resolution's centroids.
const TEMPERATURE: f32 = 0.05;

#[derive(Debug, Clone)]
pub struct Cluster {
    /// `clusters x dim`, normalised, every resolution's clusters one after another.
    pub centroids: Vec<f32>,
    /// Per cluster: the mean target of its prompts, the gain or (`--target difficulty`) the difficulty.
    pub gain: Vec<f32>,
    /// `clusters x models`.
    pub quality: Vec<f32>,
    /// Clusters of each resolution, in `centroids` order.
    levels: Vec<usize>,
    /// 0: the nearest cluster of each resolution alone (routers saved before soft assignment).
    temperature: f32,
    /// Added to the score (not to the per-model qualities) of exam and maths prompts; None in
    /// routers without the explicit features or saved before the slope.
    length_slope: Option<(LengthSlope, FeaturePositions)>,
}

/// Each example's weight in the figures: 1/sqrt(its dataset's size), scaled to a mean of 1 so
/// `SHRINK` keeps counting prompts.
fn dataset_weights(m: &ScoreMatrix) -> Vec<f32> {
    let mut size = vec![0.0f32; m.datasets.len().max(1)];
    m.dataset.iter().for_each(|&d| size[d as usize] += 1.0);
    let raw: Vec<f32> = m
        .dataset
        .iter()
        .map(|&d| 1.0 / size[d as usize].sqrt())
        .collect();
    let mean = raw.iter().sum::<f32>() / raw.len().max(1) as f32;
    raw.iter()
        .map(|w| w / mean.max(f32::MIN_POSITIVE))
        .collect()
}

/// Per-cluster target and model quality, weighted means over the examples.
fn figures(m: &ScoreMatrix, assign: &[usize], weight: &[f32], k: usize) -> (Vec<f32>, Vec<f32>) {
    let models = m.models.len();
    let (mut known, mut known_w) = (0.0f32, 0.0f32);
    for (i, &t) in m.target.iter().enumerate().filter(|(_, t)| !t.is_nan()) {
        known += weight[i] * t;
        known_w += weight[i];
    }
    let overall = known / known_w.max(f32::MIN_POSITIVE);
    let (mut gs, mut gn) = (vec![0.0f32; k], vec![0.0f32; k]);
    let (mut qs, mut qn) = (vec![0.0f32; k * models], vec![0.0f32; k * models]);
    for (i, &c) in assign.iter().enumerate() {
        let w = weight[i];
        if !m.target[i].is_nan() {
            gs[c] += w * m.target[i];
            gn[c] += w;
        }
        for &(mi, y) in &m.cells[i] {
            qs[c * models + mi as usize] += w * y;
            qn[c * models + mi as usize] += w;
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

impl Cluster {
    pub fn train(set: &mut TrainSet, rng: &mut Rng, meta: &mut RouterMeta) -> Self {
        let m = ScoreMatrix::build(set.examples, set.indices, set.target);
        let dim = set.dim;
        let mut raw = vec![0.0f32; set.indices.len() * dim];
        for (k, &i) in set.indices.iter().enumerate() {
            set.encode(i, &mut raw[k * dim..(k + 1) * dim]);
        }
        let points = normalised(&raw, dim);
        let weight = dataset_weights(&m);
        let n = set.indices.len();
        // Resolutions with at least four prompts a cluster; the smallest one always, so a
        // tiny training set still gets a router.
        let mut ks: Vec<usize> = KS.iter().copied().filter(|&k| k * 4 <= n).collect();
        if ks.is_empty() {
            ks.push(KS[0].min(n.max(1)));
        }
        let mut head = Cluster {
            centroids: vec![],
            gain: vec![],
            quality: vec![],
            levels: vec![],
            temperature: TEMPERATURE,
            length_slope: None,
        };
        for k in ks.into_iter().flat_map(|k| [k; RESTARTS]) {
            let (centroids, assign) = kmeans(&points, dim, k, ITERATIONS, rng);
            let k = centroids.len() / dim;
            let (gain, quality) = figures(&m, &assign, &weight, k);
            head.centroids.extend(centroids);
            head.gain.extend(gain);
            head.quality.extend(quality);
            head.levels.push(k);
        }
        if let Some(at) = FeaturePositions::of(&meta.features) {
            meta.length_slope = LengthSlope::fit(&m, &at, &raw, dim);
            head.length_slope = meta.length_slope.map(|s| (s, at));
        }
        meta.models = m.models;
        meta.k = head.gain.len();
        meta.levels = head.levels.clone();
        meta.gamma = head.temperature;
        head
    }

    pub fn load(meta: &RouterMeta, t: &Tensors) -> Result<Self, String> {
        // Routers saved before resolutions: one level of `k` clusters, the nearest one alone.
        let levels = if meta.levels.is_empty() {
            vec![meta.k]
        } else {
            meta.levels.clone()
        };
        if levels.iter().sum::<usize>() != meta.k {
            return Err(format!(
                "cluster levels {levels:?} do not add up to its {} clusters",
                meta.k
            ));
        }
        Ok(Cluster {
            centroids: t.take_len("cluster.centroids", meta.k * meta.dim)?,
            gain: t.take_len("cluster.gain", meta.k)?,
            quality: t.take_len("cluster.quality", meta.k * meta.models.len())?,
            temperature: if meta.levels.is_empty() {
                0.0
            } else {
                meta.gamma
            },
            levels,
            length_slope: match (meta.length_slope, FeaturePositions::of(&meta.features)) {
                (Some(slope), Some(at)) => Some((slope, at)),
                (Some(_), None) => {
                    return Err(
                        "a cluster length slope needs the length, options and math features".into(),
                    )
                }
                (None, _) => None,
            },
        })
    }

    /// Each cluster's share of the prompt `x`: per resolution a softmax of the cosine
    /// similarities (or all on the nearest cluster at temperature 0), divided by the number
    /// of resolutions so the shares sum to 1.
    fn shares(&self, x: &[f32]) -> Vec<f32> {
        let dim = x.len();
        let norm = dot(x, x).sqrt().max(1e-12);
        let mut out = vec![0.0f32; self.gain.len()];
        let per_level = 1.0 / self.levels.len() as f32;
        let mut start = 0;
        for &k in &self.levels {
            let centroids = &self.centroids[start * dim..(start + k) * dim];
            let share = &mut out[start..start + k];
            if self.temperature > 0.0 {
                for (s, c) in share.iter_mut().zip(centroids.chunks_exact(dim)) {
                    *s = dot(c, x) / norm / self.temperature;
                }
                super::softmax_in_place(share);
                share.iter_mut().for_each(|s| *s *= per_level);
            } else {
                share[nearest_centroid(centroids, dim, x)] = per_level;
            }
            start += k;
        }
        out
    }
}

impl RouterHead for Cluster {
    fn score(&self, x: &[f32], _ctx: &Context) -> f32 {
        let shift = self.length_slope.map_or(0.0, |(s, at)| s.shift(x, &at));
        dot(&self.shares(x), &self.gain) + shift
    }

    fn outputs(&self, x: &[f32], _ctx: &Context) -> Vec<f32> {
        let models = self.quality.len() / self.gain.len().max(1);
        let mut out = vec![0.0f32; models];
        for (s, row) in self
            .shares(x)
            .iter()
            .zip(self.quality.chunks_exact(models.max(1)))
        {
            if *s > 0.0 {
                out.iter_mut().zip(row).for_each(|(o, q)| *o += s * q);
            }
        }
        out
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
    use super::*;
    use crate::routing::heads::{toy, Head};
    use crate::routing::meta::RouterKind;

    #[test]
    fn learns_the_toy_split_round_trips_and_restarts_differ() {
        let r = toy::learns_and_round_trips(RouterKind::Cluster);
        // 300 toy prompts fill the resolutions of 8 to 64 clusters, each clustered
        // `RESTARTS` times.
        let levels: Vec<usize> = [8, 16, 32, 64]
            .into_iter()
            .flat_map(|k| [k; RESTARTS])
            .collect();
        assert_eq!(r.meta.levels, levels);
        assert_eq!(r.meta.k, 120 * RESTARTS);
        assert_eq!(r.meta.gamma, TEMPERATURE);
        let q = r.outputs("hello what is the weather like");
        assert_eq!(q.len(), 2);
        assert!(q[1] > 0.7, "{q:?}");
        // The first resolution's runs side by side: identical runs would make the
        // averaging a no-op, so at least two must differ.
        let Head::Cluster(head) = &r.head else {
            panic!("not a cluster head")
        };
        let size = levels[0] * head.centroids.len() / head.gain.len();
        let run = |i: usize| &head.centroids[i * size..(i + 1) * size];
        assert!((1..RESTARTS).any(|i| run(i) != run(0)));
    }

    /// Two resolutions over 2-d points: one of two clusters (x and y axes), one of one.
    fn two_levels(temperature: f32) -> Cluster {
        Cluster {
            centroids: vec![1.0, 0.0, 0.0, 1.0, 0.6, 0.8],
            gain: vec![0.9, 0.1, 0.5],
            quality: vec![0.9, 0.1, 0.2, 0.8, 0.5, 0.5],
            levels: vec![2, 1],
            temperature,
            length_slope: None,
        }
    }

    #[test]
    fn shares_sum_to_one_and_follow_similarity() {
        let soft = two_levels(TEMPERATURE);
        let s = soft.shares(&[3.0, 0.2]);
        assert!((s.iter().sum::<f32>() - 1.0).abs() < 1e-6, "{s:?}");
        assert!(s[0] > s[1], "{s:?}");
        assert!((s[2] - 0.5).abs() < 1e-6, "{s:?}");
        // Midway between the two axes, the shares of the first level are even.
        let mid = soft.shares(&[1.0, 1.0]);
        assert!((mid[0] - mid[1]).abs() < 1e-6, "{mid:?}");
        let ctx_meta = RouterMeta::new(RouterKind::Cluster, "hashed", 2, "s", "w");
        let ctx = Context {
            text: "",
            meta: &ctx_meta,
        };
        assert!((soft.score(&[1.0, 1.0], &ctx) - 0.5).abs() < 1e-6);
        let q = soft.outputs(&[1.0, 1.0], &ctx);
        assert!(
            (q[0] - 0.525).abs() < 1e-5 && (q[1] - 0.475).abs() < 1e-5,
            "{q:?}"
        );
    }

    #[test]
    fn temperature_zero_is_the_nearest_cluster_alone() {
        let hard = two_levels(0.0);
        assert_eq!(hard.shares(&[0.3, 0.9]), vec![0.0, 0.5, 0.5]);
    }

    #[test]
    fn a_router_saved_before_resolutions_loads_as_one_hard_level() {
        let mut meta = RouterMeta::new(RouterKind::Cluster, "hashed", 2, "s", "w");
        meta.k = 2;
        meta.models = vec!["s".into(), "w".into()];
        meta.gamma = 0.0;
        let h = two_levels(0.0);
        let (centroids, gain, quality) = (
            h.centroids[..4].to_vec(),
            h.gain[..2].to_vec(),
            h.quality[..4].to_vec(),
        );
        let (bytes, shapes) = crate::routing::tensors::encode(&vec![
            ("cluster.centroids", &centroids),
            ("cluster.gain", &gain),
            ("cluster.quality", &quality),
        ]);
        let t = Tensors::new(&shapes, bytes).unwrap();
        let back = Cluster::load(&meta, &t).unwrap();
        assert_eq!(back.levels, vec![2]);
        assert_eq!(back.temperature, 0.0);
        assert_eq!(back.shares(&[0.9, 0.1]), vec![1.0, 0.0]);
        meta.levels = vec![1, 2];
        assert!(Cluster::load(&meta, &t)
            .unwrap_err()
            .contains("do not add up"));
    }

    /// Exam questions (offering options) whose weak answers fail more as they grow longer,
    /// and chat prompts of every length the weak model always answers, read as a vector that
    /// says nothing ([1, 0]) followed by the explicit features.
    fn exam_and_chat() -> (Vec<crate::routing::data::Example>, Vec<f32>, usize) {
        use crate::routing::prompt_features::{prompt_features, NAMES};
        let dim = 2 + NAMES.len();
        let (mut examples, mut vectors) = (vec![], vec![]);
        for i in 0..400 {
            let words = 1 + i % 40;
            let (prompt, weak) = if i % 2 == 0 {
                let prompt = format!("Which holds? {}\nA) yes\nB) no", "fact ".repeat(words * 4));
                (prompt, if (i * 7) % 40 < words { 0.0 } else { 1.0 })
            } else {
                (
                    format!("tell me about {}", "things ".repeat(words * 4)),
                    1.0,
                )
            };
            let mut ex = toy::ex(i, &prompt, 1.0, weak);
            ex.source = format!("{}/x", ["a", "b"][i % 4 / 2]);
            let mut row = vec![0.0; dim];
            row[0] = 1.0;
            prompt_features(&prompt, None, &mut row[2..]);
            examples.push(ex);
            vectors.extend(row);
        }
        (examples, vectors, dim)
    }

    #[test]
    fn longer_exam_questions_score_higher_and_chat_does_not_move() {
        use crate::routing::targets::Target;
        use crate::routing::train::{train, Inputs, TrainConfig};
        let (examples, vectors, dim) = exam_and_chat();
        let inputs = Inputs::Dense {
            encoder: crate::routing::encoder::Encoder::Remote { dim: 2 },
            vectors: vectors.clone(),
            dim,
        };
        let cfg = TrainConfig {
            router: RouterKind::Cluster,
            strong: "s".into(),
            weak: "w".into(),
            features: true,
            target: Target::Difficulty,
            ..Default::default()
        };
        let all: Vec<usize> = (0..examples.len()).collect();
        let r = train(&examples, &inputs, &all, &cfg).unwrap();
        let slope = r
            .meta
            .length_slope
            .expect("a rising slope for the exam questions");
        assert!(slope.per_length > 0.0, "{slope:?}");
        let x = |i: usize| &vectors[i * dim..(i + 1) * dim];
        let score =
            |r: &crate::routing::Router, i: usize| r.score_vector(x(i), &examples[i].prompt);
        // 0 and 38: the shortest and the longest exam question; 1 and 39 the same for chat
        assert!(
            score(&r, 38) > score(&r, 0) + 0.05,
            "{} vs {}",
            score(&r, 38),
            score(&r, 0)
        );
        assert!((score(&r, 39) - score(&r, 1)).abs() < 0.01);
        let dir = std::env::temp_dir().join(format!("cluster-slope-{}", std::process::id()));
        r.save(&dir).unwrap();
        let back = crate::routing::Router::load(&dir);
        std::fs::remove_dir_all(&dir).ok();
        let back = back.unwrap();
        assert_eq!(back.meta.length_slope, Some(slope));
        assert!((score(&back, 38) - score(&r, 38)).abs() < 0.01);
    }

    #[test]
    fn a_length_slope_without_the_features_does_not_load() {
        let mut meta = RouterMeta::new(RouterKind::Cluster, "hashed", 2, "s", "w");
        meta.k = 3;
        meta.levels = vec![2, 1];
        meta.gamma = TEMPERATURE;
        meta.models = vec!["s".into(), "w".into()];
        let h = two_levels(TEMPERATURE);
        let (bytes, shapes) = crate::routing::tensors::encode(&h.tensors());
        let t = Tensors::new(&shapes, bytes).unwrap();
        assert!(Cluster::load(&meta, &t).unwrap().length_slope.is_none());
        meta.length_slope = Some(LengthSlope {
            per_length: 1.0,
            centre: 0.5,
            options_above: 0.0,
            math_at_least: 0.5,
        });
        assert!(Cluster::load(&meta, &t)
            .unwrap_err()
            .contains("needs the length"));
    }

    #[test]
    fn small_datasets_weigh_more_per_prompt() {
        let m = ScoreMatrix {
            models: vec![],
            cells: vec![vec![]; 5],
            target: vec![0.0; 5],
            dataset: vec![0, 0, 0, 0, 1],
            datasets: vec!["big".into(), "small".into()],
            model_mean: vec![],
        };
        let w = dataset_weights(&m);
        assert!((w.iter().sum::<f32>() - 5.0).abs() < 1e-5, "{w:?}");
        assert!((w[4] / w[0] - 2.0).abs() < 1e-5, "{w:?}");
    }
}
