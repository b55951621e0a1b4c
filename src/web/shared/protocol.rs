//! Messages between the page and the analysis worker, as plain JS objects with a `type` field
//! (a `File` or `Blob` cannot go through serde, and plain objects are easy to read in devtools).
//!
//! Page → worker: `analyze` (a Blob and its name), `detail` (a message index), `export`.
//! Worker → page: `ready` once its wasm is running, `progress`, then `done` or `failed`;
//! `detail` and `export` answer the requests of the same name.

use js_sys::{Object, Reflect};
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Blob;

use super::amf_node::AmfNode;

/// A request from the page.
#[derive(Debug, Clone)]
pub enum Request {
    Analyze { file: Blob, name: String },
    Detail { index: u64 },
    Export,
}

/// Something the worker tells the page.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Ready,
    Progress {
        done: f64,
        total: f64,
    },
    /// The report without its messages (compact JSON), the messages in JSON chunks (so the page
    /// can parse them a piece at a time), and each message's one-line summary (a JSON array of
    /// strings, in message order).
    Done {
        head_json: String,
        message_chunks: Vec<String>,
        summaries_json: String,
    },
    Failed {
        message: String,
    },
    Detail {
        json: String,
    },
    /// The report as `rtmpscope summary --format json` prints it.
    Export {
        json: String,
    },
}

/// What the detail pane needs that the report's JSON cannot carry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageDetail {
    pub index: u64,
    /// The decoded AMF body with its types (commands, data, shared objects); empty otherwise.
    pub tree: Vec<AmfNode>,
    pub raw: Option<RawBytes>,
}

/// Bytes of a message re-read from the capture file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawBytes {
    pub file_offset: u64,
    pub bytes: Vec<u8>,
    /// Bytes of `bytes` that are the chunk header (basic + message header + extended timestamp).
    pub header_len: usize,
    /// What these bytes are, and what they are not.
    pub note: String,
}

fn set(obj: &Object, key: &str, value: &JsValue) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn get_string(obj: &JsValue, key: &str) -> Option<String> {
    get(obj, key).as_string()
}

fn get_f64(obj: &JsValue, key: &str) -> Option<f64> {
    get(obj, key).as_f64()
}

fn typed(kind: &str) -> Object {
    let obj = Object::new();
    set(&obj, "type", &JsValue::from_str(kind));
    obj
}

impl Request {
    pub fn to_js(&self) -> JsValue {
        match self {
            Request::Analyze { file, name } => {
                let obj = typed("analyze");
                set(&obj, "file", file);
                set(&obj, "name", &JsValue::from_str(name));
                obj.into()
            }
            Request::Detail { index } => {
                let obj = typed("detail");
                set(&obj, "index", &JsValue::from_f64(*index as f64));
                obj.into()
            }
            Request::Export => typed("export").into(),
        }
    }

    pub fn from_js(value: &JsValue) -> Option<Request> {
        match get_string(value, "type")?.as_str() {
            "analyze" => Some(Request::Analyze {
                file: get(value, "file").dyn_into::<Blob>().ok()?,
                name: get_string(value, "name").unwrap_or_default(),
            }),
            "detail" => Some(Request::Detail {
                index: get_f64(value, "index")? as u64,
            }),
            "export" => Some(Request::Export),
            _ => None,
        }
    }
}

impl Event {
    pub fn to_js(&self) -> JsValue {
        let obj = match self {
            Event::Ready => typed("ready"),
            Event::Progress { done, total } => {
                let obj = typed("progress");
                set(&obj, "done", &JsValue::from_f64(*done));
                set(&obj, "total", &JsValue::from_f64(*total));
                obj
            }
            Event::Done {
                head_json,
                message_chunks,
                summaries_json,
            } => {
                let obj = typed("done");
                set(&obj, "report", &JsValue::from_str(head_json));
                let chunks: js_sys::Array = message_chunks
                    .iter()
                    .map(|c| JsValue::from_str(c))
                    .collect();
                set(&obj, "messages", &chunks);
                set(&obj, "summaries", &JsValue::from_str(summaries_json));
                obj
            }
            Event::Failed { message } => {
                let obj = typed("failed");
                set(&obj, "message", &JsValue::from_str(message));
                obj
            }
            Event::Detail { json } => {
                let obj = typed("detail");
                set(&obj, "detail", &JsValue::from_str(json));
                obj
            }
            Event::Export { json } => {
                let obj = typed("export");
                set(&obj, "json", &JsValue::from_str(json));
                obj
            }
        };
        obj.into()
    }

    pub fn from_js(value: &JsValue) -> Option<Event> {
        Some(match get_string(value, "type")?.as_str() {
            "ready" => Event::Ready,
            "progress" => Event::Progress {
                done: get_f64(value, "done")?,
                total: get_f64(value, "total")?,
            },
            "done" => Event::Done {
                head_json: get_string(value, "report")?,
                message_chunks: get(value, "messages")
                    .dyn_into::<js_sys::Array>()
                    .ok()?
                    .iter()
                    .map(|c| c.as_string())
                    .collect::<Option<Vec<_>>>()?,
                summaries_json: get_string(value, "summaries")?,
            },
            "failed" => Event::Failed {
                message: get_string(value, "message")?,
            },
            "detail" => Event::Detail {
                json: get_string(value, "detail")?,
            },
            "export" => Event::Export {
                json: get_string(value, "json")?,
            },
            _ => return None,
        })
    }
}
