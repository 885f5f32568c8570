//! One length slope for the kinds of prompt where longer is harder: exam
//! questions that offer options and prompts that are mostly maths. The
//! `cluster` head adds it to its figure for those prompts only.
//!
//! Why gated, and why one number: prompt length beats every learned head on
//! multiple-choice and maths data (a longer question carries more to reason
//! through), but on instructions and chat it says little or the opposite
//! (AlpacaEval: longer is easier). A slope for every prompt, or one per
//! cluster, cost alpaca-eval what it gained elsewhere, and per-cluster slopes
//! learned on one dataset's maths did not carry to another's. One slope over
//! the marked prompts of every training dataset, each dataset centred on its
//! own means, is what the marked prompts agree on, and it leaves the others
//! alone (measured leave one dataset out in docs/routing.md, "The default
//! router").

use serde::{Deserialize, Serialize};

use crate::routing::targets::ScoreMatrix;

/// Prompts' worth of a zero slope the fitted one is shrunk towards, in units of the
/// training prompts' standard deviation of length.
const PRIOR: f32 = 100.0;
/// The gate: prompts offering options (the `options` feature above this) ...
const OPTIONS_ABOVE: f32 = 0.0;
/// ... or mostly maths (the `math` feature at least this: two of its markers).
const MATH_AT_LEAST: f32 = 0.5;

/// The slope as router.json stores it (its `length_slope` field).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LengthSlope {
    /// Score added per unit of the `length` feature above `centre`, for gated prompts.
    pub per_length: f32,
    /// The marked training prompts' mean `length` feature: such a prompt of that length
    /// keeps its cluster figure.
    pub centre: f32,
    /// Gated: the `options` feature above this, or the `math` feature at least `math_at_least`.
    pub options_above: f32,
    pub math_at_least: f32,
}

/// Where the gate's features sit in the head's input (after the encoder's vector).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FeaturePositions {
    /// Offsets from the end of the input (the features are its last values).
    length: usize,
    options: usize,
    math: usize,
}

impl FeaturePositions {
    /// None when the router reads no features, or not these three.
    pub fn of(features: &[String]) -> Option<Self> {
        let back = |name: &str| {
            features
                .iter()
                .position(|f| f == name)
                .map(|i| features.len() - i)
        };
        Some(FeaturePositions {
            length: back("length")?,
            options: back("options")?,
            math: back("math")?,
        })
    }

    fn read(&self, x: &[f32], back: usize) -> f32 {
        x.len().checked_sub(back).map_or(0.0, |i| x[i])
    }
}

impl LengthSlope {
    fn gated(&self, options: f32, math: f32) -> bool {
        options > self.options_above || math >= self.math_at_least
    }

    /// What the slope adds to the score of the input `x`.
    pub fn shift(&self, x: &[f32], at: &FeaturePositions) -> f32 {
        if !self.gated(at.read(x, at.options), at.read(x, at.math)) {
            return 0.0;
        }
        self.per_length * (at.read(x, at.length) - self.centre)
    }

