//! Hand-built records for what real encoders in reach do not produce: HE-AAC signalling, program
//! config elements, escaped object types, AV1 timing info, HEVC VPS timing, Annex B sequence
//! headers, dOps/dfLa framings. Real records are tested in tests/codec_real.rs.

use super::hevc_sps::parse_vps_timing;
use super::*;

/// Packs a string of '0'/'1' (other characters ignored) MSB first, zero-padding the last byte.
fn bits(text: &str) -> Vec<u8> {
    let bits: Vec<bool> = text
        .chars()
        .filter_map(|c| match c {
            '0' => Some(false),
            '1' => Some(true),
            _ => None,
        })
        .collect();
    bits.chunks(8)
        .map(|chunk| {
            chunk
                .iter()
                .enumerate()
                .fold(0u8, |acc, (i, &b)| acc | (u8::from(b) << (7 - i)))
        })
        .collect()
}

/// `value` as `width` binary digits.
fn field(value: u64, width: usize) -> String {
    format!("{value:0width$b}")
}

#[test]
fn he_aac_hierarchical_signalling() {
    // AOT 5 (SBR), 24 kHz core, stereo, 48 kHz SBR, then AOT 2: the classic "2B 11 88 00".
    let aac = decode_aac_config(&[0x2b, 0x11, 0x88, 0x00]).unwrap();
    assert_eq!((aac.audio_object_type, aac.name.as_str()), (2, "HE-AAC"));
    assert_eq!(
        (aac.sample_rate, aac.extension_sample_rate),
        (24000, Some(48000))
    );
    assert_eq!((aac.sbr, aac.ps), (Some(true), None));
    assert_eq!(aac.summary(), "HE-AAC, 48000 Hz (core 24000 Hz), 2 ch");
    // AOT 29 (PS), mono core: HE-AAC v2 decodes to stereo.
    let config = CodecConfig::Aac(decode_aac_config(&[0xeb, 0x09, 0x88, 0x00]).unwrap());
    assert_eq!(
        config.summary(),
        "HE-AAC v2, 48000 Hz (core 24000 Hz), 2 ch"
    );
    assert_eq!(
        (config.sample_rate(), config.channels()),
        (Some(48000), Some(2))
    );
}

#[test]
fn he_aac_backward_compatible_signalling() {
    // AAC LC 24 kHz mono, GASpecificConfig, then sync extension 0x2b7: SBR present at 48 kHz,
    // and sync extension 0x548: PS present.
    let record = bits("00010 0110 0001 000  01010110111 00101 1 0011  10101001000 1");
    let aac = decode_aac_config(&record).unwrap();
    assert_eq!(
        (aac.sbr, aac.ps, aac.extension_sample_rate),
        (Some(true), Some(true), Some(48000))
    );
    assert_eq!(aac.summary(), "HE-AAC v2, 48000 Hz (core 24000 Hz), 2 ch");
    assert_eq!(aac.tail_error, None);
}

#[test]
fn aac_escaped_object_type_and_explicit_rate() {
    // 31 + 7 = 39 (ER AAC ELD), 48 kHz, stereo: its specific config is not decoded.
    let aac = decode_aac_config(&bits("11111 000111 0011 0010")).unwrap();
    assert_eq!(
        (aac.audio_object_type, aac.name.as_str()),
        (39, "ER AAC ELD")
    );
    assert_eq!(aac.samples_per_frame, None);
    // AAC LC at an explicit 44056 Hz.
    let record = bits(&format!("00010 1111 {} 0010 000", field(44056, 24)));
    let aac = decode_aac_config(&record).unwrap();
    assert_eq!((aac.sampling_frequency_index, aac.sample_rate), (15, 44056));
    // USAC via the escape: 31 + 10.
    assert_eq!(
        decode_aac_config(&bits("11111 001010 0011 0010"))
            .unwrap()
            .name,
        "USAC"
    );
}

#[test]
fn aac_program_config_element_counts_channels() {
    // channelConfiguration 0: a PCE with front SCE + front CPE, one back CPE and one LFE = 6.
    let pce = concat!(
        "0000 01 0011", // element_instance_tag, object_type, sampling_frequency_index
        "0010 0000 0001 01 000 0000", // 2 front, 0 side, 1 back, 1 LFE, 0 assoc, 0 cc
        "0 0 0",        // no mixdowns
        "0 0000  1 0001", // front: SCE, CPE
        "1 0010",       // back: CPE
        "0000",         // LFE tag
    );
    let head = "00010 0011 0000 000"; // AAC LC, 48 kHz, config 0, GASpecificConfig flags
    let mut text = format!("{head}{pce}");
    let used = text.chars().filter(|c| *c == '0' || *c == '1').count();
    text.push_str(&"0".repeat((8 - used % 8) % 8)); // byte_alignment()
    text.push_str("00000010 01101000 01101001"); // comment: 2 bytes, "hi"
    let aac = decode_aac_config(&bits(&text)).unwrap();
    assert_eq!((aac.channel_configuration, aac.channels), (0, Some(6)));
    assert_eq!(aac.tail_error, None);
    // A PCE whose comment runs past the end: channels unknown, the problem recorded.
    let truncated = bits(&format!("{head}{pce}0000 11111111"));
    let aac = decode_aac_config(&truncated).unwrap();
    assert_eq!(aac.channels, None);
    assert!(aac.tail_error.is_some());
}

