//! Browser tests of the web app's page side (headless Chromium via wasm-bindgen-test-runner):
//! the message protocol, filters, keyboard steps, formatting, and the components rendered into
//! a real DOM, including the timeline with 100 000 messages.
#![cfg(target_arch = "wasm32")]
// Tests may panic on what they did not expect.
#![allow(clippy::unwrap_used)]

// The app's modules, compiled into this test crate (the web binary is not a library).
#[allow(dead_code)]
#[path = "../../src/web/shared/mod.rs"]
mod shared;
#[allow(dead_code)]
#[path = "../../src/web/ui/mod.rs"]
mod ui;

#[path = "support.rs"]
mod support;

use std::rc::Rc;

use rtmpscope::amf::AmfValue;
use rtmpscope::rtmp::Dir;
use wasm_bindgen_test::*;

use shared::amf_node::AmfNode;
use shared::protocol::{Event, JsBytes, RawBytes, Request};
use support::{loaded, mount, query_all, sleep};
use ui::filter::{Filter, Group, Kind};
use ui::keys::{step, Move};
use ui::model::Data;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn requests_and_events_survive_the_js_round_trip() {
    let blob = web_sys::Blob::new().unwrap();
    let request = Request::Analyze {
        file: blob,
        name: "a.pcap".into(),
    };
    match Request::from_js(&request.to_js()) {
        Some(Request::Analyze { name, .. }) => assert_eq!(name, "a.pcap"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        Request::from_js(&Request::Detail { index: 41 }.to_js()),
        Some(Request::Detail { index: 41 })
    ));
    assert!(matches!(
        Request::from_js(&Request::Export.to_js()),
        Some(Request::Export)
    ));
    assert!(matches!(
        Request::from_js(&Request::MoreMessages.to_js()),
        Some(Request::MoreMessages)
    ));
    assert!(matches!(
        Request::from_js(&Request::Flv { conn: 3, msid: 7 }.to_js()),
        Some(Request::Flv { conn: 3, msid: 7 })
    ));
    for event in [
        Event::Ready,
        Event::Progress {
            done: 8.0,
            total: 16.0,
        },
        Event::Messages {
            done: 2000,
            total: 2001,
            json: JsBytes(js_sys::Uint8Array::from(&b"[1]"[..])),
            summaries_json: JsBytes(js_sys::Uint8Array::from(&b"[\"a\"]"[..])),
        },
        Event::Done {
            head_json: "{}".into(),
            flv_json: "[]".into(),
            codecs_json: "[]".into(),
        },
        Event::Export {
            json: "{}\n".into(),
        },
        Event::Failed {
            message: "no".into(),
        },
        Event::Detail { json: "{}".into() },
        Event::Flv {
            conn: 2,
            msid: 1,
            result: Ok(JsBytes(js_sys::Uint8Array::from(&b"FLV"[..]))),
        },
        Event::Flv {
            conn: 2,
            msid: 1,
            result: Err("no".into()),
        },
    ] {
        assert_eq!(Event::from_js(&event.to_js()), Some(event));
    }
    assert_eq!(
        Event::from_js(&wasm_bindgen::JsValue::from_str("junk")),
        None
    );
}

#[wasm_bindgen_test]
fn filters_by_session_direction_group_type_and_text() {
    let data = loaded();
    let all = Filter::default().apply(&data);
    assert_eq!(all.len(), 386);
    let video = Filter {
        kind: Kind::Group(Group::Video),
        ..Filter::default()
    }
    .apply(&data);
    assert_eq!(video.len(), 152);
    let audio = Filter {
        kind: Kind::Type(8),
        ..Filter::default()
    }
    .apply(&data);
    assert_eq!(audio.len(), 218);
    let from_server = Filter {
        dir: Some(Dir::S2C),
        ..Filter::default()
    }
    .apply(&data);
    assert!(!from_server.is_empty() && from_server.len() < 20);
    let text = Filter {
        text: "CONNECT(".into(),
        ..Filter::default()
    }
    .apply(&data);
    assert_eq!(text.len(), 1);
    let none = Filter {
        conn: Some(99),
        ..Filter::default()
    }
    .apply(&data);
    assert!(none.is_empty());
    assert_eq!(
        Kind::from_key(&Kind::Group(Group::Data).key()),
        Kind::Group(Group::Data)
    );
    assert_eq!(Kind::from_key("t:20"), Kind::Type(20));
    assert_eq!(Kind::from_key("nonsense"), Kind::All);
}

