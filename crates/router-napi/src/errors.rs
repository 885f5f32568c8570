use napi::{Error, Status};
use router_core::TokenizerError;

/// Expected failures reach JS as a thrown `Error` whose `code` is
/// `InvalidArg`, with router-core's message: never a process abort.
pub fn to_napi(err: TokenizerError) -> Error {
    Error::new(Status::InvalidArg, err.to_string())
}

/// router-core's routing errors are messages for the user: the same treatment.
pub fn invalid(message: String) -> Error {
    Error::new(Status::InvalidArg, message)
}

/// Work run on libuv's thread pool: a panic becomes a rejected promise.
/// `#[napi(catch_unwind)]` guards only synchronous exports; a panic in an
/// `AsyncTask`'s `compute` would cross napi-rs's `extern "C"` worker
/// callback and abort the process every tenant shares.
pub fn without_panics<T>(work: impl FnOnce() -> napi::Result<T>) -> napi::Result<T> {
    router_core::panics::catch(work)
        .unwrap_or_else(|message| Err(Error::new(Status::GenericFailure, message)))
}
