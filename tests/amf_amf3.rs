//! AMF3: every marker, U29 edge cases, string/object/trait references, externalizable classes.

use rtmpscope::amf::{decode_amf3_all, Amf3Reader, AmfError, AmfLimits, AmfValue};

fn one(bytes: &[u8]) -> Result<AmfValue, AmfError> {
    let mut reader = Amf3Reader::new(bytes, AmfLimits::default());
    let value = reader.read_value()?;
    assert!(reader.is_empty(), "bytes left after {value:?}");
    Ok(value)
}

fn all(bytes: &[u8]) -> Vec<AmfValue> {
    let (values, error) = decode_amf3_all(bytes, AmfLimits::default());
    assert_eq!(error, None);
    values
}

fn s(text: &str) -> AmfValue {
    AmfValue::String(text.into())
}

fn dense(items: Vec<AmfValue>) -> AmfValue {
    AmfValue::Amf3Array {
        associative: vec![],
        dense: items,
    }
}

#[test]
fn simple_markers() {
    assert_eq!(one(&[0x00]), Ok(AmfValue::Undefined));
    assert_eq!(one(&[0x01]), Ok(AmfValue::Null));
    assert_eq!(one(&[0x02]), Ok(AmfValue::Boolean(false)));
    assert_eq!(one(&[0x03]), Ok(AmfValue::Boolean(true)));
    let mut double = vec![0x05];
    double.extend(0.1f64.to_be_bytes());
    assert_eq!(one(&double), Ok(AmfValue::Number(0.1)));
}

#[test]
fn integers_cover_every_u29_length_and_sign() {
    let cases: &[(&[u8], i32)] = &[
        (&[0x00], 0),
        (&[0x7f], 127),
        (&[0x81, 0x00], 128),
        (&[0xff, 0x7f], 16_383),
        (&[0x81, 0x80, 0x00], 16_384),
        (&[0xff, 0xff, 0x7f], 2_097_151),
        (&[0x80, 0xc0, 0x80, 0x00], 2_097_152),
        (&[0xbf, 0xff, 0xff, 0xff], 268_435_455),
        (&[0xff, 0xff, 0xff, 0xff], -1),
        (&[0xc0, 0x80, 0x80, 0x00], -268_435_456),
    ];
    for (encoded, expected) in cases {
        let mut bytes = vec![0x04];
        bytes.extend_from_slice(encoded);
        assert_eq!(
            one(&bytes),
            Ok(AmfValue::Integer(*expected)),
            "{encoded:02x?}"
        );
    }
}

#[test]
fn strings_and_string_references() {
    // "ab", ref 0, "", "c", ref 1: the empty string never enters the table.
    let values = all(&[
        0x06, 0x05, b'a', b'b', 0x06, 0x00, 0x06, 0x01, 0x06, 0x03, b'c', 0x06, 0x02,
    ]);
    assert_eq!(values, vec![s("ab"), s("ab"), s(""), s("c"), s("c")]);
}

#[test]
fn string_reference_out_of_range_fails() {
    assert!(matches!(
        one(&[0x06, 0x02]),
        Err(AmfError::Invalid { offset: 1, .. })
    ));
}

#[test]
fn xml_document_and_xml() {
    assert_eq!(
        one(&[0x07, 0x09, b'<', b'a', b'/', b'>']),
        Ok(AmfValue::Xml("<a/>".into()))
    );
    assert_eq!(
        one(&[0x0b, 0x09, b'<', b'b', b'/', b'>']),
        Ok(AmfValue::Xml("<b/>".into()))
    );
    // XML goes to the object table, not the string table.
    assert_eq!(
        all(&[0x0b, 0x03, b'x', 0x0b, 0x00]),
        vec![AmfValue::Xml("x".into()), AmfValue::Xml("x".into())]
    );
}

