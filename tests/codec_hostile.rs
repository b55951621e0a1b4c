//! Hostile and broken configuration records: truncated at every length, absurd counts and
//! lengths, over-long exp-Golomb codes, random and mutated bytes. Every decoder must return
//! (an error or a partial result) without panicking, quickly, whatever it is fed.

use rtmpscope::codec::{
    decode_aac_config, decode_audio_config, decode_av1_config, decode_avc_config,
    decode_flac_config, decode_hevc_config, decode_opus_config, decode_video_config,
    decode_vp9_config, CodecError, MAX_LISTED,
};

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex digit"))
        .collect()
}

// Real records (see tests/codec_real.rs for where they come from).
const AVC: &str =
    "0164001effe1001a6764001eacd940a02ff970110000030001000003003c0f162d9601000468efbcb0fdf8f800";
const HEVC: &str = concat!(
    "0101600000009000000000003cf000fcfdf8f800000f03200001001840010c01ffff0160000003009000000300000300",
    "3c959809210001002942010101600000030090000003000003003ca00d880f1c9e5959a4932bc05a02000007d20000ea",
    "601022000100074401c172b46240",
);
const AV1: &str = "81000c000a0b000000043cfeccdaf90040";
const VP9: &str = "010000000014820202020000";
const AAC: &str = "120856e500";
const OPUS_51: &str = "4f707573486561640106380180bb00000000010402000401020305";
const FLAC: &str = "040004000000000010980ac442f00000000000000000000000000000000000000000";

type Decoder = fn(&[u8]) -> bool;

/// Each decoder, a real record, and the shortest prefix that may decode without error.
fn cases() -> Vec<(&'static str, Decoder, Vec<u8>, usize)> {
    let avc_required = hex(AVC).len() - 4; // the High-profile extension is optional
    vec![
        (
            "avc",
            |d| decode_avc_config(d).is_ok(),
            hex(AVC),
            avc_required,
        ),
        (
            "hevc",
            |d| decode_hevc_config(d).is_ok(),
            hex(HEVC),
            hex(HEVC).len(),
        ),
        ("av1", |d| decode_av1_config(d).is_ok(), hex(AV1), 4),
        ("vp9", |d| decode_vp9_config(d).is_ok(), hex(VP9), 14),
        ("aac", |d| decode_aac_config(d).is_ok(), hex(AAC), 2),
        (
            "opus",
            |d| decode_opus_config(d).is_ok(),
            hex(OPUS_51),
            hex(OPUS_51).len(),
        ),
        ("flac", |d| decode_flac_config(d).is_ok(), hex(FLAC), 34),
    ]
}

#[test]
fn truncated_at_every_length() {
    for (name, decode, record, required) in cases() {
        assert!(decode(&record), "{name}: the whole record decodes");
        for len in 0..record.len() {
            let ok = decode(&record[..len]);
            if len < required {
                assert!(
                    !ok,
                    "{name}: {len} of {} bytes must not decode",
                    record.len()
                );
            }
        }
    }
}

#[test]
fn truncation_errors_say_where() {
    let record = hex(AVC);
    let err = decode_avc_config(&record[..20]).expect_err("must fail");
    assert_eq!(
        err,
        CodecError::Truncated {
            record: "AVCDecoderConfigurationRecord",
            field: "sequenceParameterSetNALUnit",
            offset: 8,
            needed: 26,
            available: 12,
        }
    );
    assert!(err.to_string().contains("truncated at byte 8"));
}

#[test]
fn truncated_inner_parameter_sets_keep_the_record() {
    // Shorten the SPS inside the avcC (and its length field): the record still decodes, the SPS
    // problem is reported beside it.
    let mut record = hex(AVC);
    let sps_len = 26;
    record.drain(8 + 10..8 + sps_len);
    record[7] = 10;
    let config = decode_avc_config(&record).expect("record decodes");
    assert!(config.sps.is_none());
    assert!(config.sps_error.is_some());
    assert_eq!(config.profile_indication, 100);
    assert!(config.summary().contains("SPS not decoded"));
}

