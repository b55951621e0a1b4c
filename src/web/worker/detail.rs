//! Answers to the page's detail requests: the typed AMF tree and the raw bytes of a message.

use rtmpscope::amf::AmfValue;
use rtmpscope::analysis::MessageRecord;
use rtmpscope::rtmp::MessageBody;
use rtmpscope::Report;
use web_sys::Blob;

use crate::shared::amf_node::{format_number, AmfNode};
use crate::shared::protocol::MessageDetail;

/// The detail of message `index` (an empty one for an index that does not exist).
pub fn message_detail(report: &Report, file: &Blob, index: u64) -> MessageDetail {
    let Some(record) = find(report, index) else {
        return MessageDetail {
            index,
            record: None,
            tree: Vec::new(),
            raw: None,
        };
    };
    MessageDetail {
        index,
        record: Some(record.clone()),
        tree: body_tree(&record.message.body),
        raw: super::raw::raw_bytes(record, file),
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
