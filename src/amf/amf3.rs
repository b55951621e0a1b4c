//! AMF3 decoding (Adobe AMF3 specification, January 2013: Vector and Dictionary included).

use super::budget::{Budget, RefTable};
use super::cursor::Cursor;
use super::{AmfError, AmfLimits, AmfValue};

const UNDEFINED: u8 = 0x00;
const NULL: u8 = 0x01;
const FALSE: u8 = 0x02;
const TRUE: u8 = 0x03;
const INTEGER: u8 = 0x04;
const DOUBLE: u8 = 0x05;
const STRING: u8 = 0x06;
const XML_DOCUMENT: u8 = 0x07;
const DATE: u8 = 0x08;
const ARRAY: u8 = 0x09;
const OBJECT: u8 = 0x0a;
const XML: u8 = 0x0b;
const BYTE_ARRAY: u8 = 0x0c;
const VECTOR_INT: u8 = 0x0d;
const VECTOR_UINT: u8 = 0x0e;
const VECTOR_DOUBLE: u8 = 0x0f;
const VECTOR_OBJECT: u8 = 0x10;
const DICTIONARY: u8 = 0x11;

/// Externalizable classes whose private format is known: each wraps exactly one AMF3 value,
/// kept under the ActionScript property that holds it.
const KNOWN_EXTERNALIZABLE: &[(&str, &str)] = &[
    ("flex.messaging.io.ArrayCollection", "source"),
    ("flex.messaging.io.ArrayList", "source"),
    ("mx.collections.ArrayCollection", "source"),
    ("flex.messaging.io.ObjectProxy", "object"),
    ("mx.utils.ObjectProxy", "object"),
];

#[derive(Debug, Clone)]
struct Traits {
    class_name: String,
    sealed: Vec<String>,
    dynamic: bool,
    externalizable: bool,
}

/// The three AMF3 reference tables of one message body.
#[derive(Debug, Clone, Default)]
pub(crate) struct Amf3Tables {
    /// Non-empty strings in order of first appearance (the empty string is never added).
    strings: Vec<String>,
    /// Objects, arrays, dates, XML, byte arrays, vectors and dictionaries.
    objects: RefTable,
    traits: Vec<Traits>,
}

/// Decoding state borrowed from an `Amf3Reader` or from an `Amf0Reader` at an AVM+ switch.
pub(crate) struct Amf3Decoder<'r, 'a> {
    pub(crate) cur: &'r mut Cursor<'a>,
    pub(crate) budget: &'r mut Budget,
    pub(crate) tables: &'r mut Amf3Tables,
}

impl Amf3Decoder<'_, '_> {
    /// Variable-length unsigned 29-bit integer: up to three 7-bit groups with a continuation
    /// bit, then a final full byte.
    fn u29(&mut self) -> Result<u32, AmfError> {
        let mut value: u32 = 0;
        for _ in 0..3 {
            let byte = self.cur.u8()?;
            if byte & 0x80 == 0 {
                return Ok((value << 7) | u32::from(byte));
            }
            value = (value << 7) | u32::from(byte & 0x7f);
        }
        let byte = self.cur.u8()?;
        Ok((value << 8) | u32::from(byte))
    }

    /// A count that must fit in what is left, each item taking at least `min_item_bytes`.
    fn count(&mut self, count: u32, min_item_bytes: usize) -> Result<usize, AmfError> {
        let count = count as usize;
        let needed = count.saturating_mul(min_item_bytes);
        let remaining = self.cur.remaining();
        if needed > remaining {
            return Err(AmfError::Truncated {
                offset: self.cur.pos(),
                needed: needed - remaining,
            });
        }
        Ok(count)
    }

    /// A marker-less string: inline (added to the string table unless empty) or a reference.
    pub(crate) fn string(&mut self) -> Result<String, AmfError> {
        let offset = self.cur.pos();
        let header = self.u29()?;
        if header & 1 == 0 {
            let index = (header >> 1) as usize;
            let text =
                self.tables
                    .strings
                    .get(index)
                    .cloned()
                    .ok_or_else(|| AmfError::Invalid {
                        offset,
                        reason: format!(
                            "string reference {index} out of range ({} known)",
                            self.tables.strings.len()
                        ),
                    })?;
            self.budget.add_bytes(text.len(), offset)?;
            return Ok(text);
        }
        let len = (header >> 1) as usize;
        let text = self.cur.utf8(len)?;
        if !text.is_empty() {
            self.budget.add_bytes(len.saturating_mul(2), offset)?;
            self.tables.strings.push(text.clone());
        }
        Ok(text)
    }

