//! `predictive` (Tryage): each model's expected quality on the prompt, a
//! sigmoid per model over a shared projection of the prompt vector, fitted by
//! cross-entropy on the data's scores (probability-like qualities in [0, 1]).
//! A model missing from a row's scores simply teaches nothing there.

use super::factors::Factors;
use super::{sigmoid, Context, RouterHead};
use crate::routing::meta::RouterMeta;
use crate::routing::rng::Rng;
use crate::routing::tensors::{Named, Tensors};
use crate::routing::train::{epoch_lr, TrainConfig, TrainSet};

/// Where weights.bin keeps the factors.
const TENSORS: [&str; 3] = ["quality.proj", "quality.emb", "quality.bias"];

#[derive(Debug, Clone)]
pub struct Predictive {
    pub f: Factors,
}

impl Predictive {
    pub fn train(
        set: &mut TrainSet,
        cfg: &TrainConfig,
        rng: &mut Rng,
        meta: &mut RouterMeta,
    ) -> Self {
        // Outputs follow every model of the data, so all folds of a cross-validation agree.
        let models = set.all_models();
        let mut items: Vec<usize> = set
            .indices
            .iter()
            .copied()
            .filter(|&i| !set.examples[i].scores.is_empty())
            .collect();
        let dim = set.dim;
        let (mut x, mut gx) = (vec![0.0f32; dim], vec![0.0f32; dim]);
        let mut f = Factors::new(rng, cfg.k, dim, models.len());
        let k = f.k;
        for epoch in 0..cfg.epochs {
            rng.shuffle(&mut items);
            let lr = epoch_lr(cfg, epoch);
            for &i in &items {
                set.encode(i, &mut x);
                f.project(&x);
                let scores = &set.examples[i].scores;
                let scale = (scores.len() as f32).sqrt();
                for (name, &target) in scores {
                    let Some(mi) = models.iter().position(|x| x == name) else {
                        continue;
                    };
                    let g = (sigmoid(f.value(mi, &f.px)) - target as f32) / scale;
                    for j in 0..k {
                        let e = f.emb[mi * k + j];
                        f.gp[j] += g * e;
                        f.emb[mi * k + j] -= lr * (g * f.px[j] + cfg.l2 * e);
                    }
                    f.bias[mi] -= lr * g;
                }
                f.backprop(&x, &mut gx, lr, cfg.l2);
                set.learn(i, &gx, lr);
            }
        }
        meta.output_tokens = mean_output_tokens(set, &models);
        meta.models = models;
        meta.k = k;
        Predictive { f }
    }

    pub fn load(meta: &RouterMeta, t: &Tensors) -> Result<Self, String> {
        Ok(Predictive {
            f: Factors::load(meta, t, TENSORS)?,
        })
    }
}

/// Mean answer length per model (characters / 4 ~ tokens), 0 where the data has none.
fn mean_output_tokens(set: &TrainSet, models: &[String]) -> Vec<f32> {
    models
        .iter()
        .map(|name| {
            let lens: Vec<f64> = set
                .indices
                .iter()
                .filter_map(|&i| set.examples[i].output_chars.get(name).copied())
                .collect();
            if lens.is_empty() {
                0.0
            } else {
                (lens.iter().sum::<f64>() / lens.len() as f64 / 4.0) as f32
            }
        })
        .collect()
}

impl RouterHead for Predictive {
    /// Multi-output: the first model's quality stands in for a single score.
    fn score(&self, x: &[f32], ctx: &Context) -> f32 {
        self.outputs(x, ctx).first().copied().unwrap_or(0.5)
    }

    fn outputs(&self, x: &[f32], _ctx: &Context) -> Vec<f32> {
        let mut px = vec![0.0f32; self.f.k];
        self.f.project_into(x, &mut px);
        (0..self.f.bias.len())
            .map(|m| sigmoid(self.f.value(m, &px)))
            .collect()
    }

    fn tensors(&self) -> Named<'_> {
        self.f.named(TENSORS)
    }

    fn repoint(&mut self, strong: &str, weak: &str, meta: &RouterMeta) -> Result<(), String> {
        super::mf::known_models(strong, weak, meta)
    }
}

#[cfg(test)]
mod tests {
    use crate::routing::heads::toy;
    use crate::routing::meta::RouterKind;

    #[test]
    fn predicts_each_models_quality_reproducibly() {
        // "s" is good everywhere; "w" only on the easy prompts; "x" nowhere.
        let mut data = toy::data();
        for e in data.iter_mut() {
            e.scores.insert("x".into(), 0.0);
        }
        let c = toy::cfg(RouterKind::Predictive);
        let r = toy::train_on(&data, &c).unwrap();
        assert_eq!(r.meta.models, vec!["s", "w", "x"]);
        let hard = r.outputs("prove the integral bound again");
        let easy = r.outputs("hello what is the weather today");
        assert!(hard[0] > 0.8 && easy[0] > 0.8, "{hard:?} {easy:?}");
        assert!(hard[1] < 0.3 && easy[1] > 0.7, "{hard:?} {easy:?}");
        assert!(hard[2] < 0.2 && easy[2] < 0.2);
        let again = toy::train_on(&data, &c).unwrap();
        assert_eq!(r.outputs("prove it"), again.outputs("prove it"));
        let dir = std::env::temp_dir().join(format!("router-predictive-{}", std::process::id()));
        r.save(&dir).unwrap();
        let back = crate::routing::Router::load(&dir).unwrap();
        std::fs::remove_dir_all(&dir).ok();
        assert!((back.outputs("prove it")[1] - r.outputs("prove it")[1]).abs() < 0.02);
    }

    #[test]
    fn tolerates_models_missing_from_rows() {
        // "z" is scored only on the easy half, where it is always right
        let mut data = toy::data();
        for (i, e) in data.iter_mut().enumerate() {
            if i % 2 == 1 {
                e.scores.insert("z".into(), 1.0);
            }
        }
        let r = toy::train_on(&data, &toy::cfg(RouterKind::Predictive)).unwrap();
        assert_eq!(r.meta.models, vec!["s", "w", "z"]);
        assert!(r.outputs("hello what is the weather today")[2] > 0.7);
    }
}
