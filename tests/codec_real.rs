//! Codec configuration records taken from real streams, checked against what the encoder was told
//! to produce and what ffprobe reports for the same file.
//!
//! Provenance:
//! * `CAPTURE_*`: the first video/audio messages of /work/shared/captures/*.pcap, extracted with
//!   `tshark -T fields -e rtmpt.video.data -e rtmpt.audio.data` (tag byte, AVC packet type and
//!   composition time removed). ffmpeg publish: `testsrc2=size=640x360:rate=30`, libx264
//!   veryfast, yuv420p, native aac from a mono `sine` source (ffprobe of the same command into a
//!   file: "h264 (High), yuv420p, 640x360, 30 fps, level 30"; "aac (LC), 44100 Hz, mono").
//!   GStreamer: `x264enc ... video/x-raw,width=640,height=360,framerate=30/1`, flvmux.
//!   OBS (twinx-65926c9-nginx.pcap): onMetaData says 1280x720, 30 fps, 48000 Hz, 2 channels.
//! * The rest: sequence-start tags of Enhanced FLV files written by FFmpeg 9.0.2
//!   (`ffmpeg -f lavfi -i testsrc2=size=WxH:rate=R -c:v ENCODER ... -f flv`), the record being
//!   the bytes after the FourCC (or, for legacy AVC/AAC, after packet type and composition time).
//!   Expectations are the encoder settings, cross-checked with `ffmpeg -i` on the same file.

use rtmpscope::codec::{
    decode_audio_config, decode_video_config, ChromaFormat, CodecConfig, Ratio,
};

fn hex(text: &str) -> Vec<u8> {
    assert!(text.len() % 2 == 0);
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex digit"))
        .collect()
}

fn video(fourcc: &str, record: &str) -> CodecConfig {
    decode_video_config(fourcc, &hex(record)).expect("decodes")
}

fn audio(fourcc: &str, record: &str) -> CodecConfig {
    decode_audio_config(fourcc, &hex(record)).expect("decodes")
}

const CAPTURE_FFMPEG_AVC: &str =
    "0164001effe1001a6764001eacd940a02ff970110000030001000003003c0f162d9601000468efbcb0fdf8f800";
const CAPTURE_FFMPEG_AAC: &str = "120856e500";
const CAPTURE_GST_AVC: &str =
    "01f4001effe1001d67f4001e90d9680a02ff89c05a83030320000003002000000791e2c5d401000568ef319219";
const CAPTURE_OBS_AVC: &str =
    "0142c01fffe1001c6742c01fda014016ec05a808080a000003000200000300791e30654001000468ce3c80";
