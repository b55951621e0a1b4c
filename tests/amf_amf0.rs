//! AMF0: every marker, references, the AVM+ switch, and malformed input.

use rtmpscope::amf::{decode_amf0_all, Amf0Reader, AmfError, AmfLimits, AmfValue};

fn one(bytes: &[u8]) -> Result<AmfValue, AmfError> {
    let mut reader = Amf0Reader::new(bytes, AmfLimits::default());
    let value = reader.read_value()?;
    assert!(reader.is_empty(), "bytes left after {value:?}");
    Ok(value)
}

fn num(n: f64) -> Vec<u8> {
    let mut v = vec![0x00];
    v.extend_from_slice(&n.to_be_bytes());
    v
}

fn key(k: &str) -> Vec<u8> {
    let mut v = (k.len() as u16).to_be_bytes().to_vec();
    v.extend_from_slice(k.as_bytes());
    v
}

const END: [u8; 3] = [0x00, 0x00, 0x09];

fn obj(props: &[(&str, AmfValue)]) -> AmfValue {
    AmfValue::Object {
        class_name: None,
        properties: props
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    }
}

#[test]
fn number_and_boolean() {
    assert_eq!(one(&num(3.5)), Ok(AmfValue::Number(3.5)));
    assert_eq!(one(&[0x01, 0x01]), Ok(AmfValue::Boolean(true)));
    assert_eq!(one(&[0x01, 0x00]), Ok(AmfValue::Boolean(false)));
    // Any non-zero byte is true.
    assert_eq!(one(&[0x01, 0x7f]), Ok(AmfValue::Boolean(true)));
}

#[test]
fn strings() {
    assert_eq!(
        one(&[0x02, 0x00, 0x03, b'a', b'b', b'c']),
        Ok(AmfValue::String("abc".into()))
    );
    assert_eq!(
        one(&[0x02, 0x00, 0x00]),
        Ok(AmfValue::String(String::new()))
    );
    assert_eq!(
        one(&[0x0c, 0x00, 0x00, 0x00, 0x02, 0xc3, 0xa9]),
        Ok(AmfValue::String("é".into()))
    );
    // Invalid UTF-8 is shown, not fatal.
    assert_eq!(
        one(&[0x02, 0x00, 0x01, 0xff]),
        Ok(AmfValue::String("\u{fffd}".into()))
    );
}

#[test]
fn null_undefined_unsupported() {
    assert_eq!(one(&[0x05]), Ok(AmfValue::Null));
    assert_eq!(one(&[0x06]), Ok(AmfValue::Undefined));
    assert_eq!(one(&[0x0d]), Ok(AmfValue::Unsupported));
}

#[test]
fn object_and_typed_object() {
    let mut bytes = vec![0x03];
    bytes.extend(key("a"));
    bytes.extend(num(1.0));
    bytes.extend(key("b"));
    bytes.push(0x05);
    bytes.extend(END);
    assert_eq!(
        one(&bytes),
        Ok(obj(&[("a", AmfValue::Number(1.0)), ("b", AmfValue::Null)]))
    );

    let mut bytes = vec![0x10];
    bytes.extend(key("Point"));
    bytes.extend(key("x"));
    bytes.extend(num(2.0));
    bytes.extend(END);
    assert_eq!(
        one(&bytes),
        Ok(AmfValue::Object {
            class_name: Some("Point".into()),
            properties: vec![("x".into(), AmfValue::Number(2.0))],
        })
    );

    // Empty object.
    assert_eq!(one(&[0x03, 0x00, 0x00, 0x09]), Ok(obj(&[])));
}

#[test]
fn ecma_array_count_is_only_a_hint() {
    for hint in [0u32, 1, 5, u32::MAX] {
        let mut bytes = vec![0x08];
        bytes.extend(hint.to_be_bytes());
        bytes.extend(key("k"));
        bytes.extend([0x02, 0x00, 0x01, b'v']);
        bytes.extend(END);
        assert_eq!(
            one(&bytes),
            Ok(AmfValue::EcmaArray(vec![(
                "k".into(),
                AmfValue::String("v".into())
            )])),
            "hint {hint}"
        );
    }
}

#[test]
fn strict_array() {
    let mut bytes = vec![0x0a, 0x00, 0x00, 0x00, 0x02];
    bytes.extend(num(1.0));
    bytes.extend([0x01, 0x01]);
    assert_eq!(
        one(&bytes),
        Ok(AmfValue::StrictArray(vec![
            AmfValue::Number(1.0),
            AmfValue::Boolean(true)
        ]))
    );
    assert_eq!(one(&[0x0a, 0, 0, 0, 0]), Ok(AmfValue::StrictArray(vec![])));
}

#[test]
fn date_with_time_zone() {
    let mut bytes = vec![0x0b];
    bytes.extend(1_234_567_890_123.0f64.to_be_bytes());
    bytes.extend((-60i16).to_be_bytes());
    assert_eq!(
        one(&bytes),
        Ok(AmfValue::Date {
            millis: 1_234_567_890_123.0,
            timezone_minutes: Some(-60),
        })
    );
}

