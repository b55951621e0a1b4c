//! Tree and one-line renderings.

use rtmpscope::amf::{render_tree, summarize, summarize_all, AmfValue};

fn s(text: &str) -> AmfValue {
    AmfValue::String(text.into())
}

fn connect_object() -> AmfValue {
    AmfValue::Object {
        class_name: None,
        properties: vec![
            ("app".into(), s("live")),
            ("type".into(), s("nonprivate")),
            ("flashVer".into(), s("FMLE/3.0 (compatible; Lavf59.27.100)")),
            ("audioCodecs".into(), AmfValue::Number(3575.0)),
            ("fpad".into(), AmfValue::Boolean(false)),
        ],
    }
}

#[test]
fn tree_of_a_connect_object() {
    assert_eq!(
        render_tree(&connect_object()),
        "object\n\
         \x20 app: string \"live\"\n\
         \x20 type: string \"nonprivate\"\n\
         \x20 flashVer: string \"FMLE/3.0 (compatible; Lavf59.27.100)\"\n\
         \x20 audioCodecs: number 3575\n\
         \x20 fpad: boolean false\n"
    );
}

#[test]
fn tree_of_nested_and_special_values() {
    let value = AmfValue::EcmaArray(vec![
        (
            "list".into(),
            AmfValue::StrictArray(vec![AmfValue::Integer(-3), AmfValue::Null]),
        ),
        (
            "typed".into(),
            AmfValue::Object {
                class_name: Some("Point".into()),
                properties: vec![("x".into(), AmfValue::Number(0.5))],
            },
        ),
        (
            "when".into(),
            AmfValue::Date {
                millis: 1_234_567_890_123.0,
                timezone_minutes: Some(60),
            },
        ),
        ("raw".into(), AmfValue::ByteArray(vec![0xde, 0xad])),
        ("ints".into(), AmfValue::VectorInt(vec![1, 2])),
        (
            "dict".into(),
            AmfValue::Dictionary(vec![(s("k"), AmfValue::Undefined)]),
        ),
        ("loop".into(), AmfValue::UnresolvedReference(2)),
        ("quote".into(), s("say \"hi\"\n")),
    ]);
    assert_eq!(
        render_tree(&value),
        "ecma-array (8 entries)\n\
         \x20 list: strict-array [2]\n\
         \x20   [0]: integer -3\n\
         \x20   [1]: null\n\
         \x20 typed: object <Point>\n\
         \x20   x: number 0.5\n\
         \x20 when: date 2009-02-13T23:31:30.123Z (tz +60 min)\n\
         \x20 raw: byte-array (2 bytes) dead\n\
         \x20 ints: vector-int (2) [1, 2]\n\
         \x20 dict: dictionary (1 entries)\n\
         \x20   \"k\": undefined\n\
         \x20 loop: reference #2 (a cycle, not expanded)\n\
         \x20 quote: string \"say \\\"hi\\\"\\n\"\n"
    );
}

#[test]
fn summary_is_one_line_and_cut_to_width() {
    let object = connect_object();
    assert_eq!(
        summarize(&object, 200),
        r#"{app: "live", type: "nonprivate", flashVer: "FMLE/3.0 (compatible; Lavf59.27.100)", audioCodecs: 3575, fpad: false}"#
    );
    let cut = summarize(&object, 30);
    assert_eq!(cut, r#"{app: "live", type: "nonpriva…"#);
    assert_eq!(cut.chars().count(), 30);
    assert_eq!(
        summarize_all(&[s("connect"), AmfValue::Number(1.0), object], 40),
        r#""connect", 1, {app: "live", type: "nonp…"#
    );
}

#[test]
fn summary_of_a_huge_value_is_cheap_and_bounded() {
    let huge = AmfValue::StrictArray(vec![AmfValue::Number(1.0); 1_000_000]);
    let start = std::time::Instant::now();
    let line = summarize(&huge, 20);
    assert!(start.elapsed() < std::time::Duration::from_millis(500));
    assert_eq!(line, "[1, 1, 1, 1, 1, 1, …");
}

#[test]
fn command_data_and_shared_object_views() {
    use rtmpscope::rtmp::command::{parse_command, parse_data, parse_shared_object};
    // publish(5, null, "stream", "live")
    let mut body = vec![0x02, 0x00, 0x07];
    body.extend(b"publish");
    body.push(0x00);
    body.extend(5.0f64.to_be_bytes());
    body.extend([0x05, 0x02, 0x00, 0x06]);
    body.extend(b"stream");
    body.extend([0x02, 0x00, 0x04]);
    body.extend(b"live");
    let command = parse_command(&body, false);
    assert_eq!(command.summary(80), r#"publish(5, null, "stream", "live")"#);
    assert_eq!(
        command.render_tree(),
        "publish (transaction 5)\n\
         \x20 command object: null\n\
         \x20 argument 1: string \"stream\"\n\
         \x20 argument 2: string \"live\"\n"
    );

    let data = parse_data(&[0x02, 0x00, 0x02, b'o', b'n', 0x01, 0x01], false);
    assert_eq!(data.summary(80), "on(true)");
    assert_eq!(data.render_tree(), "on\n  argument 1: boolean true\n");

    let mut so = vec![0x00, 0x01, b'r', 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0];
    so.extend([9, 0, 0, 0, 3, 0, 1, b'k']);
    so.extend([9, 0, 0, 0, 9]);
    let message = parse_shared_object(&so, false);
    assert_eq!(
        message.render_tree(),
        "shared object \"r\" (version 3)\n\
         \x20 Remove\n\
         \x20   [0]: string \"k\"\n\
         \x20 error: shared object event Remove at byte 23 declares 9 bytes of data, only 0 left\n"
    );
}
