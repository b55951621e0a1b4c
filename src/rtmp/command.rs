//! AMF-encoded message bodies: commands (20, 17), data (18, 15) and shared objects (19, 16).
//!
//! INTERFACE STUB: types are the contract; parse functions are placeholders until they land.

use serde::{Deserialize, Serialize};

use crate::amf::{AmfError, AmfValue};

/// A command message: `connect`, `_result`, `publish`, `onStatus`, ...
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Command {
    /// True for type 17 (AMF3 command: a format byte, then AMF0 values that may switch to AMF3).
    pub amf3: bool,
    pub name: String,
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

impl DataMessage {
    /// The handler name: the first value when it is a string.
    pub fn handler(&self) -> Option<&str> {
        self.values.first().and_then(AmfValue::as_str)
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
    pub events: Vec<SharedObjectEvent>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error: Option<String>,
}

/// Parses a command body. Never fails: a body that breaks off keeps what decoded and sets `error`.
pub fn parse_command(body: &[u8], amf3: bool) -> Command {
    let _ = body;
    Command {
        amf3,
        name: String::new(),
        transaction_id: 0.0,
        command_object: AmfValue::Null,
        arguments: Vec::new(),
        error: Some(
            AmfError::Truncated {
                offset: 0,
                needed: 1,
            }
            .to_string(),
        ),
    }
}

pub fn parse_data(body: &[u8], amf3: bool) -> DataMessage {
    let _ = body;
    DataMessage {
        amf3,
        values: Vec::new(),
        error: None,
    }
}

pub fn parse_shared_object(body: &[u8], amf3: bool) -> SharedObjectMessage {
    let _ = body;
    SharedObjectMessage {
        amf3,
        name: String::new(),
        version: 0,
        persistent: false,
        events: Vec::new(),
        error: None,
    }
}
