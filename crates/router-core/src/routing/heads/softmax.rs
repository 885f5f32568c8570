//! A label classifier (`classifier --labels FIELD`): one row of weights per
//! class, softmax, trained by cross-entropy; the classes come from the data.

use super::{dot, softmax_in_place, Context, RouterHead};
use crate::routing::meta::RouterMeta;
use crate::routing::rng::Rng;
use crate::routing::tensors::{Named, Tensors};
use crate::routing::train::{epoch_lr, label_classes, TrainConfig, TrainSet};

#[derive(Debug, Clone)]
pub struct Softmax {
    /// `classes x dim`.
    pub w: Vec<f32>,
    pub b: Vec<f32>,
}

impl Softmax {
    pub fn train(
        set: &mut TrainSet,
        cfg: &TrainConfig,
        rng: &mut Rng,
        meta: &mut RouterMeta,
        field: &str,
    ) -> Result<Self, String> {
        let classes = label_classes(set.examples, field);
        if classes.len() < 2 {
            return Err(format!(
                "label field \"{field}\" has {} distinct value(s) in the data; a classifier needs at least 2",
                classes.len()
            ));
        }
        let mut items: Vec<(usize, usize)> = set
            .indices
            .iter()
            .filter_map(|&i| {
                let l = set.examples[i].label(field)?;
                Some((i, classes.iter().position(|c| *c == l)?))
            })
            .collect();
        let (c, dim) = (classes.len(), set.dim);
        let mut head = Softmax {
            w: vec![0.0; c * dim],
            b: vec![0.0; c],
        };
        let (mut x, mut gx, mut p) = (vec![0.0f32; dim], vec![0.0f32; dim], vec![0.0f32; c]);
        for epoch in 0..cfg.epochs {
            rng.shuffle(&mut items);
            let lr = epoch_lr(cfg, epoch);
            for &(i, y) in &items {
                set.encode(i, &mut x);
                head.probabilities(&x, &mut p);
                // cross-entropy gradient: p - onehot(y)
                gx.iter_mut().for_each(|v| *v = 0.0);
                for (cl, pc) in p.iter().enumerate() {
                    let g = pc - if cl == y { 1.0 } else { 0.0 };
                    let row = &mut head.w[cl * dim..(cl + 1) * dim];
                    for d in 0..dim {
                        gx[d] += g * row[d];
                        row[d] -= lr * (g * x[d] + cfg.l2 * row[d]);
                    }
                    head.b[cl] -= lr * g;
                }
                set.learn(i, &gx, lr);
            }
        }
        meta.classes = classes;
        meta.label_field = field.to_string();
        Ok(head)
    }

    fn probabilities(&self, x: &[f32], p: &mut [f32]) {
        let dim = x.len();
        for (c, pc) in p.iter_mut().enumerate() {
            *pc = dot(&self.w[c * dim..(c + 1) * dim], x) + self.b[c];
        }
        softmax_in_place(p);
    }

    pub fn load(meta: &RouterMeta, t: &Tensors) -> Result<Self, String> {
        let c = meta.classes.len();
        Ok(Softmax {
            w: t.take_len("softmax.w", c * meta.dim)?,
            b: t.take_len("softmax.b", c)?,
        })
    }
}

impl RouterHead for Softmax {
    /// Multi-output: the first class's probability stands in for a single score.
    fn score(&self, x: &[f32], ctx: &Context) -> f32 {
        self.outputs(x, ctx).first().copied().unwrap_or(0.5)
    }

    fn outputs(&self, x: &[f32], _ctx: &Context) -> Vec<f32> {
        let mut p = vec![0.0; self.b.len()];
        self.probabilities(x, &mut p);
        p
    }

    fn tensors(&self) -> Named<'_> {
        vec![("softmax.w", &self.w), ("softmax.b", &self.b)]
    }
}

#[cfg(test)]
mod tests {
    use crate::routing::heads::toy;
    use crate::routing::meta::RouterKind;

    #[test]
    fn learns_classes_and_round_trips() {
        let mut data = toy::data();
        for (i, e) in data.iter_mut().enumerate() {
            let label = if i % 2 == 0 { "math" } else { "chat" };
            e.extra
                .insert("task".into(), serde_json::Value::String(label.into()));
        }
        let mut c = toy::cfg(RouterKind::Classifier);
        c.label_field = Some("task".into());
        let r = toy::train_on(&data, &c).unwrap();
        assert_eq!(r.meta.classes, vec!["chat", "math"]);
        let p = r.outputs("prove the integral bound again");
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-4);
        assert!(p[1] > 0.8, "{p:?}");
        assert!(r.outputs("hello what is the weather")[0] > 0.8);
        let dir = std::env::temp_dir().join(format!("router-labels-{}", std::process::id()));
        r.save(&dir).unwrap();
        let back = crate::routing::Router::load(&dir).unwrap();
        std::fs::remove_dir_all(dir).ok();
        assert_eq!(back.meta.classes, r.meta.classes);
        assert!((back.outputs("prove it")[1] - r.outputs("prove it")[1]).abs() < 0.02);
        c.label_field = Some("missing".into());
        assert!(toy::train_on(&data, &c)
            .unwrap_err()
            .contains("label field \"missing\" has 0 distinct"));
    }
}
