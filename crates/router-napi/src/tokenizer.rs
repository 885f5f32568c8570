use std::sync::Arc;

use napi::bindgen_prelude::{AsyncTask, Uint32Array, Uint32ArraySlice};
use napi::{Env, Task};
use napi_derive::napi;
use router_core::analysis::{analyze_chat, analyze_text, analyze_texts, Reads};
use router_core::routing::Router;
use router_core::{count_chat_tokens, ChatMessage, ChatOverhead, Tokenizer};

use crate::chat_message::NativeChatMessage;
use crate::errors::{to_napi, without_panics};
use crate::native_router::NativeRouter;
use crate::prompt_analysis::PromptAnalysis;

fn with_reads(router: Option<&NativeRouter>, score_only: Option<bool>) -> Option<(&Router, Reads)> {
    let reads = if score_only == Some(true) {
        Reads::Score
    } else {
        Reads::Outputs
    };
    router.map(|r| (&r.inner, reads))
}

/// An exact tokenizer: `o200k_base`, `cl100k_base`, or a HuggingFace
/// `tokenizer.json`. Token ids match tiktoken / HF tokenizers exactly.
#[napi]
pub struct NativeTokenizer {
    inner: Arc<Tokenizer>,
}

#[napi]
impl NativeTokenizer {
    /// `spec` is an encoding name (`o200k_base`, `cl100k_base`) or a path to
    /// a `tokenizer.json` file. Throws with a readable message when unknown.
    #[napi(factory, catch_unwind)]
    pub fn load(spec: String) -> napi::Result<Self> {
        let inner = Tokenizer::from_spec(&spec).map_err(to_napi)?;
        Ok(NativeTokenizer {
            inner: Arc::new(inner),
        })
    }

    /// The encoding name or file path.
    #[napi(getter, catch_unwind)]
    pub fn name(&self) -> String {
        self.inner.name().to_owned()
    }

    /// Number of tokens in `text` (ordinary text: no special tokens).
    #[napi(catch_unwind)]
    pub fn count(&self, text: String) -> napi::Result<u32> {
        self.inner.count(&text).map(|n| n as u32).map_err(to_napi)
    }

    /// Total tokens of several texts (a completions prompt or embeddings
    /// input given as a list), in one call.
    #[napi(catch_unwind)]
    pub fn count_many(&self, texts: Vec<String>) -> napi::Result<u32> {
        let mut total = 0usize;
        for text in &texts {
            total += self.inner.count(text).map_err(to_napi)?;
        }
        Ok(total as u32)
    }

