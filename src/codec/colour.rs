//! Picture-format facts shared by the video decoders: chroma format, colour description
//! (ITU-T H.273 code points) and ratios.

use serde::{Deserialize, Serialize};

/// Chroma sampling of a video stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ChromaFormat {
    #[serde(rename = "4:0:0")]
    Monochrome,
    #[serde(rename = "4:2:0")]
    Yuv420,
    #[serde(rename = "4:2:2")]
    Yuv422,
    #[serde(rename = "4:4:4")]
    Yuv444,
    /// A `chroma_format_idc` the specs reserve.
    #[serde(rename = "reserved")]
    Reserved,
}

impl ChromaFormat {
    /// From the H.264/HEVC `chroma_format_idc` (0..=3), also used by the avcC/hvcC records.
    pub fn from_idc(idc: u32) -> Self {
        match idc {
            0 => ChromaFormat::Monochrome,
            1 => ChromaFormat::Yuv420,
            2 => ChromaFormat::Yuv422,
            3 => ChromaFormat::Yuv444,
            _ => ChromaFormat::Reserved,
        }
    }

    /// From AV1's subsampling flags.
    pub fn from_subsampling(monochrome: bool, x: bool, y: bool) -> Self {
        match (monochrome, x, y) {
            (true, _, _) => ChromaFormat::Monochrome,
            (false, true, true) => ChromaFormat::Yuv420,
            (false, true, false) => ChromaFormat::Yuv422,
            (false, false, false) => ChromaFormat::Yuv444,
            (false, false, true) => ChromaFormat::Reserved,
        }
    }

    /// "4:2:0", "4:4:4", ...
    pub fn as_str(self) -> &'static str {
        match self {
            ChromaFormat::Monochrome => "4:0:0",
            ChromaFormat::Yuv420 => "4:2:0",
            ChromaFormat::Yuv422 => "4:2:2",
            ChromaFormat::Yuv444 => "4:4:4",
            ChromaFormat::Reserved => "reserved chroma",
        }
    }
}

/// A ratio such as a sample aspect ratio (16:15) or a frame rate (30000/1001).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ratio {
    pub num: u32,
    pub den: u32,
}

/// Colour description in ITU-T H.273 code points, as carried by H.264 VUI, AV1 and vpcC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColourInfo {
    pub colour_primaries: u8,
    pub transfer_characteristics: u8,
    pub matrix_coefficients: u8,
    /// Full-range (0..255 for 8-bit) samples rather than limited ("TV") range.
    pub full_range: bool,
}

impl ColourInfo {
    /// True when all three code points are 2 ("unspecified").
    pub fn is_unspecified(&self) -> bool {
        self.colour_primaries == 2
            && self.transfer_characteristics == 2
            && self.matrix_coefficients == 2
    }

    /// FFmpeg-style short name of the colour primaries ("bt709", "bt2020", ...).
    pub fn primaries_name(&self) -> &'static str {
        match self.colour_primaries {
            1 => "bt709",
            2 => "unspecified",
            4 => "bt470m",
            5 => "bt470bg",
            6 => "smpte170m",
            7 => "smpte240m",
            8 => "film",
            9 => "bt2020",
            10 => "smpte428",
            11 => "smpte431",
            12 => "smpte432",
            22 => "ebu3213",
            _ => "reserved",
        }
    }

    /// FFmpeg-style short name of the transfer characteristics ("bt709", "smpte2084", ...).
    pub fn transfer_name(&self) -> &'static str {
        match self.transfer_characteristics {
            1 => "bt709",
            2 => "unspecified",
            4 => "gamma22",
            5 => "gamma28",
            6 => "smpte170m",
            7 => "smpte240m",
            8 => "linear",
            9 => "log100",
            10 => "log316",
            11 => "iec61966-2-4",
            12 => "bt1361e",
            13 => "iec61966-2-1",
            14 => "bt2020-10",
            15 => "bt2020-12",
            16 => "smpte2084",
            17 => "smpte428",
            18 => "arib-std-b67",
            _ => "reserved",
        }
    }

    /// FFmpeg-style short name of the matrix coefficients ("bt709", "bt2020nc", ...).
    pub fn matrix_name(&self) -> &'static str {
        match self.matrix_coefficients {
            0 => "gbr",
            1 => "bt709",
            2 => "unspecified",
            4 => "fcc",
            5 => "bt470bg",
            6 => "smpte170m",
            7 => "smpte240m",
            8 => "ycgco",
            9 => "bt2020nc",
            10 => "bt2020c",
            11 => "smpte2085",
            12 => "chroma-derived-nc",
            13 => "chroma-derived-c",
            14 => "ictcp",
            _ => "reserved",
        }
    }

    /// "tv, bt709/bt709/bt709" in the shape ffprobe prints; "tv" or "pc" alone when unspecified.
    pub fn describe(&self) -> String {
        let range = if self.full_range { "pc" } else { "tv" };
        if self.is_unspecified() {
            range.to_string()
        } else {
            format!(
                "{range}, {}/{}/{}",
                self.matrix_name(),
                self.primaries_name(),
                self.transfer_name()
            )
        }
    }
}

/// The sample aspect ratio for an `aspect_ratio_idc` of H.264/HEVC VUI (Table E-1); 255
/// (explicit) and 0/reserved values are handled by the caller.
pub(crate) fn sar_from_idc(idc: u8) -> Option<Ratio> {
    let (num, den) = match idc {
        1 => (1, 1),
        2 => (12, 11),
        3 => (10, 11),
        4 => (16, 11),
        5 => (40, 33),
        6 => (24, 11),
        7 => (20, 11),
        8 => (32, 11),
        9 => (80, 33),
        10 => (18, 11),
        11 => (15, 11),
        12 => (64, 33),
        13 => (160, 99),
        14 => (4, 3),
        15 => (3, 2),
        16 => (2, 1),
        _ => return None,
    };
    Some(Ratio { num, den })
}

/// Frame rate as a number, rounded for display ("30", "29.97", "23.976").
pub(crate) fn format_rate(fps: f64) -> String {
    let rounded = (fps * 1000.0).round() / 1000.0;
    if (rounded - rounded.round()).abs() < 1e-9 {
        format!("{}", rounded.round() as i64)
    } else {
        let text = format!("{rounded:.3}");
        text.trim_end_matches('0').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_formatting() {
        assert_eq!(format_rate(30.0), "30");
        assert_eq!(format_rate(30000.0 / 1001.0), "29.97");
        assert_eq!(format_rate(24000.0 / 1001.0), "23.976");
        assert_eq!(format_rate(12.5), "12.5");
    }

    #[test]
    fn colour_names() {
        let c = ColourInfo {
            colour_primaries: 9,
            transfer_characteristics: 16,
            matrix_coefficients: 9,
            full_range: false,
        };
        assert_eq!(c.describe(), "tv, bt2020nc/bt2020/smpte2084");
        let unspecified = ColourInfo {
            colour_primaries: 2,
            transfer_characteristics: 2,
            matrix_coefficients: 2,
            full_range: true,
        };
        assert_eq!(unspecified.describe(), "pc");
    }
}
