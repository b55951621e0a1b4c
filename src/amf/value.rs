use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

/// One decoded AMF0 or AMF3 value. References are resolved into copies of what they point to.
#[derive(Debug, Clone, PartialEq)]
pub enum AmfValue {
    /// AMF0 number, AMF3 double.
    Number(f64),
    /// AMF3 integer (29-bit signed).
    Integer(i32),
    Boolean(bool),
    /// AMF0 string and long string, AMF3 string.
    String(String),
    /// AMF0 object and typed object, AMF3 object. Properties keep their wire order.
    Object {
        /// The class name of a typed object (`None` for anonymous objects).
        class_name: Option<String>,
        properties: Vec<(String, AmfValue)>,
    },
    /// AMF0 ECMA array (associative, ordered).
    EcmaArray(Vec<(String, AmfValue)>),
    /// AMF0 strict array.
    StrictArray(Vec<AmfValue>),
    /// AMF3 array: associative part then dense part.
    Amf3Array {
        associative: Vec<(String, AmfValue)>,
        dense: Vec<AmfValue>,
    },
    /// Milliseconds since the epoch, with the AMF0 time-zone field in minutes where present.
    Date {
        millis: f64,
        timezone_minutes: Option<i16>,
    },
    /// AMF0 XML document, AMF3 XMLDocument and XML.
    Xml(String),
    ByteArray(Vec<u8>),
    VectorInt(Vec<i32>),
    VectorUint(Vec<u32>),
    VectorDouble(Vec<f64>),
    VectorObject {
        type_name: String,
        items: Vec<AmfValue>,
    },
    Dictionary(Vec<(AmfValue, AmfValue)>),
    Null,
    Undefined,
    /// AMF0 unsupported marker.
    Unsupported,
    /// A reference to a value that was still being decoded (a cycle: the value contains
    /// itself), with its reference-table index. A reference to an index that was never
    /// assigned is a decoding error instead.
    UnresolvedReference(u32),
}

impl AmfValue {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            AmfValue::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            AmfValue::Number(n) => Some(*n),
            AmfValue::Integer(i) => Some(f64::from(*i)),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            AmfValue::Boolean(b) => Some(*b),
            _ => None,
        }
    }

    /// The key/value pairs of an object, ECMA array or AMF3 array's associative part.
    pub fn properties(&self) -> Option<&[(String, AmfValue)]> {
        match self {
            AmfValue::Object { properties, .. } => Some(properties),
            AmfValue::EcmaArray(p) => Some(p),
            AmfValue::Amf3Array { associative, .. } => Some(associative),
            _ => None,
        }
    }

    /// Looks a property up by name in an object-like value.
    pub fn get(&self, key: &str) -> Option<&AmfValue> {
        self.properties()?
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// The AMF type name, for display (`number`, `string`, `object`, ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            AmfValue::Number(_) => "number",
            AmfValue::Integer(_) => "integer",
            AmfValue::Boolean(_) => "boolean",
            AmfValue::String(_) => "string",
            AmfValue::Object { .. } => "object",
            AmfValue::EcmaArray(_) => "ecma-array",
            AmfValue::StrictArray(_) => "strict-array",
            AmfValue::Amf3Array { .. } => "array",
            AmfValue::Date { .. } => "date",
            AmfValue::Xml(_) => "xml",
            AmfValue::ByteArray(_) => "byte-array",
            AmfValue::VectorInt(_) => "vector-int",
            AmfValue::VectorUint(_) => "vector-uint",
            AmfValue::VectorDouble(_) => "vector-double",
            AmfValue::VectorObject { .. } => "vector-object",
            AmfValue::Dictionary(_) => "dictionary",
            AmfValue::Null => "null",
            AmfValue::Undefined => "undefined",
            AmfValue::Unsupported => "unsupported",
            AmfValue::UnresolvedReference(_) => "reference",
        }
    }
}

/// 2^53: beyond it, f64 no longer holds every integer.
const MAX_EXACT_INTEGER: f64 = 9_007_199_254_740_992.0;

fn serialize_pairs<S: Serializer>(
    serializer: S,
    pairs: &[(String, AmfValue)],
) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(Some(pairs.len()))?;
    for (k, v) in pairs {
        map.serialize_entry(k, v)?;
    }
    map.end()
}

