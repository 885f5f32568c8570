//! `router.json`: what a router is (kind, encoder, pair, models, classes)
//! and the shapes of the tensors in `weights.bin`.

use serde::{Deserialize, Serialize};

use super::heads::length_slope::LengthSlope;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RouterKind {
    /// Matrix factorisation (RouteLLM mf): model embeddings against a projection of the prompt, Bradley-Terry.
    Mf,
    /// Similarity-weighted ranking (RouteLLM sw): training prompts weighted by similarity.
    Sw,
    /// Logistic head predicting that the strong model is needed.
    Classifier,
    /// Baseline: a uniform score from the prompt's hash.
    Random,
    /// Tryage: each model's expected quality on the prompt (a sigmoid per model over a shared projection).
    Predictive,
    /// The nearest training prompts by embedding: their mean gain, each model's mean quality.
    Knn,
    /// Embeddings clustered (k-means): the nearest cluster's gain and model qualities (Avengers-Pro).
    Cluster,
    /// Multidimensional item response theory: item difficulty and discrimination from the
    /// embedding, an ability per model; the score is the pair's expected gain.
    Irt,
    /// Baseline: the prompt's length (ln(1 + o200k tokens)); longer prompts go to the strong model.
    Length,
    /// Several strong/weak routers (e.g. one per encoder): the mean of each member's score as a
    /// percentile of its own training-prompt scores.
    Ensemble,
}

/// The kinds `switchboard train --router` takes (ensembles are built from members).
pub const TRAINABLE_KINDS: &[&str] = &[
    "mf",
    "sw",
    "classifier",
    "random",
    "predictive",
    "length",
    "knn",
    "cluster",
    "irt",
];