#[test]
fn xml_document() {
    assert_eq!(
        one(&[0x0f, 0, 0, 0, 4, b'<', b'a', b'/', b'>']),
        Ok(AmfValue::Xml("<a/>".into()))
    );
}

#[test]
fn reserved_and_unknown_markers_fail() {
    for marker in [0x04u8, 0x0e] {
        assert!(matches!(
            one(&[marker]),
            Err(AmfError::Invalid { offset: 0, .. })
        ));
    }
    for marker in [0x12u8, 0x22, 0xff] {
        assert_eq!(
            one(&[marker]),
            Err(AmfError::UnknownMarker {
                version: 0,
                marker,
                offset: 0
            })
        );
    }
    // An object-end marker where a value belongs.
    assert!(matches!(one(&[0x09]), Err(AmfError::Invalid { .. })));
}

#[test]
fn object_reference_resolves_to_a_copy() {
    // [ {a: null}, ref 1 ]: the strict array is entry 0, the object entry 1.
    let mut bytes = vec![0x0a, 0, 0, 0, 2, 0x03];
    bytes.extend(key("a"));
    bytes.push(0x05);
    bytes.extend(END);
    bytes.extend([0x07, 0x00, 0x01]);
    let inner = obj(&[("a", AmfValue::Null)]);
    assert_eq!(
        one(&bytes),
        Ok(AmfValue::StrictArray(vec![inner.clone(), inner]))
    );
}

#[test]
fn references_span_top_level_values_and_cover_arrays() {
    // ECMA array, then a strict array, then references to both.
    let mut bytes = vec![0x08, 0, 0, 0, 1];
    bytes.extend(key("k"));
    bytes.extend(num(7.0));
    bytes.extend(END);
    bytes.extend([0x0a, 0, 0, 0, 1, 0x05]);
    bytes.extend([0x07, 0x00, 0x00, 0x07, 0x00, 0x01]);
    let (values, error) = decode_amf0_all(&bytes, AmfLimits::default());
    assert_eq!(error, None);
    assert_eq!(values.len(), 4);
    assert_eq!(values[2], values[0]);
    assert_eq!(values[3], values[1]);
}

#[test]
fn self_reference_is_an_unresolved_cycle() {
    let mut bytes = vec![0x03];
    bytes.extend(key("self"));
    bytes.extend([0x07, 0x00, 0x00]);
    bytes.extend(END);
    assert_eq!(
        one(&bytes),
        Ok(obj(&[("self", AmfValue::UnresolvedReference(0))]))
    );
}

#[test]
fn reference_out_of_range_fails() {
    assert!(matches!(
        one(&[0x07, 0x00, 0x05]),
        Err(AmfError::Invalid { offset: 0, .. })
    ));
}

#[test]
fn avmplus_switch_reads_one_amf3_value() {
    // 0x11 + AMF3 integer 5, then a plain AMF0 number.
    let mut bytes = vec![0x11, 0x04, 0x05];
    bytes.extend(num(1.0));
    let (values, error) = decode_amf0_all(&bytes, AmfLimits::default());
    assert_eq!(error, None);
    assert_eq!(values, vec![AmfValue::Integer(5), AmfValue::Number(1.0)]);
}

#[test]
fn avmplus_switch_inside_an_object_and_shared_tables() {
    // {a: 0x11 AMF3 "xy", b: 0x11 AMF3 string-ref 0}
    let mut bytes = vec![0x03];
    bytes.extend(key("a"));
    bytes.extend([0x11, 0x06, 0x05, b'x', b'y']);
    bytes.extend(key("b"));
    bytes.extend([0x11, 0x06, 0x00]);
    bytes.extend(END);
    assert_eq!(
        one(&bytes),
        Ok(obj(&[
            ("a", AmfValue::String("xy".into())),
            ("b", AmfValue::String("xy".into()))
        ]))
    );
}

#[test]
fn malformed_value_returns_the_values_before_it() {
    let mut bytes = vec![0x02, 0x00, 0x01, b'x'];
    bytes.extend(num(2.0));
    bytes.extend([0x03, 0x00, 0x01, b'k', 0x00, 0x00]); // number cut short
    let (values, error) = decode_amf0_all(&bytes, AmfLimits::default());
    assert_eq!(
        values,
        vec![AmfValue::String("x".into()), AmfValue::Number(2.0)]
    );
    assert_eq!(
        error,
        Some(AmfError::Truncated {
            offset: 18,
            needed: 7
        })
    );
    assert_eq!(error.map(|e| e.offset()), Some(18));
}

#[test]
fn missing_object_end_is_truncation() {
    let mut bytes = vec![0x03];
    bytes.extend(key("a"));
    bytes.extend(num(1.0));
    assert!(matches!(one(&bytes), Err(AmfError::Truncated { .. })));
}

#[test]
fn short_string_helper() {
    let mut reader = Amf0Reader::new(&[0x00, 0x02, b'h', b'i', 0x00], AmfLimits::default());
    assert_eq!(reader.read_short_string(), Ok("hi".into()));
    assert_eq!(reader.position(), 4);
    assert!(matches!(
        reader.read_short_string(),
        Err(AmfError::Truncated { offset: 4, .. })
    ));
}
