//! A hex dump of bytes re-read from the capture file, offsets as file offsets.

use std::rc::Rc;

use yew::prelude::*;

use crate::shared::protocol::RawBytes;

#[derive(Properties, PartialEq)]
pub struct HexDumpProps {
    pub raw: Rc<RawBytes>,
}

/// One dump line: offset, 16 hex bytes (split 8 + 8), and their printable characters.
pub fn lines(raw: &RawBytes) -> Vec<(u64, Vec<(usize, u8)>)> {
    raw.bytes
        .chunks(16)
        .enumerate()
        .map(|(i, chunk)| {
            let start = i * 16;
            (
                raw.file_offset + start as u64,
                chunk
                    .iter()
                    .enumerate()
                    .map(|(j, b)| (start + j, *b))
                    .collect(),
            )
        })
        .collect()
}

#[function_component(HexDump)]
pub fn hex_dump(props: &HexDumpProps) -> Html {
    let raw = &props.raw;
    let header = raw.header_len;
    html! {
        <div class="hexdump-wrap">
            <p class="small muted">{ &raw.note }</p>
            <pre class="hexdump" data-testid="hexdump">
                { for lines(raw).into_iter().map(|(offset, bytes)| {
                    let pad = " ".repeat((16 - bytes.len()) * 3 + usize::from(bytes.len() <= 8));
                    html! {
                    <div>
                        <span class="off">{ format!("{offset:08x}  ") }</span>
                        { for bytes.iter().map(|&(i, b)| html! {
                            <span class={classes!((i < header).then_some("hdr"))}>
                                { format!("{b:02x}{}", if i % 16 == 7 { "  " } else { " " }) }
                            </span>
                        }) }
                        { pad }
                        <span class="ascii">{ format!(" {}", bytes.iter().map(|&(_, b)| {
                            if b.is_ascii_graphic() || b == b' ' { b as char } else { '.' }
                        }).collect::<String>()) }</span>
                    </div>
                    }
                }) }
            </pre>
        </div>
    }
}
