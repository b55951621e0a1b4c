//! The analysis worker: reads the capture in slices, runs the core analyzer, keeps the report
//! for detail requests, and answers the page (see [`crate::shared::protocol`]).

pub mod analysis;
pub mod detail;
pub mod flv;
pub mod raw;
pub mod stream;

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, DedicatedWorkerGlobalScope, MessageEvent};

use crate::shared::protocol::{Event, JsBytes, Request};

use analysis::Analysis;

/// The last analysed capture: the report and the file it came from (re-read for raw bytes).
struct Loaded {
    analysis: Analysis,
    file: Blob,
    /// Message chunks posted to the page so far (one more once `Done` is posted).
    chunks_sent: usize,
}

/// Message chunks posted before the page asks for more: one being read while the next travels.
const CHUNKS_AHEAD: usize = 2;

fn post(scope: &DedicatedWorkerGlobalScope, event: &Event) {
    // Posting a plain object of strings, numbers and fresh buffers cannot fail to clone.
    let _ = scope.post_message_with_transfer(&event.to_js(), &event.transfer());
}

/// Posts the next chunk of messages, or `Done` after the last one.
fn post_next_chunk(scope: &DedicatedWorkerGlobalScope, loaded: &mut Loaded) {
    let analysis = &mut loaded.analysis;
    let at = loaded.chunks_sent;
    let chunks = analysis.chunk_count();
    if at > chunks {
        return;
    }
    loaded.chunks_sent += 1;
    if at == chunks {
        post(
            scope,
            &Event::Done {
                head_json: std::mem::take(&mut analysis.head_json),
                flv_json: std::mem::take(&mut analysis.flv_json),
                codecs_json: std::mem::take(&mut analysis.codecs_json),
            },
        );
        return;
    }
    let total = analysis.report.messages.len();
    match analysis.message_chunk(at) {
        // The JSON goes out of wasm memory into buffers the page takes over.
        Ok(chunk) => post(
            scope,
            &Event::Messages {
                done: ((at + 1) * analysis::MESSAGES_PER_CHUNK).min(total) as u32,
                total: total as u32,
                json: JsBytes(js_sys::Uint8Array::from(chunk.json.as_bytes())),
                summaries_json: JsBytes(js_sys::Uint8Array::from(chunk.summaries_json.as_bytes())),
            },
        ),
        Err(message) => post(scope, &Event::Failed { message }),
    }
}

/// Installs the message handler and tells the page the worker is ready.
pub fn start() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let loaded: Rc<RefCell<Option<Loaded>>> = Rc::new(RefCell::new(None));
    let handler_scope = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let Some(request) = Request::from_js(&event.data()) else {
            return;
        };
        handle(&handler_scope, &loaded, request);
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(&scope, &Event::Ready);
}

fn handle(
    scope: &DedicatedWorkerGlobalScope,
    loaded: &Rc<RefCell<Option<Loaded>>>,
    request: Request,
) {
    match request {
        Request::Analyze { file, name } => {
            loaded.replace(None);
            // The page starts a worker per file: nothing else is asked before this is done.
            let (scope, loaded) = (scope.clone(), Rc::clone(loaded));
            wasm_bindgen_futures::spawn_local(async move {
                analyze(&scope, &loaded, file, name).await;
            });
        }
        Request::MoreMessages => {
            if let Some(current) = loaded.borrow_mut().as_mut() {
                post_next_chunk(scope, current);
            }
        }
        Request::Export => {
            let guard = loaded.borrow();
            let Some(current) = guard.as_ref() else {
                return;
            };
            match analysis::export_json(&current.analysis.report) {
                Ok(json) => post(scope, &Event::Export { json }),
                Err(message) => post(scope, &Event::Failed { message }),
            }
        }
        Request::Flv { conn, msid } => {
            let guard = loaded.borrow();
            let Some(current) = guard.as_ref() else {
                return;
            };
            let result = flv::export_flv(&current.analysis.report, &current.file, conn, msid)
                .map(|bytes| JsBytes(js_sys::Uint8Array::from(bytes.as_slice())));
            post(scope, &Event::Flv { conn, msid, result });
        }
        Request::Detail { index } => {
            let guard = loaded.borrow();
            let Some(current) = guard.as_ref() else {
                return;
            };
            let detail = detail::message_detail(&current.analysis.report, &current.file, index);
            if let Ok(json) = serde_json::to_string(&detail) {
                post(scope, &Event::Detail { json });
            }
        }
    }
}

async fn analyze(
    scope: &DedicatedWorkerGlobalScope,
    loaded: &RefCell<Option<Loaded>>,
    file: Blob,
    name: String,
) {
    let mut progress = |done: f64, total: f64| post(scope, &Event::Progress { done, total });
    match analysis::analyze_blob(&file, &name, &mut progress).await {
        Ok(analysis) => {
            // The page keeps a row of each message, sent chunk by chunk as it asks; the worker
            // keeps the report for details.
            let mut current = Loaded {
                analysis,
                file,
                chunks_sent: 0,
            };
            for _ in 0..CHUNKS_AHEAD {
                post_next_chunk(scope, &mut current);
            }
            loaded.replace(Some(current));
        }
        Err(message) => post(scope, &Event::Failed { message }),
    }
}
