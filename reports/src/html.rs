//! HTML (stub).
use crate::{Renderer, ReportError};
use copybench_result::RunResult;
pub struct HtmlRenderer;
impl Renderer for HtmlRenderer {
    fn render(&self, _r: &[RunResult]) -> Result<String, ReportError> {
        Ok(String::new())
    }
}
