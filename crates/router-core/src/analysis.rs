//! What one request needs from the native core, in one crossing: the prompt's
//! token count with the backend's tokenizer and, when the route has a router,
//! the router's outputs for the prompt — so the gateway extracts the prompt
//! text once and calls Rust once.

use crate::chat::{count_chat_tokens, ChatMessage, ChatOverhead};
use crate::routing::Router;
use crate::tokenizer::{Tokenizer, TokenizerError};

#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// Prompt tokens (chat framing included for conversations).
    pub tokens: usize,
    /// The router's outputs (one score for strong/weak routers, class probabilities, each
    /// model's quality); empty without a router.
    pub outputs: Vec<f32>,
}

/// What a strategy reads of its router: the strong/weak score alone (threshold routing), or
/// every output (class probabilities, each model's quality).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reads {
    Score,
    Outputs,
}

fn read(router: &Router, text: &str, turns: Option<usize>, reads: Reads) -> Vec<f32> {
    match reads {
        Reads::Score => vec![router.score_turns(text, turns) as f32],
        Reads::Outputs => router.outputs_turns(text, turns),
    }
}

/// Conversation turns: the user's messages (at least one).
pub fn turns(messages: &[ChatMessage]) -> usize {
    user_turns(messages.iter().map(|m| m.role.as_str()))
}

/// Conversation turns from the messages' roles: the user's messages, at least one (what a chat
/// request and a training row's `messages` both count).
pub fn user_turns<'a>(roles: impl IntoIterator<Item = &'a str>) -> usize {
    roles.into_iter().filter(|&r| r == "user").count().max(1)
}

/// The message a router reads: `index` when given and in range, else the last user message
/// (none: the router reads empty text, as the gateway's own prompt view does).
pub fn routed_message(messages: &[ChatMessage], index: Option<usize>) -> Option<&ChatMessage> {
    if let Some(m) = index.and_then(|i| messages.get(i)) {
        return Some(m);
    }
    messages.iter().rev().find(|m| m.role == "user")
}

/// A chat request: its prompt tokens, and the router's outputs for the chosen message, with the
/// conversation's number of turns.
pub fn analyze_chat(
    tokenizer: &Tokenizer,
    messages: &[ChatMessage],
    router: Option<(&Router, Reads)>,
    router_message: Option<usize>,
) -> Result<Analysis, TokenizerError> {
    let tokens = count_chat_tokens(tokenizer, messages, ChatOverhead::default())?;
    let outputs = router.map_or_else(Vec::new, |(r, reads)| {
        let text = routed_message(messages, router_message).map_or("", |m| m.content.as_str());
        read(r, text, Some(turns(messages)), reads)
    });
    Ok(Analysis { tokens, outputs })
}

/// A completions prompt: its tokens, and the router's outputs for it.
pub fn analyze_text(
    tokenizer: &Tokenizer,
    text: &str,
    router: Option<(&Router, Reads)>,
) -> Result<Analysis, TokenizerError> {
    Ok(Analysis {
        tokens: tokenizer.count(text)?,
        outputs: router.map_or_else(Vec::new, |(r, reads)| read(r, text, None, reads)),
    })
}

/// A prompt given as several texts (a completions or embeddings list): the sum of their
/// tokens, and the router's outputs for them joined (what the gateway's routers read).
pub fn analyze_texts(
    tokenizer: &Tokenizer,
    texts: &[String],
    router: Option<(&Router, Reads)>,
) -> Result<Analysis, TokenizerError> {
    let mut tokens = 0;
    for t in texts {
        tokens += tokenizer.count(t)?;
    }
    Ok(Analysis {
        tokens,
        outputs: router.map_or_else(Vec::new, |(r, reads)| read(r, &texts.concat(), None, reads)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routing::heads::toy;
    use crate::routing::RouterKind;

    fn msg(role: &str, content: &str) -> ChatMessage {
        ChatMessage {
            role: role.into(),
            content: content.into(),
            name: None,
        }
    }

    #[test]
    fn one_call_counts_and_scores_the_chosen_message() {
        let t = Tokenizer::from_encoding("o200k_base").unwrap();
        let r = toy::train_on(&toy::data(), &toy::cfg(RouterKind::Mf)).unwrap();
        let chat = [
            msg("system", "be brief"),
            msg("user", "hello what is the weather like"),
            msg("assistant", "sunny"),
            msg("user", "prove the integral bound again"),
        ];
        let a = analyze_chat(&t, &chat, Some((&r, Reads::Outputs)), None).unwrap();
        assert_eq!(
            a.tokens,
            count_chat_tokens(&t, &chat, ChatOverhead::default()).unwrap()
        );
        assert_eq!(
            a.outputs,
            r.outputs_turns("prove the integral bound again", Some(2))
        );
        let first = analyze_chat(&t, &chat, Some((&r, Reads::Outputs)), Some(1)).unwrap();
        assert_eq!(
            first.outputs,
            r.outputs_turns("hello what is the weather like", Some(2))
        );
        assert!(analyze_chat(&t, &chat, None, None)
            .unwrap()
            .outputs
            .is_empty());
        assert_eq!(turns(&chat), 2);
        let text = analyze_text(&t, "prove it", Some((&r, Reads::Outputs))).unwrap();
        assert_eq!(
            (text.tokens, text.outputs.len()),
            (t.count("prove it").unwrap(), 1)
        );
        let many = analyze_texts(
            &t,
            &["prove ".into(), "it".into()],
            Some((&r, Reads::Outputs)),
        )
        .unwrap();
        assert_eq!(
            (many.tokens, many.outputs),
            (
                t.count("prove ").unwrap() + t.count("it").unwrap(),
                r.outputs("prove it")
            )
        );
    }

    #[test]
    fn a_score_reading_strategy_gets_the_pair_score_not_the_first_model_quality() {
        let t = Tokenizer::from_encoding("o200k_base").unwrap();
        let r = toy::train_on(&toy::data(), &toy::cfg(RouterKind::Knn)).unwrap();
        let chat = [msg("user", "hello what is the weather like")];
        let score = analyze_chat(&t, &chat, Some((&r, Reads::Score)), None).unwrap();
        let all = analyze_chat(&t, &chat, Some((&r, Reads::Outputs)), None).unwrap();
        assert_eq!(
            score.outputs,
            vec![r.score_turns("hello what is the weather like", Some(1)) as f32]
        );
        // knn's outputs are each model's quality: two of them; on an easy prompt the strong
        // model's is high and the gain (the score) is not
        assert_eq!(all.outputs.len(), 2);
        assert_ne!(all.outputs[0], score.outputs[0]);
    }

    #[test]
    fn a_chat_without_a_user_message_is_routed_on_empty_text() {
        let t = Tokenizer::from_encoding("o200k_base").unwrap();
        let r = toy::train_on(&toy::data(), &toy::cfg(RouterKind::Mf)).unwrap();
        let chat = [msg("system", "prove the integral bound")];
        let a = analyze_chat(&t, &chat, Some((&r, Reads::Outputs)), None).unwrap();
        assert_eq!(a.outputs, r.outputs_turns("", Some(1)));
    }
}
