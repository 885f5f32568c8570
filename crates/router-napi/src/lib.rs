//! napi-rs glue: one file per exposed type or group of functions, no logic (see router-core).
#![deny(clippy::all, clippy::too_many_lines)]

mod chat_message;
mod errors;
pub mod evaluation;
mod job;
pub mod native_router;
pub mod prompt_analysis;
pub mod router_metadata;
pub mod semantic;
pub mod text_pattern;
mod tokenizer;
pub mod train_options;
pub mod training;

pub use chat_message::NativeChatMessage;
pub use text_pattern::NativeTextPattern;
pub use tokenizer::NativeTokenizer;
