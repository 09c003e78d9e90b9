//! Markdown (stub until it lands).
use crate::{Renderer, ReportError};
use copybench_result::RunResult;
pub struct MarkdownRenderer;
impl Renderer for MarkdownRenderer {
    fn render(&self, _r: &[RunResult]) -> Result<String, ReportError> {
        Ok(String::new())
    }
}
