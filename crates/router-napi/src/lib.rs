//! napi-rs glue: one file per exposed type, no logic (see router-core).
#![deny(clippy::all)]

mod chat_message;
mod errors;
pub mod router;
pub mod semantic;
mod tokenizer;

pub use chat_message::NativeChatMessage;
pub use tokenizer::NativeTokenizer;