#[wasm_bindgen_test]
fn keyboard_steps_stay_inside_the_filtered_rows() {
    let data = loaded();
    let video = Filter {
        kind: Kind::Group(Group::Video),
        ..Filter::default()
    }
    .apply(&data);
    let first = step(&video, &data, None, Move::By(1)).unwrap();
    assert_eq!(data.rows[video[0] as usize].index, first);
    let second = step(&video, &data, Some(first), Move::By(1)).unwrap();
    assert_eq!(data.rows[video[1] as usize].index, second);
    assert_eq!(step(&video, &data, Some(first), Move::By(-5)), Some(first));
    let last = step(&video, &data, Some(first), Move::Last).unwrap();
    assert_eq!(data.rows[*video.last().unwrap() as usize].index, last);
    assert_eq!(step(&[], &data, None, Move::First), None);
}

#[wasm_bindgen_test]
fn formats_numbers_like_the_cli() {
    use ui::format;
    assert_eq!(format::bytes(512), "512 B");
    assert_eq!(format::bytes(14_540), "14.2 KB");
    assert_eq!(format::kbps(850.4), "850 kbit/s");
    assert_eq!(format::kbps(4200.0), "4.20 Mbit/s");
    assert_eq!(format::duration(125.0), "2 min 05 s");
    let t = rtmpscope::capture::Timestamp::new(1_700_000_000, 123_456_000);
    assert_eq!(format::time_of_day(t), "22:13:20.123456");
    assert_eq!(format::date_time(t), "2023-11-14 22:13:20 UTC");
    assert_eq!(format::count(100_000), "100\u{202f}000");
    assert_eq!(ui::chart::nice_ceiling(730.0), 1000.0);
    assert_eq!(ui::chart::nice_ceiling(1500.0), 2000.0);
}

#[wasm_bindgen_test]
fn amf_nodes_keep_the_types_json_loses() {
    let value = AmfValue::EcmaArray(vec![
        ("duration".into(), AmfValue::Number(0.0)),
        ("encoder".into(), AmfValue::String("Lavf59".into())),
        ("id".into(), AmfValue::Integer(7)),
        ("missing".into(), AmfValue::Undefined),
    ]);
    let node = AmfNode::from_value("value 2", &value);
    assert_eq!(node.kind, "ecma-array");
    assert_eq!(node.value, "4 entries");
    let kinds: Vec<&str> = node.children.iter().map(|c| c.kind.as_str()).collect();
    assert_eq!(kinds, ["number", "string", "integer", "undefined"]);
    assert_eq!(node.children[1].value, "\"Lavf59\"");
    assert_eq!(node.len(), 5);
}

#[wasm_bindgen_test]
async fn amf_tree_renders_collapsible_typed_nodes() {
    let nodes = vec![AmfNode::from_value(
        "command object",
        &AmfValue::Object {
            class_name: None,
            properties: vec![("app".into(), AmfValue::String("live".into()))],
        },
    )];
    let root = mount::<ui::amf_tree::AmfTree>(ui::amf_tree::AmfTreeProps {
        nodes: Rc::new(nodes),
    })
    .await;
    let tree = root
        .query_selector("[data-testid=amf-tree]")
        .unwrap()
        .unwrap();
    let text = tree.text_content().unwrap();
    assert!(text.contains("command object"), "{text}");
    assert!(
        text.contains("app") && text.contains("\"live\"") && text.contains("string"),
        "{text}"
    );
    assert_eq!(query_all(&root, "details[open]").len(), 1);
}

#[wasm_bindgen_test]
async fn session_card_shows_app_stream_role_codecs_and_a_chart() {
    let data = Data(Rc::new(loaded()));
    let root = mount::<ui::sessions::SessionList>(ui::sessions::SessionListProps {
        data,
        on_jump: yew::Callback::noop(),
        on_export_flv: yew::Callback::noop(),
        exporting: None,
    })
    .await;
    let cards = query_all(&root, "[data-testid=session-card]");
    assert_eq!(cards.len(), 1);
    let text = cards[0].text_content().unwrap();
    for needle in [
        "live",
        "stream",
        "publish",
        "rtmp://127.0.0.1",
        "NetStream.Publish.Start",
    ] {
        assert!(text.contains(needle), "{needle} missing from {text}");
    }
    // Codecs from the decoded configurations (the AAC config says mono; the FLV tag header's
    // fixed "stereo" must not show).
    let codecs = root
        .query_selector("[data-testid=stream-codecs]")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert_eq!(
        codecs,
        "H.264 High 3.0, 640x360, 30 fps, 4:2:0 8-bit + AAC LC, 44100 Hz, 1 ch"
    );
    // The stream can be downloaded as FLV.
    let button = root
        .query_selector("[data-testid=flv-button]")
        .unwrap()
        .unwrap();
    assert_eq!(button.get_attribute("data-conn").as_deref(), Some("0"));
    assert_eq!(button.get_attribute("data-msid").as_deref(), Some("1"));
    assert!(!button.has_attribute("disabled"));
    let chart = root
        .query_selector("[data-testid=bitrate-chart]")
        .unwrap()
        .unwrap();
    let buckets: usize = chart
        .get_attribute("data-buckets")
        .unwrap()
        .parse()
        .unwrap();
    assert!(buckets >= 5, "{buckets}");
    let points = chart
        .query_selector("[data-testid=chart-total]")
        .unwrap()
        .unwrap()
        .get_attribute("points")
        .unwrap();
    assert_eq!(points.split_whitespace().count(), buckets);
}

