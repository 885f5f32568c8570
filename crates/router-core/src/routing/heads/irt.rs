//! `irt`: multidimensional item response theory. A prompt is an item whose
//! difficulty b(x) and discrimination a(x) (K dimensions, positive) are
//! predicted from its input (embedding and explicit features); a model is an
//! ability vector θ and a level β; each dataset has an offset δ (its format:
//! ten options are harder than four). P(model m does well on x) =
//! σ(a(x)·θ_m + β_m + δ − b(x)), fitted by cross-entropy on every scored
//! cell — a missing cell is simply not one.
//!
//! The score for a pair is the expected gain P_strong − P_weak. A model the
//! router has not seen takes a default place (strong: the mean of the top
//! fifth of models by level; weak: the median model), until a few of its
//! scores place it (`place`: its θ and β fitted with the items fixed).

use super::{dot, sigmoid, Context, RouterHead};
use crate::routing::meta::RouterMeta;
use crate::routing::rng::Rng;
use crate::routing::targets::{ScoreMatrix, Target};
use crate::routing::tensors::{Named, Tensors};
use crate::routing::train::{epoch_lr, TrainConfig, TrainSet};

#[derive(Debug, Clone)]
pub struct Irt {
    pub k: usize,
    pub dim: usize,
    /// Discrimination: `k x dim` and `k` biases, through softplus.
    pub a_w: Vec<f32>,
    pub a_b: Vec<f32>,
    /// Difficulty: `dim` weights and a bias.
    pub b_w: Vec<f32>,
    pub b_b: [f32; 1],
    /// Abilities, `models x k`, and levels, `models`.
    pub theta: Vec<f32>,
    pub beta: Vec<f32>,
    /// Where unseen models stand: [strong θ (k), strong β, weak θ (k), weak β].
    pub defaults: Vec<f32>,
}

fn softplus(z: f32) -> f32 {
    if z > 20.0 {
        z
    } else {
        z.exp().ln_1p()
    }
}

/// An item's discrimination (its pre-activations into `pre`) and difficulty.
struct Item {
    a: Vec<f32>,
    pre: Vec<f32>,
    b: f32,
}

impl Irt {
    fn item(&self, x: &[f32]) -> Item {
        let pre: Vec<f32> = (0..self.k)
            .map(|j| dot(&self.a_w[j * self.dim..(j + 1) * self.dim], x) + self.a_b[j])
            .collect();
        Item {
            a: pre.iter().map(|&p| softplus(p)).collect(),
            pre,
            b: dot(&self.b_w, x) + self.b_b[0],
        }
    }

    fn ability(&self, model: Option<usize>, strong: bool) -> (&[f32], f32) {
        let k = self.k;
        match model {
            Some(m) => (&self.theta[m * k..(m + 1) * k], self.beta[m]),
            None if strong => (&self.defaults[..k], self.defaults[k]),
            None => (&self.defaults[k + 1..2 * k + 1], self.defaults[2 * k + 1]),
        }
    }

    fn p(&self, item: &Item, theta: &[f32], beta: f32) -> f32 {
        sigmoid(dot(&item.a, theta) + beta - item.b)
    }

