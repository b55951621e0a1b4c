//! AMF0 decoding (Adobe AMF0 specification, 2007), including the AVM+ switch to AMF3.

use super::amf3::{Amf3Decoder, Amf3Tables};
use super::budget::{Budget, RefTable};
use super::cursor::Cursor;
use super::{AmfError, AmfLimits, AmfValue};

pub(crate) const NUMBER: u8 = 0x00;
pub(crate) const BOOLEAN: u8 = 0x01;
pub(crate) const STRING: u8 = 0x02;
pub(crate) const OBJECT: u8 = 0x03;
pub(crate) const MOVIECLIP: u8 = 0x04;
pub(crate) const NULL: u8 = 0x05;
pub(crate) const UNDEFINED: u8 = 0x06;
pub(crate) const REFERENCE: u8 = 0x07;
pub(crate) const ECMA_ARRAY: u8 = 0x08;
pub(crate) const OBJECT_END: u8 = 0x09;
pub(crate) const STRICT_ARRAY: u8 = 0x0a;
pub(crate) const DATE: u8 = 0x0b;
pub(crate) const LONG_STRING: u8 = 0x0c;
pub(crate) const UNSUPPORTED: u8 = 0x0d;
pub(crate) const RECORDSET: u8 = 0x0e;
pub(crate) const XML_DOCUMENT: u8 = 0x0f;
pub(crate) const TYPED_OBJECT: u8 = 0x10;
pub(crate) const AVMPLUS: u8 = 0x11;

/// Reads AMF0 values one after another from a buffer (the body of a command or data message).
///
/// One reader is one AMF "message body": it owns the AMF0 object reference table and, for
/// values behind an AVM+ marker (0x11), one set of AMF3 string/object/trait tables that
/// **persists across switches** within the reader. The AMF3 specification scopes references to
/// a whole message body, Red5 keeps one AMF3 reference store for all parameters of a Flex
/// message, and PyAMF keeps one AMF3 context per AMF0 context; Wireshark resolves no references
/// at all. Start a new reader for each message.
pub struct Amf0Reader<'a> {
    cur: Cursor<'a>,
    budget: Budget,
    objects: RefTable,
    amf3: Amf3Tables,
}

impl<'a> Amf0Reader<'a> {
    pub fn new(data: &'a [u8], limits: AmfLimits) -> Self {
        Amf0Reader {
            cur: Cursor::new(data),
            budget: Budget::new(limits),
            objects: RefTable::default(),
            amf3: Amf3Tables::default(),
        }
    }

    /// Decodes the next value (marker included). An AVM+ marker (0x11) decodes one AMF3 value.
    pub fn read_value(&mut self) -> Result<AmfValue, AmfError> {
        self.value(0)
    }

    /// Decodes one AMF3 value (its AMF3 marker included, no 0x11 before it) with this reader's
    /// AMF3 reference tables: for bodies that switch to AMF3 for good.
    pub fn read_amf3_value(&mut self) -> Result<AmfValue, AmfError> {
        Amf3Decoder {
            cur: &mut self.cur,
            budget: &mut self.budget,
            tables: &mut self.amf3,
        }
        .value(0)
    }

    /// Reads a UTF-8 string without a marker: u16 big-endian length then bytes (shared-object
    /// names and keys use this form).
    pub fn read_short_string(&mut self) -> Result<String, AmfError> {
        let offset = self.cur.pos();
        let len = usize::from(self.cur.u16()?);
        self.budget.add_bytes(len, offset)?;
        self.cur.utf8(len)
    }

    /// Reads a marker-less AMF3 string (U29 length or string reference), using this reader's
    /// AMF3 string table.
    pub fn read_amf3_string(&mut self) -> Result<String, AmfError> {
        Amf3Decoder {
            cur: &mut self.cur,
            budget: &mut self.budget,
            tables: &mut self.amf3,
        }
        .string()
    }

    pub fn read_u8(&mut self) -> Result<u8, AmfError> {
        self.cur.u8()
    }

    /// Big-endian u32 (shared-object versions and event lengths).
    pub fn read_u32(&mut self) -> Result<u32, AmfError> {
        self.cur.u32()
    }

    /// Big-endian u64 (shared-object flags).
    pub fn read_u64(&mut self) -> Result<u64, AmfError> {
        self.cur.u64()
    }