/// Natural JSON: numbers, strings, booleans and null as themselves; objects and ECMA arrays as
/// JSON objects in wire order; arrays and vectors as JSON arrays. Values JSON has no word for are
/// objects with a `$`-prefixed key (`{"$date": ...}`, `{"$bytes": "hex"}`).
impl Serialize for AmfValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            // Integral numbers print as JSON integers (`1`, not `1.0`), as Wireshark shows them.
            AmfValue::Number(n) if n.fract() == 0.0 && n.abs() < MAX_EXACT_INTEGER => {
                serializer.serialize_i64(*n as i64)
            }
            AmfValue::Number(n) => serializer.serialize_f64(*n),
            AmfValue::Integer(i) => serializer.serialize_i32(*i),
            AmfValue::Boolean(b) => serializer.serialize_bool(*b),
            AmfValue::String(s) => serializer.serialize_str(s),
            AmfValue::Object { properties, .. } => serialize_pairs(serializer, properties),
            AmfValue::EcmaArray(p) => serialize_pairs(serializer, p),
            AmfValue::StrictArray(items) => items.serialize(serializer),
            AmfValue::Amf3Array { associative, dense } => {
                if associative.is_empty() {
                    dense.serialize(serializer)
                } else {
                    let mut map = serializer.serialize_map(None)?;
                    for (k, v) in associative {
                        map.serialize_entry(k, v)?;
                    }
                    for (i, v) in dense.iter().enumerate() {
                        map.serialize_entry(&i.to_string(), v)?;
                    }
                    map.end()
                }
            }
            AmfValue::Date { millis, .. } => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("$date", millis)?;
                map.end()
            }
            AmfValue::Xml(s) => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("$xml", s)?;
                map.end()
            }
            AmfValue::ByteArray(b) => {
                let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("$bytes", &hex)?;
                map.end()
            }
            AmfValue::VectorInt(v) => v.serialize(serializer),
            AmfValue::VectorUint(v) => v.serialize(serializer),
            AmfValue::VectorDouble(v) => v.serialize(serializer),
            AmfValue::VectorObject { items, .. } => items.serialize(serializer),
            AmfValue::Dictionary(entries) => {
                let mut seq = serializer.serialize_seq(Some(entries.len()))?;
                for (k, v) in entries {
                    seq.serialize_element(&[k, v])?;
                }
                seq.end()
            }
            AmfValue::Null | AmfValue::Undefined | AmfValue::Unsupported => {
                serializer.serialize_unit()
            }
            AmfValue::UnresolvedReference(i) => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("$ref", i)?;
                map.end()
            }
        }
    }
}

/// Reads the natural JSON written by `Serialize` back. JSON cannot tell every AMF type apart,
/// so this is lossy where JSON is: objects and ECMA arrays both come back as objects, integers
/// as numbers, `undefined` as `null`; the `$date`, `$xml`, `$bytes` and `$ref` forms round-trip.
impl<'de> serde::Deserialize<'de> for AmfValue {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(AmfValueVisitor)
    }
}

struct AmfValueVisitor;

impl<'de> serde::de::Visitor<'de> for AmfValueVisitor {
    type Value = AmfValue;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an AMF value as natural JSON")
    }

    fn visit_bool<E>(self, v: bool) -> Result<AmfValue, E> {
        Ok(AmfValue::Boolean(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<AmfValue, E> {
        Ok(AmfValue::Number(v as f64))
    }
    fn visit_u64<E>(self, v: u64) -> Result<AmfValue, E> {
        Ok(AmfValue::Number(v as f64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<AmfValue, E> {
        Ok(AmfValue::Number(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<AmfValue, E> {
        Ok(AmfValue::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<AmfValue, E> {
        Ok(AmfValue::String(v))
    }
    fn visit_unit<E>(self) -> Result<AmfValue, E> {
        Ok(AmfValue::Null)
    }
    fn visit_none<E>(self) -> Result<AmfValue, E> {
        Ok(AmfValue::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<AmfValue, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element()? {
            items.push(v);
        }
        Ok(AmfValue::StrictArray(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<AmfValue, A::Error> {
        let mut properties: Vec<(String, AmfValue)> = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, AmfValue>()? {
            properties.push((k, v));
        }
        if let [(key, value)] = properties.as_slice() {
            let special = match (key.as_str(), value) {
                ("$date", AmfValue::Number(millis)) => Some(AmfValue::Date {
                    millis: *millis,
                    timezone_minutes: None,
                }),
                ("$xml", AmfValue::String(s)) => Some(AmfValue::Xml(s.clone())),
                ("$ref", AmfValue::Number(i)) => Some(AmfValue::UnresolvedReference(*i as u32)),
                ("$bytes", AmfValue::String(hex)) => decode_hex(hex).map(AmfValue::ByteArray),
                _ => None,
            };
            if let Some(v) = special {
                return Ok(v);
            }
        }
        Ok(AmfValue::Object {
            class_name: None,
            properties,
        })
    }
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if hex.len() % 2 != 0 {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect()
}