    pub fn train(
        set: &mut TrainSet,
        cfg: &TrainConfig,
        rng: &mut Rng,
        meta: &mut RouterMeta,
    ) -> Self {
        // irt fits the cells themselves: the per-prompt target goes unused, whichever it is.
        let m = ScoreMatrix::build(set.examples, set.indices, Target::Gain);
        let (k, dim, models) = (cfg.k.clamp(1, 16), set.dim, m.models.len());
        let mut h = Irt {
            k,
            dim,
            a_w: (0..k * dim).map(|_| rng.symmetric(0.01)).collect(),
            a_b: vec![0.0; k],
            b_w: vec![0.0; dim],
            b_b: [0.0],
            theta: (0..models * k).map(|_| 0.5 + rng.symmetric(0.1)).collect(),
            beta: m
                .model_mean
                .iter()
                .map(|&p| (p.clamp(0.02, 0.98) / (1.0 - p.clamp(0.02, 0.98))).ln())
                .collect(),
            defaults: vec![],
        };
        let mut delta = vec![0.0f32; m.datasets.len()];
        let mut order: Vec<usize> = (0..set.indices.len())
            .filter(|&r| !m.cells[r].is_empty())
            .collect();
        let (mut x, mut gx) = (vec![0.0f32; dim], vec![0.0f32; dim]);
        for epoch in 0..cfg.epochs {
            rng.shuffle(&mut order);
            let lr = epoch_lr(cfg, epoch);
            for &r in &order {
                let i = set.indices[r];
                set.encode(i, &mut x);
                let delta = &mut delta[m.dataset[r] as usize];
                h.step(&x, &m.cells[r], delta, lr, cfg.l2, &mut gx);
                // hashed inputs: the embedding table learns with the items
                set.learn(i, &gx, lr);
            }
        }
        h.defaults = h.default_places();
        meta.models = m.models;
        meta.k = k;
        h
    }

    /// One prompt's cells: the gradient of their cross-entropy through the item and the models;
    /// the input's gradient into `gx`.
    fn step(
        &mut self,
        x: &[f32],
        cells: &[(u32, f32)],
        delta: &mut f32,
        lr: f32,
        l2: f32,
        gx: &mut [f32],
    ) {
        let k = self.k;
        let item = self.item(x);
        // Prompts scored by 50 models teach as much as those scored by 2, per prompt.
        let scale = 1.0 / (cells.len() as f32).sqrt();
        let (mut ga, mut gb) = (vec![0.0f32; k], 0.0f32);
        for &(mi, y) in cells {
            let mi = mi as usize;
            let th = &self.theta[mi * k..(mi + 1) * k];
            let g = (sigmoid(dot(&item.a, th) + self.beta[mi] + *delta - item.b) - y) * scale;
            for j in 0..k {
                ga[j] += g * th[j];
            }
            gb -= g;
            for j in 0..k {
                let t = &mut self.theta[mi * k + j];
                *t -= lr * (g * item.a[j] + l2 * *t);
            }
            self.beta[mi] -= lr * g;
            *delta -= lr * g * 0.1;
        }
        gx.iter_mut().for_each(|v| *v = 0.0);
        for (j, gaj) in ga.iter().enumerate() {
            let gpre = gaj * sigmoid(item.pre[j]);
            let row = &mut self.a_w[j * self.dim..(j + 1) * self.dim];
            for ((w, xv), g) in row.iter_mut().zip(x).zip(gx.iter_mut()) {
                *g += gpre * *w;
                *w -= lr * (gpre * xv + l2 * *w);
            }
            self.a_b[j] -= lr * gpre;
        }
        for ((w, xv), g) in self.b_w.iter_mut().zip(x).zip(gx.iter_mut()) {
            *g += gb * *w;
            *w -= lr * (gb * xv + l2 * *w);
        }
        self.b_b[0] -= lr * gb;
    }

    /// Default places for unseen models: the mean of the top fifth by level, and the median.
    fn default_places(&self) -> Vec<f32> {
        let k = self.k;
        let mut order: Vec<usize> = (0..self.beta.len()).collect();
        order.sort_by(|&a, &b| self.beta[b].total_cmp(&self.beta[a]));
        let top = &order[..(order.len() / 5).max(1).min(order.len())];
        let mut out = vec![0.0f32; 2 * k + 2];
        for &m in top {
            for (o, t) in out.iter_mut().zip(&self.theta[m * k..(m + 1) * k]) {
                *o += t / top.len() as f32;
            }
            out[k] += self.beta[m] / top.len() as f32;
        }
        if let Some(&med) = order.get(order.len() / 2) {
            out[k + 1..2 * k + 1].copy_from_slice(&self.theta[med * k..(med + 1) * k]);
            out[2 * k + 1] = self.beta[med];
        }
        out
    }

