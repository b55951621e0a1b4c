//! Reading a capture Blob in slices and analysing it.

use js_sys::Uint8Array;
use rtmpscope::analysis::describe;
use rtmpscope::rtmp::RtmpConfig;

use crate::shared::flv_checks::export_checks;
use crate::shared::rows::{stream_codecs, MessageRow};

use super::stream::{BlobReader, READ_BYTES};
use rtmpscope::{Analyzer, AnalyzerOptions, Report};
use web_sys::{Blob, FileReaderSync};

/// Bytes read per slice when a whole file is read again (FLV export): large enough that
/// per-slice overhead vanishes, small enough that memory stays flat.
pub const SLICE_BYTES: usize = 4 * 1024 * 1024;

/// The analysis's buffer in wasm memory, which each browser read is copied into: as large as
/// one read, small enough to stay in the cache while the analyzer goes over it.
const PIECE_BYTES: usize = READ_BYTES as usize;

/// The page hears of the analysis's progress every this many bytes (1/64 of a gigabyte), not
/// after every read (4,000 reads a gigabyte, each a message and a redraw of the page).
const PROGRESS_BYTES: f64 = 16.0 * 1024.0 * 1024.0;

/// Width of the one-line summaries, as in `rtmpscope messages`.
pub const SUMMARY_WIDTH: usize = 120;

/// Messages per JSON chunk sent to the page: the page parses one chunk per task, so no task
/// keeps its main thread busy for long, and only one chunk's JSON is in memory at a time.
pub const MESSAGES_PER_CHUNK: usize = 2000;

/// One analysed capture.
pub struct Analysis {
    pub report: Report,
    /// The report without its messages, as compact JSON.
    pub head_json: String,
    /// Which streams can be exported as FLV, as a JSON array of `FlvCheck`.
    pub flv_json: String,
    /// The codecs of each stream, as a JSON array of `Codecs`.
    pub codecs_json: String,
}

/// One piece of the message list as the page reads it.
pub struct MessageChunk {
    /// The messages, as a JSON array of `MessageRow`.
    pub json: String,
    /// Their one-line summaries, as a JSON array of strings.
    pub summaries_json: String,
}

impl Analysis {
    /// How many chunks of [`MESSAGES_PER_CHUNK`] the messages make.
    pub fn chunk_count(&self) -> usize {
        self.report.messages.len().div_ceil(MESSAGES_PER_CHUNK)
    }

    /// Chunk `at` (0-based) of the messages as the page keeps them (rows and summaries), encoded
    /// only when asked for: the page gets the chunks one after the other, so the JSON of the
    /// whole list is never in memory at once.
    pub fn message_chunk(&self, at: usize) -> Result<MessageChunk, String> {
        let encode = |e: serde_json::Error| format!("cannot encode the report: {e}");
        let from = at.saturating_mul(MESSAGES_PER_CHUNK);
        let to = from
            .saturating_add(MESSAGES_PER_CHUNK)
            .min(self.report.messages.len());
        let chunk = self.report.messages.get(from..to).unwrap_or_default();
        let summaries: Vec<String> = chunk
            .iter()
            .map(|m| describe(&m.message, SUMMARY_WIDTH))
            .collect();
        let rows: Vec<MessageRow> = chunk.iter().map(MessageRow::of).collect();
        Ok(MessageChunk {
            json: serde_json::to_string(&rows).map_err(encode)?,
            summaries_json: serde_json::to_string(&summaries).map_err(encode)?,
        })
    }
}

fn js_error(what: &str, error: wasm_bindgen::JsValue) -> String {
    format!(
        "{what}: {}",
        error.as_string().unwrap_or_else(|| format!("{error:?}"))
    )
}

