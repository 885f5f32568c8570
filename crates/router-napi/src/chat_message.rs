use napi_derive::napi;
use router_core::ChatMessage;

/// A chat message as the gateway passes it: content already reduced to text.
#[napi(object)]
pub struct NativeChatMessage {
    pub role: String,
    pub content: String,
    pub name: Option<String>,
}

impl From<NativeChatMessage> for ChatMessage {
    fn from(m: NativeChatMessage) -> Self {
        ChatMessage {
            role: m.role,
            content: m.content,
            name: m.name,
        }
    }
}