    /// Places a model from its scores on some prompts (their inputs): its ability and level
    /// fitted with every item fixed, starting from (and held towards) the median model's.
    pub fn place(&self, inputs: &[Vec<f32>], scores: &[f32]) -> (Vec<f32>, f32) {
        let k = self.k;
        let (mut theta, mut beta) = (
            self.defaults[k + 1..2 * k + 1].to_vec(),
            self.defaults[2 * k + 1],
        );
        let prior = (theta.clone(), beta);
        let items: Vec<Item> = inputs.iter().map(|x| self.item(x)).collect();
        let n = items.len().max(1) as f32;
        for _ in 0..300 {
            let (mut gt, mut gbeta) = (vec![0.0f32; k], 0.0f32);
            for (item, &y) in items.iter().zip(scores) {
                let g = self.p(item, &theta, beta) - y;
                for (gj, aj) in gt.iter_mut().zip(&item.a) {
                    *gj += g * aj / n;
                }
                gbeta += g / n;
            }
            // A weak pull towards the median keeps a handful of scores from running away.
            for j in 0..k {
                theta[j] -= 0.5 * (gt[j] + 0.05 * (theta[j] - prior.0[j]));
            }
            beta -= 0.5 * (gbeta + 0.05 * (beta - prior.1));
        }
        (theta, beta)
    }

    /// Adds (or replaces) a placed model.
    pub fn add_model(&mut self, index: Option<usize>, theta: &[f32], beta: f32) {
        match index {
            Some(m) => {
                self.theta[m * self.k..(m + 1) * self.k].copy_from_slice(theta);
                self.beta[m] = beta;
            }
            None => {
                self.theta.extend_from_slice(theta);
                self.beta.push(beta);
            }
        }
    }

    pub fn load(meta: &RouterMeta, t: &Tensors) -> Result<Self, String> {
        let (k, dim, models) = (meta.k, meta.dim, meta.models.len());
        Ok(Irt {
            k,
            dim,
            a_w: t.take_len("irt.a_w", k * dim)?,
            a_b: t.take_len("irt.a_b", k)?,
            b_w: t.take_len("irt.b_w", dim)?,
            b_b: [t.take_len("irt.b_b", 1)?[0]],
            theta: t.take_len("irt.theta", models * k)?,
            beta: t.take_len("irt.beta", models)?,
            defaults: t.take_len("irt.defaults", 2 * k + 2)?,
        })
    }
}

impl RouterHead for Irt {
    fn score(&self, x: &[f32], ctx: &Context) -> f32 {
        let item = self.item(x);
        let (ts, bs) = self.ability(ctx.meta.model_index(&ctx.meta.strong), true);
        let (tw, bw) = self.ability(ctx.meta.model_index(&ctx.meta.weak), false);
        self.p(&item, ts, bs) - self.p(&item, tw, bw)
    }

    fn outputs(&self, x: &[f32], _ctx: &Context) -> Vec<f32> {
        let item = self.item(x);
        (0..self.beta.len())
            .map(|m| {
                let (t, b) = self.ability(Some(m), true);
                self.p(&item, t, b)
            })
            .collect()
    }

    fn tensors(&self) -> Named<'_> {
        vec![
            ("irt.a_w", &self.a_w),
            ("irt.a_b", &self.a_b),
            ("irt.b_w", &self.b_w),
            ("irt.b_b", &self.b_b),
            ("irt.theta", &self.theta),
            ("irt.beta", &self.beta),
            ("irt.defaults", &self.defaults),
        ]
    }

    /// Any pair: known models by their abilities, unseen ones at the default places.
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
        let r = toy::learns_and_round_trips(RouterKind::Irt);
        let q = r.outputs("prove the integral bound again");
        assert!(q[0] > 0.8 && q[1] < 0.3, "{q:?}");
        // unseen models stand at the default places and still rank the prompts
        let unseen = r.clone().with_pair("new-strong", "new-weak").unwrap();
        assert!(
            unseen.score("prove the integral bound")
                > unseen.score("hello what is the weather like")
        );
    }
}
