//! A display tree of an AMF value that keeps the AMF types.
//!
//! The report's JSON is "natural JSON" and cannot tell an ECMA array from an object, an integer
//! from a number or `undefined` from `null`. The worker holds the report as decoded, so it
//! builds these nodes from the real [`AmfValue`]s and sends them to the page.

use rtmpscope::amf::AmfValue;
use serde::{Deserialize, Serialize};

/// Children shown per container at most; the rest are summarised in one node.
const MAX_CHILDREN: usize = 2000;

/// One line of the tree: `key: type = value`, with children for containers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AmfNode {
    /// Property name, array index or section label (`command object`, `argument 1`).
    pub key: String,
    /// AMF type (`number`, `ecma-array`, ...), or empty for a plain section.
    pub kind: String,
    /// The value of a scalar, or a short description of a container (`3 properties`).
    pub value: String,
    pub children: Vec<AmfNode>,
}

impl AmfNode {
    /// A labelled section holding other nodes.
    pub fn section(
        key: impl Into<String>,
        value: impl Into<String>,
        children: Vec<AmfNode>,
    ) -> Self {
        AmfNode {
            key: key.into(),
            kind: String::new(),
            value: value.into(),
            children,
        }
    }

    /// The tree of `value` under the label `key`.
    pub fn from_value(key: impl Into<String>, value: &AmfValue) -> Self {
        let key = key.into();
        let kind = value.type_name().to_string();
        let (value_text, children) = match value {
            AmfValue::Number(n) => (format_number(*n), Vec::new()),
            AmfValue::Integer(i) => (i.to_string(), Vec::new()),
            AmfValue::Boolean(b) => (b.to_string(), Vec::new()),
            AmfValue::String(s) => (quote(s), Vec::new()),
            AmfValue::Xml(s) => (quote(s), Vec::new()),
            AmfValue::Object {
                class_name,
                properties,
            } => {
                let mut text = count(properties.len(), "property", "properties");
                if let Some(class) = class_name {
                    text = format!("{class}, {text}");
                }
                (text, pairs(properties))
            }
            AmfValue::EcmaArray(p) => (count(p.len(), "entry", "entries"), pairs(p)),
            AmfValue::StrictArray(items) => (count(items.len(), "item", "items"), list(items)),
            AmfValue::Amf3Array { associative, dense } => {
                let mut children = pairs(associative);
                children.extend(list(dense));
                (
                    format!(
                        "{}, {}",
                        count(associative.len(), "named entry", "named entries"),
                        count(dense.len(), "item", "items")
                    ),
                    children,
                )
            }
            AmfValue::Date {
                millis,
                timezone_minutes,
            } => {
                let mut text = format!("{} ms since 1970", format_number(*millis));
                if let Some(tz) = timezone_minutes {
                    text.push_str(&format!(", tz {tz} min"));
                }
                (text, Vec::new())
            }
            AmfValue::ByteArray(b) => (
                format!("{} bytes {}", b.len(), hex_prefix(b, 32)),
                Vec::new(),
            ),
            AmfValue::VectorInt(v) => scalars(v),
            AmfValue::VectorUint(v) => scalars(v),
            AmfValue::VectorDouble(v) => (
                count(v.len(), "item", "items"),
                v.iter()
                    .take(MAX_CHILDREN)
                    .enumerate()
                    .map(|(i, x)| AmfNode::leaf(i.to_string(), "number", format_number(*x)))
                    .collect(),
            ),
            AmfValue::VectorObject { type_name, items } => (
                format!("{type_name}, {}", count(items.len(), "item", "items")),
                list(items),
            ),
            AmfValue::Dictionary(entries) => (
                count(entries.len(), "entry", "entries"),
                entries
                    .iter()
                    .take(MAX_CHILDREN)
                    .enumerate()
                    .map(|(i, (k, v))| {
                        AmfNode::section(
                            i.to_string(),
                            "",
                            vec![
                                AmfNode::from_value("key", k),
                                AmfNode::from_value("value", v),
                            ],
                        )
                    })
                    .collect(),
            ),
            AmfValue::Null => ("null".into(), Vec::new()),
            AmfValue::Undefined => ("undefined".into(), Vec::new()),
            AmfValue::Unsupported => ("unsupported".into(), Vec::new()),
            AmfValue::UnresolvedReference(i) => (format!("cycle to reference #{i}"), Vec::new()),
        };
        AmfNode {
            key,
            kind,
            value: value_text,
            children,
        }
    }

    fn leaf(key: String, kind: &str, value: String) -> Self {
        AmfNode {
            key,
            kind: kind.to_string(),
            value,
            children: Vec::new(),
        }
    }

    /// Nodes in this tree, this one included.
    pub fn len(&self) -> usize {
        1 + self.children.iter().map(AmfNode::len).sum::<usize>()
    }
}

fn pairs(p: &[(String, AmfValue)]) -> Vec<AmfNode> {
    let mut out: Vec<AmfNode> = p
        .iter()
        .take(MAX_CHILDREN)
        .map(|(k, v)| AmfNode::from_value(k.clone(), v))
        .collect();
    if p.len() > MAX_CHILDREN {
        out.push(AmfNode::section(
            "…",
            format!("{} more", p.len() - MAX_CHILDREN),
            Vec::new(),
        ));
    }
    out
}

fn list(items: &[AmfValue]) -> Vec<AmfNode> {
    let mut out: Vec<AmfNode> = items
        .iter()
        .take(MAX_CHILDREN)
        .enumerate()
        .map(|(i, v)| AmfNode::from_value(i.to_string(), v))
        .collect();
    if items.len() > MAX_CHILDREN {
        out.push(AmfNode::section(
            "…",
            format!("{} more", items.len() - MAX_CHILDREN),
            Vec::new(),
        ));
    }
    out
}

fn scalars<T: ToString>(v: &[T]) -> (String, Vec<AmfNode>) {
    (
        count(v.len(), "item", "items"),
        v.iter()
            .take(MAX_CHILDREN)
            .enumerate()
            .map(|(i, x)| AmfNode::leaf(i.to_string(), "integer", x.to_string()))
            .collect(),
    )
}

fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Integral numbers without `.0`, as Wireshark and the CLI show them.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 9e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

fn quote(s: &str) -> String {
    format!("{s:?}")
}

fn hex_prefix(b: &[u8], max: usize) -> String {
    let mut s: String = b.iter().take(max).map(|x| format!("{x:02x}")).collect();
    if b.len() > max {
        s.push('…');
    }
    s
}
