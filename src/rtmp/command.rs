//! AMF-encoded message bodies: commands (20, 17), data (18, 15) and shared objects (19, 16).

use serde::{Deserialize, Serialize};

use crate::amf::{
    decode_message_body, render_tree_at, summarize, summarize_call, Amf0Reader, AmfError,
    AmfLimits, AmfValue,
};

/// A command message: `connect`, `_result`, `publish`, `onStatus`, ...
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Command {
    /// True for type 17 (AMF3 command: a format byte, then AMF0 values that may switch to AMF3).
    pub amf3: bool,
    pub name: String,
    #[serde(serialize_with = "integral_as_integer")]
    pub transaction_id: f64,
    /// The command object (`Null` when the command sends none).
    pub command_object: AmfValue,
    /// Everything after the command object.
    pub arguments: Vec<AmfValue>,
    /// Set when the body did not decode to the end; the fields hold what decoded before.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error: Option<String>,
}

/// A data message (`@setDataFrame`, `onMetaData`, `|RtmpSampleAccess`, ...): a list of values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataMessage {
    pub amf3: bool,
    pub values: Vec<AmfValue>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error: Option<String>,
}

impl Command {
    /// `connect(1, {app: "live", ...})`: transaction id, command object and arguments in one
    /// line of at most `max_width` characters.
    pub fn summary(&self, max_width: usize) -> String {
        let id = AmfValue::Number(self.transaction_id);
        let mut args = vec![&id, &self.command_object];
        args.extend(&self.arguments);
        summarize_call(&self.name, &args, max_width)
    }

    /// The command as an indented tree (for `show`).
    pub fn render_tree(&self) -> String {
        let id = summarize(&AmfValue::Number(self.transaction_id), 32);
        let mut out = format!("{} (transaction {id})\n", self.name);
        out += &render_tree_at(&self.command_object, Some("command object"), 1);
        for (i, arg) in self.arguments.iter().enumerate() {
            out += &render_tree_at(arg, Some(&format!("argument {}", i + 1)), 1);
        }
        push_error(&mut out, self.error.as_deref());
        out
    }
}

impl DataMessage {
    /// The handler name: the first value when it is a string.
    pub fn handler(&self) -> Option<&str> {
        self.values.first().and_then(AmfValue::as_str)
    }

    /// `@setDataFrame("onMetaData", {duration: 5, ...})` in at most `max_width` characters.
    pub fn summary(&self, max_width: usize) -> String {
        let (name, rest) = self.split_handler();
        summarize_call(name, &rest.iter().collect::<Vec<_>>(), max_width)
    }

    /// The message as an indented tree (for `show`).
    pub fn render_tree(&self) -> String {
        let (name, rest) = self.split_handler();
        let mut out = format!("{name}\n");
        for (i, value) in rest.iter().enumerate() {
            out += &render_tree_at(value, Some(&format!("argument {}", i + 1)), 1);
        }
        push_error(&mut out, self.error.as_deref());
        out
    }

    fn split_handler(&self) -> (&str, &[AmfValue]) {
        match self.handler() {
            Some(name) => (name, self.values.get(1..).unwrap_or_default()),
            None => ("(no handler)", &self.values),
        }
    }
}

impl SharedObjectMessage {
    /// The message as an indented tree (for `show`).
    pub fn render_tree(&self) -> String {
        let persistence = if self.persistent { ", persistent" } else { "" };
        let mut out = format!(
            "shared object {:?} (version {}{persistence})\n",
            self.name, self.version
        );
        for event in &self.events {
            out += &format!("  {:?}\n", event.event_type);
            for (key, value) in &event.entries {
                out += &render_tree_at(value, Some(key), 2);
            }
            for (i, value) in event.values.iter().enumerate() {
                out += &render_tree_at(value, Some(&format!("[{i}]")), 2);
            }
        }
        push_error(&mut out, self.error.as_deref());
        out
    }
}

/// Transaction ids are whole numbers in practice: write `1`, not `1.0`, like AMF numbers.
fn integral_as_integer<S: serde::Serializer>(n: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    AmfValue::Number(*n).serialize(serializer)
}

fn push_error(out: &mut String, error: Option<&str>) {
    if let Some(error) = error {
        out.push_str("  error: ");
        out.push_str(error);
        out.push('\n');
    }
}

/// Shared object event types (RTMP spec 7.1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SharedObjectEventType {
    Use,
    Release,
    RequestChange,
    Change,
    Success,
    SendMessage,
    Status,
    Clear,
    Remove,
    RequestRemove,
    UseSuccess,
    Unknown(u8),
}