impl RouterKind {
    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "mf" => Ok(Self::Mf),
            "sw" => Ok(Self::Sw),
            "classifier" => Ok(Self::Classifier),
            "random" => Ok(Self::Random),
            "predictive" => Ok(Self::Predictive),
            "length" => Ok(Self::Length),
            "knn" => Ok(Self::Knn),
            "cluster" => Ok(Self::Cluster),
            "irt" => Ok(Self::Irt),
            "ensemble" => Ok(Self::Ensemble),
            other => Err(format!(
                "unknown router \"{other}\" (known: {})",
                TRAINABLE_KINDS.join(", ")
            )),
        }
    }

    /// Kinds that learn from every model's scores (any pair, missing cells skipped): they read the
    /// explicit prompt features by default and need no pair in the data.
    pub fn learns_from_all_models(self) -> bool {
        matches!(self, Self::Knn | Self::Cluster | Self::Irt)
    }

    /// Kinds whose score reads the text alone: no encoder to train, no pair in the data needed.
    pub fn reads_text_only(self) -> bool {
        matches!(self, Self::Random | Self::Length)
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Mf => "mf",
            Self::Sw => "sw",
            Self::Classifier => "classifier",
            Self::Random => "random",
            Self::Predictive => "predictive",
            Self::Length => "length",
            Self::Knn => "knn",
            Self::Cluster => "cluster",
            Self::Irt => "irt",
            Self::Ensemble => "ensemble",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RouterMeta {
    pub format: u32,
    pub router: RouterKind,
    pub encoder: String,
    pub buckets: u32,
    pub dim: usize,
    /// The pair the score is about.
    pub strong: String,
    pub weak: String,
    /// sentence: the pretrained model's folder name under the models folder.
    #[serde(default)]
    pub encoder_model: String,
    /// mf / predictive: every model it has an embedding for (any two can be the pair).
    #[serde(default)]
    pub models: Vec<String>,
    /// mf / predictive: size of the model embeddings; knn: neighbours; cluster: clusters;
    /// irt: ability dimensions.
    #[serde(default)]
    pub k: usize,
    /// sw: similarity sharpness; knn: softmax temperature of the similarities; cluster: the
    /// softmax temperature of a prompt's similarities to each resolution's centroids.
    #[serde(default)]
    pub gamma: f32,
    /// cluster: the clusters of each resolution (k-means at several k), summing to `k`; empty
    /// in routers saved before resolutions, which hold one level and take the nearest cluster.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<usize>,
    /// classifier with labels: the classes, in output order.
    #[serde(default)]
    pub classes: Vec<String>,
    /// classifier with labels: the data field the classes came from.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label_field: String,
    /// predictive: each model's mean answer length in the data, in tokens (output_chars / 4), the
    /// output-length estimate behind expected cost.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub output_tokens: Vec<f32>,
    /// Scores of the training prompts at every percentile (0..=100), so a target share of strong
    /// calls can be turned into a threshold without a calibration file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub score_percentiles: Vec<f32>,
    /// Explicit prompt features read after the encoder's vector (prompt_features.rs), by name;
    /// empty for routers that read the vector alone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
    /// cluster: the length slope added for exam and maths prompts (heads/length_slope.rs);
    /// absent in routers saved before it, or when the training data gave no rising slope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length_slope: Option<LengthSlope>,
    /// ensemble: the members' folder names under `members/`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
    /// Tensor names and lengths, in weights.bin order.
    pub tensors: Vec<(String, usize)>,
}

impl RouterMeta {
    /// A router of `kind` over `encoder` for a pair, with nothing learned yet.
    pub fn new(kind: RouterKind, encoder: &str, dim: usize, strong: &str, weak: &str) -> Self {
        RouterMeta {
            format: 1,
            router: kind,
            encoder: encoder.to_string(),
            buckets: 0,
            dim,
            strong: strong.to_string(),
            weak: weak.to_string(),
            encoder_model: String::new(),
            models: vec![],
            k: 0,
            gamma: 0.0,
            levels: vec![],
            classes: vec![],
            label_field: String::new(),
            output_tokens: vec![],
            score_percentiles: vec![],
            features: vec![],
            length_slope: None,
            members: vec![],
            tensors: vec![],
        }
    }

    /// Index of a model in `models`, by its exact name or, failing that, its canonical one.
    pub fn model_index(&self, name: &str) -> Option<usize> {
        self.models.iter().position(|m| m == name).or_else(|| {
            let want = super::data::canonical_model(name);
            self.models
                .iter()
                .position(|m| super::data::canonical_model(m) == want)
        })
    }
}

/// Where `score` falls among a router's training-score percentiles (0..=100 in `p`), in [0, 1].
pub fn percentile_rank(p: &[f32], score: f32) -> f32 {
    let (Some(&first), Some(&last)) = (p.first(), p.last()) else {
        return score;
    };
    if score <= first {
        return 0.0;
    }
    if score >= last {
        return 1.0;
    }
    let i = p.partition_point(|&v| v <= score).saturating_sub(1);
    let (lo, hi) = (p[i], p[(i + 1).min(p.len() - 1)]);
    let frac = if hi > lo {
        (score - lo) / (hi - lo)
    } else {
        0.0
    };
    (i as f32 + frac) / (p.len() - 1) as f32
}

/// The 101 percentiles (0..=100) of some scores.
pub fn percentiles(mut scores: Vec<f32>) -> Vec<f32> {
    scores.sort_by(|a, b| a.total_cmp(b));
    if scores.is_empty() {
        return vec![];
    }
    (0..=100)
        .map(|p| scores[(p * (scores.len() - 1)) / 100])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_rank_interpolates() {
        let p: Vec<f32> = (0..=100).map(|i| i as f32 / 10.0).collect();
        assert_eq!(percentile_rank(&p, -1.0), 0.0);
        assert_eq!(percentile_rank(&p, 11.0), 1.0);
        assert!((percentile_rank(&p, 2.55) - 0.255).abs() < 1e-4);
    }

    #[test]
    fn percentiles_of_scores() {
        let p = percentiles((0..=200).map(|i| i as f32).collect());
        assert_eq!(p.len(), 101);
        assert_eq!((p[0], p[50], p[100]), (0.0, 100.0, 200.0));
        assert!(percentiles(vec![]).is_empty());
    }

    #[test]
    fn kinds_parse_by_name() {
        for k in TRAINABLE_KINDS {
            assert_eq!(RouterKind::parse(k).unwrap().name(), *k);
        }
        assert!(RouterKind::parse("bert").unwrap_err().contains("known: mf"));
    }
}