const CAPTURE_OBS_AAC: &str = "1190";
const HEVC_MAIN_320X240_25: &str = concat!(
    "0101600000009000000000003cf000fcfdf8f800000f03200001001840010c01ffff0160000003009000000300000300",
    "3c959809210001002a42010101600000030090000003000003003ca00a080f165959a4932bc05a020000030002000003",
    "00321022000100074401c172b46240",
);
const HEVC_MAIN10_352X288_24: &str = concat!(
    "0102200000009000000000003cf000fcfdfafa00000f03200001001840010c01ffff0220000003009000000300000300",
    "3c959809210001002b42010102200000030090000003000003003ca00b080484d96566924caf01680800000300080000",
    "0300c04022000100074401c172b46240",
);
const HEVC_MAIN_426X240_2997: &str = concat!(
    "0101600000009000000000003cf000fcfdf8f800000f03200001001840010c01ffff0160000003009000000300000300",
    "3c959809210001002942010101600000030090000003000003003ca00d880f1c9e5959a4932bc05a02000007d20000ea",
    "601022000100074401c172b46240",
);
const HEVC_444_320X240: &str = concat!(
    "0104080000009e08000000003cf000fcfff8f800000f03200001001740010c01ffff0408000003009e0800000300003c",
    "95980921000100284201010408000003009e0800000300003c90014101e2cb2b349265780b4040000003004000000642",
    "22000100084401c172860c4624",
);
const HEVC_422_10_320X240: &str = concat!(
    "0104080000009d08000000003cf000fcfefafa00000f03200001001740010c01ffff0408000003009d0800000300003c",
    "95980921000100294201010408000003009d0800000300003cb00a080f1365959a4932bc05a020000003002000000303",
    "2122000100074401c172b46240",
);
const HEVC_FIELDS_720X576: &str = concat!(
    "0101600000004000000000005af000fcfdf8f800000f04200001001840010c01ffff0160000003004000000300000300",
    "5a959809210001002b42010101600000030040000003000003005aa005a20090596566924caf01686800000300080000",
    "0300c84022000100074401c172b4624027000100064e0181010f80",
);
const AV1_MAIN_320X180: &str = "81000c000a0b000000043cfeccdaf90040";
const AV1_HIGH_444_10: &str = "812040000a0a200000043cffbcdaf942";
const AV1_SVT_640X360_10: &str = "81014c000a0c0200000d6627fb3805f08080";
const AV1_709_FULL_RANGE: &str = "81000c000a0e000000043cffbcdaf91020201840";
const VP9_PROFILE0: &str = "010000000014820202020000";
const VP9_PROFILE1_444: &str = "010000000114860202020000";
const VP9_PROFILE2_10BIT: &str = "010000000214a20202090000";
const OPUS_STEREO: &str = "4f707573486561640102380180bb0000000000";
const OPUS_MONO_16K: &str = "4f7075734865616401013801803e0000000000";
const OPUS_51: &str = "4f707573486561640106380180bb00000000010402000401020305";
const FLAC_44K_STEREO_16: &str =
    "040004000000000010980ac442f00000000000000000000000000000000000000000";
const FLAC_96K_MONO_24: &str =
    "04000400000000000c16177001700000000000000000000000000000000000000000";
const AAC_48K_6CH: &str = "11b056e500";
const AAC_22K_STEREO: &str = "139056e500";
const AAC_48K_71: &str = "11e056e500";
const AAC_44K_STEREO: &str = "121056e500";
const AVC_HIGH422_10_1080P_2997: &str =
    "017a0028ffe10019677a0028b6cb403c0113f13808800001f480007530078c195001000468ce0fc8fefafa00";
const AVC_MAIN_576I_SAR16_15: &str =
    "014d401effe1001c674d401ef405a126ffc0040003c4000003000400000300c87c50aa8001000468de0fc8";
const AVC_HIGH444_1080P50: &str = "01f4002affe1001b67f4002a919680780227e27011000003000100000300640f1832a001000568ce0f1920fff8f800";
const AVC_BASELINE_720P60: &str =
    "0142c020ffe100176742c020da014016ec0440000003004000001e03c60ca801000468ce0fc8";