impl SharedObjectEventType {
    pub fn from_u8(code: u8) -> Self {
        match code {
            1 => Self::Use,
            2 => Self::Release,
            3 => Self::RequestChange,
            4 => Self::Change,
            5 => Self::Success,
            6 => Self::SendMessage,
            7 => Self::Status,
            8 => Self::Clear,
            9 => Self::Remove,
            10 => Self::RequestRemove,
            11 => Self::UseSuccess,
            other => Self::Unknown(other),
        }
    }

    pub fn code(self) -> u8 {
        match self {
            Self::Use => 1,
            Self::Release => 2,
            Self::RequestChange => 3,
            Self::Change => 4,
            Self::Success => 5,
            Self::SendMessage => 6,
            Self::Status => 7,
            Self::Clear => 8,
            Self::Remove => 9,
            Self::RequestRemove => 10,
            Self::UseSuccess => 11,
            Self::Unknown(code) => code,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedObjectEvent {
    pub event_type: SharedObjectEventType,
    /// Key/value pairs carried by the event (Change, RequestChange, Success, Status, ...).
    pub entries: Vec<(String, AmfValue)>,
    /// Values of a SendMessage event, or a Remove/RequestRemove key as a string.
    pub values: Vec<AmfValue>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedObjectMessage {
    pub amf3: bool,
    pub name: String,
    pub version: u32,
    pub persistent: bool,
    /// The 8 flag bytes as sent (big-endian). The spec only says they carry persistence.
    #[serde(default)]
    pub flags: u64,
    pub events: Vec<SharedObjectEvent>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error: Option<String>,
}

/// Parses a command body. Never fails: a body that breaks off keeps what decoded and sets `error`.
///
/// Type 17 bodies start with a format byte (0x00) followed by AMF0 values whose complex
/// arguments usually switch to AMF3 one value at a time; see [`decode_message_body`].
pub fn parse_command(body: &[u8], amf3: bool) -> Command {
    parse_command_with(body, amf3, AmfLimits::default())
}

/// [`parse_command`] with the AMF decoder's limits given.
pub fn parse_command_with(body: &[u8], amf3: bool, limits: AmfLimits) -> Command {
    let decoded = decode_message_body(body, amf3, limits);
    let mut error = decoded.error.map(|e| e.to_string());
    let mut command = Command {
        amf3,
        name: String::new(),
        transaction_id: 0.0,
        command_object: AmfValue::Null,
        arguments: Vec::new(),
        error: None,
    };
    let mut values = decoded.values.into_iter().peekable();
    // A value of the wrong type stays in `arguments`, so nothing decoded is dropped.
    let Some(AmfValue::String(name)) = values.next_if(|v| matches!(v, AmfValue::String(_))) else {
        error.get_or_insert_with(|| match values.peek() {
            Some(v) => format!("command name is {}, not a string", v.type_name()),
            None => "empty command body".into(),
        });
        command.arguments = values.collect();
        command.error = error;
        return command;
    };
    command.name = name;
    let Some(id) = values.next_if(|v| v.as_f64().is_some()) else {
        error.get_or_insert_with(|| match values.peek() {
            Some(v) => format!("transaction id is {}, not a number", v.type_name()),
            None => "command has no transaction id".into(),
        });
        command.arguments = values.collect();
        command.error = error;
        return command;
    };
    command.transaction_id = id.as_f64().unwrap_or_default();
    if let Some(object) = values.next() {
        command.command_object = object;
    }
    command.arguments = values.collect();
    command.error = error;
    command
}

/// Parses a data message body (type 18, or 15 with its leading format byte).
pub fn parse_data(body: &[u8], amf3: bool) -> DataMessage {
    parse_data_with(body, amf3, AmfLimits::default())
}

/// [`parse_data`] with the AMF decoder's limits given.
pub fn parse_data_with(body: &[u8], amf3: bool, limits: AmfLimits) -> DataMessage {
    let decoded = decode_message_body(body, amf3, limits);
    DataMessage {
        amf3,
        values: decoded.values,
        error: decoded.error.map(|e| e.to_string()),
    }
}

/// Parses a shared object message:
/// `[encoding byte, type 16 only] name version:u32 flags:8 bytes { type:u8 length:u32 data }*`.
///
/// The name, keys and status strings are u16-length UTF-8 without a marker; values are AMF0
/// (an AVM+ marker switches one value to AMF3). Type 16 starts with an encoding byte: 0 means
/// the AMF0 layout above, 3 means AMF3 strings and values throughout (as Red5 reads it).
/// `persistent` is bit 1 of the first flag word (Red5 writes 2 for persistent objects).
///
/// Event data (Red5's decoder, the spec's event descriptions):
/// * Change, RequestChange: key/value pairs filling the event → `entries`;
/// * SendMessage: AMF values (handler name first) → `values`;
/// * Status: code and level strings → `entries` `code`, `level`;
/// * Remove, RequestRemove, and any other known type with data: keys, each followed by a value
///   when one fits → `entries`, a bare key → `values` as a string;
/// * Use, Release, Clear, UseSuccess: normally empty;
/// * unknown types: the raw data as one `ByteArray` value.
///
/// Events are length-delimited, so one broken event sets `error` and parsing resumes with the
/// next one.
pub fn parse_shared_object(body: &[u8], amf3: bool) -> SharedObjectMessage {
    parse_shared_object_with(body, amf3, AmfLimits::default())
}

/// [`parse_shared_object`] with the AMF decoder's limits given.
pub fn parse_shared_object_with(body: &[u8], amf3: bool, limits: AmfLimits) -> SharedObjectMessage {
    let mut message = SharedObjectMessage {
        amf3,
        name: String::new(),
        version: 0,
        persistent: false,
        flags: 0,
        events: Vec::new(),
        error: None,
    };
    let mut reader = SoReader {
        reader: Amf0Reader::new(body, limits),
        amf3_strings: false,
    };
    if let Err(e) = reader.header_and_events(&mut message) {
        message.error.get_or_insert(e);
    }
    message
}

/// Reads the shared-object layout with one AMF reader (one set of reference tables and one
/// budget for the whole message).
struct SoReader<'a> {
    reader: Amf0Reader<'a>,
    /// Red5's AMF3 layout: keys are AMF3 strings and values AMF3 values.
    amf3_strings: bool,
}

impl SoReader<'_> {
    fn key(&mut self) -> Result<String, AmfError> {
        if self.amf3_strings {
            self.reader.read_amf3_string()
        } else {
            self.reader.read_short_string()
        }
    }

    fn value(&mut self) -> Result<AmfValue, AmfError> {
        if self.amf3_strings {
            self.reader.read_amf3_value()
        } else {
            self.reader.read_value()
        }
    }

    fn header_and_events(&mut self, message: &mut SharedObjectMessage) -> Result<(), String> {
        let text = |e: AmfError| e.to_string();
        if message.amf3 {
            match self.reader.read_u8().map_err(text)? {
                0 => {}
                3 => self.amf3_strings = true,
                other => {
                    return Err(format!(
                        "unknown shared object encoding byte 0x{other:02x} (expected 0 or 3)"
                    ))
                }
            }
        }
        message.name = self.key().map_err(text)?;
        message.version = self.reader.read_u32().map_err(text)?;
        message.flags = self.reader.read_u64().map_err(text)?;
        message.persistent = (message.flags >> 32) & 2 != 0;
        while !self.reader.is_empty() {
            let at = self.reader.position();
            let code = self.reader.read_u8().map_err(text)?;
            let event_type = SharedObjectEventType::from_u8(code);
            let len = self.reader.read_u32().map_err(text)? as usize;
            let start = self.reader.position();
            if len > self.reader.remaining() {
                return Err(format!(
                    "shared object event {event_type:?} at byte {at} declares {len} bytes of data, \
                     only {} left",
                    self.reader.remaining()
                ));
            }
            let end = start + len;
            let mut event = SharedObjectEvent {
                event_type,
                entries: Vec::new(),
                values: Vec::new(),
            };
            if let Err(e) = self.event_data(&mut event, end) {
                message.error.get_or_insert_with(|| {
                    format!("shared object event {event_type:?} at byte {at}: {e}")
                });
            }
            message.events.push(event);
            self.reader.seek(end);
        }
        Ok(())
    }

    fn event_data(&mut self, event: &mut SharedObjectEvent, end: usize) -> Result<(), String> {
        let overran = |end: usize| format!("data runs past the end of the event (byte {end})");
        let text = |e: AmfError| e.to_string();
        match event.event_type {
            SharedObjectEventType::Unknown(_) => {
                let len = end.saturating_sub(self.reader.position());
                let raw = self.reader.read_bytes(len).map_err(text)?;
                event.values.push(AmfValue::ByteArray(raw.to_vec()));
            }
            SharedObjectEventType::SendMessage => {
                while self.reader.position() < end {
                    event.values.push(self.value().map_err(text)?);
                }
            }
            SharedObjectEventType::Status => {
                let code = self.key().map_err(text)?;
                event.entries.push(("code".into(), AmfValue::String(code)));
                let level = self.key().map_err(text)?;
                event
                    .entries
                    .push(("level".into(), AmfValue::String(level)));
            }
            _ => {
                while self.reader.position() < end {
                    let key = self.key().map_err(text)?;
                    if self.reader.position() >= end {
                        event.values.push(AmfValue::String(key));
                        break;
                    }
                    let value = self.value().map_err(text)?;
                    event.entries.push((key, value));
                }
            }
        }
        if self.reader.position() > end {
            return Err(overran(end));
        }
        Ok(())
    }
}
