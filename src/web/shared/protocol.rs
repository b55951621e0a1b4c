//! Messages between the page and the analysis worker, as plain JS objects with a `type` field
//! (a `File` or `Blob` cannot go through serde, and plain objects are easy to read in devtools).
//!
//! Page → worker: `analyze` (a Blob and its name), `detail` (a message index), `export`,
//! `flv` (a connection and message stream).
//! Worker → page: `ready` once its wasm is running, `progress`, then `messages` (one per chunk of
//! messages) and `done`, or `failed`;
//! `detail`, `export` and `flv` answer the requests of the same name.

use js_sys::{Object, Reflect, Uint8Array};
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Blob;

use rtmpscope::analysis::MessageRecord;
use rtmpscope::rtmp::body_spans::BodySpan;

use super::amf_node::AmfNode;

/// A request from the page.
#[derive(Debug, Clone)]
pub enum Request {
    Analyze {
        file: Blob,
        name: String,
    },
    Detail {
        index: u64,
    },
    Export,
    /// The next chunk of messages, please: the page asks once it has read one, so only a couple
    /// of chunks are ever on their way.
    MoreMessages,
    /// One message stream as an FLV file (as `rtmpscope export --conn N --stream MSID`).
    Flv {
        conn: u32,
        msid: u32,
    },
}

/// Something the worker tells the page.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Ready,
    Progress {
        done: f64,
        total: f64,
    },
    /// A chunk of the messages (a JSON array of `MessageRow`, UTF-8) and their one-line
    /// summaries (a JSON array of strings, UTF-8), in message order: `done` messages sent with
    /// this one, of `total`. Sent a chunk at a time as the page asks for them
    /// ([`Request::MoreMessages`]), the bytes transferred rather than copied, so the page parses
    /// each as it comes and neither side holds the JSON of the whole list.
    Messages {
        done: u32,
        total: u32,
        json: JsBytes,
        summaries_json: JsBytes,
    },
    /// After the last `Messages`: the report without its messages (compact JSON).
    Done {
        head_json: String,
        /// Which streams can be exported as FLV (a JSON array of `FlvCheck`).
        flv_json: String,
        /// The codecs of each stream (a JSON array of `Codecs`).
        codecs_json: String,
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
    /// The FLV of a message stream (bytes outside wasm memory, ready for a Blob), or why it
    /// could not be made.
    Flv {
        conn: u32,
        msid: u32,
        result: Result<JsBytes, String>,
    },
}

/// Bytes that stay in JS memory (an FLV file on its way to a Blob); equal when they are the same
/// object.
#[derive(Debug, Clone)]
pub struct JsBytes(pub Uint8Array);

impl PartialEq for JsBytes {
    fn eq(&self, other: &Self) -> bool {
        let (a, b): (&JsValue, &JsValue) = (self.0.as_ref(), other.0.as_ref());
        a == b
    }
}

/// What the detail pane shows beyond the message's row: the whole record, the typed AMF tree
/// and the raw bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageDetail {
    pub index: u64,
    /// The message as the report has it (`None` for an index that does not exist).
    pub record: Option<MessageRecord>,
    /// The decoded AMF body with its types (commands, data, shared objects); empty otherwise.
    pub tree: Vec<AmfNode>,
    pub raw: Option<RawBytes>,
}

/// A message's body re-read from the capture file, piece by piece (see
/// `rtmpscope::rtmp::body_spans`), and its first chunk header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawBytes {
    /// The declared body length.
    pub length: u32,
    /// The body bytes this dump covers (the first ones, up to a cap): `bytes` and the gaps
    /// between and after the spans.
    pub shown: u32,
    /// Where each piece of the body lies: body offset, length, file offset. Bytes between
    /// pieces (in body offsets) are missing from the capture.
    pub spans: Vec<BodySpan>,
    /// The bytes of `spans`, one after the other (the body when nothing is missing).
    pub bytes: Vec<u8>,
    /// The first chunk's header (basic + message header + extended timestamp), and where.
    pub header: Vec<u8>,
    pub header_file_offset: Option<u64>,
    /// What these bytes are, and what is missing.
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
            Request::MoreMessages => typed("more-messages").into(),
            Request::Flv { conn, msid } => {
                let obj = typed("flv");
                set(&obj, "conn", &JsValue::from_f64(f64::from(*conn)));
                set(&obj, "msid", &JsValue::from_f64(f64::from(*msid)));
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
            "export" => Some(Request::Export),
            "more-messages" => Some(Request::MoreMessages),
            "flv" => Some(Request::Flv {
                conn: get_f64(value, "conn")? as u32,
                msid: get_f64(value, "msid")? as u32,
            }),
            _ => None,
        }
    }
}

impl Event {
    /// The buffers to transfer (not copy) when posting this event.
    pub fn transfer(&self) -> js_sys::Array {
        match self {
            Event::Messages {
                json,
                summaries_json,
                ..
            } => js_sys::Array::of2(&json.0.buffer(), &summaries_json.0.buffer()),
            _ => js_sys::Array::new(),
        }
    }

    pub fn to_js(&self) -> JsValue {
        let obj = match self {
            Event::Ready => typed("ready"),
            Event::Progress { done, total } => {
                let obj = typed("progress");
                set(&obj, "done", &JsValue::from_f64(*done));
                set(&obj, "total", &JsValue::from_f64(*total));
                obj
            }
            Event::Messages {
                done,
                total,
                json,
                summaries_json,
            } => {
                let obj = typed("messages");
                set(&obj, "done", &JsValue::from_f64(f64::from(*done)));
                set(&obj, "total", &JsValue::from_f64(f64::from(*total)));
                set(&obj, "messages", &json.0);
                set(&obj, "summaries", &summaries_json.0);
                obj
            }
            Event::Done {
                head_json,
                flv_json,
                codecs_json,
            } => {
                let obj = typed("done");
                set(&obj, "report", &JsValue::from_str(head_json));
                set(&obj, "flv", &JsValue::from_str(flv_json));
                set(&obj, "codecs", &JsValue::from_str(codecs_json));
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
            Event::Flv { conn, msid, result } => {
                let obj = typed("flv");
                set(&obj, "conn", &JsValue::from_f64(f64::from(*conn)));
                set(&obj, "msid", &JsValue::from_f64(f64::from(*msid)));
                match result {
                    Ok(bytes) => set(&obj, "bytes", &bytes.0),
                    Err(message) => set(&obj, "error", &JsValue::from_str(message)),
                }
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
            "messages" => Event::Messages {
                done: get_f64(value, "done")? as u32,
                total: get_f64(value, "total")? as u32,
                json: JsBytes(get(value, "messages").dyn_into::<Uint8Array>().ok()?),
                summaries_json: JsBytes(get(value, "summaries").dyn_into::<Uint8Array>().ok()?),
            },
            "done" => Event::Done {
                head_json: get_string(value, "report")?,
                flv_json: get_string(value, "flv")?,
                codecs_json: get_string(value, "codecs")?,
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
            "flv" => Event::Flv {
                conn: get_f64(value, "conn")? as u32,
                msid: get_f64(value, "msid")? as u32,
                result: match get_string(value, "error") {
                    Some(message) => Err(message),
                    None => Ok(JsBytes(get(value, "bytes").dyn_into::<Uint8Array>().ok()?)),
                },
            },
            _ => return None,
        })
    }
}
