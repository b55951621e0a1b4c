//! Messages between the page and the analysis worker, as plain JS objects with a `type` field
//! (a `File` or `Blob` cannot go through serde, and plain objects are easy to read in devtools).
//!
//! Page → worker: `analyze` (a Blob and its name), `detail` (a message index).
//! Worker → page: `ready` once its wasm is running, `progress`, then `done` or `failed`;
//! `detail` answers a `detail` request.

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
}

/// Something the worker tells the page.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Ready,
    Progress {
        done: f64,
        total: f64,
    },
    /// The report as `rtmpscope summary --format json` prints it, and each message's one-line
    /// summary (a JSON array of strings, in message order).
    Done {
        report_json: String,
        summaries_json: String,
    },
    Failed {
        message: String,
    },
    Detail {
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
                report_json,
                summaries_json,
            } => {
                let obj = typed("done");
                set(&obj, "report", &JsValue::from_str(report_json));
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
                report_json: get_string(value, "report")?,
                summaries_json: get_string(value, "summaries")?,
            },
            "failed" => Event::Failed {
                message: get_string(value, "message")?,
            },
            "detail" => Event::Detail {
                json: get_string(value, "detail")?,
            },
            _ => return None,
        })
    }
}
