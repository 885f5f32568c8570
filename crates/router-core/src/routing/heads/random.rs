//! `random`: the baseline — a uniform score from the prompt's hash, so the
//! same prompt always gets the same score.

use super::{Context, RouterHead};
use crate::routing::tensors::Named;

#[derive(Debug, Clone)]
pub struct Random;

impl RouterHead for Random {
    fn score(&self, _x: &[f32], ctx: &Context) -> f32 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in ctx.text.bytes() {
            h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
        }
        // SplitMix64's finaliser: FNV's high bits barely move when prompts differ at the end.
        h = (h ^ (h >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        h = (h ^ (h >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        h ^= h >> 31;
        (h >> 40) as f32 / (1u64 << 24) as f32
    }

    fn tensors(&self) -> Named<'_> {
        vec![]
    }

    fn reads_vector(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use crate::routing::heads::toy;
    use crate::routing::meta::RouterKind;

    #[test]
    fn scores_are_uniform_stable_and_survive_loading() {
        let data = toy::data();
        let r = toy::train_on(&data, &toy::cfg(RouterKind::Random)).unwrap();
        let scores: Vec<f64> = (0..2000).map(|i| r.score(&format!("prompt {i}"))).collect();
        assert!(scores.iter().all(|s| (0.0..1.0).contains(s)));
        let mean = scores.iter().sum::<f64>() / scores.len() as f64;
        assert!((mean - 0.5).abs() < 0.03, "mean {mean}");
        assert_eq!(r.score("same"), r.score("same"));
        let dir = std::env::temp_dir().join(format!("router-random-{}", std::process::id()));
        r.save(&dir).unwrap();
        let back = crate::routing::Router::load(&dir).unwrap();
        std::fs::remove_dir_all(&dir).ok();
        assert_eq!(back.score("same"), r.score("same"));
    }
}