#[test]
fn date_and_date_reference() {
    let mut bytes = vec![0x08, 0x01];
    bytes.extend(86_400_000.0f64.to_be_bytes());
    bytes.extend([0x08, 0x00]);
    let date = AmfValue::Date {
        millis: 86_400_000.0,
        timezone_minutes: None,
    };
    assert_eq!(all(&bytes), vec![date.clone(), date]);
}

#[test]
fn arrays_dense_associative_and_by_reference() {
    // [1, 2]
    assert_eq!(
        one(&[0x09, 0x05, 0x01, 0x04, 0x01, 0x04, 0x02]),
        Ok(dense(vec![AmfValue::Integer(1), AmfValue::Integer(2)]))
    );
    // {k: "v"} + [7], then a reference to it.
    let values = all(&[
        0x09, 0x03, 0x03, b'k', 0x06, 0x03, b'v', 0x01, 0x04, 0x07, 0x09, 0x00,
    ]);
    let expected = AmfValue::Amf3Array {
        associative: vec![("k".into(), s("v"))],
        dense: vec![AmfValue::Integer(7)],
    };
    assert_eq!(values, vec![expected.clone(), expected]);
}

#[test]
fn array_containing_itself_is_a_cycle() {
    assert_eq!(
        one(&[0x09, 0x03, 0x01, 0x09, 0x00]),
        Ok(dense(vec![AmfValue::UnresolvedReference(0)]))
    );
}

#[test]
fn anonymous_dynamic_object() {
    assert_eq!(
        one(&[0x0a, 0x0b, 0x01, 0x03, b'a', 0x04, 0x01, 0x01]),
        Ok(AmfValue::Object {
            class_name: None,
            properties: vec![("a".into(), AmfValue::Integer(1))],
        })
    );
}

#[test]
fn sealed_object_trait_reference_and_object_reference() {
    // [Foo{x:1,y:2}, Foo{x:5,y:6} (trait ref 0), object ref 1]
    let bytes = [
        0x09, 0x07, 0x01, // array, 3 dense, no associative part
        0x0a, 0x23, 0x07, b'F', b'o', b'o', 0x03, b'x', 0x03, b'y', 0x04, 0x01, 0x04, 0x02, 0x0a,
        0x01, 0x04, 0x05, 0x04, 0x06, // trait reference 0
        0x0a, 0x02, // object reference 1 (the array is 0)
    ];
    let foo = |x, y| AmfValue::Object {
        class_name: Some("Foo".into()),
        properties: vec![
            ("x".into(), AmfValue::Integer(x)),
            ("y".into(), AmfValue::Integer(y)),
        ],
    };
    assert_eq!(
        one(&bytes),
        Ok(dense(vec![foo(1, 2), foo(5, 6), foo(1, 2)]))
    );
}

#[test]
fn sealed_and_dynamic_members_with_string_references() {
    // class "C" sealed [n], dynamic; n = "C" (string ref 0); dynamic n2 = ref 1 ("n").
    let bytes = [
        0x0a, 0x1b, 0x03, b'C', 0x03, b'n', 0x06, 0x00, 0x05, b'n', b'2', 0x06, 0x02, 0x01,
    ];
    assert_eq!(
        one(&bytes),
        Ok(AmfValue::Object {
            class_name: Some("C".into()),
            properties: vec![("n".into(), s("C")), ("n2".into(), s("n"))],
        })
    );
}

#[test]
fn trait_and_object_references_out_of_range_fail() {
    assert!(matches!(one(&[0x0a, 0x05]), Err(AmfError::Invalid { .. })));
    assert!(matches!(one(&[0x0a, 0x02]), Err(AmfError::Invalid { .. })));
    assert!(matches!(one(&[0x09, 0x04]), Err(AmfError::Invalid { .. })));
}

fn externalizable(class: &str, body: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0x0a, 0x07, ((class.len() << 1) | 1) as u8];
    bytes.extend_from_slice(class.as_bytes());
    bytes.extend_from_slice(body);
    bytes
}

