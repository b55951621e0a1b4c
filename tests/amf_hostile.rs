//! Hostile AMF: every case must fail (or finish) quickly, with bounded memory and no stack
//! overflow.

use std::time::{Duration, Instant};

use rtmpscope::amf::{
    decode_amf0_all, decode_amf3_all, Amf0Reader, Amf3Reader, AmfError, AmfLimits, AmfValue,
};
use rtmpscope::rtmp::command::{parse_command, parse_data, parse_shared_object};

/// Generous for a debug build on a loaded machine; the real times are milliseconds.
const QUICK: Duration = Duration::from_secs(3);

fn amf0(bytes: &[u8]) -> Result<AmfValue, AmfError> {
    Amf0Reader::new(bytes, AmfLimits::default()).read_value()
}

fn amf3(bytes: &[u8]) -> Result<AmfValue, AmfError> {
    Amf3Reader::new(bytes, AmfLimits::default()).read_value()
}

fn timed<T>(f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    assert!(start.elapsed() < QUICK, "took {:?}", start.elapsed());
    out
}

#[test]
fn nesting_100_000_deep_stops_at_the_depth_limit() {
    let strict = [0x0a, 0, 0, 0, 1].repeat(100_000);
    let err = timed(|| amf0(&strict));
    assert_eq!(
        err,
        Err(AmfError::TooDeep {
            limit: 64,
            offset: 65 * 5
        })
    );

    let objects = [0x03, 0x00, 0x01, b'a'].repeat(100_000);
    assert!(matches!(
        timed(|| amf0(&objects)),
        Err(AmfError::TooDeep { .. })
    ));

    let ecma = [0x08, 0, 0, 0, 1, 0x00, 0x01, b'a'].repeat(100_000);
    assert!(matches!(
        timed(|| amf0(&ecma)),
        Err(AmfError::TooDeep { .. })
    ));

    // Through AVM+ switches: each switch stays at the same depth, the arrays nest.
    let switched = [0x11, 0x09, 0x03, 0x01].repeat(100_000);
    assert!(matches!(
        timed(|| amf0(&switched)),
        Err(AmfError::TooDeep { .. })
    ));

    let arrays3 = [0x09, 0x03, 0x01].repeat(100_000);
    assert!(matches!(
        timed(|| amf3(&arrays3)),
        Err(AmfError::TooDeep { .. })
    ));
    let objects3 = [0x0a, 0x0b, 0x01, 0x03, b'a'].repeat(100_000);
    assert!(matches!(
        timed(|| amf3(&objects3)),
        Err(AmfError::TooDeep { .. })
    ));
    let dicts = [0x11, 0x03, 0x00, 0x01].repeat(100_000);
    assert!(matches!(
        timed(|| amf3(&dicts)),
        Err(AmfError::TooDeep { .. })
    ));

    // The command parser inherits the limit.
    let mut body = vec![0x02, 0x00, 0x01, b'x', 0x00, 0, 0, 0, 0, 0, 0, 0, 0];
    body.extend(&strict);
    let command = timed(|| parse_command(&body, false));
    assert_eq!(command.name, "x");
    assert!(command.error.is_some_and(|e| e.contains("nesting")));
}

#[test]
fn depth_limit_is_configurable() {
    let nested = [0x0a, 0, 0, 0, 1].repeat(10);
    let mut bytes = nested.clone();
    bytes.push(0x05);
    let limits = AmfLimits {
        max_depth: 10,
        ..AmfLimits::default()
    };
    assert!(Amf0Reader::new(&bytes, limits).read_value().is_ok());
    let limits = AmfLimits {
        max_depth: 9,
        ..AmfLimits::default()
    };
    assert!(matches!(
        Amf0Reader::new(&bytes, limits).read_value(),
        Err(AmfError::TooDeep { limit: 9, .. })
    ));
}

