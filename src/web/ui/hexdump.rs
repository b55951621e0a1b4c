//! A hex dump of a message body re-read from the capture file: offsets are body offsets (each
//! line's file offset is its tooltip), bytes missing from the capture show as `__`.

use std::rc::Rc;

use yew::prelude::*;

use crate::shared::protocol::RawBytes;

/// Lines rendered at first; a button adds more (a 1 MB video frame is 65 536 lines).
pub const FIRST_LINES: usize = 1024;

/// One line of the dump.
#[derive(Debug, Clone, PartialEq)]
pub enum Line {
    /// Body offset, file offset of its first captured byte, and 16 (or fewer) bytes.
    Bytes {
        offset: u32,
        file_offset: Option<u64>,
        bytes: Vec<Option<u8>>,
    },
    /// Whole lines of missing bytes: body offset and count.
    Missing { offset: u32, len: u32 },
}

/// The body as lines of 16 bytes by body offset.
pub fn lines(raw: &RawBytes) -> Vec<Line> {
    let shown = raw.shown;
    let mut body: Vec<Option<u8>> = vec![None; shown as usize];
    let mut file_at: Vec<Option<u64>> = vec![None; shown.div_ceil(16) as usize];
    let mut from = 0usize;
    for span in &raw.spans {
        let len = span.len as usize;
        let bytes = raw.bytes.get(from..from + len).unwrap_or_default();
        from += len;
        for (i, &b) in bytes.iter().enumerate() {
            let at = span.body_offset as usize + i;
            if let Some(slot) = body.get_mut(at) {
                *slot = Some(b);
            }
            if at % 16 == 0 || i == 0 {
                if let Some(f) = file_at.get_mut(at / 16) {
                    f.get_or_insert(span.file_offset + i as u64);
                }
            }
        }
    }
    let mut out: Vec<Line> = Vec::new();
    for (row, chunk) in body.chunks(16).enumerate() {
        let offset = (row * 16) as u32;
        if chunk.iter().all(Option::is_none) {
            if let Some(Line::Missing { len, .. }) = out.last_mut() {
                *len += chunk.len() as u32;
            } else {
                out.push(Line::Missing {
                    offset,
                    len: chunk.len() as u32,
                });
            }
            continue;
        }
        out.push(Line::Bytes {
            offset,
            file_offset: file_at.get(row).copied().flatten(),
            bytes: chunk.to_vec(),
        });
    }
    out
}

fn hex_text(bytes: &[Option<u8>]) -> String {
    let mut text = String::with_capacity(50);
    for (i, b) in bytes.iter().enumerate() {
        match b {
            Some(b) => text.push_str(&format!("{b:02x}")),
            None => text.push_str("__"),
        }
        text.push_str(if i == 7 { "  " } else { " " });
    }
    let pad = (16 - bytes.len()) * 3 + usize::from(bytes.len() <= 8);
    text.push_str(&" ".repeat(pad));
    text
}

fn ascii_text(bytes: &[Option<u8>]) -> String {
    bytes
        .iter()
        .map(|b| match b {
            Some(b) if b.is_ascii_graphic() || *b == b' ' => *b as char,
            Some(_) => '.',
            None => ' ',
        })
        .collect()
}

#[derive(Properties, PartialEq)]
pub struct HexDumpProps {
    pub raw: Rc<RawBytes>,
}

#[function_component(HexDump)]
pub fn hex_dump(props: &HexDumpProps) -> Html {
    let raw = &props.raw;
    let limit = use_state(|| FIRST_LINES);
    let all = lines(raw);
    let total = all.len();
    let more = {
        let limit = limit.clone();
        Callback::from(move |_: MouseEvent| limit.set(*limit + 8 * FIRST_LINES))
    };
    let header = raw
        .header_file_offset
        .filter(|_| !raw.header.is_empty())
        .map(|at| {
            let bytes: Vec<Option<u8>> = raw.header.iter().map(|&b| Some(b)).collect();
            html! {
                <div class="hdr" data-testid="hexdump-header" title={format!("file offset {at}")}>
                    { format!("header    {}", hex_text(&bytes).trim_end()) }
                </div>
            }
        });
    html! {
        <div class="hexdump-wrap">
            <p class="small muted" data-testid="hexdump-note">{ &raw.note }</p>
            <pre class="hexdump" data-testid="hexdump" data-bytes={raw.bytes.len().to_string()}
                 data-length={raw.length.to_string()}>
                { header.unwrap_or_default() }
                { for all.into_iter().take(*limit).map(|line| match line {
                    Line::Bytes { offset, file_offset, bytes } => html! {
                        <div class="hexrow" data-testid="hexdump-row"
                             title={file_offset.map(|f| format!("file offset {f}")).unwrap_or_default()}>
                            <span class="off">{ format!("{offset:08x}  ") }</span>
                            { hex_text(&bytes) }
                            <span class="ascii">{ format!(" {}", ascii_text(&bytes)) }</span>
                        </div>
                    },
                    Line::Missing { offset, len } => html! {
                        <div class="missing" data-testid="hexdump-missing">
                            { format!("{offset:08x}  … {len} bytes not in the capture …") }
                        </div>
                    },
                }) }
            </pre>
            if total > *limit {
                <button class="button small" onclick={more}>
                    { format!("show more ({} of {total} lines shown)", *limit) }
                </button>
            }
        </div>
    }
}
