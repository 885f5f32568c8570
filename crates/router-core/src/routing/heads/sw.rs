//! `sw`: similarity-weighted ranking (RouteLLM) — the training prompts in a
//! learned space (the classifier's, trained first), each held-out prompt
//! scored by its neighbours' outcomes weighted by exp(gamma (cos - 1)).

use super::classifier::Classifier;
use super::{dot, Context, RouterHead};
use crate::routing::meta::RouterMeta;
use crate::routing::rng::Rng;
use crate::routing::tensors::{Named, Tensors};
use crate::routing::train::{TrainConfig, TrainSet};

#[derive(Debug, Clone)]
pub struct Sw {
    /// Normalised training vectors, row-major.
    pub points: Vec<f32>,
    /// Each point's win probability of strong over weak (1, 0, or 0.5 for a tie).
    pub outcomes: Vec<f32>,
    pub gamma: f32,
}

impl Sw {
    pub fn train(
        set: &mut TrainSet,
        cfg: &TrainConfig,
        rng: &mut Rng,
        meta: &mut RouterMeta,
    ) -> Self {
        // The space is learned as the classifier's (the hashed table trains along).
        Classifier::train(set, cfg, rng);
        let labelled = set.pair_outcomes(cfg);
        let dim = set.dim;
        let mut x = vec![0.0f32; dim];
        let mut points = Vec::with_capacity(labelled.len() * dim);
        let mut outcomes = Vec::with_capacity(labelled.len());
        for &(i, y) in &labelled {
            set.encode(i, &mut x);
            let n = dot(&x, &x).sqrt().max(1e-12);
            points.extend(x.iter().map(|v| v / n));
            outcomes.push(y);
        }
        meta.gamma = cfg.gamma;
        Sw {
            points,
            outcomes,
            gamma: cfg.gamma,
        }
    }

    pub fn load(meta: &RouterMeta, t: &Tensors) -> Result<Self, String> {
        let outcomes = t.take("sw.outcomes")?;
        Ok(Sw {
            points: t.take_len("sw.points", outcomes.len() * meta.dim)?,
            outcomes,
            gamma: meta.gamma,
        })
    }
}

impl RouterHead for Sw {
    fn score(&self, x: &[f32], _ctx: &Context) -> f32 {
        let dim = x.len();
        let norm = dot(x, x).sqrt().max(1e-12);
        let (mut num, mut den) = (0.0f32, 0.0f32);
        for (i, o) in self.outcomes.iter().enumerate() {
            let sim = dot(&self.points[i * dim..(i + 1) * dim], x) / norm;
            let wgt = (self.gamma * (sim - 1.0)).exp();
            num += wgt * o;
            den += wgt;
        }
        if den > 0.0 {
            num / den
        } else {
            0.5
        }
    }

    fn tensors(&self) -> Named<'_> {
        vec![("sw.points", &self.points), ("sw.outcomes", &self.outcomes)]
    }
}

#[cfg(test)]
mod tests {
    use crate::routing::heads::toy;
    use crate::routing::meta::RouterKind;

    #[test]
    fn learns_the_toy_split_and_round_trips() {
        let r = toy::learns_and_round_trips(RouterKind::Sw);
        assert_eq!(r.meta.gamma, 10.0);
    }
}