#[test]
fn aac_reserved_channel_configuration() {
    let aac = decode_aac_config(&bits("00010 0100 1000 000")).unwrap();
    assert_eq!(aac.channels, None);
    assert_eq!(aac.summary(), "AAC LC, 44100 Hz, channel configuration 8");
}

#[test]
fn avc_profile_and_level_names() {
    assert_eq!(avc_profile_name(66, 0x40), "Constrained Baseline");
    assert_eq!(avc_profile_name(100, 0x0c), "Constrained High");
    assert_eq!(avc_profile_name(100, 0x08), "Progressive High");
    assert_eq!(avc_profile_name(110, 0x10), "High 10 Intra");
    assert_eq!(avc_profile_name(99, 0), "profile 99");
    assert_eq!(avc_level_name(66, 0x10, 11), "1b");
    assert_eq!(avc_level_name(100, 0, 9), "1b");
    assert_eq!(avc_level_name(100, 0x10, 11), "1.1");
    assert_eq!(avc_level_name(100, 0, 51), "5.1");
}

#[test]
fn avc_annex_b_in_place_of_the_record() {
    let sps = "6764001eacd940a02ff970110000030001000003003c0f162d96";
    let pps = "68efbcb0";
    let text = format!("00000001{sps}000001{pps}");
    let data: Vec<u8> = (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect();
    let avc = decode_avc_config(&data).unwrap();
    assert_eq!((avc.configuration_version, avc.nal_length_size), (0, 0));
    assert_eq!((avc.profile_indication, avc.level_indication), (100, 30));
    assert_eq!(avc.sequence_parameter_sets.sizes, [26]);
    assert_eq!(avc.picture_parameter_sets.sizes, [4]);
    assert_eq!(
        avc.summary(),
        "H.264 High 3.0, 640x360, 30 fps, 4:2:0 8-bit"
    );
    assert!(decode_avc_config(&[0, 0, 1, 0x68, 0xef]).is_err(), "no SPS");
}

#[test]
fn hevc_profile_and_level_names() {
    assert_eq!(
        hevc_profile_name(0, 0x2000_0000, 0),
        "Main 10",
        "from compatibility flag 2"
    );
    let flag = |bit: u32| 1u64 << bit;
    // max_12bit, max_10bit, max_8bit, max_422, max_420, max_monochrome, intra, one_picture.
    let mono12 = flag(43) | flag(40) | flag(39) | flag(38);
    assert_eq!(hevc_profile_name(4, 0, mono12), "Monochrome 12");
    assert_eq!(
        hevc_profile_name(4, 0, flag(37) | flag(36)),
        "Main 4:4:4 16 Still Picture"
    );
    let main_intra = flag(43) | flag(42) | flag(41) | flag(40) | flag(39) | flag(37);
    assert_eq!(hevc_profile_name(4, 0, main_intra), "Main Intra");
    assert_eq!(hevc_level_name(93), "3.1");
    assert_eq!(hevc_level_name(120), "4.0");
    assert_eq!(hevc_level_name(61), "level_idc 61");
}

#[test]
fn hevc_vps_timing() {
    let ptl = "00 0 00001 01100000000000000000000000000000 1001".to_string()
        + &"0".repeat(44)
        + "00111100";
    let text = format!(
        "0100000000000001 0000 1 1 000000 000 1 {} {ptl} 1 00101 011 00110 000000 1 1 {} {} 0",
        "1".repeat(16),
        field(1001, 32),
        field(60000, 32),
    );
    let timing = parse_vps_timing(&bits(&text)).unwrap().unwrap();
    assert_eq!((timing.num_units_in_tick, timing.time_scale), (1001, 60000));
    assert!((timing.frame_rate().unwrap() - 59.94).abs() < 0.01);
    // No timing: vps_timing_info_present_flag 0.
    let text = format!(
        "0100000000000001 0000 1 1 000000 000 1 {} {ptl} 1 00101 011 00110 000000 1 0",
        "1".repeat(16)
    );
    assert_eq!(parse_vps_timing(&bits(&text)).unwrap(), None);
}

fn av1_sequence_header_1080p_hdr() -> String {
    [
        "000 0 0",                                                    // profile 0, not still
        &format!("1 {} {} 1 010", field(1001, 32), field(60000, 32)), // timing, 2 ticks/picture
        "0 0 00000",                                                  // no decoder model, 1 op
        "000000000000 01000 1", // op 0: level 8 (4.0), High tier
        &format!("1010 1010 {} {}", field(1919, 11), field(1079, 11)),
        "0 000 0000 1 00 1 1 110", // coding tools, order hint
        "0 1 1",                   // superres, cdef, restoration
        "1 0 1 00001001 00010000 00001001 0 00 0", // 10-bit, BT.2020 PQ, tv range
        "0",                       // film grain
    ]
    .join(" ")
}

#[test]
fn av1_sequence_header_with_timing_and_colour() {
    let obu = bits(&av1_sequence_header_1080p_hdr());
    let mut record = vec![0x81, 0x08, 0xcc, 0x00, 0x0a, obu.len() as u8];
    record.extend(&obu);
    let av1 = decode_av1_config(&record).unwrap();
    assert_eq!(av1.sequence_header_error, None);
    let seq = av1.sequence_header.as_ref().unwrap();
    assert_eq!((seq.max_frame_width, seq.max_frame_height), (1920, 1080));
    assert_eq!((seq.seq_level_idx, seq.seq_tier, seq.bit_depth), (8, 1, 10));
    assert_eq!(seq.timing.unwrap().num_ticks_per_picture, Some(2));
    assert_eq!(
        av1.summary(),
        "AV1 Main 4.0, High tier, 1920x1080, 29.97 fps, 4:2:0 10-bit, tv, bt2020nc/bt2020/smpte2084"
    );
    // The same OBU without obu_has_size_field (it runs to the end), behind a temporal delimiter.
    let mut record = vec![0x81, 0x08, 0xcc, 0x00, 0x12, 0x00, 0x08];
    record.extend(&obu);
    assert_eq!(
        decode_av1_config(&record).unwrap().sequence_header.as_ref(),
        Some(seq)
    );
}

#[test]
fn av1_reduced_still_picture_header() {
    let obu = bits("000 1 1 00100 0111 0111 00001111 00001111 000 0 1 0 00 0 0 0");
    let mut record = vec![0x81, 0x04, 0x0c, 0x00, 0x0a, obu.len() as u8];
    record.extend(&obu);
    let seq = decode_av1_config(&record).unwrap().sequence_header.unwrap();
    assert!(seq.still_picture && seq.reduced_still_picture_header);
    assert_eq!(
        (seq.seq_level_idx, seq.max_frame_width, seq.max_frame_height),
        (4, 16, 16)
    );
}

#[test]
fn opus_dops_body_and_gain() {
    let dops = [0, 2, 0x01, 0x38, 0, 0, 0xbb, 0x80, 0, 0, 0];
    let opus = decode_opus_config(&dops).unwrap();
    assert_eq!(
        (
            opus.version,
            opus.channel_count,
            opus.pre_skip,
            opus.input_sample_rate
        ),
        (0, 2, 312, 48000)
    );
    let mut head = b"OpusHead".to_vec();
    head.extend([1, 1, 0x38, 0x01, 0x80, 0xbb, 0, 0, 0x00, 0xff, 0]);
    let opus = decode_opus_config(&head).unwrap();
    assert_eq!(opus.output_gain_db, -1.0);
    assert!(opus.summary().ends_with("gain -1.00 dB"));
    head[9] = 3; // three channels need a mapping table
    assert!(decode_opus_config(&head).is_err());
}

#[test]
fn flac_behind_dfla_fullbox() {
    let streaminfo = bits(&format!(
        "{} {} {} {} {} 101 10111 {} {}",
        field(4096, 16),
        field(4096, 16),
        field(14, 24),
        field(9000, 24),
        field(48000, 20),
        field(48000 * 60, 36),
        "1".repeat(128),
    ));
    let mut dfla = vec![0, 0, 0, 0, 0x80, 0, 0, 34];
    dfla.extend(&streaminfo);
    let flac = decode_flac_config(&dfla).unwrap();
    assert_eq!(
        (flac.sample_rate, flac.channels, flac.bits_per_sample),
        (48000, 6, 24)
    );
    assert_eq!(
        (flac.total_samples, flac.md5.as_str()),
        (2_880_000, "ffffffffffffffffffffffffffffffff")
    );
    assert_eq!(decode_flac_config(&streaminfo).unwrap(), flac);
}

#[test]
fn dispatch_keys() {
    assert_eq!(legacy_video_codec_fourcc(7), Some("avc1"));
    assert_eq!(legacy_video_codec_fourcc(12), Some("hvc1"));
    assert_eq!(legacy_video_codec_fourcc(2), None);
    assert_eq!(legacy_audio_format_fourcc(10), Some("mp4a"));
    assert_eq!(legacy_audio_format_fourcc(2), None);
    let aac = decode_audio_config("AAC", &[0x12, 0x10]).unwrap();
    assert_eq!((aac.fourcc(), aac.is_video()), ("mp4a", false));
    let opus = decode_audio_config("OPUS", b"OpusHead\x01\x02\x38\x01\x80\xbb\0\0\0\0\0").unwrap();
    assert_eq!(opus.fourcc(), "Opus");
    let vp9 = decode_video_config("vp9", &[1, 0, 0, 0, 0, 10, 0x82, 1, 1, 1, 0, 0]).unwrap();
    assert!(vp9.is_video());
    assert_eq!(
        vp9.summary(),
        "VP9 Profile 0 1.0, 4:2:0 8-bit, tv, bt709/bt709/bt709"
    );
    assert_eq!((vp9.dimensions(), vp9.frame_rate()), (None, None));
}
