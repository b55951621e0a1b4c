//! The analysis worker: reads the capture in slices, runs the core analyzer, keeps the report
//! for detail requests, and answers the page (see [`crate::shared::protocol`]).

pub mod analysis;
pub mod detail;
pub mod flv;
pub mod raw;

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
}

fn post(scope: &DedicatedWorkerGlobalScope, event: &Event) {
    // Posting a plain object of strings and numbers cannot fail to clone.
    let _ = scope.post_message(&event.to_js());
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
        Ok(mut analysis) => {
            // The page keeps its own copy; the worker keeps the report for details. Each chunk's
            // JSON is dropped once posted (the page gets a copy), so the worker's memory never
            // holds the whole list as JSON.
            let total = analysis.report.messages.len();
            for at in 0..analysis.chunk_count() {
                match analysis.message_chunk(at) {
                    Ok(chunk) => post(
                        scope,
                        &Event::Messages {
                            done: ((at + 1) * analysis::MESSAGES_PER_CHUNK).min(total) as u32,
                            total: total as u32,
                            json: chunk.json,
                            summaries_json: chunk.summaries_json,
                        },
                    ),
                    Err(message) => {
                        post(scope, &Event::Failed { message });
                        return;
                    }
                }
            }
            post(
                scope,
                &Event::Done {
                    head_json: std::mem::take(&mut analysis.head_json),
                    flv_json: std::mem::take(&mut analysis.flv_json),
                },
            );
            loaded.replace(Some(Loaded { analysis, file }));
        }
        Err(message) => post(scope, &Event::Failed { message }),
    }
}
