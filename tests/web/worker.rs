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

use shared::rows::{Codecs, MessageRow};
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
    // The page's pieces: the head is the report without its messages, and the chunks hold a
    // row and a summary per message, in order.
    let mut head: rtmpscope::Report = serde_json::from_str(&analysis.head_json).unwrap();
    assert!(head.messages.is_empty());
    head.messages = analysis.report.messages.clone();
    assert_eq!(export_json(&head).unwrap(), expected);
    assert_eq!(analysis.chunk_count(), 1);
    let mut summaries: Vec<String> = Vec::new();
    let mut rows: Vec<MessageRow> = Vec::new();
    for at in 0..analysis.chunk_count() {
        let chunk = analysis.message_chunk(at).unwrap();
        rows.extend(serde_json::from_str::<Vec<MessageRow>>(&chunk.json).unwrap());
        summaries.extend(serde_json::from_str::<Vec<String>>(&chunk.summaries_json).unwrap());
    }
    let expected_rows: Vec<MessageRow> = analysis
        .report
        .messages
        .iter()
        .map(MessageRow::of)
        .collect();
    assert_eq!(rows, expected_rows);
    assert_eq!(
        rows[5].type_name(),
        analysis.report.messages[5].message.type_name()
    );
    assert_eq!(summaries.len(), 386);
    // The codecs of the stream, for the session card.
    let codecs: Vec<Codecs> = serde_json::from_str(&analysis.codecs_json).unwrap();
    assert_eq!(codecs.len(), 1);
    assert_eq!((codecs[0].conn, codecs[0].msid), (0, 1));
    assert_eq!(codecs[0].video.as_deref(), Some("AVC"));
    assert!(
        summaries
            .iter()
            .any(|s| s.starts_with("connect(1, {app: \"live\"")),
        "{summaries:?}"
    );
}

