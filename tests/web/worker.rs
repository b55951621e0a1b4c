//! Browser tests of the analysis worker's side, run inside a dedicated Web Worker (where
//! FileReaderSync exists): slicing a Blob (one slice or several) through the analyzer with progress, the answer for a
//! file that is not a capture, and detail requests (typed AMF tree, first-chunk bytes).
#![cfg(target_arch = "wasm32")]
// Tests may panic on what they did not expect.
#![allow(clippy::unwrap_used)]

#[allow(dead_code)]
#[path = "../../src/web/shared/mod.rs"]
mod shared;
#[allow(dead_code)]
#[path = "../../src/web/worker/mod.rs"]
mod worker;

use js_sys::{Array, Uint8Array};
use rtmpscope::rtmp::MessageBody;
use wasm_bindgen_test::*;
use web_sys::Blob;

use worker::analysis::{analyze_blob, export_json};
use worker::detail::message_detail;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

const PUBLISH: &[u8] = include_bytes!("../data/nginx-ffmpeg-publish.pcap");

fn blob(bytes: &[u8]) -> Blob {
    let array = Uint8Array::from(bytes);
    Blob::new_with_u8_array_sequence(&Array::of1(&array)).unwrap()
}

#[wasm_bindgen_test]
async fn analyses_a_blob_in_slices_with_progress() {
    let mut progress = Vec::new();
    let analysis = analyze_blob(&blob(PUBLISH), "publish.pcap", &mut |done, total| {
        progress.push((done, total))
    })
    .await
    .unwrap();
    assert_eq!(analysis.report.messages.len(), 386);
    assert_eq!(
        analysis.report.capture.file.as_deref(),
        Some("publish.pcap")
    );
    assert_eq!(progress.first(), Some(&(0.0, PUBLISH.len() as f64)));
    assert_eq!(
        progress.last(),
        Some(&(PUBLISH.len() as f64, PUBLISH.len() as f64))
    );
    assert!(progress.windows(2).all(|w| w[0].0 <= w[1].0));
    // The export is exactly the CLI's `summary --format json`: pretty JSON and a newline.
    let mut expected = serde_json::to_string_pretty(&analysis.report).unwrap();
    expected.push('\n');
    assert_eq!(export_json(&analysis.report).unwrap(), expected);
    // The page's pieces (head without messages, message chunks) put back together give the same
    // JSON as the report.
    let mut rebuilt: rtmpscope::Report = serde_json::from_str(&analysis.head_json).unwrap();
    assert!(rebuilt.messages.is_empty());
    assert_eq!(analysis.message_chunks.len(), 1);
    for chunk in &analysis.message_chunks {
        let part: Vec<rtmpscope::analysis::MessageRecord> = serde_json::from_str(chunk).unwrap();
        rebuilt.messages.extend(part);
    }
    assert_eq!(export_json(&rebuilt).unwrap(), expected);
    let summaries: Vec<String> = serde_json::from_str(&analysis.summaries_json).unwrap();
    assert_eq!(summaries.len(), 386);
    assert!(
        summaries
            .iter()
            .any(|s| s.starts_with("connect(1, {app: \"live\"")),
        "{summaries:?}"
    );
}

/// More than one slice: the records of the capture again and again (retransmissions to TCP), so
/// slices end inside records; while one slice is analysed the next is being read. The report is
/// the one the whole file gives in one piece.
#[wasm_bindgen_test]
async fn a_capture_of_several_slices_gives_the_same_report_as_one_piece() {
    let mut bytes = PUBLISH.to_vec();
    while bytes.len() <= 2 * worker::analysis::SLICE_BYTES {
        bytes.extend_from_slice(&PUBLISH[24..]);
    }
    let mut progress = Vec::new();
    let analysis = analyze_blob(&blob(&bytes), "big.pcap", &mut |done, _| {
        progress.push(done)
    })
    .await
    .unwrap();
    let whole = rtmpscope::analyze_bytes(
        &bytes,
        rtmpscope::AnalyzerOptions {
            file_name: Some("big.pcap".to_string()),
            ..rtmpscope::AnalyzerOptions::default()
        },
    )
    .unwrap();
    assert_eq!(analysis.report.messages.len(), 386);
    assert_eq!(
        serde_json::to_string(&analysis.report).unwrap(),
        serde_json::to_string(&whole).unwrap()
    );
    let slice = worker::analysis::SLICE_BYTES as f64;
    assert_eq!(
        progress,
        [0.0, slice, 2.0 * slice, bytes.len() as f64],
        "progress after each slice"
    );
}

#[wasm_bindgen_test]
async fn a_file_that_is_not_a_capture_is_an_error_message() {
    let error = analyze_blob(&blob(b"hello, world\n"), "notes.txt", &mut |_, _| {})
        .await
        .err()
        .unwrap();
    assert!(
        error.starts_with("notes.txt is not a capture file"),
        "{error}"
    );
    let error = analyze_blob(&blob(b""), "", &mut |_, _| {})
        .await
        .err()
        .unwrap();
    assert!(
        error.starts_with("the file is not a capture file"),
        "{error}"
    );
}

#[wasm_bindgen_test]
async fn detail_has_the_typed_tree_and_the_first_chunk_bytes() {
    let file = blob(PUBLISH);
    let analysis = analyze_blob(&file, "publish.pcap", &mut |_, _| {})
        .await
        .unwrap();
    let report = &analysis.report;
    let connect = report
        .messages
        .iter()
        .find(|m| matches!(&m.message.body, MessageBody::Command(c) if c.name == "connect"))
        .unwrap();
    let detail = message_detail(report, &file, connect.index);
    assert_eq!(detail.index, connect.index);
    let keys: Vec<&str> = detail.tree.iter().map(|n| n.key.as_str()).collect();
    assert_eq!(&keys[..3], ["name", "transaction id", "command object"]);
    let object = &detail.tree[2];
    assert_eq!(object.kind, "object");
    let app = object.children.iter().find(|c| c.key == "app").unwrap();
    assert_eq!(
        (app.kind.as_str(), app.value.as_str()),
        ("string", "\"live\"")
    );

    let raw = detail.raw.unwrap();
    assert_eq!(Some(raw.file_offset), connect.message.file_offset);
    // fmt 0 on csid 3: one basic header byte (0x03) and an 11-byte message header.
    assert_eq!(raw.header_len, 12);
    assert_eq!(raw.bytes[0], 0x03);
    // The message header's type id, then the AMF0 string "connect".
    assert_eq!(raw.bytes[7], 20);
    assert_eq!(&raw.bytes[12..15], &[0x02, 0x00, 0x07]);
    assert_eq!(&raw.bytes[15..22], b"connect");
    // At most one chunk (128 bytes before Set Chunk Size) of body.
    assert!(raw.bytes.len() <= 12 + 128);

    // A message that does not exist has an empty detail.
    let missing = message_detail(report, &file, 1_000_000);
    assert!(missing.tree.is_empty() && missing.raw.is_none());
}
