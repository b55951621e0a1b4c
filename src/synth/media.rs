//! H.264-like video and AAC-like audio: sequence headers that decode (a real SPS/PPS and
//! AudioSpecificConfig), then frames whose FLV tag headers are right and whose payload is noise.

use super::rng::Rng;

/// Audio: AAC-LC, 44.1 kHz, stereo, 1024 samples per frame (~23.2 ms).
pub(crate) const AUDIO_RATE: u64 = 44_100;
pub(crate) const SAMPLES_PER_FRAME: u64 = 1024;

/// Writes bits MSB first, with H.264 Exp-Golomb codes.
struct BitWriter {
    bytes: Vec<u8>,
    bits: u32,
}

impl BitWriter {
    fn new() -> Self {
        BitWriter {
            bytes: Vec::new(),
            bits: 0,
        }
    }

    fn bit(&mut self, b: bool) {
        if self.bits % 8 == 0 {
            self.bytes.push(0);
        }
        if b {
            if let Some(last) = self.bytes.last_mut() {
                *last |= 0x80 >> (self.bits % 8);
            }
        }
        self.bits += 1;
    }

    fn bits(&mut self, value: u32, n: u32) {
        for i in (0..n).rev() {
            self.bit((value >> i) & 1 == 1);
        }
    }

    /// Unsigned Exp-Golomb.
    fn ue(&mut self, value: u32) {
        let v = u64::from(value) + 1;
        let len = 64 - v.leading_zeros();
        self.bits(0, len - 1);
        for i in (0..len).rev() {
            self.bit((v >> i) & 1 == 1);
        }
    }

    /// RBSP trailing bits, then emulation prevention (00 00 0x → 00 00 03 0x for x ≤ 3).
    fn finish_nal(mut self) -> Vec<u8> {
        self.bit(true);
        let mut out = Vec::with_capacity(self.bytes.len() + 4);
        let mut zeros = 0;
        for b in self.bytes {
            if zeros >= 2 && b <= 3 {
                out.push(3);
                zeros = 0;
            }
            zeros = if b == 0 { zeros + 1 } else { 0 };
            out.push(b);
        }
        out
    }
}

/// A High profile, level 3.1, 4:2:0 8-bit SPS NAL unit (with its header byte).
fn sps(width: u32, height: u32) -> Vec<u8> {
    let mut w = BitWriter::new();
    w.bits(0x67, 8); // nal_ref_idc 3, type 7
    w.bits(100, 8); // profile_idc: High
    w.bits(0, 8); // constraint flags
    w.bits(31, 8); // level_idc
    w.ue(0); // seq_parameter_set_id
    w.ue(1); // chroma_format_idc 4:2:0
    w.ue(0); // bit_depth_luma_minus8
    w.ue(0); // bit_depth_chroma_minus8
    w.bit(false); // qpprime_y_zero_transform_bypass_flag
    w.bit(false); // seq_scaling_matrix_present_flag
    w.ue(0); // log2_max_frame_num_minus4
    w.ue(0); // pic_order_cnt_type
    w.ue(2); // log2_max_pic_order_cnt_lsb_minus4
    w.ue(4); // max_num_ref_frames
    w.bit(false); // gaps_in_frame_num_value_allowed_flag
    let mbs_w = width.div_ceil(16);
    let mbs_h = height.div_ceil(16);
    w.ue(mbs_w - 1);
    w.ue(mbs_h - 1);
    w.bit(true); // frame_mbs_only_flag
    w.bit(true); // direct_8x8_inference_flag
    let (crop_r, crop_b) = ((mbs_w * 16 - width) / 2, (mbs_h * 16 - height) / 2);
    let crop = crop_r > 0 || crop_b > 0;
    w.bit(crop);
    if crop {
        w.ue(0);
        w.ue(crop_r);
        w.ue(0);
        w.ue(crop_b);
    }
    w.bit(false); // vui_parameters_present_flag
    w.finish_nal()
}

/// A PPS NAL unit for CABAC with 8x8 transform (what x264 writes for High profile).
fn pps() -> Vec<u8> {
    let mut w = BitWriter::new();
    w.bits(0x68, 8);
    w.ue(0); // pic_parameter_set_id
    w.ue(0); // seq_parameter_set_id
    w.bit(true); // entropy_coding_mode_flag (CABAC)
    w.bit(false); // bottom_field_pic_order_in_frame_present_flag
    w.ue(0); // num_slice_groups_minus1
    w.ue(2); // num_ref_idx_l0_default_active_minus1
    w.ue(0); // num_ref_idx_l1_default_active_minus1
    w.bit(true); // weighted_pred_flag
    w.bits(2, 2); // weighted_bipred_idc
    w.ue(0); // pic_init_qp_minus26 (se(0) = ue(0))
    w.ue(0); // pic_init_qs_minus26
    w.ue(0); // chroma_qp_index_offset
    w.bit(true); // deblocking_filter_control_present_flag
    w.bit(false); // constrained_intra_pred_flag
    w.bit(false); // redundant_pic_cnt_present_flag
    w.bit(true); // transform_8x8_mode_flag
    w.bit(false); // pic_scaling_matrix_present_flag
    w.ue(0); // second_chroma_qp_index_offset
    w.finish_nal()
}

