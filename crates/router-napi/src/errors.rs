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