#[wasm_bindgen_test]
async fn timeline_renders_only_visible_rows_of_100_000() {
    let mut big = loaded();
    let template = big.rows.clone();
    while big.rows.len() < 100_000 {
        for m in &template {
            let mut m = m.clone();
            m.index = big.rows.len() as u64;
            let summary = big
                .summaries
                .get((m.index as usize) % template.len())
                .to_string();
            big.summaries.push(&summary);
            big.rows.push(m);
        }
    }
    let total = big.rows.len();
    let small = loaded();
    let data_summary = |at: usize| small.summaries.get(at).to_string();
    let data = Data(Rc::new(big));
    let visible = Rc::new(Filter::default().apply(&data));
    assert_eq!(visible.len(), total);
    let root = support::container("height: 600px; display: flex");
    yew::Renderer::<ui::timeline::Timeline>::with_root_and_props(
        root.clone(),
        ui::timeline::TimelineProps {
            data,
            visible,
            selected: Some(99_990),
            on_select: yew::Callback::noop(),
        },
    )
    .render();
    sleep(50).await;
    let rows = query_all(&root, "[data-testid=timeline-row]");
    assert!(
        rows.len() > 5 && rows.len() < 200,
        "{} rows rendered",
        rows.len()
    );
    // The selected row, near the end, was scrolled into view, with its own type and summary.
    let selected = rows
        .iter()
        .find(|r| r.get_attribute("data-index").as_deref() == Some("99990"))
        .expect("selected row not rendered");
    let text = selected.text_content().unwrap();
    let expected = &template[99_990 % template.len()];
    assert!(text.contains(expected.type_name()), "{text}");
    assert!(
        text.contains(&data_summary(99_990 % template.len())),
        "{text}"
    );
    assert_eq!(ui::timeline::window(0.0, 400.0, 3), 0..3);
    assert_eq!(ui::timeline::window(20_000.0, 400.0, 100_000), 990..1031);
}

#[wasm_bindgen_test]
fn codec_text_falls_back_to_tag_headers_only_without_a_configuration() {
    use rtmpscope::analysis::{AudioTrack, VideoTrack};
    let audio = AudioTrack {
        codec: "AAC".into(),
        flv_rate_hz: Some(44100),
        flv_stereo: Some(true),
        sample_rate: Some(44100),
        channels: Some(2),
        ..AudioTrack::default()
    };
    assert_eq!(
        ui::sessions::audio_text(&audio),
        "AAC, 44100 Hz, 2 ch (tag header)"
    );
    let video = VideoTrack {
        codec: "AVC".into(),
        ..VideoTrack::default()
    };
    assert_eq!(ui::sessions::video_text(&video), "AVC (no sequence header)");
}

#[wasm_bindgen_test]
fn multitrack_streams_list_every_track() {
    use rtmpscope::analysis::{ConfigInfo, StreamTrack, TrackKind};
    let track = |kind, track_id, codec: &str, summary: Option<&str>, frames| StreamTrack {
        kind,
        track_id,
        fourcc: "x".into(),
        codec: codec.into(),
        config: ConfigInfo {
            config_summary: summary.map(String::from),
            ..ConfigInfo::default()
        },
        width: None,
        height: None,
        sample_rate: None,
        channels: None,
        frames,
        bytes: 0,
        first_message: 0,
    };
    let tracks = [
        track(
            TrackKind::Video,
            0,
            "AVC",
            Some("H.264 High 3.0, 640x360"),
            60,
        ),
        track(TrackKind::Audio, 2, "Opus", None, 20),
    ];
    assert_eq!(
        ui::sessions::tracks_text(&tracks),
        "2 tracks: video #0 H.264 High 3.0, 640x360 (60 frames), audio #2 Opus (20 frames)"
    );
}

