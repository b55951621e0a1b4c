//! Where a message's body lies in the capture file, for viewers that re-read it from the file
//! instead of keeping it (opt-in: [`RtmpConfig::record_body_spans`](super::RtmpConfig)).
//!
//! A body is cut into chunks (with headers of its own and of other chunk streams between them)
//! and into TCP segments, whose payloads lie between packet headers in the file, out of order
//! when segments were reordered. Each piece of body that reached the chunk demultiplexer is one
//! [`BodySpan`]; pieces that follow each other both in the body and in the file are merged.
//! Bytes lost in TCP gaps have no span: the body offsets show where the holes are.
//!
//! ```
//! use rtmpscope::rtmp::RtmpConfig;
//! use rtmpscope::{analyze_bytes, AnalyzerOptions};
//!
//! let capture = std::fs::read("tests/data/nginx-ffmpeg-publish.pcap")?;
//! let options = AnalyzerOptions {
//!     rtmp: RtmpConfig { record_body_spans: true, ..RtmpConfig::default() },
//!     ..AnalyzerOptions::default()
//! };
//! let report = analyze_bytes(&capture, options)?;
//! let connect = &report.messages[0].message; // 139 bytes in two 128-byte chunks
//! let spans = connect.body_spans().expect("recorded");
//! let body: Vec<u8> = spans.spans.iter().flat_map(|s| {
//!     let at = s.file_offset as usize;
//!     capture[at..at + s.len as usize].to_vec()
//! }).collect();
//! assert_eq!(body.len(), 139);
//! assert_eq!(spans.spans.len(), 2);
//! assert_eq!(&body[..3], &[0x02, 0x00, 0x07]); // AMF0 string "connect"
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use serde::{Deserialize, Serialize};

/// Spans recorded per message at most; a body cut into more pieces keeps the first ones and is
/// marked [`BodySpans::incomplete`]. 16 bytes each: at most 64 KiB per message.
pub const MAX_BODY_SPANS: usize = 4096;

/// One piece of a message body: `len` bytes at `body_offset` in the body, found at
/// `file_offset` in the capture file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BodySpan {
    pub body_offset: u32,
    pub len: u32,
    pub file_offset: u64,
}

/// The pieces of one message body in body order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BodySpans {
    pub spans: Vec<BodySpan>,
    /// Body bytes arrived that have no span: past [`MAX_BODY_SPANS`], or not in one place of
    /// the file (bytes fed without a file offset).
    pub incomplete: bool,
}

impl BodySpans {
    /// Notes `len` body bytes at `body_offset` that came from `file_offset`.
    pub(crate) fn record(&mut self, body_offset: u32, file_offset: Option<u64>, len: u32) {
        if len == 0 {
            return;
        }
        let Some(file_offset) = file_offset else {
            self.incomplete = true;
            return;
        };
        if let Some(last) = self.spans.last_mut() {
            let body_next = last.body_offset.checked_add(last.len);
            let file_next = last.file_offset.checked_add(u64::from(last.len));
            if body_next == Some(body_offset) && file_next == Some(file_offset) {
                if let Some(merged) = last.len.checked_add(len) {
                    last.len = merged;
                    return;
                }
            }
        }
        if self.spans.len() >= MAX_BODY_SPANS {
            self.incomplete = true;
            return;
        }
        self.spans.push(BodySpan {
            body_offset,
            len,
            file_offset,
        });
    }

    /// Body bytes the spans cover.
    pub fn located_bytes(&self) -> u64 {
        self.spans.iter().map(|s| u64::from(s.len)).sum()
    }

    /// The ranges `(body_offset, len)` of a body of `length` bytes that no span covers.
    pub fn holes(&self, length: u32) -> Vec<(u32, u32)> {
        let mut holes = Vec::new();
        let mut at = 0u32;
        for span in &self.spans {
            if span.body_offset > at {
                holes.push((at, span.body_offset - at));
            }
            at = at.max(span.body_offset.saturating_add(span.len));
        }
        if length > at {
            holes.push((at, length - at));
        }
        holes
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn adjacent_pieces_merge_and_holes_show() {
        let mut s = BodySpans::default();
        s.record(0, Some(100), 10);
        s.record(10, Some(110), 5); // next in body and file: merged
        s.record(15, Some(200), 5); // next chunk, after a header elsewhere in the file
        s.record(30, Some(300), 10); // 10 bytes lost before it
        s.record(40, Some(310), 0);
        assert_eq!(
            s.spans,
            vec![
                BodySpan {
                    body_offset: 0,
                    len: 15,
                    file_offset: 100
                },
                BodySpan {
                    body_offset: 15,
                    len: 5,
                    file_offset: 200
                },
                BodySpan {
                    body_offset: 30,
                    len: 10,
                    file_offset: 300
                },
            ]
        );
        assert_eq!(s.located_bytes(), 30);
        assert_eq!(s.holes(50), vec![(20, 10), (40, 10)]);
        assert!(!s.incomplete);
        s.record(40, None, 3);
        assert!(s.incomplete);
    }

    #[test]
    fn capped() {
        let mut s = BodySpans::default();
        for i in 0..MAX_BODY_SPANS as u32 + 5 {
            s.record(i, Some(u64::from(i) * 2), 1);
        }
        assert_eq!(s.spans.len(), MAX_BODY_SPANS);
        assert!(s.incomplete);
    }
}
