//! A panic caught where work leaves for another thread.
//!
//! The bindings run some of this crate's work on libuv's thread pool; a
//! panic there would unwind into an `extern "C"` callback and abort the
//! whole process. `catch` turns it into an error message instead.

use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs `work`; a panic becomes `Err("native panic: <its message>")`.
pub fn catch<T>(work: impl FnOnce() -> T) -> Result<T, String> {
    // AssertUnwindSafe: on a panic the work's state is dropped, never read again.
    catch_unwind(AssertUnwindSafe(work)).map_err(|payload| {
        let detail = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".into());
        format!("native panic: {detail}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_an_error_with_its_message() {
        let out = catch(|| {
            let v: Vec<u32> = Vec::new();
            let i = v.len() + 3;
            v[i]
        });
        let err = out.expect_err("the panic is an error");
        assert!(
            err.starts_with("native panic: index out of bounds"),
            "{err}"
        );
        let formatted: Result<u32, String> = catch(|| panic!("bad {}", 7));
        assert_eq!(formatted.unwrap_err(), "native panic: bad 7");
    }

    #[test]
    fn values_pass_through() {
        assert_eq!(catch(|| 5), Ok(5));
        assert_eq!(catch(|| Err::<u32, &str>("no")), Ok(Err("no")));
    }
}
