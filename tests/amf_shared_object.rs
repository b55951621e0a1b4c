//! Shared object messages (types 19 and 16) with every event type.

use rtmpscope::amf::AmfValue;
use rtmpscope::rtmp::command::{
    parse_shared_object, SharedObjectEvent, SharedObjectEventType as T,
};

fn short(text: &str) -> Vec<u8> {
    let mut v = (text.len() as u16).to_be_bytes().to_vec();
    v.extend_from_slice(text.as_bytes());
    v
}

fn amf0_string(text: &str) -> Vec<u8> {
    let mut v = vec![0x02];
    v.extend(short(text));
    v
}

fn amf0_number(n: f64) -> Vec<u8> {
    let mut v = vec![0x00];
    v.extend(n.to_be_bytes());
    v
}

fn event(code: u8, data: &[u8]) -> Vec<u8> {
    let mut v = vec![code];
    v.extend((data.len() as u32).to_be_bytes());
    v.extend_from_slice(data);
    v
}

fn header(name: &str, version: u32, persistent: bool) -> Vec<u8> {
    let mut v = short(name);
    v.extend(version.to_be_bytes());
    v.extend([0, 0, 0, if persistent { 2 } else { 0 }, 0, 0, 0, 0]);
    v
}

fn ev(event_type: T, entries: Vec<(&str, AmfValue)>, values: Vec<AmfValue>) -> SharedObjectEvent {
    SharedObjectEvent {
        event_type,
        entries: entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        values,
    }
}

fn s(text: &str) -> AmfValue {
    AmfValue::String(text.into())
}

#[test]
fn every_event_type() {
    let mut body = header("chat", 7, true);
    body.extend(event(1, &[])); // Use
    body.extend(event(2, &[])); // Release
    let mut change = short("foo");
    change.extend(amf0_string("bar"));
    change.extend(short("n"));
    change.extend(amf0_number(3.0));
    body.extend(event(3, &change)); // RequestChange
    body.extend(event(4, &change)); // Change
    body.extend(event(5, &short("foo"))); // Success
    let mut send = amf0_string("onMessage");
    send.extend(amf0_string("hello"));
    send.extend(amf0_number(1.0));
    body.extend(event(6, &send)); // SendMessage
    let mut status = short("SharedObject.NoWriteAccess");
    status.extend(short("error"));
    body.extend(event(7, &status)); // Status
    body.extend(event(8, &[])); // Clear
    body.extend(event(9, &short("foo"))); // Remove
    body.extend(event(10, &short("foo"))); // RequestRemove
    body.extend(event(11, &[])); // UseSuccess
    body.extend(event(12, &[0, 3, b'f', b'o', b'o', 0, 0, 0, 1])); // not in the spec

    let message = parse_shared_object(&body, false);
    assert_eq!(message.error, None);
    assert!(!message.amf3);
    assert_eq!(message.name, "chat");
    assert_eq!(message.version, 7);
    assert!(message.persistent);
    assert_eq!(message.flags, 0x0000_0002_0000_0000);
    let pairs = || vec![("foo", s("bar")), ("n", AmfValue::Number(3.0))];
    assert_eq!(
        message.events,
        vec![
            ev(T::Use, vec![], vec![]),
            ev(T::Release, vec![], vec![]),
            ev(T::RequestChange, pairs(), vec![]),
            ev(T::Change, pairs(), vec![]),
            ev(T::Success, vec![], vec![s("foo")]),
            ev(
                T::SendMessage,
                vec![],
                vec![s("onMessage"), s("hello"), AmfValue::Number(1.0)]
            ),
            ev(
                T::Status,
                vec![
                    ("code", s("SharedObject.NoWriteAccess")),
                    ("level", s("error"))
                ],
                vec![]
            ),
            ev(T::Clear, vec![], vec![]),
            ev(T::Remove, vec![], vec![s("foo")]),
            ev(T::RequestRemove, vec![], vec![s("foo")]),
            ev(T::UseSuccess, vec![], vec![]),
            ev(
                T::Unknown(12),
                vec![],
                vec![AmfValue::ByteArray(vec![
                    0, 3, b'f', b'o', b'o', 0, 0, 0, 1
                ])]
            ),
        ]
    );
    for (code, event) in (1u8..).zip(&message.events) {
        assert_eq!(event.event_type.code(), code);
        assert_eq!(T::from_u8(code), event.event_type);
    }
}

#[test]
fn amf3_shared_object_with_encoding_byte() {
    // Type 16, encoding 0: the AMF0 layout; a value switches to AMF3 with 0x11.
    let mut body = vec![0x00];
    body.extend(header("so", 1, false));
    let mut change = short("list");
    change.extend([0x11, 0x09, 0x03, 0x01, 0x04, 0x2a]);
    body.extend(event(4, &change));
    let message = parse_shared_object(&body, true);
    assert_eq!(message.error, None);
    assert!(message.amf3);
    assert!(!message.persistent);
    assert_eq!(message.name, "so");
    assert_eq!(
        message.events,
        vec![ev(
            T::Change,
            vec![(
                "list",
                AmfValue::Amf3Array {
                    associative: vec![],
                    dense: vec![AmfValue::Integer(42)]
                }
            )],
            vec![]
        )]
    );

    // Encoding 3: AMF3 strings and values throughout (Red5's reading).
    let mut body = vec![0x03, 0x05, b's', b'o'];
    body.extend([0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    body.extend(event(4, &[0x03, b'k', 0x06, 0x03, b'v', 0x00, 0x04, 0x01]));
    let message = parse_shared_object(&body, true);
    assert_eq!(message.error, None);
    assert_eq!(message.name, "so");
    assert_eq!(
        message.events[0].entries,
        vec![
            ("k".to_string(), s("v")),
            ("so".to_string(), AmfValue::Integer(1))
        ]
    );

    let message = parse_shared_object(&[0x07, 0x00], true);
    assert!(message
        .error
        .is_some_and(|e| e.contains("encoding byte 0x07")));
}

#[test]
fn broken_event_does_not_hide_the_next_one() {
    let mut body = header("so", 1, false);
    // A Change whose value claims more bytes than the event holds...
    let mut change = short("k");
    change.extend([0x02, 0x00, 0x09, b'a']);
    body.extend(event(4, &change));
    // ...then a good Remove.
    body.extend(event(9, &short("gone")));
    let message = parse_shared_object(&body, false);
    assert!(
        message
            .error
            .as_deref()
            .is_some_and(|e| e.contains("Change")),
        "{message:?}"
    );
    assert_eq!(message.events.len(), 2);
    assert_eq!(message.events[1], ev(T::Remove, vec![], vec![s("gone")]));
}

#[test]
fn event_length_past_the_end_stops_parsing() {
    let mut body = header("so", 1, false);
    body.extend([4, 0xff, 0xff, 0xff, 0xff, 0x00]);
    let message = parse_shared_object(&body, false);
    assert!(message.events.is_empty());
    assert!(message
        .error
        .is_some_and(|e| e.contains("declares 4294967295 bytes")));
}

#[test]
fn truncated_header_keeps_what_decoded() {
    let body = header("room", 9, false);
    let message = parse_shared_object(&body[..8], false);
    assert_eq!(message.name, "room");
    assert_eq!(message.version, 0);
    assert!(message.error.is_some());
}
