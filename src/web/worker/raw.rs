//! A message body re-read from the capture file at the places the analysis recorded (its body
//! spans): the worker keeps no body bytes, only where they are.

use js_sys::Uint8Array;
use rtmpscope::analysis::MessageRecord;
use rtmpscope::rtmp::body_spans::{BodySpan, MAX_BODY_SPANS};
use rtmpscope::rtmp::RtmpMessage;
use web_sys::{Blob, FileReaderSync};

use crate::shared::protocol::RawBytes;

/// Body bytes sent to the page at most (a video frame can take 16 MB).
pub const MAX_SHOWN_BYTES: u32 = 1 << 20;
/// Spans this close in the file are read with one slice (packet headers and other chunk streams'
/// bytes between them are read and dropped).
const READ_JOIN_GAP: u64 = 64 << 10;
/// Largest single read.
const MAX_READ: u64 = 4 << 20;

/// Size of the first chunk's header: basic header (1-3 bytes by csid), message header (11, 7, 3
/// or 0 bytes by fmt) and the extended timestamp.
pub fn chunk_header_len(msg: &RtmpMessage) -> usize {
    let basic = match msg.csid {
        0..=63 => 1,
        64..=319 => 2,
        _ => 3,
    };
    let message = match msg.fmt {
        0 => 11,
        1 => 7,
        2 => 3,
        _ => 0,
    };
    basic + message + if msg.extended_timestamp { 4 } else { 0 }
}

fn read(reader: &FileReaderSync, file: &Blob, start: u64, end: u64) -> Option<Vec<u8>> {
    let end = (end as f64).min(file.size());
    let slice = file.slice_with_f64_and_f64(start as f64, end).ok()?;
    let buffer = reader.read_as_array_buffer(&slice).ok()?;
    Some(Uint8Array::new(&buffer).to_vec())
}

/// The spans of the body's first `limit` bytes.
pub fn shown_spans(spans: &[BodySpan], limit: u32) -> Vec<BodySpan> {
    spans
        .iter()
        .filter(|s| s.body_offset < limit)
        .map(|s| BodySpan {
            len: s.len.min(limit - s.body_offset),
            ..*s
        })
        .collect()
}

/// Groups spans into reads: consecutive spans that lie close together (forwards) in the file.
pub fn read_windows(spans: &[BodySpan]) -> Vec<(u64, u64, std::ops::Range<usize>)> {
    let mut windows: Vec<(u64, u64, std::ops::Range<usize>)> = Vec::new();
    for (i, s) in spans.iter().enumerate() {
        let end = s.file_offset + u64::from(s.len);
        if let Some((start, w_end, range)) = windows.last_mut() {
            let joins = s.file_offset >= *start
                && s.file_offset <= w_end.saturating_add(READ_JOIN_GAP)
                && end.max(*w_end) - *start <= MAX_READ;
            if joins {
                *w_end = end.max(*w_end);
                range.end = i + 1;
                continue;
            }
        }
        windows.push((s.file_offset, end, i..i + 1));
    }
    windows
}

/// The body bytes at `spans`, in order; `None` when the file cannot be read there.
fn read_spans(reader: &FileReaderSync, file: &Blob, spans: &[BodySpan]) -> Option<Vec<u8>> {
    let total: usize = spans.iter().map(|s| s.len as usize).sum();
    let mut bytes = Vec::with_capacity(total);
    for (start, end, range) in read_windows(spans) {
        let window = read(reader, file, start, end)?;
        for s in spans.get(range)? {
            let from = usize::try_from(s.file_offset - start).ok()?;
            bytes.extend_from_slice(window.get(from..from + s.len as usize)?);
        }
    }
    Some(bytes)
}

/// The message's body (as far as the capture has it, up to [`MAX_SHOWN_BYTES`]) and first
/// chunk header, re-read from `file`.
pub fn raw_bytes(record: &MessageRecord, file: &Blob) -> Option<RawBytes> {
    let msg = &record.message;
    let reader = FileReaderSync::new().ok()?;
    let recorded = msg.body_spans();
    let all_spans = recorded.map(|s| s.spans.as_slice()).unwrap_or_default();
    let limit = msg.length.min(MAX_SHOWN_BYTES);
    let spans = shown_spans(all_spans, limit);
    let bytes = read_spans(&reader, file, &spans)?;

    let header_len = chunk_header_len(msg);
    let header = match msg.file_offset {
        Some(at) => read(&reader, file, at, at + header_len as u64)?,
        None => Vec::new(),
    };
    // The header lies whole before the body's first byte unless a segment ended inside it.
    let header_whole = match (msg.file_offset, all_spans.first()) {
        (Some(at), Some(first)) => {
            first.body_offset == 0 && first.file_offset == at + header_len as u64
        }
        (Some(_), None) => msg.length == 0,
        _ => false,
    };

    let located: u64 = all_spans.iter().map(|s| u64::from(s.len)).sum();
    let pieces = all_spans.len();
    let mut note = format!(
        "Body: {} of {} bytes, re-read from {pieces} place{} in the file (chunk headers and \
         other packets' bytes between them left out).",
        bytes.len(),
        msg.length,
        if pieces == 1 { "" } else { "s" }
    );
    if located < u64::from(msg.length) {
        let missing = u64::from(msg.length) - located;
        note.push_str(&format!(
            " {missing} bytes are not in the capture (shown as gaps)."
        ));
    }
    if msg.length > MAX_SHOWN_BYTES {
        note.push_str(&format!(
            " Only the first {MAX_SHOWN_BYTES} bytes are shown."
        ));
    }
    if recorded.is_some_and(|r| r.incomplete) {
        note.push_str(&format!(
            " The body came in more than {MAX_BODY_SPANS} pieces: only the first are located."
        ));
    }
    if !header_whole && !header.is_empty() {
        note.push_str(
            " The first chunk header may straddle two packets: its bytes are read as they lie in \
             the file.",
        );
    }
    Some(RawBytes {
        length: msg.length,
        shown: limit,
        spans,
        bytes,
        header,
        header_file_offset: msg.file_offset,
        note,
    })
}
