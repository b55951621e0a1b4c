//! `show --hex`: the message body in hex, re-read from the capture file at the places the
//! analysis recorded (its body spans), with the bytes the capture lacks marked.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use rtmpscope::analysis::MessageRecord;
use rtmpscope::rtmp::body_spans::MAX_BODY_SPANS;

/// The body of `record` as hex dump lines (body offsets, 16 bytes each), with a heading.
pub fn body_hex(path: &Path, record: &MessageRecord) -> anyhow::Result<String> {
    let m = &record.message;
    let Some(spans) = m.body_spans() else {
        return Ok("  body: not located in the file\n".to_string());
    };
    let mut file = File::open(path)?;
    let mut body: Vec<Option<u8>> = vec![None; m.length as usize];
    for span in &spans.spans {
        let mut bytes = vec![0u8; span.len as usize];
        file.seek(SeekFrom::Start(span.file_offset))?;
        file.read_exact(&mut bytes)?;
        let at = span.body_offset as usize;
        for (slot, b) in body.iter_mut().skip(at).zip(bytes) {
            *slot = Some(b);
        }
    }
    let located = spans.located_bytes();
    let places = spans.spans.len();
    let mut out = format!(
        "  body: {located} of {} bytes, from {places} place{} in the file\n",
        m.length,
        if places == 1 { "" } else { "s" }
    );
    if spans.incomplete {
        out += &format!("  (more than {MAX_BODY_SPANS} pieces: only the first are located)\n");
    }
    let mut missing_run: Option<(usize, usize)> = None;
    for (row, chunk) in body.chunks(16).enumerate() {
        if chunk.iter().all(Option::is_none) {
            let run = missing_run.get_or_insert((row * 16, 0));
            run.1 += chunk.len();
            continue;
        }
        if let Some((at, len)) = missing_run.take() {
            out += &format!("  {at:08x}  … {len} bytes not in the capture …\n");
        }
        let mut hex = String::new();
        for (i, b) in chunk.iter().enumerate() {
            hex += &b.map_or("__".to_string(), |b| format!("{b:02x}"));
            hex += if i == 7 { "  " } else { " " };
        }
        let ascii: String = chunk
            .iter()
            .map(|b| match b {
                Some(b) if b.is_ascii_graphic() || *b == b' ' => *b as char,
                Some(_) => '.',
                None => ' ',
            })
            .collect();
        out += &format!("  {:08x}  {hex:<50}|{ascii}|\n", row * 16);
    }
    if let Some((at, len)) = missing_run {
        out += &format!("  {at:08x}  … {len} bytes not in the capture …\n");
    }
    Ok(out)
}