#[test]
fn ffmpeg_publish_avc_sequence_header() {
    let config = video("7", CAPTURE_FFMPEG_AVC);
    assert_eq!(
        config.summary(),
        "H.264 High 3.0, 640x360, 30 fps, 4:2:0 8-bit"
    );
    let CodecConfig::Avc(avc) = &config else {
        panic!("not AVC")
    };
    assert_eq!(avc.configuration_version, 1);
    assert_eq!(
        (
            avc.profile_indication,
            avc.profile_compatibility,
            avc.level_indication
        ),
        (100, 0, 30)
    );
    assert_eq!(avc.nal_length_size, 4);
    assert_eq!(
        (
            avc.sequence_parameter_sets.count,
            avc.sequence_parameter_sets.sizes.clone()
        ),
        (1, vec![26])
    );
    assert_eq!(
        (
            avc.picture_parameter_sets.count,
            avc.picture_parameter_sets.sizes.clone()
        ),
        (1, vec![4])
    );
    assert_eq!(avc.chroma_format, Some(ChromaFormat::Yuv420));
    assert_eq!(
        (avc.bit_depth_luma, avc.bit_depth_chroma),
        (Some(8), Some(8))
    );
    let sps = avc.sps.as_ref().expect("SPS decoded");
    assert_eq!((sps.profile.as_str(), sps.level.as_str()), ("High", "3.0"));
    // 360 is not a multiple of 16: 23 macroblock rows, cropped by 8 lines.
    assert_eq!(
        (sps.width, sps.height, sps.coded_width, sps.coded_height),
        (640, 360, 640, 368)
    );
    assert_eq!((sps.bit_depth_luma, sps.bit_depth_chroma), (8, 8));
    assert!(!sps.interlaced);
    assert_eq!(sps.sample_aspect_ratio, Some(Ratio { num: 1, den: 1 }));
    // x264 writes a tick of 1/60 s: one field period, two per frame.
    let timing = sps.timing.expect("VUI timing");
    assert_eq!((timing.num_units_in_tick, timing.time_scale), (1, 60));
    assert_eq!(sps.frame_rate, Some(30.0));
    assert_eq!(config.dimensions(), Some((640, 360)));
    assert_eq!(config.frame_rate(), Some(30.0));
    // The same record through the Enhanced RTMP FourCC.
    assert_eq!(video("avc1", CAPTURE_FFMPEG_AVC), config);
}

#[test]
fn ffmpeg_publish_aac_sequence_header() {
    let config = audio("10", CAPTURE_FFMPEG_AAC);
    assert_eq!(config.summary(), "AAC LC, 44100 Hz, 1 ch");
    let CodecConfig::Aac(aac) = &config else {
        panic!("not AAC")
    };
    assert_eq!(
        (
            aac.audio_object_type,
            aac.sampling_frequency_index,
            aac.channel_configuration
        ),
        (2, 4, 1)
    );
    // FFmpeg appends the 0x2b7 sync extension saying "no SBR".
    assert_eq!(aac.sbr, Some(false));
    assert_eq!(aac.samples_per_frame, Some(1024));
    assert_eq!(
        (config.sample_rate(), config.channels()),
        (Some(44100), Some(1))
    );
    assert_eq!(audio("mp4a", CAPTURE_FFMPEG_AAC), config);
}

#[test]
fn gstreamer_avc_record_without_high_profile_extension() {
    // Profile 244 requires the chroma/bit-depth extension, but GStreamer leaves it out.
    let config = video("avc1", CAPTURE_GST_AVC);
    let CodecConfig::Avc(avc) = &config else {
        panic!("not AVC")
    };
    assert_eq!(avc.profile_indication, 244);
    assert_eq!(
        (avc.chroma_format, avc.sps_extensions.as_ref()),
        (None, None)
    );
    let sps = avc.sps.as_ref().expect("SPS decoded");
    assert_eq!(sps.profile, "High 4:4:4 Predictive");
    assert_eq!(
        (sps.width, sps.height, sps.frame_rate),
        (640, 360, Some(30.0))
    );
    assert_eq!(sps.chroma_format, ChromaFormat::Yuv444);
    assert_eq!(
        config.summary(),
        "H.264 High 4:4:4 Predictive 3.0, 640x360, 30 fps, 4:4:4 10-bit"
    );
}

#[test]
fn obs_capture_avc_and_aac() {
    let config = video("avc1", CAPTURE_OBS_AVC);
    assert_eq!(
        config.summary(),
        "H.264 Constrained Baseline 3.1, 1280x720, 30 fps, 4:2:0 8-bit"
    );
    let CodecConfig::Avc(avc) = &config else {
        panic!("not AVC")
    };
    let colour = avc
        .sps
        .as_ref()
        .and_then(|s| s.colour)
        .expect("video signal type");
    assert_eq!(colour.describe(), "tv, bt709/bt709/bt709");
    let config = audio("mp4a", CAPTURE_OBS_AAC);
    assert_eq!(config.summary(), "AAC LC, 48000 Hz, 2 ch");
    let CodecConfig::Aac(aac) = &config else {
        panic!("not AAC")
    };
    // A bare two-byte config: SBR neither signalled present nor absent.
    assert_eq!(aac.sbr, None);
}

