//! [`MessageRecord`]: one RTMP message in [`super::Report::messages`], and its place in the
//! capture. There is one per message, so its size is most of a kept report's memory.

use serde::{Deserialize, Deserializer, Serialize};

use crate::rtmp::RtmpMessage;

/// One RTMP message and its place in the capture.
///
/// JSON: `index`, `conn`, the message's fields, then `request`, `response` and `latency` for
/// commands that were paired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageRecord {
    /// 0-based, in completion order across the whole capture.
    pub index: u64,
    /// The TCP connection index.
    pub conn: u32,
    #[serde(flatten)]
    pub message: RtmpMessage,
    /// The command pairing, on requests and their answers (boxed: other messages have none).
    #[serde(
        flatten,
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "pairing_present"
    )]
    pub pairing: Option<Box<CommandPairing>>,
}

/// How a command and its `_result`/`_error` are linked (see [`MessageRecord::pairing`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CommandPairing {
    /// For a `_result`/`_error`: the request it answers.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub request: Option<u64>,
    /// For a request: its `_result`/`_error`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub response: Option<u64>,
    /// Seconds between request and response (on both).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub latency: Option<f64>,
}

/// A flattened `Option` comes back `Some(default)` from JSON without any of its keys: `None`.
fn pairing_present<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Box<CommandPairing>>, D::Error> {
    let pairing = Option::<CommandPairing>::deserialize(d)?;
    Ok(pairing
        .filter(|p| *p != CommandPairing::default())
        .map(Box::new))
}

impl MessageRecord {
    /// A record without pairing.
    pub fn new(index: u64, conn: u32, message: RtmpMessage) -> Self {
        MessageRecord {
            index,
            conn,
            message,
            pairing: None,
        }
    }

    /// For a `_result`/`_error`: the request it answers.
    pub fn request(&self) -> Option<u64> {
        self.pairing.as_ref().and_then(|p| p.request)
    }

    /// For a request: its `_result`/`_error`.
    pub fn response(&self) -> Option<u64> {
        self.pairing.as_ref().and_then(|p| p.response)
    }

    /// Seconds between request and response (on both).
    pub fn latency(&self) -> Option<f64> {
        self.pairing.as_ref().and_then(|p| p.latency)
    }

    /// The pairing, created empty if there was none.
    pub fn pairing_mut(&mut self) -> &mut CommandPairing {
        self.pairing.get_or_insert_with(Box::default)
    }

    /// Marks this record as the answer to `request`, `latency` seconds later.
    pub fn set_request(&mut self, request: u64, latency: f64) {
        let p = self.pairing_mut();
        p.request = Some(request);
        p.latency = Some(latency);
    }

    /// Marks this record as the request `response` answers, `latency` seconds later.
    pub fn set_response(&mut self, response: u64, latency: f64) {
        let p = self.pairing_mut();
        p.response = Some(response);
        p.latency = Some(latency);
    }

    /// Renumbers the messages the pairing points at.
    pub fn remap_pairing(&mut self, remap: &dyn Fn(u64) -> u64) {
        if let Some(p) = &mut self.pairing {
            p.request = p.request.map(remap);
            p.response = p.response.map(remap);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::MessageRecord;
    use crate::rtmp::media::{AudioTagHeader, VideoTagHeader};
    use crate::rtmp::{MessageBody, RtmpMessage};
    use std::mem::size_of;

    /// A report keeps one record per message (917,851 in a 1 GiB low-bitrate capture), so
    /// these sizes are most of its memory; they came down from 80/80/88/224/288 bytes (see the
    /// README's "Per-message memory"). A plain frame's tag header holds no heap and no names:
    /// FourCC inline, configuration and Enhanced v2 fields boxed; so are the rare body kinds,
    /// the opt-in payload and body spans, and the command pairing. Grow them only on purpose.
    #[test]
    fn per_message_sizes_do_not_grow() {
        assert_eq!(size_of::<VideoTagHeader>(), 32);
        assert_eq!(size_of::<AudioTagHeader>(), 32);
        assert_eq!(size_of::<MessageBody>(), 40);
        assert_eq!(size_of::<RtmpMessage>(), 144);
        assert_eq!(size_of::<MessageRecord>(), 168);
    }
}