#[test]
fn huge_declared_counts_fail_before_allocating() {
    // 10^9-element strict array with one element present.
    let strict = [0x0a, 0x3b, 0x9a, 0xca, 0x00, 0x05];
    assert!(matches!(
        timed(|| amf0(&strict)),
        Err(AmfError::Truncated { .. })
    ));
    // ECMA array count is a hint: u32::MAX then a proper end.
    assert_eq!(
        amf0(&[0x08, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x09]),
        Ok(AmfValue::EcmaArray(vec![]))
    );
    // AMF3: 2^28-1 dense elements, vectors and dictionaries of 2^28-1 entries, 2^25 sealed members.
    for bytes in [
        &[0x09, 0xff, 0xff, 0xff, 0xff, 0x01][..],
        &[0x0d, 0xff, 0xff, 0xff, 0xff, 0x00],
        &[0x0e, 0xff, 0xff, 0xff, 0xff, 0x00],
        &[0x0f, 0xff, 0xff, 0xff, 0xff, 0x00],
        &[0x10, 0xff, 0xff, 0xff, 0xff, 0x00, 0x01],
        &[0x11, 0xff, 0xff, 0xff, 0xff, 0x00],
        &[0x0a, 0xff, 0xff, 0xff, 0xf3, 0x01],
        &[0x0c, 0xff, 0xff, 0xff, 0xff],
    ] {
        assert!(
            matches!(timed(|| amf3(bytes)), Err(AmfError::Truncated { .. })),
            "{bytes:02x?}"
        );
    }
}

#[test]
fn four_gigabyte_strings_fail_before_allocating() {
    assert_eq!(
        timed(|| amf0(&[0x0c, 0xff, 0xff, 0xff, 0xff, b'a'])),
        Err(AmfError::Truncated {
            offset: 5,
            needed: 0xffff_fffe
        })
    );
    assert!(matches!(
        amf0(&[0x0f, 0xff, 0xff, 0xff, 0xff]),
        Err(AmfError::Truncated { .. })
    ));
    assert!(matches!(
        amf3(&[0x06, 0xff, 0xff, 0xff, 0xff]),
        Err(AmfError::Truncated { .. })
    ));
}

#[test]
fn reference_cycles_do_not_recurse() {
    // AMF0: two objects referring to each other.
    let mut bytes = vec![
        0x03, 0x00, 0x01, b'b', 0x03, 0x00, 0x01, b'a', 0x07, 0x00, 0x00,
    ];
    bytes.extend([0x00, 0x00, 0x09, 0x00, 0x00, 0x09]);
    let inner = AmfValue::Object {
        class_name: None,
        properties: vec![("a".into(), AmfValue::UnresolvedReference(0))],
    };
    assert_eq!(
        amf0(&bytes),
        Ok(AmfValue::Object {
            class_name: None,
            properties: vec![("b".into(), inner)],
        })
    );
    // AMF3: an object whose dynamic member is itself.
    assert_eq!(
        amf3(&[0x0a, 0x0b, 0x01, 0x03, b's', 0x0a, 0x00, 0x01]),
        Ok(AmfValue::Object {
            class_name: None,
            properties: vec![("s".into(), AmfValue::UnresolvedReference(0))],
        })
    );
}

#[test]
fn references_out_of_range_fail() {
    assert!(matches!(
        amf0(&[0x07, 0xff, 0xff]),
        Err(AmfError::Invalid { .. })
    ));
    for bytes in [
        &[0x06, 0xfe, 0x00][..],
        &[0x0a, 0x10],
        &[0x0a, 0x09],
        &[0x08, 0x7e],
    ] {
        assert!(
            matches!(amf3(bytes), Err(AmfError::Invalid { .. })),
            "{bytes:02x?}"
        );
    }
}

/// AMF3 "billion laughs": array k holds two references to array k-1, so 40 levels would
/// expand to 2^40 values. The value budget stops it.
#[test]
fn exponential_reference_expansion_hits_the_value_budget() {
    let mut bytes = vec![0x09, 0x51, 0x01]; // outer array, 40 dense elements
    bytes.extend([0x09, 0x05, 0x01, 0x04, 0x01, 0x04, 0x02]); // array #1: [1, 2]
    for k in 1..40u8 {
        // array #k+1: [ref k, ref k]
        bytes.extend([0x09, 0x05, 0x01, 0x09, k << 1, 0x09, k << 1]);
    }
    let result = timed(|| amf3(&bytes));
    assert!(
        matches!(result, Err(AmfError::TooManyValues { limit: 100_000, .. })),
        "{result:?}"
    );

    // The same through AMF0 references.
    let mut bytes = vec![0x0a, 0, 0, 0, 40, 0x0a, 0, 0, 0, 2, 0x05, 0x05];
    for k in 1..40u16 {
        bytes.extend([0x0a, 0, 0, 0, 2, 0x07]);
        bytes.extend(k.to_be_bytes());
        bytes.push(0x07);
        bytes.extend(k.to_be_bytes());
    }
    let result = timed(|| amf0(&bytes));
    assert!(
        matches!(result, Err(AmfError::TooManyValues { .. })),
        "{result:?}"
    );
}