    /// Raw bytes, not copied.
    pub fn read_bytes(&mut self, n: usize) -> Result<&'a [u8], AmfError> {
        self.cur.take(n)
    }

    /// Moves to `position` (clamped to the end of the data): used to resume at a length-delimited
    /// boundary after a value that overran it.
    pub(crate) fn seek(&mut self, position: usize) {
        self.cur.seek(position);
    }

    /// The next byte without consuming it.
    pub fn peek_u8(&self) -> Option<u8> {
        self.cur.peek_u8()
    }

    /// Byte position of the next value.
    pub fn position(&self) -> usize {
        self.cur.pos()
    }

    pub fn remaining(&self) -> usize {
        self.cur.remaining()
    }

    pub fn is_empty(&self) -> bool {
        self.cur.is_empty()
    }

    fn value(&mut self, depth: usize) -> Result<AmfValue, AmfError> {
        let offset = self.cur.pos();
        let marker = self.cur.u8()?;
        self.budget.enter_value(depth, offset)?;
        match marker {
            NUMBER => Ok(AmfValue::Number(self.cur.f64()?)),
            BOOLEAN => Ok(AmfValue::Boolean(self.cur.u8()? != 0)),
            STRING => {
                let len = usize::from(self.cur.u16()?);
                self.text(len, offset).map(AmfValue::String)
            }
            LONG_STRING => {
                let len = self.u32_len()?;
                self.text(len, offset).map(AmfValue::String)
            }
            XML_DOCUMENT => {
                let len = self.u32_len()?;
                self.text(len, offset).map(AmfValue::Xml)
            }
            NULL => Ok(AmfValue::Null),
            UNDEFINED => Ok(AmfValue::Undefined),
            UNSUPPORTED => Ok(AmfValue::Unsupported),
            DATE => {
                let millis = self.cur.f64()?;
                let timezone = self.cur.i16()?;
                Ok(AmfValue::Date {
                    millis,
                    timezone_minutes: Some(timezone),
                })
            }
            REFERENCE => {
                let index = usize::from(self.cur.u16()?);
                self.objects.resolve(index, depth, &mut self.budget, offset)
            }
            OBJECT => self.complex(depth, offset, |r, d| {
                let properties = r.properties(d)?;
                Ok(AmfValue::Object {
                    class_name: None,
                    properties,
                })
            }),
            TYPED_OBJECT => self.complex(depth, offset, |r, d| {
                let class_name = r.read_short_string()?;
                let properties = r.properties(d)?;
                Ok(AmfValue::Object {
                    class_name: Some(class_name),
                    properties,
                })
            }),
            ECMA_ARRAY => self.complex(depth, offset, |r, d| {
                // The count is only a hint: encoders disagree with it, the end marker decides.
                let _count_hint = r.cur.u32()?;
                Ok(AmfValue::EcmaArray(r.properties(d)?))
            }),
            STRICT_ARRAY => self.complex(depth, offset, |r, d| {
                let count = r.u32_len()?;
                // Every element takes at least one byte: a count beyond the data is a lie.
                if count > r.cur.remaining() {
                    return Err(AmfError::Truncated {
                        offset: r.cur.pos(),
                        needed: count - r.cur.remaining(),
                    });
                }
                let mut items = Vec::with_capacity(count.min(1024));
                for _ in 0..count {
                    items.push(r.value(d + 1)?);
                }
                Ok(AmfValue::StrictArray(items))
            }),
            AVMPLUS => Amf3Decoder {
                cur: &mut self.cur,
                budget: &mut self.budget,
                tables: &mut self.amf3,
            }
            .value(depth),
            OBJECT_END => Err(AmfError::Invalid {
                offset,
                reason: "object-end marker outside an object".into(),
            }),
            MOVIECLIP | RECORDSET => Err(AmfError::Invalid {
                offset,
                reason: format!("reserved AMF0 marker 0x{marker:02x} (movieclip/recordset)"),
            }),
            _ => Err(AmfError::UnknownMarker {
                version: 0,
                marker,
                offset,
            }),
        }
    }

    /// Decodes a value that takes an object-table slot, reserving the slot first so that
    /// members referring to it become `UnresolvedReference` instead of recursing forever.
    fn complex(
        &mut self,
        depth: usize,
        offset: usize,
        body: impl FnOnce(&mut Self, usize) -> Result<AmfValue, AmfError>,
    ) -> Result<AmfValue, AmfError> {
        let slot = self.objects.reserve();
        let value = body(self, depth)?;
        self.objects.fill(slot, &value, &mut self.budget, offset)?;
        Ok(value)
    }

    /// Key/value pairs up to the empty-key + object-end terminator.
    fn properties(&mut self, depth: usize) -> Result<Vec<(String, AmfValue)>, AmfError> {
        let mut properties = Vec::new();
        loop {
            let key = self.read_short_string()?;
            if key.is_empty() && self.cur.peek_u8() == Some(OBJECT_END) {
                self.cur.u8()?;
                return Ok(properties);
            }
            let value = self.value(depth + 1)?;
            properties.push((key, value));
        }
    }

    fn u32_len(&mut self) -> Result<usize, AmfError> {
        let len = self.cur.u32()?;
        Ok(usize::try_from(len).unwrap_or(usize::MAX))
    }

    fn text(&mut self, len: usize, offset: usize) -> Result<String, AmfError> {
        // Truncation is checked by `utf8` before anything is allocated or charged.
        let text = self.cur.utf8(len)?;
        self.budget.add_bytes(len, offset)?;
        Ok(text)
    }
}