    pub(crate) fn value(&mut self, depth: usize) -> Result<AmfValue, AmfError> {
        let offset = self.cur.pos();
        let marker = self.cur.u8()?;
        self.budget.enter_value(depth, offset)?;
        match marker {
            UNDEFINED => Ok(AmfValue::Undefined),
            NULL => Ok(AmfValue::Null),
            FALSE => Ok(AmfValue::Boolean(false)),
            TRUE => Ok(AmfValue::Boolean(true)),
            INTEGER => {
                let raw = self.u29()?;
                // Sign-extend from 29 bits.
                let value = ((raw << 3) as i32) >> 3;
                Ok(AmfValue::Integer(value))
            }
            DOUBLE => Ok(AmfValue::Number(self.cur.f64()?)),
            STRING => Ok(AmfValue::String(self.string()?)),
            XML_DOCUMENT | XML => self.referenceable(depth, offset, |d, len, _| {
                let text = d.cur.utf8(len as usize)?;
                d.budget.add_bytes(text.len(), offset)?;
                Ok(AmfValue::Xml(text))
            }),
            DATE => self.referenceable(depth, offset, |d, _, _| {
                Ok(AmfValue::Date {
                    millis: d.cur.f64()?,
                    timezone_minutes: None,
                })
            }),
            BYTE_ARRAY => self.referenceable(depth, offset, |d, len, _| {
                let bytes = d.cur.take(len as usize)?;
                d.budget.add_bytes(bytes.len(), offset)?;
                Ok(AmfValue::ByteArray(bytes.to_vec()))
            }),
            ARRAY => self.referenceable(depth, offset, Self::array),
            OBJECT => self.referenceable(depth, offset, Self::object),
            VECTOR_INT | VECTOR_UINT | VECTOR_DOUBLE => {
                self.referenceable(depth, offset, |d, count, _| d.number_vector(marker, count))
            }
            VECTOR_OBJECT => self.referenceable(depth, offset, Self::object_vector),
            DICTIONARY => self.referenceable(depth, offset, Self::dictionary),
            _ => Err(AmfError::UnknownMarker {
                version: 3,
                marker,
                offset,
            }),
        }
    }

    /// The U29 header shared by every object-table type: low bit 0 is a reference, otherwise
    /// `inline` decodes the value with the remaining header bits and the value is recorded.
    /// The slot is reserved before the body is read, as Flash does, so that members can refer
    /// to their container.
    fn referenceable(
        &mut self,
        depth: usize,
        offset: usize,
        inline: impl FnOnce(&mut Self, u32, usize) -> Result<AmfValue, AmfError>,
    ) -> Result<AmfValue, AmfError> {
        let header = self.u29()?;
        if header & 1 == 0 {
            let index = (header >> 1) as usize;
            return self
                .tables
                .objects
                .resolve(index, depth, self.budget, offset);
        }
        let slot = self.tables.objects.reserve();
        let value = inline(self, header >> 1, depth)?;
        self.tables
            .objects
            .fill(slot, &value, self.budget, offset)?;
        Ok(value)
    }

    /// Key/value pairs up to the empty-string key.
    fn pairs_until_empty_key(
        &mut self,
        depth: usize,
        into: &mut Vec<(String, AmfValue)>,
    ) -> Result<(), AmfError> {
        loop {
            let key = self.string()?;
            if key.is_empty() {
                return Ok(());
            }
            let value = self.value(depth + 1)?;
            into.push((key, value));
        }
    }

    fn array(&mut self, dense_count: u32, depth: usize) -> Result<AmfValue, AmfError> {
        let mut associative = Vec::new();
        self.pairs_until_empty_key(depth, &mut associative)?;
        let count = self.count(dense_count, 1)?;
        let mut dense = Vec::with_capacity(count.min(1024));
        for _ in 0..count {
            dense.push(self.value(depth + 1)?);
        }
        Ok(AmfValue::Amf3Array { associative, dense })
    }

    fn traits(&mut self, header: u32) -> Result<Traits, AmfError> {
        let offset = self.cur.pos();
        if header & 1 == 0 {
            let index = (header >> 1) as usize;
            return self
                .tables
                .traits
                .get(index)
                .cloned()
                .ok_or_else(|| AmfError::Invalid {
                    offset,
                    reason: format!(
                        "trait reference {index} out of range ({} known)",
                        self.tables.traits.len()
                    ),
                });
        }
        let externalizable = header & 0b10 != 0;
        let dynamic = header & 0b100 != 0;
        let class_name = self.string()?;
        let count = self.count(header >> 3, 1)?;
        let mut sealed = Vec::with_capacity(count.min(1024));
        for _ in 0..count {
            sealed.push(self.string()?);
        }
        let traits = Traits {
            class_name,
            sealed,
            dynamic,
            externalizable,
        };
        let stored: usize =
            traits.class_name.len() + traits.sealed.iter().map(String::len).sum::<usize>();
        self.budget.add_bytes(stored, offset)?;
        self.tables.traits.push(traits.clone());
        Ok(traits)
    }

