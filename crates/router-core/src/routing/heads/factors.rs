//! Model embeddings against a learned projection of the prompt vector — the
//! shared machinery of the mf (pairwise) and predictive (per-model) heads.

use super::dot;
use crate::routing::meta::RouterMeta;
use crate::routing::rng::Rng;
use crate::routing::tensors::{Named, Tensors};

#[derive(Debug, Clone)]
pub struct Factors {
    pub k: usize,
    pub dim: usize,
    /// `k x dim`, row-major.
    pub proj: Vec<f32>,
    /// `models x k`.
    pub emb: Vec<f32>,
    pub bias: Vec<f32>,
    /// Scratch: the projected prompt and its gradient.
    pub px: Vec<f32>,
    pub gp: Vec<f32>,
}

impl Factors {
    pub fn new(rng: &mut Rng, k: usize, dim: usize, models: usize) -> Self {
        let proj = (0..k * dim)
            .map(|_| rng.symmetric((1.0 / dim as f32).sqrt()))
            .collect();
        let emb = (0..models * k)
            .map(|_| rng.symmetric((1.0 / k as f32).sqrt()))
            .collect();
        Factors {
            k,
            dim,
            proj,
            emb,
            bias: vec![0.0; models],
            px: vec![0.0; k],
            gp: vec![0.0; k],
        }
    }

    /// Loaded tensors (the scratch is rebuilt).
    pub fn from_parts(
        k: usize,
        proj: Vec<f32>,
        emb: Vec<f32>,
        bias: Vec<f32>,
    ) -> Result<Self, String> {
        if k == 0 || !proj.len().is_multiple_of(k) || emb.len() != bias.len() * k {
            return Err(format!(
                "factor tensors do not fit k = {k} ({} projection, {} embedding, {} bias values)",
                proj.len(),
                emb.len(),
                bias.len()
            ));
        }
        Ok(Factors {
            k,
            dim: proj.len() / k,
            proj,
            emb,
            bias,
            px: vec![0.0; k],
            gp: vec![0.0; k],
        })
    }

    /// The factors a head stored under `names` (projection, embeddings, biases).
    pub fn load(meta: &RouterMeta, t: &Tensors, names: [&str; 3]) -> Result<Self, String> {
        let models = meta.models.len();
        Self::from_parts(
            meta.k,
            t.take_len(names[0], meta.k * meta.dim)?,
            t.take_len(names[1], models * meta.k)?,
            t.take_len(names[2], models)?,
        )
    }

    /// The tensors to store, under `names`.
    pub fn named(&self, names: [&'static str; 3]) -> Named<'_> {
        vec![
            (names[0], &self.proj),
            (names[1], &self.emb),
            (names[2], &self.bias),
        ]
    }

    /// `proj . x` into `out` (length k), without touching the scratch: scoring is `&self`.
    pub fn project_into(&self, x: &[f32], out: &mut [f32]) {
        for (j, p) in out.iter_mut().enumerate() {
            *p = dot(&self.proj[j * self.dim..(j + 1) * self.dim], x);
        }
    }

    /// Model `m`'s value on a projected prompt: its embedding . px + its bias.
    pub fn value(&self, m: usize, px: &[f32]) -> f32 {
        dot(self.row(m), px) + self.bias[m]
    }

    /// `px = proj . x`, and the gradient of the projection cleared.
    pub fn project(&mut self, x: &[f32]) {
        let mut px = std::mem::take(&mut self.px);
        self.project_into(x, &mut px);
        self.px = px;
        self.gp.iter_mut().for_each(|v| *v = 0.0);
    }

    /// Model `m`'s embedding row.
    pub fn row(&self, m: usize) -> &[f32] {
        &self.emb[m * self.k..(m + 1) * self.k]
    }

    /// Sends the accumulated gradient `gp` through the projection: the input's gradient into
    /// `gx` (for the hashed table), and the projection's update.
    pub fn backprop(&mut self, x: &[f32], gx: &mut [f32], lr: f32, l2: f32) {
        let dim = self.dim;
        gx.iter_mut().for_each(|v| *v = 0.0);
        for j in 0..self.k {
            for d in 0..dim {
                let w = &mut self.proj[j * dim + d];
                gx[d] += self.gp[j] * *w;
                *w -= lr * (self.gp[j] * x[d] + l2 * *w);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projection_value_and_backprop() {
        let mut f =
            Factors::from_parts(1, vec![1.0, 2.0], vec![3.0, -1.0], vec![0.5, 0.0]).unwrap();
        f.project(&[1.0, 1.0]);
        assert_eq!(f.px, vec![3.0]);
        assert_eq!(f.value(0, &f.px.clone()), 9.5);
        assert_eq!(f.value(1, &f.px.clone()), -3.0);
        f.gp = vec![1.0];
        let mut gx = vec![0.0; 2];
        f.backprop(&[1.0, 0.0], &mut gx, 0.1, 0.0);
        // the input's gradient is the old projection row; only the first weight saw an input
        assert_eq!(gx, vec![1.0, 2.0]);
        assert!((f.proj[0] - 0.9).abs() < 1e-6 && f.proj[1] == 2.0);
        assert!(Factors::from_parts(2, vec![0.0; 3], vec![], vec![]).is_err());
    }
}
