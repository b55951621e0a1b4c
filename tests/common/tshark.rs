//! Reads Wireshark's reference decodes (`NAME.tshark.tsv`, one row per RTMP PDU; the format is
//! described in tests/data/README.md).

use std::path::Path;

/// One PDU as Wireshark 4.0.17 decoded it.
#[derive(Debug, Clone)]
pub struct TsharkPdu {
    pub frame: u64,
    pub time_epoch: f64,
    pub tcp_stream: u32,
    pub src_port: u16,
    pub dst_port: u16,
    pub pdu_index: u32,
    pub fmt: Option<u8>,
    pub csid: Option<u32>,
    /// Absolute RTMP timestamp; blank in the file for fmt 3 headers.
    pub timestamp: Option<u64>,
    /// `None` for handshake rows.
    pub type_id: Option<u8>,
    pub length: Option<u32>,
    pub msid: Option<u32>,
    pub info: String,
    /// AMF commands and data as a JSON array; other kinds as tshark's field text.
    pub body: String,
    pub notes: String,
}

impl TsharkPdu {
    pub fn is_handshake(&self) -> bool {
        self.type_id.is_none() && self.info.starts_with("Handshake")
    }

    /// The body as JSON, for AMF commands (0x14) and data (0x12).
    pub fn amf_values(&self) -> Option<serde_json::Value> {
        match self.type_id {
            Some(0x12) | Some(0x14) => serde_json::from_str(&self.body).ok(),
            _ => None,
        }
    }
}

fn parse_num<T: std::str::FromStr>(s: &str) -> Option<T> {
    if s.is_empty() {
        None
    } else {
        s.parse().ok()
    }
}

fn parse_hex_u8(s: &str) -> Option<u8> {
    u8::from_str_radix(s.strip_prefix("0x")?, 16).ok()
}

/// Loads every PDU of a reference file.
pub fn load(path: &Path) -> Vec<TsharkPdu> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header line").split('\t').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    };
    let (frame, time, stream, sport, dport, idx) = (
        col("frame"),
        col("time_epoch"),
        col("tcp_stream"),
        col("src_port"),
        col("dst_port"),
        col("pdu_index"),
    );
    let (fmt, csid, ts, type_id, len, msid) = (
        col("fmt"),
        col("csid"),
        col("timestamp"),
        col("msg_type_id"),
        col("msg_length"),
        col("msg_stream_id"),
    );
    let (info, body, notes) = (col("info"), col("body"), col("notes"));
    lines
        .filter(|l| !l.is_empty())
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            let get = |i: usize| f.get(i).copied().unwrap_or("");
            TsharkPdu {
                frame: parse_num(get(frame)).expect("frame"),
                time_epoch: parse_num(get(time)).unwrap_or(0.0),
                tcp_stream: parse_num(get(stream)).unwrap_or(0),
                src_port: parse_num(get(sport)).unwrap_or(0),
                dst_port: parse_num(get(dport)).unwrap_or(0),
                pdu_index: parse_num(get(idx)).unwrap_or(0),
                fmt: parse_num(get(fmt)),
                csid: parse_num(get(csid)),
                timestamp: parse_num(get(ts)),
                type_id: parse_hex_u8(get(type_id)),
                length: parse_num(get(len)),
                msid: parse_num(get(msid)),
                info: get(info).to_string(),
                body: get(body).to_string(),
                notes: get(notes).to_string(),
            }
        })
        .collect()
}

/// Normalizes JSON so numbers compare by value (tshark prints `1`, serde may print `1.0`).
pub fn normalize_json(v: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Number(n) => n
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .unwrap_or_else(|| v.clone()),
        Value::Array(a) => Value::Array(a.iter().map(normalize_json).collect()),
        // The reference writes AMF undefined as {"$undefined": true}; rtmpscope's JSON has null.
        Value::Object(o) if o.len() == 1 && o.get("$undefined") == Some(&Value::Bool(true)) => {
            Value::Null
        }
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), normalize_json(v)))
                .collect(),
        ),
        _ => v.clone(),
    }
}
