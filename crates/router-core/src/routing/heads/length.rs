//! `length`: the honest floor — a prompt's length in tokens (o200k_base),
//! longer prompts to the strong model. The score is ln(1 + tokens), so ranks
//! never tie between different lengths; training records the training
//! prompts' scores at every percentile, so a target share of strong calls
//! turns into a threshold like any other router's.

use std::sync::OnceLock;

use super::{Context, RouterHead};
use crate::routing::tensors::Named;
use crate::Tokenizer;

#[derive(Debug, Clone)]
pub struct Length;

/// o200k_base is compiled in: loading it cannot fail.
fn tokenizer() -> Option<&'static Tokenizer> {
    static T: OnceLock<Option<Tokenizer>> = OnceLock::new();
    T.get_or_init(|| Tokenizer::from_encoding("o200k_base").ok())
        .as_ref()
}

/// ln(1 + the prompt's o200k tokens); characters / 4 if the tokenizer failed.
pub fn length_score(text: &str) -> f32 {
    let tokens = tokenizer()
        .and_then(|t| t.count(text).ok())
        .unwrap_or(text.len() / 4);
    (1.0 + tokens as f32).ln()
}

impl RouterHead for Length {
    fn score(&self, _x: &[f32], ctx: &Context) -> f32 {
        length_score(ctx.text)
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
    fn longer_prompts_score_higher_and_percentiles_calibrate() {
        // the toy data has no pair requirement for a text-only kind
        let mut c = toy::cfg(RouterKind::Length);
        c.strong = "absent".into();
        let r = toy::train_on(&toy::data(), &c).unwrap();
        assert_eq!(r.meta.encoder, "text");
        assert!(r.score("a much longer prompt with many more words in it") > r.score("short"));
        assert_eq!(r.score("hello"), (1.0f64 + 1.0).ln() as f32 as f64);
        let p = &r.meta.score_percentiles;
        assert_eq!(p.len(), 101);
        assert!(p[0] <= p[100]);
        let dir = std::env::temp_dir().join(format!("router-length-{}", std::process::id()));
        r.save(&dir).unwrap();
        let back = crate::routing::Router::load(&dir).unwrap();
        std::fs::remove_dir_all(&dir).ok();
        assert_eq!(back.score("short prompt"), r.score("short prompt"));
    }
}