    fn object(&mut self, header: u32, depth: usize) -> Result<AmfValue, AmfError> {
        let offset = self.cur.pos();
        let traits = self.traits(header)?;
        if traits.externalizable {
            return self.externalizable(traits.class_name, depth, offset);
        }
        let mut properties = Vec::with_capacity(traits.sealed.len().min(1024));
        for name in traits.sealed {
            let value = self.value(depth + 1)?;
            self.budget.add_bytes(name.len(), offset)?;
            properties.push((name, value));
        }
        if traits.dynamic {
            self.pairs_until_empty_key(depth, &mut properties)?;
        }
        let class_name = Some(traits.class_name).filter(|c| !c.is_empty());
        Ok(AmfValue::Object {
            class_name,
            properties,
        })
    }

    fn externalizable(
        &mut self,
        class_name: String,
        depth: usize,
        offset: usize,
    ) -> Result<AmfValue, AmfError> {
        let Some(&(_, property)) = KNOWN_EXTERNALIZABLE
            .iter()
            .find(|(name, _)| *name == class_name)
        else {
            return Err(AmfError::Invalid {
                offset,
                reason: format!(
                    "externalizable class {class_name:?} writes its own private format, \
                     which cannot be decoded without the class"
                ),
            });
        };
        let inner = self.value(depth + 1)?;
        Ok(AmfValue::Object {
            class_name: Some(class_name),
            properties: vec![(property.to_string(), inner)],
        })
    }

    fn number_vector(&mut self, marker: u8, count: u32) -> Result<AmfValue, AmfError> {
        let offset = self.cur.pos();
        let _fixed = self.cur.u8()?;
        let item_bytes = if marker == VECTOR_DOUBLE { 8 } else { 4 };
        let count = self.count(count, item_bytes)?;
        self.budget.add_bytes(count * item_bytes, offset)?;
        let bytes = self.cur.take(count * item_bytes)?;
        let value = match marker {
            VECTOR_INT => AmfValue::VectorInt(
                bytes
                    .chunks_exact(4)
                    .filter_map(|c| <[u8; 4]>::try_from(c).ok())
                    .map(i32::from_be_bytes)
                    .collect(),
            ),
            VECTOR_UINT => AmfValue::VectorUint(
                bytes
                    .chunks_exact(4)
                    .filter_map(|c| <[u8; 4]>::try_from(c).ok())
                    .map(u32::from_be_bytes)
                    .collect(),
            ),
            _ => AmfValue::VectorDouble(
                bytes
                    .chunks_exact(8)
                    .filter_map(|c| <[u8; 8]>::try_from(c).ok())
                    .map(f64::from_be_bytes)
                    .collect(),
            ),
        };
        Ok(value)
    }

    fn object_vector(&mut self, count: u32, depth: usize) -> Result<AmfValue, AmfError> {
        let _fixed = self.cur.u8()?;
        let type_name = self.string()?;
        let count = self.count(count, 1)?;
        let mut items = Vec::with_capacity(count.min(1024));
        for _ in 0..count {
            items.push(self.value(depth + 1)?);
        }
        Ok(AmfValue::VectorObject { type_name, items })
    }

    fn dictionary(&mut self, count: u32, depth: usize) -> Result<AmfValue, AmfError> {
        let _weak_keys = self.cur.u8()?;
        let count = self.count(count, 2)?;
        let mut entries = Vec::with_capacity(count.min(1024));
        for _ in 0..count {
            let key = self.value(depth + 1)?;
            let value = self.value(depth + 1)?;
            entries.push((key, value));
        }
        Ok(AmfValue::Dictionary(entries))
    }
}

/// Reads AMF3 values one after another, sharing one set of string/object/trait reference tables.
pub struct Amf3Reader<'a> {
    cur: Cursor<'a>,
    budget: Budget,
    tables: Amf3Tables,
}

impl<'a> Amf3Reader<'a> {
    pub fn new(data: &'a [u8], limits: AmfLimits) -> Self {
        Amf3Reader {
            cur: Cursor::new(data),
            budget: Budget::new(limits),
            tables: Amf3Tables::default(),
        }
    }

    pub fn read_value(&mut self) -> Result<AmfValue, AmfError> {
        self.decoder().value(0)
    }

    /// A marker-less AMF3 string (U29 length or string reference).
    pub fn read_string(&mut self) -> Result<String, AmfError> {
        self.decoder().string()
    }

    pub fn position(&self) -> usize {
        self.cur.pos()
    }

    pub fn is_empty(&self) -> bool {
        self.cur.is_empty()
    }

    fn decoder(&mut self) -> Amf3Decoder<'_, 'a> {
        Amf3Decoder {
            cur: &mut self.cur,
            budget: &mut self.budget,
            tables: &mut self.tables,
        }
    }
}
