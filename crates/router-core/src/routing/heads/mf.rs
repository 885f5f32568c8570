//! `mf`: matrix factorisation (RouteLLM) — model embeddings against a
//! projection of the prompt vector, Bradley-Terry over every pair of models
//! scored on a prompt, with a soft outcome (1 + score_a - score_b) / 2 so a
//! tie counts half. Any two of its models can be the pair.

use super::factors::Factors;
use super::{sigmoid, Context, RouterHead};
use crate::routing::meta::RouterMeta;
use crate::routing::rng::Rng;
use crate::routing::tensors::{Named, Tensors};
use crate::routing::train::{epoch_lr, TrainConfig, TrainSet};

/// Where weights.bin keeps the factors.
const TENSORS: [&str; 3] = ["mf.proj", "mf.emb", "mf.bias"];

#[derive(Debug, Clone)]
pub struct Mf {
    pub f: Factors,
}

/// (example, model a, model b, P(a beats b)) for every pair of models scored on a prompt.
fn battles(set: &TrainSet, models: &[String]) -> Vec<(usize, u16, u16, f32)> {
    let mut out = Vec::new();
    for &i in set.indices {
        let scored: Vec<(u16, f64)> = set.examples[i]
            .scores
            .iter()
            .filter_map(|(m, s)| models.iter().position(|x| x == m).map(|p| (p as u16, *s)))
            .collect();
        for (x, (a, sa)) in scored.iter().enumerate() {
            for (b, sb) in &scored[x + 1..] {
                out.push((i, *a, *b, ((1.0 + sa - sb) / 2.0).clamp(0.0, 1.0) as f32));
            }
        }
    }
    out
}

impl Mf {
    pub fn train(
        set: &mut TrainSet,
        cfg: &TrainConfig,
        rng: &mut Rng,
        meta: &mut RouterMeta,
    ) -> Self {
        let models = set.models();
        let mut battles = battles(set, &models);
        let dim = set.dim;
        let (mut x, mut gx) = (vec![0.0f32; dim], vec![0.0f32; dim]);
        let mut f = Factors::new(rng, cfg.k, dim, models.len());
        let k = f.k;
        for epoch in 0..cfg.epochs {
            rng.shuffle(&mut battles);
            let lr = epoch_lr(cfg, epoch);
            for &(i, a, b, target) in &battles {
                let (a, b) = (a as usize, b as usize);
                set.encode(i, &mut x);
                f.project(&x);
                let diff = f.value(a, &f.px) - f.value(b, &f.px);
                // gradient of the cross-entropy of sigmoid(diff) against the soft outcome
                let g = sigmoid(diff) - target;
                for j in 0..k {
                    let dv = f.emb[a * k + j] - f.emb[b * k + j];
                    f.gp[j] = g * dv;
                    let step = g * f.px[j];
                    f.emb[a * k + j] -= lr * (step + cfg.l2 * f.emb[a * k + j]);
                    f.emb[b * k + j] -= lr * (-step + cfg.l2 * f.emb[b * k + j]);
                }
                f.bias[a] -= lr * g;
                f.bias[b] += lr * g;
                f.backprop(&x, &mut gx, lr, cfg.l2);
                set.learn(i, &gx, lr);
            }
        }
        meta.models = models;
        meta.k = k;
        Mf { f }
    }

    pub fn load(meta: &RouterMeta, t: &Tensors) -> Result<Self, String> {
        Ok(Mf {
            f: Factors::load(meta, t, TENSORS)?,
        })
    }
}

impl RouterHead for Mf {
    fn score(&self, x: &[f32], ctx: &Context) -> f32 {
        let (Some(s), Some(w)) = (
            ctx.meta.model_index(&ctx.meta.strong),
            ctx.meta.model_index(&ctx.meta.weak),
        ) else {
            return 0.5;
        };
        let mut px = vec![0.0f32; self.f.k];
        self.f.project_into(x, &mut px);
        sigmoid(self.f.value(s, &px) - self.f.value(w, &px))
    }

    fn tensors(&self) -> Named<'_> {
        self.f.named(TENSORS)
    }

    fn repoint(&mut self, strong: &str, weak: &str, meta: &RouterMeta) -> Result<(), String> {
        known_models(strong, weak, meta)
    }
}

/// Both models must be among the router's.
pub(crate) fn known_models(strong: &str, weak: &str, meta: &RouterMeta) -> Result<(), String> {
    for m in [strong, weak] {
        if meta.model_index(m).is_none() {
            return Err(format!(
                "router knows no model \"{m}\" (known: {})",
                meta.models.join(", ")
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::routing::heads::toy;
    use crate::routing::meta::RouterKind;

    #[test]
    fn learns_the_toy_split_and_any_pair_of_its_models() {
        let r = toy::learns_and_round_trips(RouterKind::Mf);
        assert_eq!(r.meta.models, vec!["s", "w"]);
        assert_eq!(r.meta.score_percentiles.len(), 101);
        // the reversed pair ranks the other way round
        let rev = r.clone().with_pair("w", "s").unwrap();
        assert!(rev.score("prove the integral bound") < rev.score("hello what is the weather"));
        assert!(r
            .with_pair("s", "gpt-9")
            .unwrap_err()
            .contains("knows no model \"gpt-9\""));
    }

    #[test]
    fn a_pair_model_without_training_scores_is_an_error() {
        let mut c = toy::cfg(RouterKind::Mf);
        c.strong = "gpt-9".into();
        assert!(toy::train_on(&toy::data(), &c)
            .unwrap_err()
            .contains("no training example scores model \"gpt-9\""));
    }
}
