//! Prompt token count of a chat request, with OpenAI's per-message framing.

use crate::tokenizer::{Tokenizer, TokenizerError};

/// One chat message, reduced to the strings that are tokenized.
#[derive(Debug, Clone, Default)]
pub struct ChatMessage {
    pub role: String,
    /// Text of the message; content parts are joined by the caller.
    pub content: String,
    pub name: Option<String>,
}

/// Framing tokens added around messages by the chat format.
///
/// OpenAI's published rule (openai-cookbook, "How to count tokens with
/// tiktoken"): every message costs 3 tokens of framing, a `name` one more,
/// and the reply is primed with 3 tokens. Since gpt-3.5-turbo-0613 every
/// OpenAI chat model follows it.
#[derive(Debug, Clone, Copy)]
pub struct ChatOverhead {
    pub per_message: usize,
    pub per_name: usize,
    pub reply_priming: usize,
}

impl Default for ChatOverhead {
    fn default() -> Self {
        ChatOverhead {
            per_message: 3,
            per_name: 1,
            reply_priming: 3,
        }
    }
}

/// Prompt tokens of `messages`: each message's role, content and name are
/// tokenized as the cookbook does, plus the framing of `overhead`.
pub fn count_chat_tokens(
    tokenizer: &Tokenizer,
    messages: &[ChatMessage],
    overhead: ChatOverhead,
) -> Result<usize, TokenizerError> {
    let mut total = overhead.reply_priming;
    for m in messages {
        total += overhead.per_message + tokenizer.count(&m.role)? + tokenizer.count(&m.content)?;
        if let Some(name) = &m.name {
            total += overhead.per_name + tokenizer.count(name)?;
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(role: &str, content: &str, name: Option<&str>) -> ChatMessage {
        ChatMessage {
            role: role.into(),
            content: content.into(),
            name: name.map(Into::into),
        }
    }

    /// The cookbook's example conversation: the OpenAI API reported 129
    /// prompt tokens for the gpt-4-0613 family (cl100k) and 124 for gpt-4o (o200k).
    #[test]
    fn matches_the_cookbook_example() {
        let messages = vec![
            msg("system", "You are a helpful, pattern-following assistant that translates corporate jargon into plain English.", None),
            msg("system", "New synergies will help drive top-line growth.", Some("example_user")),
            msg("system", "Things working well together will increase revenue.", Some("example_assistant")),
            msg("system", "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage.", Some("example_user")),
            msg("system", "Let's talk later when we're less busy about how to do better.", Some("example_assistant")),
            msg("user", "This late pivot means we don't have time to boil the ocean for the client deliverable.", None),
        ];
        for (enc, expected) in [("cl100k_base", 129), ("o200k_base", 124)] {
            let t = Tokenizer::from_encoding(enc).unwrap();
            assert_eq!(
                count_chat_tokens(&t, &messages, ChatOverhead::default()).unwrap(),
                expected,
                "{enc}"
            );
        }
    }

    #[test]
    fn empty_conversation_is_reply_priming_only() {
        let t = Tokenizer::from_encoding("o200k_base").unwrap();
        assert_eq!(
            count_chat_tokens(&t, &[], ChatOverhead::default()).unwrap(),
            3
        );
    }
}
