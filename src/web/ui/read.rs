//! Reading the worker's results a chunk at a time, yielding to the browser between chunks, so
//! a capture with hundreds of thousands of messages never blocks the page for long.

use rtmpscope::analysis::MessageRecord;
use rtmpscope::Report;
use wasm_bindgen_futures::JsFuture;

use crate::shared::flv_checks::FlvCheck;

use super::model::Loaded;

/// Lets the browser run other tasks (input, rendering) before continuing.
pub async fn yield_now() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let scheduled = web_sys::window()
            .map(|w| w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0));
        if !matches!(scheduled, Some(Ok(_))) {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Parses the report head, the message chunks and the summaries into a [`Loaded`] capture,
/// calling `progress(chunks_done, chunks_total)` as it goes.
pub async fn results(
    name: String,
    head_json: String,
    message_chunks: Vec<String>,
    summaries_json: String,
    flv_json: String,
    progress: impl Fn(usize, usize),
) -> Result<Loaded, String> {
    let unreadable = |e: serde_json::Error| format!("The worker's results could not be read: {e}");
    let mut report: Report = serde_json::from_str(&head_json).map_err(unreadable)?;
    drop(head_json);
    let total = message_chunks.len();
    for (done, chunk) in message_chunks.into_iter().enumerate() {
        progress(done, total);
        yield_now().await;
        let messages: Vec<MessageRecord> = serde_json::from_str(&chunk).map_err(unreadable)?;
        report.messages.extend(messages);
    }
    progress(total, total);
    yield_now().await;
    let summaries: Vec<String> = serde_json::from_str(&summaries_json).map_err(unreadable)?;
    let checks: Vec<FlvCheck> = serde_json::from_str(&flv_json).map_err(unreadable)?;
    Ok(Loaded::new(name, report, summaries).with_flv_checks(checks))
}