#[test]
fn known_externalizable_classes_wrap_one_value() {
    let bytes = externalizable(
        "flex.messaging.io.ArrayCollection",
        &[0x09, 0x03, 0x01, 0x04, 0x01],
    );
    assert_eq!(
        one(&bytes),
        Ok(AmfValue::Object {
            class_name: Some("flex.messaging.io.ArrayCollection".into()),
            properties: vec![("source".into(), dense(vec![AmfValue::Integer(1)]))],
        })
    );
    let bytes = externalizable("flex.messaging.io.ObjectProxy", &[0x0a, 0x0b, 0x01, 0x01]);
    assert_eq!(
        one(&bytes),
        Ok(AmfValue::Object {
            class_name: Some("flex.messaging.io.ObjectProxy".into()),
            properties: vec![(
                "object".into(),
                AmfValue::Object {
                    class_name: None,
                    properties: vec![]
                }
            )],
        })
    );
}

#[test]
fn unknown_externalizable_class_fails_clearly() {
    let bytes = externalizable("com.example.Secret", &[0x01, 0x02, 0x03]);
    let Err(AmfError::Invalid { reason, .. }) = one(&bytes) else {
        panic!("expected an error");
    };
    assert!(reason.contains("com.example.Secret"), "{reason}");
}

#[test]
fn byte_array_and_reference() {
    assert_eq!(
        all(&[0x0c, 0x07, 1, 2, 3, 0x0c, 0x00]),
        vec![
            AmfValue::ByteArray(vec![1, 2, 3]),
            AmfValue::ByteArray(vec![1, 2, 3])
        ]
    );
}

#[test]
fn vectors() {
    assert_eq!(
        one(&[0x0d, 0x05, 0x00, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff]),
        Ok(AmfValue::VectorInt(vec![1, -1]))
    );
    assert_eq!(
        one(&[0x0e, 0x03, 0x01, 0xff, 0xff, 0xff, 0xff]),
        Ok(AmfValue::VectorUint(vec![u32::MAX]))
    );
    let mut doubles = vec![0x0f, 0x03, 0x00];
    doubles.extend(1.5f64.to_be_bytes());
    assert_eq!(one(&doubles), Ok(AmfValue::VectorDouble(vec![1.5])));
    assert_eq!(
        one(&[0x10, 0x05, 0x00, 0x07, b'F', b'o', b'o', 0x04, 0x01, 0x01]),
        Ok(AmfValue::VectorObject {
            type_name: "Foo".into(),
            items: vec![AmfValue::Integer(1), AmfValue::Null],
        })
    );
    // Vectors are object-table entries.
    assert_eq!(
        all(&[0x0d, 0x03, 0x01, 0, 0, 0, 9, 0x0d, 0x00]),
        vec![AmfValue::VectorInt(vec![9]), AmfValue::VectorInt(vec![9])]
    );
}

#[test]
fn dictionary() {
    assert_eq!(
        one(&[0x11, 0x05, 0x00, 0x06, 0x03, b'a', 0x04, 0x01, 0x04, 0x02, 0x06, 0x03, b'b']),
        Ok(AmfValue::Dictionary(vec![
            (s("a"), AmfValue::Integer(1)),
            (AmfValue::Integer(2), s("b")),
        ]))
    );
}

#[test]
fn unknown_marker_fails() {
    assert_eq!(
        one(&[0x12]),
        Err(AmfError::UnknownMarker {
            version: 3,
            marker: 0x12,
            offset: 0
        })
    );
}

#[test]
fn malformed_value_returns_the_values_before_it() {
    let (values, error) = decode_amf3_all(&[0x04, 0x01, 0x06, 0x07, b'a'], AmfLimits::default());
    assert_eq!(values, vec![AmfValue::Integer(1)]);
    assert_eq!(
        error,
        Some(AmfError::Truncated {
            offset: 4,
            needed: 2
        })
    );
}