/// Reads `blob` in slices of [`SLICE_BYTES`], calling `take(piece, bytes_done)` for each until
/// it returns false.
pub fn read_slices(blob: &Blob, take: &mut dyn FnMut(&[u8], f64) -> bool) -> Result<(), String> {
    let reader = FileReaderSync::new().map_err(|e| js_error("cannot read files here", e))?;
    let total = blob.size();
    let mut buffer = vec![0u8; SLICE_BYTES];
    let mut offset = 0.0;
    while offset < total {
        let end = (offset + SLICE_BYTES as f64).min(total);
        let slice = blob
            .slice_with_f64_and_f64(offset, end)
            .map_err(|e| js_error("cannot slice the file", e))?;
        let bytes = reader
            .read_as_array_buffer(&slice)
            .map_err(|e| js_error("cannot read the file", e))?;
        let bytes = Uint8Array::new(&bytes);
        let len = (bytes.length() as usize).min(buffer.len());
        let Some(piece) = buffer.get_mut(..len) else {
            break;
        };
        bytes.subarray(0, len as u32).copy_to(piece);
        offset = end;
        if !take(piece, offset) || len == 0 {
            break;
        }
    }
    Ok(())
}

/// Analyses `blob`, calling `progress(bytes_done, bytes_total)` at its start and end and every
/// [`PROGRESS_BYTES`]. Fails with a message for the user when the file is not a capture or
/// cannot be read.
///
/// The browser reads on while the analyzer works on the last read ([`BlobReader`]: a stream
/// read into one reused buffer, the fastest way Chromium reads a File and the only one that
/// leaves no garbage).
pub async fn analyze_blob(
    blob: &Blob,
    name: &str,
    progress: &mut dyn FnMut(f64, f64),
) -> Result<Analysis, String> {
    let total = blob.size();
    let mut analyzer = Analyzer::new(AnalyzerOptions {
        file_name: (!name.is_empty()).then(|| name.to_string()),
        // The hex dump re-reads bodies from the file at these places.
        rtmp: RtmpConfig {
            record_body_spans: true,
            ..RtmpConfig::default()
        },
        ..AnalyzerOptions::default()
    });
    let mut buffer = vec![0u8; PIECE_BYTES];
    let mut offset = 0.0;
    let mut reported = 0.0;
    progress(0.0, total);
    let mut reader = BlobReader::new(blob, PIECE_BYTES)?;
    loop {
        let len = reader.next_piece(&mut buffer).await?;
        let Some(piece) = buffer.get(..len).filter(|p| !p.is_empty()) else {
            break;
        };
        offset = (offset + len as f64).min(total);
        // An error means the rest cannot be read; finish() reports everything before it.
        if analyzer.feed(piece).is_err() {
            break;
        }
        if offset - reported < PROGRESS_BYTES {
            continue;
        }
        reported = offset;
        progress(offset, total);
        // The message count extrapolated from the part read: the list is reserved early, while
        // copying it costs little, rather than doubled late, which left the old copy (37 MiB of
        // the 1 GiB benchmark's) in wasm memory, never to be given back. Not before 16 MiB are
        // read: the start of a capture (handshake, commands, metadata) has more messages per
        // byte than the rest, and an estimate from its first read reserved 30 MiB too many.
        if offset < total {
            let kept = analyzer.messages_kept() as f64;
            analyzer.expect_messages((kept * total / offset) as usize);
        }
    }
    drop(reader);
    progress(offset, total);
    let report = analyzer.finish().map_err(|e| {
        let name = if name.is_empty() { "the file" } else { name };
        format!("{name} is not a capture file: {e}")
    })?;
    analysis_of(report)
}

/// The report as `rtmpscope summary --format json` prints it: pretty, with a trailing newline.
pub fn export_json(report: &Report) -> Result<String, String> {
    let mut json = serde_json::to_string_pretty(report)
        .map_err(|e| format!("cannot encode the report: {e}"))?;
    json.push('\n');
    Ok(json)
}

/// The report with the JSON the page reads first (the messages go later, chunk by chunk).
pub fn analysis_of(mut report: Report) -> Result<Analysis, String> {
    let encode = |e: serde_json::Error| format!("cannot encode the report: {e}");
    let messages = std::mem::take(&mut report.messages);
    let head = serde_json::to_string(&report).map_err(encode);
    report.messages = messages;
    let head_json = head?;
    let flv_json = serde_json::to_string(&export_checks(&mut report)).map_err(encode)?;
    let codecs_json = serde_json::to_string(&stream_codecs(&report.messages)).map_err(encode)?;
    Ok(Analysis {
        report,
        head_json,
        flv_json,
        codecs_json,
    })
}
