//! Reading a capture Blob in slices and analysing it.

use js_sys::Uint8Array;
use rtmpscope::analysis::describe;
use rtmpscope::{Analyzer, AnalyzerOptions, Report};
use web_sys::{Blob, FileReaderSync};

/// Bytes read per slice: large enough that per-slice overhead vanishes, small enough that
/// progress moves and memory stays flat.
pub const SLICE_BYTES: usize = 8 * 1024 * 1024;

/// Width of the one-line summaries, as in `rtmpscope messages`.
pub const SUMMARY_WIDTH: usize = 120;

/// One analysed capture.
pub struct Analysis {
    pub report: Report,
    /// The report as `rtmpscope summary --format json` prints it (pretty, trailing newline).
    pub report_json: String,
    /// Each message's one-line summary, as a JSON array of strings.
    pub summaries_json: String,
}

fn js_error(what: &str, error: wasm_bindgen::JsValue) -> String {
    format!(
        "{what}: {}",
        error.as_string().unwrap_or_else(|| format!("{error:?}"))
    )
}

/// Analyses `blob`, calling `progress(bytes_done, bytes_total)` after each slice.
/// Fails with a message for the user when the file is not a capture or cannot be read.
pub fn analyze_blob(
    blob: &Blob,
    name: &str,
    progress: &mut dyn FnMut(f64, f64),
) -> Result<Analysis, String> {
    let reader = FileReaderSync::new().map_err(|e| js_error("cannot read files here", e))?;
    let total = blob.size();
    let mut analyzer = Analyzer::new(AnalyzerOptions {
        file_name: (!name.is_empty()).then(|| name.to_string()),
        ..AnalyzerOptions::default()
    });
    let mut buffer = vec![0u8; SLICE_BYTES];
    let mut offset = 0.0;
    progress(0.0, total);
    while offset < total {
        let end = (offset + SLICE_BYTES as f64).min(total);
        let slice = blob
            .slice_with_f64_and_f64(offset, end)
            .map_err(|e| js_error("cannot slice the file", e))?;
        let bytes = reader
            .read_as_array_buffer(&slice)
            .map_err(|e| js_error("cannot read the file", e))?;
        let bytes = Uint8Array::new(&bytes);
        let len = (bytes.length() as usize).min(buffer.len());
        let Some(piece) = buffer.get_mut(..len) else {
            break;
        };
        bytes.subarray(0, len as u32).copy_to(piece);
        offset = end;
        progress(offset, total);
        // An error means the rest cannot be read; finish() reports everything before it.
        if analyzer.feed(piece).is_err() || len == 0 {
            break;
        }
    }
    let report = analyzer.finish().map_err(|e| {
        let name = if name.is_empty() { "the file" } else { name };
        format!("{name} is not a capture file: {e}")
    })?;
    analysis_of(report)
}

/// The JSON forms of a report.
pub fn analysis_of(report: Report) -> Result<Analysis, String> {
    let mut report_json = serde_json::to_string_pretty(&report)
        .map_err(|e| format!("cannot encode the report: {e}"))?;
    report_json.push('\n');
    let summaries: Vec<String> = report
        .messages
        .iter()
        .map(|m| describe(&m.message, SUMMARY_WIDTH))
        .collect();
    let summaries_json =
        serde_json::to_string(&summaries).map_err(|e| format!("cannot encode summaries: {e}"))?;
    Ok(Analysis {
        report,
        report_json,
        summaries_json,
    })
}
