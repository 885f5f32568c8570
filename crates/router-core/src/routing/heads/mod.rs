//! Router heads: what turns a prompt vector into the router's outputs. One
//! file per head, each with its training, scoring, tensors and tests; the
//! `Head` enum dispatches to them through the `RouterHead` trait.

pub mod classifier;
pub mod cluster;
pub mod ensemble;
pub mod factors;
pub mod irt;
pub mod kmeans;
pub mod knn;
pub mod length;
pub mod length_slope;
pub mod mf;
pub mod neighbours;
pub mod predictive;
pub mod random;
pub mod softmax;
pub mod sw;

use std::path::Path;

use super::meta::{RouterKind, RouterMeta};
use super::tensors::{Named, Tensors};

/// What a head may read besides the vector: the prompt text and router.json (pair, models).
pub struct Context<'a> {
    pub text: &'a str,
    pub meta: &'a RouterMeta,
}

pub trait RouterHead {
    /// The strong/weak score: P(the strong model's answer beats the weak one's), or a score
    /// that ranks prompts the same way.
    fn score(&self, x: &[f32], ctx: &Context) -> f32;

    /// Every output (class probabilities, each model's quality); one score by default.
    fn outputs(&self, x: &[f32], ctx: &Context) -> Vec<f32> {
        vec![self.score(x, ctx)]
    }

    /// The tensors weights.bin stores, by name.
    fn tensors(&self) -> Named<'_>;

    /// Whether the head reads the prompt vector (false: it reads the text, or its members do).
    fn reads_vector(&self) -> bool {
        true
    }

    /// Anything stored beside weights.bin (an ensemble's members).
    fn save_parts(&self, _dir: &Path, _meta: &RouterMeta) -> Result<(), String> {
        Ok(())
    }

    /// Points the head at another pair: a head that scores any pair of its models checks them
    /// here; the others score only the pair they were trained for.
    fn repoint(&mut self, strong: &str, weak: &str, meta: &RouterMeta) -> Result<(), String> {
        if strong != meta.strong || weak != meta.weak {
            return Err(format!(
                "a {} router scores only the pair it was trained for ({} vs {})",
                meta.router.name(),
                meta.strong,
                meta.weak
            ));
        }
        Ok(())
    }
}

#[derive(Debug, Clone)]
pub enum Head {
    Classifier(classifier::Classifier),
    Softmax(softmax::Softmax),
    Predictive(predictive::Predictive),
    Mf(mf::Mf),
    Sw(sw::Sw),
    Random(random::Random),
    Length(length::Length),
    Knn(knn::Knn),
    Cluster(cluster::Cluster),
    Irt(irt::Irt),
    Ensemble(ensemble::Ensemble),
}

impl Head {
    pub fn as_dyn(&self) -> &dyn RouterHead {
        match self {
            Head::Classifier(h) => h,
            Head::Softmax(h) => h,
            Head::Predictive(h) => h,
            Head::Mf(h) => h,
            Head::Sw(h) => h,
            Head::Random(h) => h,
            Head::Length(h) => h,
            Head::Knn(h) => h,
            Head::Cluster(h) => h,
            Head::Irt(h) => h,
            Head::Ensemble(h) => h,
        }
    }

    pub fn as_dyn_mut(&mut self) -> &mut dyn RouterHead {
        match self {
            Head::Classifier(h) => h,
            Head::Softmax(h) => h,
            Head::Predictive(h) => h,
            Head::Mf(h) => h,
            Head::Sw(h) => h,
            Head::Random(h) => h,
            Head::Length(h) => h,
            Head::Knn(h) => h,
            Head::Cluster(h) => h,
            Head::Irt(h) => h,
            Head::Ensemble(h) => h,
        }
    }