#[test]
fn avc_vectors_from_ffmpeg() {
    let cases = [
        (
            AVC_HIGH422_10_1080P_2997,
            "H.264 High 4:2:2 4.0, 1920x1080, 29.97 fps, 4:2:2 10-bit",
        ),
        (
            AVC_MAIN_576I_SAR16_15,
            "H.264 Main 3.0, 720x576, 25 fps, 4:2:0 8-bit, interlaced (MBAFF), SAR 16:15",
        ),
        (
            AVC_HIGH444_1080P50,
            "H.264 High 4:4:4 Predictive 4.2, 1920x1080, 50 fps, 4:4:4 8-bit",
        ),
        (
            AVC_BASELINE_720P60,
            "H.264 Constrained Baseline 3.2, 1280x720, 60 fps, 4:2:0 8-bit",
        ),
    ];
    for (record, summary) in cases {
        assert_eq!(video("avc1", record).summary(), summary);
    }
    let CodecConfig::Avc(avc) = video("avc1", AVC_MAIN_576I_SAR16_15) else {
        panic!()
    };
    let sps = avc.sps.expect("SPS");
    // Interlaced: x264 writes 1/50 s ticks (fields); a frame is two of them.
    let timing = sps.timing.expect("timing");
    assert_eq!(
        (timing.num_units_in_tick, timing.time_scale, sps.frame_rate),
        (1, 50, Some(25.0))
    );
    assert!(sps.interlaced && sps.mbaff);
    let CodecConfig::Avc(avc) = video("avc1", AVC_HIGH422_10_1080P_2997) else {
        panic!()
    };
    let timing = avc.sps.expect("SPS").timing.expect("timing");
    assert_eq!((timing.num_units_in_tick, timing.time_scale), (1001, 60000));
}

#[test]
fn hevc_vectors_from_ffmpeg() {
    let cases = [
        (
            HEVC_MAIN_320X240_25,
            "H.265 Main 2.0, 320x240, 25 fps, 4:2:0 8-bit",
        ),
        (
            HEVC_MAIN10_352X288_24,
            "H.265 Main 10 2.0, 352x288, 24 fps, 4:2:0 10-bit",
        ),
        (
            HEVC_MAIN_426X240_2997,
            "H.265 Main 2.0, 426x240, 29.97 fps, 4:2:0 8-bit",
        ),
        (
            HEVC_444_320X240,
            "H.265 Main 4:4:4 2.0, 320x240, 25 fps, 4:4:4 8-bit",
        ),
        (
            HEVC_422_10_320X240,
            "H.265 Main 4:2:2 10 2.0, 320x240, 25 fps, 4:2:2 10-bit",
        ),
    ];
    for (record, summary) in cases {
        assert_eq!(video("hvc1", record).summary(), summary);
        assert_eq!(video("12", record), video("hvc1", record));
    }
    let CodecConfig::Hevc(hevc) = video("hvc1", HEVC_MAIN_426X240_2997) else {
        panic!()
    };
    assert_eq!(
        (
            hevc.general_profile_idc,
            hevc.general_level_idc,
            hevc.general_tier_high
        ),
        (1, 60, false)
    );
    assert_eq!(hevc.general_profile_compatibility_flags, 0x6000_0000);
    assert_eq!(hevc.nal_length_size, 4);
    let types: Vec<u8> = hevc.arrays.iter().map(|a| a.units.nal_unit_type).collect();
    assert_eq!(types, [32, 33, 34]);
    let sps = hevc.sps.expect("SPS");
    // 426 is coded as 432 (multiple of the 8-sample minimum CU) with a conformance window.
    assert_eq!(
        (sps.coded_width, sps.coded_height, sps.width, sps.height),
        (432, 240, 426, 240)
    );
    let timing = sps.timing.expect("VUI timing");
    assert_eq!((timing.num_units_in_tick, timing.time_scale), (1001, 30000));
    assert_eq!(sps.vui_error, None);
}

