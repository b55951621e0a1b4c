//! Memory that decoded AMF values may take. A command or data body can expand many times over
//! when decoded (each one-byte AMF0 null is a value of some 60 bytes), and the report keeps
//! every decoded body, so the values of all messages share a budget
//! ([`RtmpConfig::max_amf_total`](super::RtmpConfig::max_amf_total)): once it is spent, bodies
//! are decoded only as far as a small allowance reaches (name, transaction id, first values) and
//! carry the decoder's budget error.

use std::mem::size_of;

use crate::amf::{AmfLimits, AmfValue};

use super::command::SharedObjectEvent;
use super::message::MessageBody;

/// What a body may still decode into when the shared budget is spent: enough for a command's
/// name, transaction id and a small command object.
pub const SPENT_ALLOWANCE: usize = 16 << 10;

/// AMF limits for a body when `left` bytes of the shared budget remain.
pub fn limits(left: usize) -> AmfLimits {
    let defaults = AmfLimits::default();
    let bytes = left.max(SPENT_ALLOWANCE).min(defaults.max_bytes);
    AmfLimits {
        max_bytes: bytes,
        max_values: defaults
            .max_values
            .min(bytes / size_of::<AmfValue>())
            .max(16),
        ..defaults
    }
}

/// Approximate heap bytes of decoded values (the value itself, strings, containers).
pub fn value_heap(value: &AmfValue) -> usize {
    let mut total = 0;
    let mut stack = vec![value];
    let pair = size_of::<(String, AmfValue)>();
    while let Some(v) = stack.pop() {
        total += size_of::<AmfValue>();
        match v {
            AmfValue::String(s) | AmfValue::Xml(s) => total += s.len(),
            AmfValue::Object {
                class_name,
                properties,
            } => {
                total += class_name.as_ref().map_or(0, String::len);
                total += properties.len() * pair;
                for (k, v) in properties {
                    total += k.len();
                    stack.push(v);
                }
            }
            AmfValue::EcmaArray(entries) => {
                total += entries.len() * pair;
                for (k, v) in entries {
                    total += k.len();
                    stack.push(v);
                }
            }
            AmfValue::StrictArray(items) => stack.extend(items),
            AmfValue::Amf3Array { associative, dense } => {
                total += associative.len() * pair;
                for (k, v) in associative {
                    total += k.len();
                    stack.push(v);
                }
                stack.extend(dense);
            }
            AmfValue::ByteArray(b) => total += b.len(),
            AmfValue::VectorInt(v) => total += v.len() * 4,
            AmfValue::VectorUint(v) => total += v.len() * 4,
            AmfValue::VectorDouble(v) => total += v.len() * 8,
            AmfValue::VectorObject { type_name, items } => {
                total += type_name.len();
                stack.extend(items);
            }
            AmfValue::Dictionary(entries) => {
                for (k, v) in entries {
                    stack.push(k);
                    stack.push(v);
                }
            }
            _ => {}
        }
    }
    total
}

fn values_heap<'a>(values: impl IntoIterator<Item = &'a AmfValue>) -> usize {
    values.into_iter().map(value_heap).sum()
}

fn event_heap(e: &SharedObjectEvent) -> usize {
    e.entries
        .iter()
        .map(|(k, v)| k.len() + value_heap(v))
        .sum::<usize>()
        + values_heap(&e.values)
}

/// Approximate heap bytes of a decoded body's AMF values.
pub fn body_heap(body: &MessageBody) -> usize {
    match body {
        MessageBody::Command(c) => {
            c.name.len() + value_heap(&c.command_object) + values_heap(&c.arguments)
        }
        MessageBody::Data(d) => values_heap(&d.values),
        MessageBody::SharedObject(so) => {
            so.name.len() + so.events.iter().map(event_heap).sum::<usize>()
        }
        MessageBody::Aggregate(a) => a.parts.iter().map(|p| body_heap(&p.body)).sum(),
        _ => 0,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn limits_shrink_with_the_budget_but_leave_an_allowance() {
        let full = limits(usize::MAX);
        assert_eq!(full, AmfLimits::default());
        let spent = limits(0);
        assert_eq!(spent.max_bytes, SPENT_ALLOWANCE);
        assert!(spent.max_values < 1000 && spent.max_values >= 16);
        assert_eq!(spent.max_depth, AmfLimits::default().max_depth);
    }

    #[test]
    fn heap_estimates_grow_with_content() {
        let s = AmfValue::String("x".repeat(1000));
        assert!(value_heap(&s) >= 1000);
        let nested = AmfValue::StrictArray(vec![AmfValue::Null; 100]);
        assert!(value_heap(&nested) >= 100 * size_of::<AmfValue>());
        let obj = AmfValue::Object {
            class_name: None,
            properties: vec![("key".into(), s.clone())],
        };
        assert!(value_heap(&obj) > value_heap(&s));
    }
}
