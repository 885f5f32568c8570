//! Switchboard's native core: pure Rust, no Node types.
//!
//! The napi binding (`router-napi`) is a thin layer over this crate, so
//! everything here is tested with plain `cargo test`.

#![deny(clippy::too_many_lines)]

pub mod analysis;
pub mod chat;
pub mod panics;
pub mod pretokenize;
pub mod routing;
mod tiktoken;
pub mod tokenizer;

pub use chat::{count_chat_tokens, ChatMessage, ChatOverhead};
pub use tokenizer::{Tokenizer, TokenizerError};