#[test]
fn hevc_field_pictures() {
    // x265 interlace=tff was fed 25 progressive 720x576 pictures per second, which it codes as
    // 25 field pictures per second (field_seq_flag, tick = 1/25 s): 12.5 frames per second.
    let config = video("hvc1", HEVC_FIELDS_720X576);
    let CodecConfig::Hevc(hevc) = &config else {
        panic!()
    };
    assert_eq!(hevc.level, "3.0");
    assert_eq!(hevc.arrays.len(), 4, "VPS, SPS, PPS and a prefix SEI");
    let sps = hevc.sps.as_ref().expect("SPS");
    assert!(sps.field_seq);
    assert_eq!((sps.width, sps.height), (720, 576));
    assert_eq!(sps.frame_rate, Some(12.5));
    assert!(config.summary().ends_with("interlaced (field pictures)"));
}

#[test]
fn av1_vectors_from_ffmpeg() {
    let cases = [
        (AV1_MAIN_320X180, "AV1 Main 2.0, 320x180, 4:2:0 8-bit"),
        (AV1_HIGH_444_10, "AV1 High 2.0, 320x240, 4:4:4 10-bit"),
        (AV1_SVT_640X360_10, "AV1 Main 2.1, 640x360, 4:2:0 10-bit"),
        // ffprobe: "yuv420p(pc, bt709/unknown/unknown)": libaom passes on only the matrix.
        (
            AV1_709_FULL_RANGE,
            "AV1 Main 2.0, 320x240, 4:2:0 8-bit, pc, bt709/unspecified/unspecified",
        ),
    ];
    for (record, summary) in cases {
        assert_eq!(video("av01", record).summary(), summary);
    }
    let CodecConfig::Av1(av1) = video("av01", AV1_HIGH_444_10) else {
        panic!()
    };
    assert_eq!((av1.seq_profile, av1.seq_level_idx, av1.tier), (1, 0, 0));
    assert!(av1.high_bitdepth && !av1.twelve_bit && !av1.monochrome);
    assert!(!av1.chroma_subsampling_x && !av1.chroma_subsampling_y);
    let seq = av1.sequence_header.expect("sequence header OBU");
    assert_eq!(
        (seq.max_frame_width, seq.max_frame_height, seq.bit_depth),
        (320, 240, 10)
    );
    assert_eq!(seq.chroma_format, ChromaFormat::Yuv444);
}

#[test]
fn av1_record_without_config_obus() {
    // FFmpeg's first av01 sequence start carries the 4-byte header only.
    let CodecConfig::Av1(av1) = video("av01", "81000c00") else {
        panic!()
    };
    assert_eq!(
        (
            av1.config_obus_len,
            av1.sequence_header,
            av1.sequence_header_error
        ),
        (0, None, None)
    );
    assert_eq!(av1.chroma_format, ChromaFormat::Yuv420);
}

#[test]
fn vp9_vectors_from_ffmpeg() {
    assert_eq!(
        video("vp09", VP9_PROFILE0).summary(),
        "VP9 Profile 0 2.0, 4:2:0 8-bit"
    );
    assert_eq!(
        video("vp09", VP9_PROFILE1_444).summary(),
        "VP9 Profile 1 2.0, 4:4:4 8-bit"
    );
    // ffprobe: "vp9 (Profile 2), yuv420p10le(tv, bt2020nc/unknown/unknown)".
    assert_eq!(
        video("vp09", VP9_PROFILE2_10BIT).summary(),
        "VP9 Profile 2 2.0, 4:2:0 10-bit, tv, bt2020nc/unspecified/unspecified"
    );
    let CodecConfig::Vp9(vp9) = video("vp09", VP9_PROFILE0) else {
        panic!()
    };
    assert_eq!(
        (vp9.version, vp9.flags, vp9.level, vp9.chroma_subsampling),
        (1, 0, 20, 1)
    );
}

