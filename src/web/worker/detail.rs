//! Answers to the page's detail requests: the typed AMF tree and the raw bytes of a message.

use js_sys::Uint8Array;
use rtmpscope::amf::AmfValue;
use rtmpscope::analysis::MessageRecord;
use rtmpscope::rtmp::control::ProtocolControl;
use rtmpscope::rtmp::{MessageBody, RtmpMessage};
use rtmpscope::Report;
use web_sys::{Blob, FileReaderSync};

use crate::shared::amf_node::{format_number, AmfNode};
use crate::shared::protocol::{MessageDetail, RawBytes};

/// RTMP's chunk size before any Set Chunk Size.
const DEFAULT_CHUNK_SIZE: u32 = 128;

/// The detail of message `index` (an empty one for an index that does not exist).
pub fn message_detail(report: &Report, file: &Blob, index: u64) -> MessageDetail {
    let Some(record) = find(report, index) else {
        return MessageDetail {
            index,
            tree: Vec::new(),
            raw: None,
        };
    };
    MessageDetail {
        index,
        tree: body_tree(&record.message.body),
        raw: raw_bytes(report, record, file),
    }
}

fn find(report: &Report, index: u64) -> Option<&MessageRecord> {
    let at = usize::try_from(index).ok()?;
    match report.messages.get(at) {
        Some(record) if record.index == index => Some(record),
        _ => report.messages.iter().find(|m| m.index == index),
    }
}

fn text(key: &str, value: impl Into<String>) -> AmfNode {
    AmfNode {
        key: key.to_string(),
        kind: "string".to_string(),
        value: value.into(),
        children: Vec::new(),
    }
}

/// The decoded AMF body as typed trees: one top-level node per value.
pub fn body_tree(body: &MessageBody) -> Vec<AmfNode> {
    let mut nodes = Vec::new();
    match body {
        MessageBody::Command(c) => {
            nodes.push(AmfNode::from_value(
                "name",
                &AmfValue::String(c.name.clone()),
            ));
            nodes.push(AmfNode {
                key: "transaction id".into(),
                kind: "number".into(),
                value: format_number(c.transaction_id),
                children: Vec::new(),
            });
            nodes.push(AmfNode::from_value("command object", &c.command_object));
            for (i, arg) in c.arguments.iter().enumerate() {
                nodes.push(AmfNode::from_value(format!("argument {}", i + 1), arg));
            }
            if let Some(error) = &c.error {
                nodes.push(text("decoding stopped", error.clone()));
            }
        }
        MessageBody::Data(d) => {
            for (i, value) in d.values.iter().enumerate() {
                nodes.push(AmfNode::from_value(format!("value {}", i + 1), value));
            }
            if let Some(error) = &d.error {
                nodes.push(text("decoding stopped", error.clone()));
            }
        }
        MessageBody::SharedObject(so) => {
            nodes.push(text("name", so.name.clone()));
            nodes.push(text("version", so.version.to_string()));
            nodes.push(text("persistent", so.persistent.to_string()));
            for (i, event) in so.events.iter().enumerate() {
                let mut children: Vec<AmfNode> = event
                    .entries
                    .iter()
                    .map(|(k, v)| AmfNode::from_value(k.clone(), v))
                    .collect();
                children.extend(
                    event
                        .values
                        .iter()
                        .enumerate()
                        .map(|(j, v)| AmfNode::from_value(format!("value {}", j + 1), v)),
                );
                nodes.push(AmfNode::section(
                    format!("event {}", i + 1),
                    format!("{:?}", event.event_type),
                    children,
                ));
            }
            if let Some(error) = &so.error {
                nodes.push(text("decoding stopped", error.clone()));
            }
        }
        MessageBody::Aggregate(a) => {
            for (i, part) in a.parts.iter().enumerate() {
                let children = body_tree(&part.body);
                if !children.is_empty() {
                    nodes.push(AmfNode::section(
                        format!("part {}", i + 1),
                        part.type_name.to_string(),
                        children,
                    ));
                }
            }
        }
        _ => {}
    }
    nodes
}

/// Size of the first chunk's header: basic header (1-3 bytes by csid), message header (11, 7, 3
/// or 0 bytes by fmt) and the extended timestamp.
pub fn chunk_header_len(msg: &RtmpMessage) -> usize {
    let basic = match msg.csid {
        0..=63 => 1,
        64..=319 => 2,
        _ => 3,
    };
    let message = match msg.fmt {
        0 => 11,
        1 => 7,
        2 => 3,
        _ => 0,
    };
    basic + message + if msg.extended_timestamp { 4 } else { 0 }
}

/// The chunk size the sender had set when `record` started: the last Set Chunk Size the same
/// side sent on the same connection before it.
pub fn chunk_size_before(report: &Report, record: &MessageRecord) -> u32 {
    report
        .messages
        .iter()
        .take_while(|m| m.index != record.index)
        .filter(|m| m.conn == record.conn && m.message.dir == record.message.dir)
        .filter_map(|m| match &m.message.body {
            MessageBody::Control(ProtocolControl::SetChunkSize { chunk_size }) => Some(*chunk_size),
            _ => None,
        })
        .last()
        .unwrap_or(DEFAULT_CHUNK_SIZE)
}

/// The first chunk of the message as it lies in the file. The core reports where the first
/// chunk header starts but not where later chunks (or the rest of this one, when a TCP segment
/// ends inside it) lie, so only the first chunk is shown.
fn raw_bytes(report: &Report, record: &MessageRecord, file: &Blob) -> Option<RawBytes> {
    let msg = &record.message;
    let file_offset = msg.file_offset?;
    let header_len = chunk_header_len(msg);
    let chunk_size = chunk_size_before(report, record).max(1);
    let body_len = msg.length.min(chunk_size) as usize;
    let wanted = header_len + body_len;
    let start = file_offset as f64;
    let end = (start + wanted as f64).min(file.size());
    let slice = file.slice_with_f64_and_f64(start, end).ok()?;
    let buffer = FileReaderSync::new()
        .ok()?
        .read_as_array_buffer(&slice)
        .ok()?;
    let bytes = Uint8Array::new(&buffer).to_vec();
    let mut note = format!(
        "First chunk: {header_len}-byte header and {body_len} of {} body bytes (chunk size {chunk_size}), \
         read from the file at offset {file_offset}.",
        msg.length
    );
    match msg.chunks {
        0 | 1 => {}
        2 => note.push_str(" The second chunk is not shown."),
        n => note.push_str(&format!(" The other {} chunks are not shown.", n - 1)),
    }
    note.push_str(" Bytes past the end of the TCP segment would belong to the next packet record.");
    Some(RawBytes {
        file_offset,
        bytes,
        header_len,
        note,
    })
}
