//! Exact tokenizers: OpenAI's BPE encodings (embedded at build time) and any
//! HuggingFace `tokenizer.json` loaded from disk.

use std::path::Path;

use crate::tiktoken::{self, TiktokenEncoding};

/// Why a tokenizer could not be created or used. Every variant carries a
/// message meant for a person reading a route's status or a CLI error.
#[derive(Debug, thiserror::Error)]
pub enum TokenizerError {
    #[error("unknown tokenizer encoding \"{0}\" (known: o200k_base, cl100k_base, or a path to a tokenizer.json file)")]
    UnknownEncoding(String),
    #[error("cannot load tokenizer file {path}: {reason}")]
    BadFile { path: String, reason: String },
    #[error("tokenization failed: {0}")]
    Encode(String),
    #[error("token id {0} is not in the vocabulary")]
    InvalidToken(u32),
}

/// A tokenizer that produces exactly the ids of its reference implementation
/// (tiktoken for the OpenAI encodings, HuggingFace `tokenizers` for files).
pub enum Tokenizer {
    /// OpenAI encoding; the vocabulary is compiled into the binary, so nothing
    /// is read or downloaded at run time.
    Tiktoken(&'static TiktokenEncoding),
    /// HuggingFace tokenizer.json (Llama, Mistral, Qwen, ...).
    HuggingFace {
        path: String,
        inner: Box<tokenizers::Tokenizer>,
    },
}

impl Tokenizer {
    /// `o200k_base` (GPT-4o and later) or `cl100k_base` (GPT-4, GPT-3.5, embeddings v3).
    pub fn from_encoding(name: &str) -> Result<Self, TokenizerError> {
        tiktoken::encoding(name)
            .map(Tokenizer::Tiktoken)
            .ok_or_else(|| TokenizerError::UnknownEncoding(name.to_owned()))
    }

    /// Load a HuggingFace `tokenizer.json`.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, TokenizerError> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let bad = |e: tokenizers::Error| TokenizerError::BadFile {
            path: shown.clone(),
            reason: e.to_string(),
        };
        let mut inner = tokenizers::Tokenizer::from_file(path).map_err(bad)?;
        // Counts are of the whole text: a file's own truncation (a model's 128 or 512 tokens)
        // would under-count long prompts against context windows, limits and budgets, and its
        // padding would over-count short ones.
        inner.with_truncation(None).map_err(bad)?;
        inner.with_padding(None);
        Ok(Tokenizer::HuggingFace {
            path: shown,
            inner: Box::new(inner),
        })
    }

    /// An encoding name, or a path when the spec names a `.json` file.
    pub fn from_spec(spec: &str) -> Result<Self, TokenizerError> {
        if spec.ends_with(".json") {
            Self::from_file(spec)
        } else {
            Self::from_encoding(spec)
        }
    }

    /// The encoding name or file path this tokenizer was created from.
    pub fn name(&self) -> &str {
        match self {
            Tokenizer::Tiktoken(enc) => enc.name,
            Tokenizer::HuggingFace { path, .. } => path,
        }
    }

    /// Number of tokens in `text`, without special tokens: text that looks like
    /// `<|endoftext|>` is counted as ordinary text, as a prompt would be.
    pub fn count(&self, text: &str) -> Result<usize, TokenizerError> {
        match self {
            Tokenizer::Tiktoken(enc) => Ok(enc.count(text)),
            Tokenizer::HuggingFace { inner, .. } => Ok(hf_encode(inner, text)?.len()),
        }
    }

    /// Token ids of `text` (ordinary text, no special tokens added).
    pub fn encode(&self, text: &str) -> Result<Vec<u32>, TokenizerError> {
        match self {
            Tokenizer::Tiktoken(enc) => Ok(enc.encode(text)),
            Tokenizer::HuggingFace { inner, .. } => Ok(hf_encode(inner, text)?.get_ids().to_vec()),
        }
    }

    /// Text of `ids`; a partial UTF-8 sequence at the end is replaced by U+FFFD.
    pub fn decode(&self, ids: &[u32]) -> Result<String, TokenizerError> {
        match self {
            Tokenizer::Tiktoken(enc) => {
                let bpe = &enc.bpe.bpe;
                let vocab = bpe.num_tokens();
                if let Some(bad) = ids.iter().find(|&&id| id as usize >= vocab) {
                    return Err(TokenizerError::InvalidToken(*bad));
                }
                Ok(String::from_utf8_lossy(&bpe.decode_tokens(ids)).into_owned())
            }
            Tokenizer::HuggingFace { inner, .. } => inner
                .decode(ids, false)
                .map_err(|e| TokenizerError::Encode(e.to_string())),
        }
    }

    /// The longest prefix of `text` whose tokens are the first `max_tokens`
    /// tokens of `text` (never splitting a character).
    pub fn truncate<'a>(
        &self,
        text: &'a str,
        max_tokens: usize,
    ) -> Result<&'a str, TokenizerError> {
        match self {
            Tokenizer::Tiktoken(enc) => {
                Ok(&text[..floor_char_boundary(text, enc.prefix_len(text, max_tokens))])
            }
            Tokenizer::HuggingFace { inner, .. } => {
                let enc = hf_encode(inner, text)?;
                if enc.len() <= max_tokens {
                    return Ok(text);
                }
                let end = match max_tokens {
                    0 => 0,
                    n => enc.get_offsets()[n - 1].1,
                };
                Ok(&text[..floor_char_boundary(text, end)])
            }
        }
    }
}

fn hf_encode(
    inner: &tokenizers::Tokenizer,
    text: &str,
) -> Result<tokenizers::Encoding, TokenizerError> {
    inner
        .encode(text, false)
        .map_err(|e| TokenizerError::Encode(e.to_string()))
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_known_strings() {
        let t = Tokenizer::from_encoding("o200k_base").unwrap();
        assert_eq!(t.encode("hello world").unwrap(), vec![24912, 2375]);
        let t = Tokenizer::from_encoding("cl100k_base").unwrap();
        assert_eq!(t.encode("hello world").unwrap(), vec![15339, 1917]);
        assert_eq!(t.count("").unwrap(), 0);
    }

    #[test]
    fn unknown_encoding_is_a_typed_error() {
        let err = Tokenizer::from_spec("p50k_nope").err().unwrap();
        assert!(err.to_string().contains("unknown tokenizer encoding"));
        let err = Tokenizer::from_spec("/does/not/exist/tokenizer.json")
            .err()
            .unwrap();
        assert!(err.to_string().contains("/does/not/exist/tokenizer.json"));
    }

    #[test]
    fn round_trips_and_truncates() {
        let t = Tokenizer::from_encoding("o200k_base").unwrap();
        let text = "Switchboard routes prompts 🚦 to the right model — 快速地.";
        let ids = t.encode(text).unwrap();
        assert_eq!(t.decode(&ids).unwrap(), text);
        for n in 0..=ids.len() + 1 {
            let prefix = t.truncate(text, n).unwrap();
            assert!(text.starts_with(prefix));
            assert!(t.count(prefix).unwrap() <= n);
        }
        assert_eq!(t.truncate(text, ids.len()).unwrap(), text);
        assert_eq!(t.truncate(text, 0).unwrap(), "");
    }

    #[test]
    fn decode_rejects_out_of_vocab() {
        let t = Tokenizer::from_encoding("cl100k_base").unwrap();
        assert!(matches!(
            t.decode(&[u32::MAX]),
            Err(TokenizerError::InvalidToken(_))
        ));
    }
}