#[test]
fn string_reference_amplification_hits_the_memory_budget() {
    // One 60 000-byte string, then 200 000 two-byte references to it (12 GB if copied).
    let mut bytes = vec![0x06, 0x87, 0xa9, 0x41]; // U29 (60000 << 1) | 1
    bytes.extend(std::iter::repeat_n(b'x', 60_000));
    bytes.extend([0x06, 0x00].repeat(200_000));
    let limits = AmfLimits {
        max_values: usize::MAX,
        ..AmfLimits::default()
    };
    let (values, error) = timed(|| decode_amf3_all(&bytes, limits));
    assert!(
        matches!(error, Some(AmfError::TooLarge { .. })),
        "{error:?}"
    );
    assert!(values.len() < 1200, "{} values", values.len());
}

#[test]
fn references_cannot_build_trees_deeper_than_the_limit() {
    // [A, B]: A is 40 nested arrays; B nests 30 arrays around a reference to A (depth 31 + 40).
    let mut bytes = vec![0x09, 0x05, 0x01];
    bytes.extend([0x09, 0x03, 0x01].repeat(40));
    bytes.push(0x01);
    bytes.extend([0x09, 0x03, 0x01].repeat(30));
    bytes.extend([0x09, 0x02]); // object reference 1 = A's outermost array
    let result = timed(|| amf3(&bytes));
    assert!(
        matches!(result, Err(AmfError::TooDeep { .. })),
        "{result:?}"
    );
}

#[test]
fn value_budget_counts_across_one_reader() {
    let bytes = [0x05].repeat(200_000);
    let (values, error) = timed(|| decode_amf0_all(&bytes, AmfLimits::default()));
    assert_eq!(values.len(), 100_000);
    assert!(matches!(error, Some(AmfError::TooManyValues { .. })));
}

#[test]
fn hostile_message_bodies_never_panic() {
    // Every prefix of a body mixing all kinds of values, and some byte flips.
    let mut body = vec![0x02, 0x00, 0x04, b'c', b'a', b'l', b'l', 0x00];
    body.extend(1.0f64.to_be_bytes());
    body.extend([
        0x03, 0x00, 0x01, b'o', 0x0a, 0, 0, 0, 1, 0x07, 0x00, 0x00, 0x00, 0x00, 0x09,
    ]);
    body.extend([
        0x11, 0x0a, 0x23, 0x03, b'C', 0x03, b'x', 0x03, b'y', 0x04, 0x01, 0x06, 0x00,
    ]);
    body.extend([0x11, 0x11, 0x03, 0x00, 0x0c, 0x03, 0xaa, 0x0c, 0x00]);
    for end in 0..=body.len() {
        let _ = parse_command(&body[..end], false);
        let _ = parse_command(&body[..end], true);
        let _ = parse_data(&body[..end], true);
        let _ = parse_shared_object(&body[..end], false);
        let _ = parse_shared_object(&body[..end], true);
    }
    for i in 0..body.len() {
        for flip in [0x01u8, 0x80, 0xff] {
            let mut broken = body.clone();
            broken[i] ^= flip;
            let _ = parse_command(&broken, false);
            let _ = parse_data(&broken, true);
            let _ = parse_shared_object(&broken, false);
        }
    }
    let full = parse_command(&body, false);
    assert_eq!(full.error, None, "{full:?}");
    assert_eq!(full.arguments.len(), 2);
}

#[test]
fn hard_depth_cap_fits_the_stack() {
    // Even with the limit raised as far as it goes, the deepest allowed nesting decodes on a
    // test thread's default 2 MiB stack (in a debug build), and anything deeper is refused.
    let limits = AmfLimits {
        max_depth: usize::MAX,
        max_values: usize::MAX,
        max_bytes: usize::MAX,
    };
    let mut amf0_bytes = [0x0a, 0, 0, 0, 1].repeat(HARD_CAP);
    amf0_bytes.push(0x05);
    let value = Amf0Reader::new(&amf0_bytes, limits).read_value();
    assert!(value.is_ok());
    drop(value);
    let mut amf3_bytes = [0x0a, 0x0b, 0x01, 0x03, b'a'].repeat(HARD_CAP);
    // The innermost null, then each object's end of dynamic members.
    amf3_bytes.extend([0x01].repeat(HARD_CAP + 1));
    assert!(Amf3Reader::new(&amf3_bytes, limits).read_value().is_ok());
    let deeper = [0x09, 0x03, 0x01].repeat(HARD_CAP + 2);
    assert!(matches!(
        Amf3Reader::new(&deeper, limits).read_value(),
        Err(AmfError::TooDeep { .. })
    ));
}

const HARD_CAP: usize = 256;
