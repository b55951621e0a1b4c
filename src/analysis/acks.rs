//! RTMP acknowledgement windows: a side that sends Window Acknowledgement Size W expects an
//! Acknowledgement from its peer for every W bytes it sends (spec 5.4.3/5.4.4). Servers that
//! enforce it (Adobe Media Server, Wowza) stop sending when the acknowledgements do not come,
//! and the player stalls.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

use serde::{Deserialize, Serialize};

use crate::rtmp::control::ProtocolControl;
use crate::rtmp::{Dir, MessageBody};

use super::message_log::SessionMessages;
use super::report::MessageRecord;

/// Acknowledgements are late when the peer lets more than this many windows of data go by
/// without one (one window is due; the second allows for data in flight).
pub const ACK_LATE_WINDOWS: u64 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AckVerdict {
    /// Less than a window of data was sent: no acknowledgement was due.
    NotDue,
    /// Acknowledgements came at least once per [`ACK_LATE_WINDOWS`] windows.
    Ok,
    /// Acknowledgements came, but stretches of more than [`ACK_LATE_WINDOWS`] windows went
    /// without one.
    Late,
    /// More than [`ACK_LATE_WINDOWS`] windows of data, and no acknowledgement at all.
    Missing,
}

/// The acknowledgement window of one direction of data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AckWindow {
    /// The direction of the data being acknowledged; the Window Acknowledgement Size went this
    /// way too, the Acknowledgements the other way.
    pub data_dir: Dir,
    /// The window (bytes) and the message that set it (the last one, if there were several).
    pub window: u32,
    pub window_message: u64,
    /// Data bytes sent after the window was set (from RTMP message positions, chunk headers
    /// included).
    pub bytes_after_window: u64,
    /// Acknowledgements the receiver sent.
    pub acks: u64,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub last_ack_sequence: Option<u32>,
    /// The longest stretch of data without an acknowledgement (the tail after the last one
    /// included), bytes, and the message that ended it (the acknowledgement, or the last
    /// data message).
    pub max_unacked_bytes: u64,
    pub max_unacked_at: u64,
    pub verdict: AckVerdict,
}

/// Where the sender's stream stands after message `r`: its end offset.
fn end_offset(r: &MessageRecord) -> u64 {
    r.message.stream_offset + u64::from(r.message.length)
}

/// The acknowledgement windows of a session's messages (capture order), one per direction
/// that set a window.
pub fn ack_windows(messages: SessionMessages<'_>) -> Vec<AckWindow> {
    [Dir::C2S, Dir::S2C]
        .into_iter()
        .filter_map(|dir| ack_window(dir, messages))
        .collect()
}

fn ack_window(data_dir: Dir, messages: SessionMessages<'_>) -> Option<AckWindow> {
    let mut window: Option<AckWindow> = None;
    // The sender's stream position now, and where the current unacknowledged stretch began.
    let mut sent = 0u64;
    let mut stretch_start = 0u64;
    let mut window_start = 0u64;
    messages.for_each(|r| {
        let m = &r.message;
        if m.dir == data_dir {
            sent = sent.max(end_offset(r));
            if let MessageBody::Control(ProtocolControl::WindowAckSize { size }) = m.body {
                let w = window.get_or_insert(AckWindow {
                    data_dir,
                    window: size,
                    window_message: r.index,
                    bytes_after_window: 0,
                    acks: 0,
                    last_ack_sequence: None,
                    max_unacked_bytes: 0,
                    max_unacked_at: r.index,
                    verdict: AckVerdict::NotDue,
                });
                if w.window_message == r.index {
                    window_start = sent;
                    stretch_start = sent;
                }
                w.window = size;
                w.window_message = r.index;
            }
            if let Some(w) = &mut window {
                let unacked = sent.saturating_sub(stretch_start);
                if unacked > w.max_unacked_bytes {
                    w.max_unacked_bytes = unacked;
                    w.max_unacked_at = r.index;
                }
            }
        } else if let MessageBody::Control(ProtocolControl::Acknowledgement { sequence_number }) =
            m.body
        {
            if let Some(w) = &mut window {
                w.acks += 1;
                w.last_ack_sequence = Some(sequence_number);
                stretch_start = sent;
            }
        }
    });
    let mut w = window?;
    w.bytes_after_window = sent.saturating_sub(window_start);
    let window = u64::from(w.window.max(1));
    w.verdict = if w.max_unacked_bytes > ACK_LATE_WINDOWS * window {
        if w.acks == 0 {
            AckVerdict::Missing
        } else {
            AckVerdict::Late
        }
    } else if w.acks == 0 && w.max_unacked_bytes < window {
        AckVerdict::NotDue
    } else {
        AckVerdict::Ok
    };
    Some(w)
}