    /// The head router.json describes, from weights.bin (and, for ensembles, `dir/members`).
    pub fn load(meta: &RouterMeta, t: &Tensors, dir: &Path) -> Result<Head, String> {
        Ok(match meta.router {
            RouterKind::Classifier if !meta.classes.is_empty() => {
                Head::Softmax(softmax::Softmax::load(meta, t)?)
            }
            RouterKind::Classifier => Head::Classifier(classifier::Classifier::load(meta, t)?),
            RouterKind::Predictive => Head::Predictive(predictive::Predictive::load(meta, t)?),
            RouterKind::Mf => Head::Mf(mf::Mf::load(meta, t)?),
            RouterKind::Sw => Head::Sw(sw::Sw::load(meta, t)?),
            RouterKind::Random => Head::Random(random::Random),
            RouterKind::Length => Head::Length(length::Length),
            RouterKind::Knn => Head::Knn(knn::Knn::load(meta, t)?),
            RouterKind::Cluster => Head::Cluster(cluster::Cluster::load(meta, t)?),
            RouterKind::Irt => Head::Irt(irt::Irt::load(meta, t)?),
            RouterKind::Ensemble => Head::Ensemble(ensemble::Ensemble::load(meta, dir)?),
        })
    }
}

pub(crate) fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

pub(crate) fn softmax_in_place(z: &mut [f32]) {
    let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in z.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    z.iter_mut().for_each(|v| *v /= sum);
}

/// The dot product in eight independent lanes: a single running sum is one long chain of
/// dependent additions the compiler may not reorder (float addition is not associative), so
/// it cannot use SIMD; eight lanes can, and make the knn scan several times faster. The
/// order is fixed, so a result is the same on every run and machine.
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    const LANES: usize = 8;
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f32; LANES];
    let (ca, cb) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for i in 0..LANES {
            acc[i] += x[i] * y[i];
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// Toy data shared by the heads' tests: "prove"/"integral" prompts need the strong model,
/// "hello"/"weather" ones do not; three sources.
#[cfg(test)]
pub(crate) mod toy {
    use std::collections::BTreeMap;

    use crate::routing::data::Example;
    use crate::routing::meta::RouterKind;
    use crate::routing::train::{featurize, train, Inputs, TrainConfig};
    use crate::routing::Router;

    pub fn ex(id: usize, prompt: &str, strong: f64, weak: f64) -> Example {
        Example {
            id: id.to_string(),
            prompt: prompt.into(),
            source: format!("g/{}", id % 3),
            scores: BTreeMap::from([("s".into(), strong), ("w".into(), weak)]),
            output_chars: BTreeMap::new(),
            turns: None,
            extra: BTreeMap::new(),
        }
    }

    pub fn data() -> Vec<Example> {
        (0..300)
            .map(|i| {
                if i % 2 == 0 {
                    ex(i, &format!("prove the integral bound number {i}"), 1.0, 0.0)
                } else {
                    ex(i, &format!("hello what is the weather like {i}"), 1.0, 1.0)
                }
            })
            .collect()
    }

    pub fn cfg(router: RouterKind) -> TrainConfig {
        TrainConfig {
            router,
            strong: "s".into(),
            weak: "w".into(),
            buckets: 1 << 12,
            dim: 8,
            k: 4,
            epochs: 5,
            ..Default::default()
        }
    }

    pub fn train_on(data: &[Example], cfg: &TrainConfig) -> Result<Router, String> {
        let inputs = Inputs::Hashed(featurize(data, cfg.buckets));
        let idx: Vec<usize> = (0..data.len()).collect();
        train(data, &inputs, &idx, cfg)
    }

    /// Trains a head of `kind` on the toy data and checks it separates the two kinds of prompt,
    /// reproducibly, and survives a save/load round trip (f16 storage: close, not identical).
    pub fn learns_and_round_trips(kind: RouterKind) -> Router {
        let data = data();
        let r = train_on(&data, &cfg(kind)).unwrap();
        let hard = r.score("prove the integral bound again");
        let easy = r.score("hello what is the weather today");
        assert!(hard > easy + 0.2, "{kind:?}: hard {hard} easy {easy}");
        let again = train_on(&data, &cfg(kind)).unwrap();
        assert_eq!(r.score("prove it"), again.score("prove it"), "{kind:?}");
        let dir = std::env::temp_dir().join(format!(
            "router-head-{}-{}",
            kind.name(),
            std::process::id()
        ));
        r.save(&dir).unwrap();
        let back = Router::load(&dir).unwrap();
        std::fs::remove_dir_all(&dir).ok();
        let (a, b) = (
            r.score("prove the integral"),
            back.score("prove the integral"),
        );
        assert!((a - b).abs() < 0.02, "{kind:?}: {a} vs {b} after loading");
        r
    }
}
