//! Linking `_result` / `_error` responses to the command they answer, by transaction id.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::message::RtmpMessage;
use super::Dir;

/// Requests waiting for an answer, at most; the oldest is forgotten beyond this.
pub const MAX_PENDING: usize = 10_000;

/// A request and its response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommandPair {
    pub request: String,
    pub transaction_id: f64,
    /// Index of the request and of the response, as given to [`CommandPairer::observe`].
    pub request_index: u64,
    pub response_index: u64,
    /// `_result` or `_error`.
    pub response: String,
    /// Seconds from the frame completing the request to the frame completing the response.
    pub latency: f64,
    /// The direction the request went.
    pub request_dir: Dir,
}

#[derive(Debug, Clone)]
struct Pending {
    name: String,
    index: u64,
    time: crate::capture::Timestamp,
    seq: u64,
}

/// Watches a connection's messages in order and pairs responses with requests.
#[derive(Debug, Default)]
pub struct CommandPairer {
    pending: HashMap<(Dir, u64), Pending>,
    seq: u64,
}

fn is_response(name: &str) -> bool {
    name == "_result" || name == "_error"
}

impl CommandPairer {
    pub fn new() -> Self {
        CommandPairer::default()
    }

    /// Looks at message `index`; returns the pair when it answers an earlier request.
    /// Requests are commands with a non-zero transaction id; a later request in the same
    /// direction with the same id replaces an unanswered one.
    pub fn observe(&mut self, index: u64, msg: &RtmpMessage) -> Option<CommandPair> {
        let cmd = msg.command()?;
        let tid = cmd.transaction_id;
        if !tid.is_finite() || tid == 0.0 {
            return None;
        }
        if is_response(&cmd.name) {
            let request_dir = msg.dir.reverse();
            let req = self.pending.remove(&(request_dir, tid.to_bits()))?;
            return Some(CommandPair {
                request: req.name,
                transaction_id: tid,
                request_index: req.index,
                response_index: index,
                response: cmd.name.clone(),
                latency: msg.time.seconds_since(req.time),
                request_dir,
            });
        }
        if self.pending.len() >= MAX_PENDING {
            if let Some(oldest) = self
                .pending
                .iter()
                .min_by_key(|(_, p)| p.seq)
                .map(|(k, _)| *k)
            {
                self.pending.remove(&oldest);
            }
        }
        self.seq += 1;
        self.pending.insert(
            (msg.dir, tid.to_bits()),
            Pending {
                name: cmd.name.clone(),
                index,
                time: msg.time,
                seq: self.seq,
            },
        );
        None
    }

    /// Requests never answered: `(index, name, transaction id)`.
    pub fn unanswered(&self) -> Vec<(u64, String, f64)> {
        let mut v: Vec<_> = self
            .pending
            .iter()
            .map(|((_, tid), p)| (p.index, p.name.clone(), f64::from_bits(*tid)))
            .collect();
        v.sort_by_key(|x| x.0);
        v
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::amf::AmfValue;
    use crate::capture::Timestamp;
    use crate::rtmp::command::Command;
    use crate::rtmp::message::MessageBody;

    fn cmd(dir: Dir, name: &str, tid: f64, secs: i64, nanos: u32) -> RtmpMessage {
        RtmpMessage {
            dir,
            csid: 3,
            msid: 0,
            type_id: 20,
            timestamp: 0,
            timestamp_delta: None,
            length: 10,
            fmt: 0,
            extended_timestamp: false,
            chunks: 1,
            first_frame: 1,
            frame: 1,
            time: Timestamp::new(secs, nanos),
            stream_offset: 0,
            file_offset: None,
            inferred: false,
            resync_point: false,
            damaged: false,
            missing_bytes: 0,
            truncated: false,
            body: MessageBody::Command(Box::new(Command {
                amf3: false,
                name: name.into(),
                transaction_id: tid,
                command_object: AmfValue::Null,
                arguments: vec![],
                error: None,
            })),
            kept: None,
        }
    }

    #[test]
    fn pairs_by_transaction_id_and_direction() {
        let mut p = CommandPairer::new();
        assert_eq!(p.observe(0, &cmd(Dir::C2S, "connect", 1.0, 10, 0)), None);
        assert_eq!(
            p.observe(1, &cmd(Dir::C2S, "releaseStream", 2.0, 10, 100)),
            None
        );
        assert_eq!(
            p.observe(2, &cmd(Dir::C2S, "createStream", 4.0, 10, 200)),
            None
        );
        // onStatus with transaction 0 is no request.
        assert_eq!(p.observe(3, &cmd(Dir::S2C, "onStatus", 0.0, 10, 300)), None);
        let pair = p
            .observe(4, &cmd(Dir::S2C, "_result", 1.0, 10, 500_000_000))
            .unwrap();
        assert_eq!(
            (
                pair.request.as_str(),
                pair.request_index,
                pair.response_index
            ),
            ("connect", 0, 4)
        );
        assert!((pair.latency - 0.5).abs() < 1e-9);
        // A response going the same way as the request does not match.
        assert_eq!(p.observe(5, &cmd(Dir::C2S, "_result", 4.0, 11, 0)), None);
        let pair = p.observe(6, &cmd(Dir::S2C, "_error", 4.0, 11, 0)).unwrap();
        assert_eq!(
            (pair.request.as_str(), pair.response.as_str()),
            ("createStream", "_error")
        );
        assert_eq!(p.unanswered(), vec![(1, "releaseStream".to_string(), 2.0)]);
    }
}