#[wasm_bindgen_test]
fn hex_dump_lines_follow_body_offsets_and_show_holes() {
    use rtmpscope::rtmp::body_spans::BodySpan;
    use ui::hexdump::{lines, Line};
    // 40 bytes: 0..20 captured in two pieces, 20..36 lost, 36..40 captured.
    let raw = RawBytes {
        length: 40,
        shown: 40,
        spans: vec![
            BodySpan {
                body_offset: 0,
                len: 12,
                file_offset: 100,
            },
            BodySpan {
                body_offset: 12,
                len: 8,
                file_offset: 300,
            },
            BodySpan {
                body_offset: 36,
                len: 4,
                file_offset: 500,
            },
        ],
        bytes: (0..24).collect(),
        header: Vec::new(),
        header_file_offset: None,
        note: String::new(),
    };
    let out = lines(&raw);
    assert_eq!(out.len(), 3);
    match &out[0] {
        Line::Bytes {
            offset: 0,
            file_offset: Some(100),
            bytes,
        } => {
            assert_eq!(bytes.len(), 16);
            assert_eq!(bytes[15], Some(15));
        }
        other => panic!("{other:?}"),
    }
    match &out[1] {
        // Bytes 16..20 (file 304..), then 12 missing.
        Line::Bytes {
            offset: 16,
            file_offset: Some(304),
            bytes,
        } => {
            assert_eq!(bytes[..4], [Some(16), Some(17), Some(18), Some(19)]);
            assert!(bytes[4..].iter().all(Option::is_none));
        }
        other => panic!("{other:?}"),
    }
    match &out[2] {
        Line::Bytes {
            offset: 32, bytes, ..
        } => {
            assert_eq!(bytes.len(), 8);
            assert_eq!(bytes[4..], [Some(20), Some(21), Some(22), Some(23)]);
        }
        other => panic!("{other:?}"),
    }
}

#[wasm_bindgen_test]
fn summaries_are_one_string_and_match_case_as_to_lowercase_does() {
    use shared::rows::{contains_lowercase, Summaries};
    let s: Summaries = ["a", "", "ccc"].into_iter().collect();
    assert_eq!(
        (s.get(0), s.get(1), s.get(2), s.get(3)),
        ("a", "", "ccc", "")
    );
    assert_eq!((s.len(), s.bytes()), (3, 4));
    assert!(contains_lowercase(
        "connect(1, {app: \"Live\"})",
        "app: \"live"
    ));
    assert!(!contains_lowercase("Video", "audio"));
    assert!(contains_lowercase("Straße", "straße"));
    assert!(contains_lowercase("ÉCLAIR", "éc"));
    assert!(!contains_lowercase("abc", "é"));
    assert!(contains_lowercase("abc", ""));
}

#[wasm_bindgen_test]
fn the_page_keeps_a_row_per_message_and_the_codecs_the_worker_found() {
    let data = loaded();
    assert!(
        data.report.messages.is_empty(),
        "the records stay in the worker"
    );
    assert_eq!((data.rows.len(), data.summaries.len()), (386, 386));
    let connect = data.position(data.report.sessions[0].connect_message.unwrap());
    assert!(data
        .summaries
        .get(connect.unwrap())
        .starts_with("connect(1, {app: \"live\""));
    let types: Vec<u8> = data.types.iter().map(|(id, _)| *id).collect();
    assert!(
        types.contains(&8) && types.contains(&9) && types.contains(&20),
        "{types:?}"
    );
    let codecs = &data.codecs[&(0, 1)];
    assert_eq!(codecs.video.as_deref(), Some("AVC"));
    assert!(
        codecs.audio.as_deref().unwrap().starts_with("AAC"),
        "{codecs:?}"
    );
}

#[wasm_bindgen_test]
async fn detail_pane_shows_the_row_at_once_and_the_record_when_the_worker_answers() {
    use rtmpscope::rtmp::MessageBody;
    use shared::protocol::MessageDetail;
    let data = Data(Rc::new(loaded()));
    let full =
        rtmpscope::analyze_bytes(support::PUBLISH, rtmpscope::AnalyzerOptions::default()).unwrap();
    let record = full
        .messages
        .iter()
        .find(|m| matches!(&m.message.body, MessageBody::Command(c) if c.name == "connect"))
        .unwrap()
        .clone();
    let pane = |detail: Option<MessageDetail>| ui::detail::DetailProps {
        data: data.clone(),
        selected: Some(record.index),
        detail: detail.map(Rc::new),
        on_jump: yew::Callback::noop(),
    };
    let waiting = mount::<ui::detail::DetailPane>(pane(None)).await;
    let text = waiting.text_content().unwrap();
    assert!(
        text.starts_with(&format!("#{} AMF0 Command type 20", record.index)),
        "{text}"
    );
    assert!(text.contains("connect(1, {app: \"live\""), "{text}");
    assert!(
        text.contains("decoding…") && !text.contains("csid / msid"),
        "{text}"
    );
    let answered = mount::<ui::detail::DetailPane>(pane(Some(MessageDetail {
        index: record.index,
        record: Some(record.clone()),
        tree: Vec::new(),
        raw: None,
    })))
    .await;
    let text = answered.text_content().unwrap();
    assert!(!text.contains("decoding…"), "{text}");
    assert!(text.contains("csid / msid3 / 0"), "{text}");
    assert!(text.contains("answered by #"), "{text}");
}
