//! A router: its router.json, its encoder and its head. Stored as a folder
//! with `router.json` and `weights.bin` (see tensors.rs).

use std::fs;
use std::path::Path;

use super::encoder::{sentence_encoder, Encoder, HashedEncoder};
use super::heads::{Context, Head};
use super::meta::RouterMeta;
use super::prompt_features::prompt_features;
use super::static_encoder::StaticEncoder;
use super::tensors::{self, Tensors};

thread_local! {
    /// The vector and its features side by side, reused per thread.
    static INPUT: std::cell::RefCell<Vec<f32>> = const { std::cell::RefCell::new(Vec::new()) };
}

#[derive(Debug, Clone)]
pub struct Router {
    pub meta: RouterMeta,
    pub encoder: Encoder,
    pub head: Head,
}

const ENCODERS: &[&str] = &["hashed", "sentence", "static", "remote", "ensemble", "text"];

impl Router {
    fn context<'a>(&'a self, text: &'a str) -> Context<'a> {
        Context {
            text,
            meta: &self.meta,
        }
    }

    /// Runs `f` on what the head reads for this prompt: the encoder's vector, followed by the
    /// explicit prompt features when the router reads them; None when the encoder cannot
    /// encode text here (remote).
    pub fn with_input<T>(
        &self,
        text: &str,
        turns: Option<usize>,
        f: impl FnOnce(&[f32]) -> T,
    ) -> Option<T> {
        let extra = self.meta.features.len();
        if extra == 0 {
            return self.encoder.with_vector(text, f);
        }
        self.encoder.with_vector(text, |v| {
            INPUT.with(|buf| {
                let buf = &mut *buf.borrow_mut();
                buf.clear();
                buf.extend_from_slice(v);
                buf.resize(v.len() + extra, 0.0);
                prompt_features(text, turns, &mut buf[v.len()..]);
                f(buf)
            })
        })
    }

    /// The strong/weak score of one prompt, with the router's pair: tokenize, encode and score.
    /// 0.5 when the encoder cannot encode text here (remote: use `score_vector`).
    pub fn score(&self, text: &str) -> f64 {
        self.score_turns(text, None)
    }

    /// `score` for a conversation whose number of turns the caller knows.
    pub fn score_turns(&self, text: &str, turns: Option<usize>) -> f64 {
        let head = self.head.as_dyn();
        let ctx = self.context(text);
        if !head.reads_vector() {
            return head.score(&[], &ctx) as f64;
        }
        self.with_input(text, turns, |x| head.score(x, &ctx) as f64)
            .unwrap_or(0.5)
    }

    /// Every output for one prompt: class probabilities (classifier with labels), each model's
    /// predicted quality (predictive), or the single score (the others).
    pub fn outputs(&self, text: &str) -> Vec<f32> {
        self.outputs_turns(text, None)
    }

    /// `outputs` for a conversation whose number of turns the caller knows.
    pub fn outputs_turns(&self, text: &str, turns: Option<usize>) -> Vec<f32> {
        let head = self.head.as_dyn();
        let ctx = self.context(text);
        if !head.reads_vector() {
            return head.outputs(&[], &ctx);
        }
        self.with_input(text, turns, |x| head.outputs(x, &ctx))
            .unwrap_or_default()
    }

    /// `outputs` from an already encoded prompt (`text` feeds heads that read it).
    pub fn outputs_vector(&self, x: &[f32], text: &str) -> Vec<f32> {
        self.head.as_dyn().outputs(x, &self.context(text))
    }

    /// The score from an already encoded prompt (`text` feeds heads that read it).
    pub fn score_vector(&self, x: &[f32], text: &str) -> f32 {
        self.head.as_dyn().score(x, &self.context(text))
    }

    /// The same router scoring another pair (mf and predictive routers know every model of
    /// their data; the others only the pair they were trained for).
    pub fn with_pair(mut self, strong: &str, weak: &str) -> Result<Self, String> {
        self.head.as_dyn_mut().repoint(strong, weak, &self.meta)?;
        self.meta.strong = strong.to_string();
        self.meta.weak = weak.to_string();
        Ok(self)
    }