#[test]
fn aac_vectors_from_ffmpeg() {
    // ffprobe shows 44100 Hz for the 48 kHz files: it trusts the FLV tag's 2-bit rate code.
    assert_eq!(
        audio("mp4a", AAC_48K_6CH).summary(),
        "AAC LC, 48000 Hz, 6 ch"
    );
    assert_eq!(
        audio("mp4a", AAC_22K_STEREO).summary(),
        "AAC LC, 22050 Hz, 2 ch"
    );
    assert_eq!(
        audio("mp4a", AAC_44K_STEREO).summary(),
        "AAC LC, 44100 Hz, 2 ch"
    );
    // FFmpeg 9 signals 7.1 as channelConfiguration 12 (ISO/IEC 14496-3:2019).
    let config = audio("mp4a", AAC_48K_71);
    let CodecConfig::Aac(aac) = &config else {
        panic!()
    };
    assert_eq!((aac.channel_configuration, aac.channels), (12, Some(8)));
}

#[test]
fn opus_vectors_from_ffmpeg() {
    let config = audio("Opus", OPUS_STEREO);
    assert_eq!(
        config.summary(),
        "Opus, 2 ch, 48000 Hz (input 48000 Hz), pre-skip 312"
    );
    assert_eq!(
        audio("Opus", OPUS_MONO_16K).summary(),
        "Opus, 1 ch, 48000 Hz (input 16000 Hz), pre-skip 312"
    );
    let CodecConfig::Opus(opus) = audio("Opus", OPUS_51) else {
        panic!()
    };
    assert_eq!((opus.channel_count, opus.mapping_family), (6, 1));
    assert_eq!((opus.stream_count, opus.coupled_count), (Some(4), Some(2)));
    assert_eq!(opus.channel_mapping, [0, 4, 1, 2, 3, 5]);
}

#[test]
fn flac_vectors_from_ffmpeg() {
    assert_eq!(
        audio("fLaC", FLAC_44K_STEREO_16).summary(),
        "FLAC, 44100 Hz, 2 ch, 16-bit"
    );
    // ffprobe: "flac, 96000 Hz, mono, s32 (24 bit)".
    assert_eq!(
        audio("fLaC", FLAC_96K_MONO_24).summary(),
        "FLAC, 96000 Hz, 1 ch, 24-bit"
    );
    let CodecConfig::Flac(flac) = audio("fLaC", FLAC_44K_STEREO_16) else {
        panic!()
    };
    assert_eq!(
        (
            flac.min_block_size,
            flac.max_block_size,
            flac.max_frame_size
        ),
        (1024, 1024, 4248)
    );
    assert_eq!(flac.total_samples, 0);
    // The same block behind the "fLaC" marker and a last-block STREAMINFO header.
    let framed = format!("664c614380000022{FLAC_44K_STEREO_16}");
    assert_eq!(audio("flac", &framed), audio("fLaC", FLAC_44K_STEREO_16));
}

#[test]
fn summaries_serialize_with_codec_tag() {
    let json = serde_json::to_value(video("avc1", CAPTURE_FFMPEG_AVC)).expect("serializes");
    assert_eq!(json["codec"], "avc");
    assert_eq!(json["sps"]["width"], 640);
    assert_eq!(json["sps"]["chroma_format"], "4:2:0");
    let back: CodecConfig = serde_json::from_value(json).expect("deserializes");
    assert_eq!(back, video("avc1", CAPTURE_FFMPEG_AVC));
}
