//! `classifier`: a logistic head on the prompt vector predicting the soft
//! outcome for the pair, (1 + strong - weak) / 2 ("is the strong model needed").

use super::{dot, sigmoid, Context, RouterHead};
use crate::routing::meta::RouterMeta;
use crate::routing::rng::Rng;
use crate::routing::tensors::{Named, Tensors};
use crate::routing::train::{epoch_lr, TrainConfig, TrainSet};

#[derive(Debug, Clone)]
pub struct Classifier {
    pub w: Vec<f32>,
    /// One value; a slice so it can be stored as a tensor.
    pub b: [f32; 1],
}

impl Classifier {
    /// SGD on the cross-entropy against the soft outcome; the hashed table learns along.
    pub fn train(set: &mut TrainSet, cfg: &TrainConfig, rng: &mut Rng) -> Self {
        let dim = set.dim;
        let mut items = set.pair_outcomes(cfg);
        let (mut w, mut b) = (vec![0.0f32; dim], 0.0f32);
        let (mut x, mut gx) = (vec![0.0f32; dim], vec![0.0f32; dim]);
        for epoch in 0..cfg.epochs {
            rng.shuffle(&mut items);
            let lr = epoch_lr(cfg, epoch);
            for &(i, y) in &items {
                set.encode(i, &mut x);
                let g = sigmoid(dot(&w, &x) + b) - y;
                for d in 0..dim {
                    gx[d] = g * w[d];
                    w[d] -= lr * (g * x[d] + cfg.l2 * w[d]);
                }
                b -= lr * g;
                set.learn(i, &gx, lr);
            }
        }
        Classifier { w, b: [b] }
    }

    pub fn load(meta: &RouterMeta, t: &Tensors) -> Result<Self, String> {
        Ok(Classifier {
            w: t.take_len("classifier.w", meta.dim)?,
            b: [t.take_len("classifier.b", 1)?[0]],
        })
    }
}

impl RouterHead for Classifier {
    fn score(&self, x: &[f32], _ctx: &Context) -> f32 {
        sigmoid(dot(&self.w, x) + self.b[0])
    }

    fn tensors(&self) -> Named<'_> {
        vec![("classifier.w", &self.w), ("classifier.b", &self.b)]
    }
}

#[cfg(test)]
mod tests {
    use crate::routing::heads::toy;
    use crate::routing::meta::RouterKind;

    #[test]
    fn learns_the_toy_split_and_scores_only_its_pair() {
        let r = toy::learns_and_round_trips(RouterKind::Classifier);
        assert!(r.clone().with_pair("w", "s").is_err());
        assert!(r.with_pair("s", "w").is_ok());
    }
}