    pub fn save(&self, dir: &Path) -> Result<(), String> {
        fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut named = tensors::Named::new();
        match &self.encoder {
            Encoder::Hashed(h) => named.push(("encoder.table", &h.table)),
            Encoder::Static(s) => {
                named.push(("encoder.static", &s.table));
                s.save_tokenizer(dir)?;
            }
            _ => {}
        }
        let head = self.head.as_dyn();
        named.extend(head.tensors());
        head.save_parts(dir, &self.meta)?;
        let (bytes, shapes) = tensors::encode(&named);
        let mut meta = self.meta.clone();
        meta.tensors = shapes;
        let json = serde_json::to_string_pretty(&meta).map_err(|e| e.to_string())?;
        fs::write(dir.join("router.json"), json + "\n").map_err(|e| e.to_string())?;
        fs::write(dir.join("weights.bin"), bytes).map_err(|e| e.to_string())
    }

    pub fn load(dir: &Path) -> Result<Self, String> {
        let read = |name: &str| {
            fs::read(dir.join(name)).map_err(|e| format!("{}: {e}", dir.join(name).display()))
        };
        let meta: RouterMeta = serde_json::from_slice(&read("router.json")?)
            .map_err(|e| format!("{}: {e}", dir.join("router.json").display()))?;
        if meta.format != 1 {
            return Err(format!(
                "router format {} is not supported (expected 1)",
                meta.format
            ));
        }
        if !ENCODERS.contains(&meta.encoder.as_str()) {
            return Err(format!(
                "encoder \"{}\" is not known (known: {})",
                meta.encoder,
                ENCODERS.join(", ")
            ));
        }
        let tensors = Tensors::new(&meta.tensors, read("weights.bin")?)?;
        let encoder = load_encoder(&meta, &tensors, dir)?;
        let head = Head::load(&meta, &tensors, dir)?;
        Ok(Router {
            meta,
            encoder,
            head,
        })
    }
}

fn load_encoder(meta: &RouterMeta, t: &Tensors, dir: &Path) -> Result<Encoder, String> {
    Ok(match meta.encoder.as_str() {
        "hashed" => {
            let table = t.take("encoder.table")?;
            if table.len() != meta.buckets as usize * meta.dim {
                return Err("encoder table size does not match buckets x dim".into());
            }
            Encoder::Hashed(HashedEncoder {
                buckets: meta.buckets,
                dim: meta.dim,
                table,
            })
        }
        "remote" => Encoder::Remote { dim: meta.dim },
        "static" => {
            let dim = meta.dim - meta.features.len();
            let enc = StaticEncoder::load(dir, t.take("encoder.static")?, dim)?;
            Encoder::Static(std::sync::Arc::new(enc))
        }
        "ensemble" | "text" => Encoder::Text,
        _ => sentence_encoder(&meta.encoder_model)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_folders_are_errors_naming_the_problem() {
        let dir = std::env::temp_dir().join(format!("router-bad-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        assert!(Router::load(&dir).unwrap_err().contains("router.json"));
        let mut meta = RouterMeta::new(super::super::RouterKind::Random, "hashed", 2, "s", "w");
        meta.buckets = 2;
        meta.tensors = vec![("encoder.table".into(), 4)];
        fs::write(
            dir.join("router.json"),
            serde_json::to_string(&meta).unwrap(),
        )
        .unwrap();
        fs::write(dir.join("weights.bin"), [0u8; 6]).unwrap();
        assert!(Router::load(&dir)
            .unwrap_err()
            .contains("weights.bin has 6 bytes"));
        meta.encoder = "bert".into();
        fs::write(
            dir.join("router.json"),
            serde_json::to_string(&meta).unwrap(),
        )
        .unwrap();
        assert!(Router::load(&dir)
            .unwrap_err()
            .contains("encoder \"bert\" is not known"));
        meta.encoder = "hashed".into();
        meta.format = 2;
        fs::write(
            dir.join("router.json"),
            serde_json::to_string(&meta).unwrap(),
        )
        .unwrap();
        assert!(Router::load(&dir).unwrap_err().contains("format 2"));
        fs::remove_dir_all(&dir).ok();
    }
}