/// The AVC sequence header message body: FLV video tag header + AVCDecoderConfigurationRecord.
pub(crate) fn avc_sequence_header(width: u32, height: u32) -> Vec<u8> {
    let sps = sps(width, height);
    let pps = pps();
    let mut body = vec![0x17, 0x00, 0, 0, 0];
    body.extend_from_slice(&[1, 100, 0, 31, 0xff, 0xe1]);
    body.extend_from_slice(&(sps.len() as u16).to_be_bytes());
    body.extend_from_slice(&sps);
    body.push(1);
    body.extend_from_slice(&(pps.len() as u16).to_be_bytes());
    body.extend_from_slice(&pps);
    // High profile: chroma_format, bit depths, no SPS extensions.
    body.extend_from_slice(&[0xfc | 1, 0xf8, 0xf8, 0]);
    body
}

/// The AVC end-of-sequence message ffmpeg sends when it stops.
pub(crate) const AVC_END_OF_SEQUENCE: [u8; 5] = [0x17, 0x02, 0, 0, 0];

/// The AAC sequence header body: AAC-LC (2), 44.1 kHz (index 4), 2 channels.
pub(crate) const AAC_SEQUENCE_HEADER: [u8; 4] = [0xaf, 0x00, 0x12, 0x10];

/// Random bytes that frame payloads are cut from, so a gigabyte costs no random generation.
pub(crate) struct NoisePool {
    bytes: Vec<u8>,
    at: usize,
}

impl NoisePool {
    pub const LEN: usize = 1 << 20;

    pub fn new(rng: &mut Rng) -> Self {
        let mut bytes = vec![0u8; 2 * Self::LEN];
        rng.fill(&mut bytes);
        NoisePool { bytes, at: 0 }
    }

    /// `len` (at most [`Self::LEN`]) noise bytes, from a moving place in the pool.
    pub fn take(&mut self, len: usize, rng: &mut Rng) -> &[u8] {
        let len = len.min(Self::LEN);
        self.at = (self.at + rng.range(1, 4096) as usize) % Self::LEN;
        self.bytes.get(self.at..self.at + len).unwrap_or_default()
    }
}

/// Appends a coded video frame body of `size` bytes (at least 10).
pub(crate) fn video_frame(
    out: &mut Vec<u8>,
    keyframe: bool,
    composition_ms: u32,
    size: usize,
    noise: &[u8],
) {
    let size = size.max(10);
    out.push(if keyframe { 0x17 } else { 0x27 });
    out.push(1);
    out.extend_from_slice(&composition_ms.to_be_bytes()[1..]);
    let nal_len = (size - 9) as u32;
    out.extend_from_slice(&nal_len.to_be_bytes());
    // IDR slice (nal_ref_idc 3, type 5) or non-IDR slice (nal_ref_idc 2, type 1).
    out.push(if keyframe { 0x65 } else { 0x41 });
    let want = size - 10;
    out.extend_from_slice(noise.get(..want).unwrap_or(noise));
    out.resize(out.len() + want.saturating_sub(noise.len()), 0x5a);
}

/// Appends a raw AAC frame body of `size` bytes (at least 3).
pub(crate) fn audio_frame(out: &mut Vec<u8>, size: usize, noise: &[u8]) {
    let size = size.max(3);
    out.extend_from_slice(&[0xaf, 0x01]);
    let want = size - 2;
    out.extend_from_slice(noise.get(..want).unwrap_or(noise));
    out.resize(out.len() + want.saturating_sub(noise.len()), 0x5a);
}

/// Timestamp (ms) of video frame `n` at `fps`, rounded as ffmpeg's FLV muxer does.
pub(crate) fn video_ts(n: u64, fps: u32) -> u64 {
    (n * 1000 + u64::from(fps) / 2) / u64::from(fps.max(1))
}

/// Timestamp (ms) of audio frame `n`.
pub(crate) fn audio_ts(n: u64) -> u64 {
    (n * SAMPLES_PER_FRAME * 1000 + AUDIO_RATE / 2) / AUDIO_RATE
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::codec;

    #[test]
    fn sequence_headers_decode() {
        let body = avc_sequence_header(1280, 720);
        let video = codec::decode_video_config("avc1", &body[5..]).unwrap();
        let summary = format!("{video:?}");
        assert!(
            summary.contains("1280") && summary.contains("720"),
            "{summary}"
        );
        assert!(!summary.contains("error: Some"), "{summary}");
        let audio = codec::decode_audio_config("mp4a", &AAC_SEQUENCE_HEADER[2..]).unwrap();
        assert_eq!(audio.sample_rate(), Some(44100));
        assert_eq!(audio.channels(), Some(2));
    }

    #[test]
    fn exp_golomb_and_emulation_prevention() {
        let mut w = BitWriter::new();
        w.ue(0); // 1
        w.ue(1); // 010
        w.ue(4); // 00101
        w.bits(0, 7);
        assert_eq!(w.bytes, vec![0b1010_0010, 0b1000_0000]);
        let mut z = BitWriter::new();
        z.bits(0, 24);
        assert_eq!(z.finish_nal(), vec![0, 0, 3, 0, 0x80]);
    }

    #[test]
    fn frames_have_the_asked_size_and_tag_header() {
        let noise = [9u8; 64];
        let mut v = Vec::new();
        video_frame(&mut v, true, 67, 100, &noise);
        assert_eq!(v.len(), 100);
        assert_eq!(&v[..5], &[0x17, 1, 0, 0, 67]);
        assert_eq!(u32::from_be_bytes(v[5..9].try_into().unwrap()), 91);
        let mut a = Vec::new();
        audio_frame(&mut a, 371, &noise);
        assert_eq!(a.len(), 371);
        assert_eq!(video_ts(1, 30), 33);
        assert_eq!(video_ts(2, 30), 67);
        assert_eq!(audio_ts(1), 23);
        assert_eq!(audio_ts(3), 70);
    }
}