    /// Token ids of `text`.
    // Copied into a JS-owned buffer: an external (Rust-owned) ArrayBuffer
    // costs V8 more per call than copying a few hundred ids.
    #[napi(catch_unwind, ts_return_type = "Uint32Array")]
    pub fn encode<'env>(
        &self,
        env: &'env Env,
        text: String,
    ) -> napi::Result<Uint32ArraySlice<'env>> {
        let ids = self.inner.encode(&text).map_err(to_napi)?;
        Uint32ArraySlice::copy_from(env, ids)
    }

    /// Text of token ids.
    #[napi(catch_unwind)]
    pub fn decode(&self, ids: Uint32Array) -> napi::Result<String> {
        self.inner.decode(&ids).map_err(to_napi)
    }

    /// The longest prefix of `text` that fits in `maxTokens` tokens.
    #[napi(catch_unwind)]
    pub fn truncate(&self, text: String, max_tokens: u32) -> napi::Result<String> {
        self.inner
            .truncate(&text, max_tokens as usize)
            .map(str::to_owned)
            .map_err(to_napi)
    }

    /// Prompt tokens of a chat conversation, with OpenAI's per-message
    /// framing (3 per message, 1 per name, 3 to prime the reply). This is
    /// the gateway's one native call per chat request.
    #[napi(catch_unwind)]
    pub fn count_chat(&self, messages: Vec<NativeChatMessage>) -> napi::Result<u32> {
        let messages: Vec<ChatMessage> = messages.into_iter().map(Into::into).collect();
        count_chat_tokens(&self.inner, &messages, ChatOverhead::default())
            .map(|n| n as u32)
            .map_err(to_napi)
    }

    /// A chat request's prompt tokens (as `countChat`) and, with a router, the router's outputs
    /// for one message (`routerMessage`: its index; by default the last user message; empty
    /// text when there is none), the router also seeing the conversation's number of turns
    /// (user messages) — the one native call a chat request needs, in place of `countChat`
    /// followed by `router.outputs`. `scoreOnly`: the outputs are `[router.score]` (what
    /// threshold routing reads), not every output.
    #[napi(catch_unwind)]
    pub fn analyze_chat(
        &self,
        messages: Vec<NativeChatMessage>,
        router: Option<&NativeRouter>,
        router_message: Option<u32>,
        score_only: Option<bool>,
    ) -> napi::Result<PromptAnalysis> {
        let messages: Vec<ChatMessage> = messages.into_iter().map(Into::into).collect();
        let index = router_message.map(|i| i as usize);
        analyze_chat(
            &self.inner,
            &messages,
            with_reads(router, score_only),
            index,
        )
        .map(PromptAnalysis::from)
        .map_err(to_napi)
    }

    /// A completions prompt's tokens and, with a router, the router's outputs (`scoreOnly`: as
    /// in `analyzeChat`), in one call.
    #[napi(catch_unwind)]
    pub fn analyze_text(
        &self,
        text: String,
        router: Option<&NativeRouter>,
        score_only: Option<bool>,
    ) -> napi::Result<PromptAnalysis> {
        analyze_text(&self.inner, &text, with_reads(router, score_only))
            .map(PromptAnalysis::from)
            .map_err(to_napi)
    }

    /// A prompt given as a list of texts: their total tokens (as `countMany`) and, with a
    /// router, its outputs for the texts joined (`scoreOnly`: as in `analyzeChat`), in one call.
    #[napi(catch_unwind)]
    pub fn analyze_texts(
        &self,
        texts: Vec<String>,
        router: Option<&NativeRouter>,
        score_only: Option<bool>,
    ) -> napi::Result<PromptAnalysis> {
        analyze_texts(&self.inner, &texts, with_reads(router, score_only))
            .map(PromptAnalysis::from)
            .map_err(to_napi)
    }

    /// `count` off the event loop, for long texts (more than ~100 KB).
    #[napi(ts_return_type = "Promise<number>")]
    pub fn count_async(&self, text: String) -> AsyncTask<CountTask> {
        AsyncTask::new(CountTask {
            tokenizer: Arc::clone(&self.inner),
            text,
        })
    }

    /// `encode` off the event loop, for long texts.
    #[napi(ts_return_type = "Promise<Uint32Array>")]
    pub fn encode_async(&self, text: String) -> AsyncTask<EncodeTask> {
        AsyncTask::new(EncodeTask {
            tokenizer: Arc::clone(&self.inner),
            text,
        })
    }
}

pub struct CountTask {
    tokenizer: Arc<Tokenizer>,
    text: String,
}

impl Task for CountTask {
    type Output = u32;
    type JsValue = u32;

    fn compute(&mut self) -> napi::Result<u32> {
        without_panics(|| {
            self.tokenizer
                .count(&self.text)
                .map(|n| n as u32)
                .map_err(to_napi)
        })
    }

    fn resolve(&mut self, _env: Env, output: u32) -> napi::Result<u32> {
        Ok(output)
    }
}

pub struct EncodeTask {
    tokenizer: Arc<Tokenizer>,
    text: String,
}

impl Task for EncodeTask {
    type Output = Vec<u32>;
    type JsValue = Uint32Array;

    fn compute(&mut self) -> napi::Result<Vec<u32>> {
        without_panics(|| self.tokenizer.encode(&self.text).map_err(to_napi))
    }

    fn resolve(&mut self, _env: Env, output: Vec<u32>) -> napi::Result<Uint32Array> {
        Ok(Uint32Array::new(output))
    }
}