/// Many reads (the browser's, of at most 1 MiB): the records of the capture again and again
/// (retransmissions to TCP), so reads end inside records; while one read is analysed the next
/// is under way. The report is the one the whole file gives in one piece, and progress is told
/// at the start and the end (and every 16 MiB between, which this file does not reach).
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
    assert_eq!(
        progress,
        [0.0, bytes.len() as f64],
        "progress at the start and the end"
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
async fn detail_has_the_typed_tree_and_the_body_bytes() {
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
    // The whole record comes with it: the page keeps only the row.
    assert_eq!(detail.record.as_ref(), Some(connect));
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
    // The whole 139-byte body, from two places in the file (the 128-byte chunk size cuts it).
    assert_eq!((raw.length, raw.shown, raw.bytes.len()), (139, 139, 139));
    assert_eq!(raw.spans.len(), 2);
    assert_eq!(&raw.bytes[..3], &[0x02, 0x00, 0x07]);
    assert_eq!(&raw.bytes[3..10], b"connect");
    // fmt 0 on csid 3: one basic header byte (0x03) and an 11-byte message header with type 20.
    assert_eq!(raw.header_file_offset, connect.message.file_offset);
    assert_eq!(raw.header.len(), 12);
    assert_eq!((raw.header[0], raw.header[7]), (0x03, 20));
    assert!(
        raw.note.starts_with("Body: 139 of 139 bytes"),
        "{}",
        raw.note
    );

    // A message that does not exist has an empty detail.
    let missing = message_detail(report, &file, 1_000_000);
    assert!(missing.tree.is_empty() && missing.raw.is_none() && missing.record.is_none());
}

#[wasm_bindgen_test]
async fn every_body_re_read_from_the_file_equals_the_reassembled_one() {
    use rtmpscope::rtmp::RtmpConfig;
    let file = blob(PUBLISH);
    let analysis = analyze_blob(&file, "publish.pcap", &mut |_, _| {})
        .await
        .unwrap();
    let options = rtmpscope::AnalyzerOptions {
        rtmp: RtmpConfig {
            media_prefix: usize::MAX,
            keep_payload: true,
            ..RtmpConfig::default()
        },
        ..rtmpscope::AnalyzerOptions::default()
    };
    let kept = rtmpscope::analyze_bytes(PUBLISH, options).unwrap();
    for (record, with_payload) in analysis.report.messages.iter().zip(&kept.messages) {
        let raw = message_detail(&analysis.report, &file, record.index)
            .raw
            .unwrap();
        assert_eq!(
            Some(raw.bytes.as_slice()),
            with_payload.message.payload(),
            "message {}",
            record.index
        );
    }
}

#[wasm_bindgen_test]
fn spans_close_in_the_file_share_a_read() {
    use rtmpscope::rtmp::body_spans::BodySpan;
    use worker::raw::{read_windows, shown_spans};
    let span = |body_offset, len, file_offset| BodySpan {
        body_offset,
        len,
        file_offset,
    };
    let spans = [
        span(0, 10, 1000),
        span(10, 10, 1100),
        span(20, 10, 900_000),
        span(30, 10, 500),
    ];
    assert_eq!(
        read_windows(&spans),
        vec![
            (1000, 1110, 0..2),
            (900_000, 900_010, 2..3),
            (500, 510, 3..4)
        ]
    );
    assert_eq!(
        shown_spans(&spans, 15),
        vec![span(0, 10, 1000), span(10, 5, 1100)]
    );
}

#[wasm_bindgen_test]
async fn flv_export_from_the_file_in_slices_equals_the_library_export() {
    let file = blob(PUBLISH);
    let mut analysis = analyze_blob(&file, "publish.pcap", &mut |_, _| {})
        .await
        .unwrap();
    let flv = worker::flv::export_flv(&analysis.report, &file, 0, 1).unwrap();
    assert_eq!(
        flv,
        rtmpscope::export::flv_from_capture(PUBLISH, 0, 1).unwrap()
    );
    // The page is told which streams can be exported, and the report is left as it was.
    let checks: Vec<shared::flv_checks::FlvCheck> =
        serde_json::from_str(&analysis.flv_json).unwrap();
    assert_eq!(
        checks,
        vec![shared::flv_checks::FlvCheck {
            conn: 0,
            msid: 1,
            error: None
        }]
    );
    let before = serde_json::to_string(&analysis.report).unwrap();
    shared::flv_checks::export_checks(&mut analysis.report);
    assert_eq!(serde_json::to_string(&analysis.report).unwrap(), before);
    // Many sessions split the messages by connection first: the same checks, the same report.
    let streams = vec![(0, 1), (0, 9), (3, 1)];
    let split = shared::flv_checks::checks_by_connection(&mut analysis.report, streams);
    assert_eq!(serde_json::to_string(&analysis.report).unwrap(), before);
    assert_eq!(split.len(), 3);
    assert_eq!(split[0], checks[0]);
    assert!(split[1].error.is_some() && split[2].error.is_some());
    // A stream that is not there: the export's own reason.
    let error = worker::flv::export_flv(&analysis.report, &file, 0, 9).unwrap_err();
    assert!(error.contains("no audio, video or data"), "{error}");
}

#[wasm_bindgen_test]
async fn streams_without_their_sequence_headers_cannot_be_exported() {
    let capture: &[u8] = include_bytes!("../data/nginx-ffmpeg-publish-midstream.pcap");
    let analysis = analyze_blob(&blob(capture), "midstream.pcap", &mut |_, _| {})
        .await
        .unwrap();
    let checks: Vec<shared::flv_checks::FlvCheck> =
        serde_json::from_str(&analysis.flv_json).unwrap();
    assert!(!checks.is_empty());
    let media = checks.iter().find(|c| c.msid == 1).unwrap();
    let reason = media.error.as_deref().unwrap();
    assert!(reason.contains("sequence header"), "{reason}");
}

/// The stream reader (BYOB, 1 MiB reads) and the fallback (`Blob.arrayBuffer()` slices) hand
/// out every byte in order, in pieces no longer than the caller's buffer (here shorter than a
/// browser read, so a read's rest is handed out next); the fallback in whole slices.
#[wasm_bindgen_test]
async fn both_blob_readers_give_every_byte_in_order() {
    use worker::stream::BlobReader;
    let bytes: Vec<u8> = (0..3_500_000u32).map(|i| (i % 251) as u8).collect();
    let file = blob(&bytes);
    let slice = 700_000;
    for sliced in [false, true] {
        let mut reader = if sliced {
            BlobReader::sliced(&file, slice).unwrap()
        } else {
            BlobReader::new(&file, slice).unwrap()
        };
        let mut buffer = vec![0u8; slice];
        let mut read = Vec::new();
        let mut lengths = Vec::new();
        loop {
            let len = reader.next_piece(&mut buffer).await.unwrap();
            if len == 0 {
                break;
            }
            lengths.push(len);
            read.extend_from_slice(&buffer[..len]);
        }
        if sliced {
            assert_eq!(lengths, [slice; 5], "sliced");
        } else {
            assert!(lengths.iter().all(|&l| l <= slice), "{lengths:?}");
        }
        assert!(read == bytes, "sliced: {sliced}");
        // Past the end it stays at the end.
        assert_eq!(reader.next_piece(&mut buffer).await.unwrap(), 0);
    }
}