#[test]
fn huge_declared_counts_and_lengths() {
    // 31 SPS of 65535 bytes each declared, none present.
    let err = decode_avc_config(&[1, 100, 0, 30, 0xff, 0xff, 0xff, 0xff]).expect_err("must fail");
    assert!(
        matches!(err, CodecError::Truncated { needed: 65535, .. }),
        "{err}"
    );
    // 255 arrays of 65535 NAL units declared in a 26-byte hvcC.
    let mut hvcc = hex(HEVC)[..22].to_vec();
    hvcc.extend([0xff, 0x20, 0xff, 0xff]);
    assert!(decode_hevc_config(&hvcc).is_err());
    // 65535 empty NAL units really present: all counted, only MAX_LISTED sizes kept.
    let mut hvcc = hex(HEVC)[..22].to_vec();
    hvcc.extend([1, 0xa7, 0xff, 0xff]);
    hvcc.resize(hvcc.len() + 2 * 65535, 0);
    let config = decode_hevc_config(&hvcc).expect("decodes");
    assert_eq!(config.arrays[0].units.count, 65535);
    assert_eq!(config.arrays[0].units.sizes.len(), MAX_LISTED);
    assert!(config.sps.is_none());
    // An AV1 OBU claiming 2^32 - 1 bytes.
    let config = decode_av1_config(&hex("81000c000a8fffffff0f00")).expect("record decodes");
    assert!(config.sequence_header.is_none());
    assert!(config
        .sequence_header_error
        .expect("error")
        .contains("truncated"));
    // An over-long leb128.
    let config = decode_av1_config(&hex("81000c000affffffffffffffffff")).expect("record decodes");
    assert!(config.sequence_header_error.is_some());
    // Opus with 255 channels and a mapping table that is not there.
    assert!(decode_opus_config(&hex("4f7075734865616401ff380180bb00000000010402")).is_err());
}

#[test]
fn exp_golomb_with_40_leading_zeros() {
    // An SPS whose seq_parameter_set_id starts with 40 zero bits.
    let mut sps = vec![0x67, 100, 0, 30, 0, 0, 0, 0, 0, 0x80, 0x80];
    let mut record = vec![1, 100, 0, 30, 0xff, 0xe1, 0, sps.len() as u8];
    record.append(&mut sps);
    record.push(0);
    let config = decode_avc_config(&record).expect("record decodes");
    assert!(config.sps.is_none());
    let error = config.sps_error.expect("SPS error");
    assert!(error.contains("ExpGolombTooLarge"), "{error}");

    // The same in an HEVC SPS, right after profile_tier_level.
    let mut nal = hex("42010101600000030090000003000003003c");
    nal.extend([0, 0, 0, 0, 0, 0x80]);
    let mut record = hex(HEVC)[..22].to_vec();
    record.extend([1, 0x21, 0, 1, 0, nal.len() as u8]);
    record.extend(&nal);
    let config = decode_hevc_config(&record).expect("record decodes");
    let error = config.sps_error.expect("SPS error");
    assert!(error.contains("exp-Golomb"), "{error}");
}

#[test]
fn wrong_versions_and_magic() {
    assert!(decode_avc_config(&[2, 100, 0, 30, 0xff, 0xe0, 0]).is_err());
    assert!(decode_hevc_config(&[2; 23]).is_err());
    assert!(
        decode_av1_config(&hex("01000c00")).is_err(),
        "marker bit clear"
    );
    assert!(decode_av1_config(&hex("82000c00")).is_err(), "version 2");
    assert!(decode_vp9_config(&hex("000000000014820202020000")).is_err());
    assert!(decode_opus_config(b"OpusTags\x01\x02").is_err());
    assert!(decode_opus_config(b"OpusHead\x10\x02\x38\x01\x80\xbb\0\0\0\0\0").is_err());
    assert!(
        decode_aac_config(&[0x17, 0x88]).is_err(),
        "sampling frequency index 13"
    );
    assert!(matches!(
        decode_video_config("VP8", &[]),
        Err(CodecError::UnknownCodec(_))
    ));
    assert!(matches!(
        decode_audio_config(".mp3", &[]),
        Err(CodecError::UnknownCodec(_))
    ));
}

/// xorshift64*: a fixed, dependency-free stream of test bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

#[test]
fn random_and_mutated_bytes_never_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let fourccs = ["avc1", "hvc1", "av01", "vp09", "mp4a", "Opus", "fLaC"];
    for _ in 0..3000 {
        let len = (rng.next() % 96) as usize;
        let data: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        for fourcc in fourccs {
            let _ = decode_video_config(fourcc, &data);
            let _ = decode_audio_config(fourcc, &data);
        }
    }
    for (_, decode, record, _) in cases() {
        for _ in 0..3000 {
            let mut data = record.clone();
            for _ in 0..1 + rng.next() % 4 {
                let at = (rng.next() as usize) % data.len();
                data[at] ^= 1 << (rng.next() % 8);
            }
            let _ = decode(&data);
        }
    }
}