    /// Fits the slope on the training examples' inputs, `dim` values each in `m`'s order.
    /// None when no example is gated or the fitted slope is not above zero (the head then
    /// adds nothing).
    pub fn fit(m: &ScoreMatrix, at: &FeaturePositions, inputs: &[f32], dim: usize) -> Option<Self> {
        let unfitted = LengthSlope {
            per_length: 0.0,
            centre: 0.0,
            options_above: OPTIONS_ABOVE,
            math_at_least: MATH_AT_LEAST,
        };
        let datasets = m.datasets.len().max(1);
        let (mut all, mut all_sq) = (0.0f64, 0.0f64);
        // Per dataset: the gated examples' (length, target), to centre on the dataset's means.
        let mut marked: Vec<Vec<(f64, f64)>> = vec![vec![]; datasets];
        for (k, x) in inputs.chunks_exact(dim).enumerate() {
            let length = at.read(x, at.length) as f64;
            all += length;
            all_sq += length * length;
            let t = m.target[k];
            if !t.is_nan() && unfitted.gated(at.read(x, at.options), at.read(x, at.math)) {
                marked[m.dataset[k] as usize].push((length, t as f64));
            }
        }
        let n = m.target.len().max(1) as f64;
        let variance = (all_sq / n - (all / n).powi(2)).max(0.0);
        let count: usize = marked.iter().map(Vec::len).sum();
        if count == 0 {
            return None;
        }
        // Each dataset weighs 1/sqrt(its marked prompts), scaled to a mean of one a prompt
        // so `PRIOR` counts prompts (as the cluster figures weigh datasets).
        let roots: f64 = marked.iter().map(|d| (d.len() as f64).sqrt()).sum();
        let (mut spread, mut moved, mut lengths) = (0.0f64, 0.0f64, 0.0f64);
        for d in marked.iter().filter(|d| !d.is_empty()) {
            let size = d.len() as f64;
            let w = count as f64 / roots / size.sqrt();
            let (zl, zt) = d
                .iter()
                .fold((0.0, 0.0), |(a, b), (l, t)| (a + l / size, b + t / size));
            for (l, t) in d {
                spread += w * (l - zl) * (l - zl);
                moved += w * (l - zl) * (t - zt);
                lengths += l;
            }
        }
        // The prior is in standard-deviation units of length; in the feature's own units it
        // weighs PRIOR prompts one standard deviation from the mean.
        let per_length = moved / (spread + PRIOR as f64 * variance.max(1e-12));
        (per_length > 0.0).then(|| LengthSlope {
            per_length: per_length as f32,
            centre: (lengths / count as f64) as f32,
            ..unfitted
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routing::data::Example;
    use crate::routing::heads::toy;
    use crate::routing::targets::Target;

    const NAMES: [&str; 3] = ["length", "options", "math"];

    fn positions() -> FeaturePositions {
        FeaturePositions::of(&NAMES.map(String::from)).unwrap()
    }

    /// Examples of two datasets whose difficulty rises with length for the marked prompts
    /// (and falls for the unmarked ones), as inputs [vector value, length, options, math].
    fn data() -> (Vec<Example>, Vec<f32>) {
        let mut examples = vec![];
        let mut inputs = vec![];
        for (n, d) in ["exam", "chat"].into_iter().enumerate() {
            for i in 0..200 {
                let length = (i % 20) as f32 / 20.0;
                let marked = i % 2 == 0;
                // the weak model fails more often on longer marked prompts
                let hard = if marked { length } else { 1.0 - length };
                let weak = if (i * 7 % 20) as f32 / 20.0 < hard {
                    0.0
                } else {
                    1.0
                };
                let mut ex = toy::ex(n * 200 + i, "", 1.0, weak);
                ex.source = format!("{d}/x");
                examples.push(ex);
                inputs.extend([0.0, length, if marked { 1.0 } else { 0.0 }, 0.0]);
            }
        }
        (examples, inputs)
    }

    #[test]
    fn learns_a_rising_slope_from_the_marked_prompts_only() {
        let (examples, inputs) = data();
        let indices: Vec<usize> = (0..examples.len()).collect();
        let m = ScoreMatrix::build(&examples, &indices, Target::Difficulty);
        let at = positions();
        let fitted = LengthSlope::fit(&m, &at, &inputs, 4).unwrap();
        assert!(fitted.per_length > 0.0, "{fitted:?}");
        let long = [0.0, 0.9, 1.0, 0.0];
        let short = [0.0, 0.1, 1.0, 0.0];
        assert!(fitted.shift(&long, &at) > 0.0 && fitted.shift(&short, &at) < 0.0);
        // unmarked prompts are left alone, whatever their length; maths opens the gate too
        assert_eq!(fitted.shift(&[0.0, 0.9, 0.0, 0.0], &at), 0.0);
        assert!(fitted.shift(&[0.0, 0.9, 0.0, 0.6], &at) > 0.0);
    }

    #[test]
    fn a_falling_slope_or_no_marked_prompt_adds_nothing() {
        let (examples, mut inputs) = data();
        let indices: Vec<usize> = (0..examples.len()).collect();
        let m = ScoreMatrix::build(&examples, &indices, Target::Difficulty);
        let at = positions();
        // mark the unmarked prompts instead: for them longer is easier
        inputs.chunks_exact_mut(4).for_each(|x| x[2] = 1.0 - x[2]);
        assert_eq!(LengthSlope::fit(&m, &at, &inputs, 4), None);
        inputs.chunks_exact_mut(4).for_each(|x| x[2] = 0.0);
        assert_eq!(LengthSlope::fit(&m, &at, &inputs, 4), None);
    }

    #[test]
    fn positions_need_all_three_features() {
        assert_eq!(FeaturePositions::of(&["length".to_string()]), None);
        let at = positions();
        // read from the end, so the encoder's width does not matter
        assert_eq!(at.read(&[9.0, 0.3, 1.0, 0.0], at.length), 0.3);
        assert_eq!(at.read(&[0.3], at.options), 0.0);
    }
}
