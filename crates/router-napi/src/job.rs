use napi::bindgen_prelude::{ToNapiValue, TypeName};
use napi::{Env, Task};

use crate::errors::{invalid, without_panics};

type Work<T> = Box<dyn FnOnce() -> Result<T, String> + Send>;

/// A router-core job run off the event loop (libuv's thread pool); its result is converted to
/// the JS value on the main thread.
pub struct Job<T, J> {
    work: Option<Work<T>>,
    to_js: fn(T) -> J,
}

impl<T, J> Job<T, J> {
    pub fn new(
        work: impl FnOnce() -> Result<T, String> + Send + 'static,
        to_js: fn(T) -> J,
    ) -> Self {
        Job {
            work: Some(Box::new(work)),
            to_js,
        }
    }
}

impl<T: Send + 'static, J: ToNapiValue + TypeName> Task for Job<T, J> {
    type Output = T;
    type JsValue = J;

    fn compute(&mut self) -> napi::Result<T> {
        let work = self
            .work
            .take()
            .ok_or_else(|| invalid("a job runs once".into()))?;
        without_panics(|| work().map_err(invalid))
    }

    fn resolve(&mut self, _env: Env, output: T) -> napi::Result<J> {
        Ok((self.to_js)(output))
    }
}
