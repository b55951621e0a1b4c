//! Export of one message stream of a capture as an FLV file that players and ffprobe read.
//!
//! The analysis keeps only the tag headers of audio and video, so an export reads the capture
//! twice: the [`Report`](crate::Report) says which streams exist and whether the capture holds
//! them whole ([`ExportPlan`]); then [`FlvExporter`] runs the capture through the pipeline again,
//! for the chosen connection only, with the RTMP layer handing over whole message bodies
//! ([`RtmpConfig::keep_payload`](crate::rtmp::RtmpConfig::keep_payload)), and writes each audio,
//! video and data message of the stream as a tag. `@setDataFrame("onMetaData", ...)` becomes the
//! `onMetaData` script tag FLV files carry; aggregates are split into their tags. Timestamps are
//! rebased so the first audio or video tag is at 0.
//!
//! A stream with messages whose bytes are missing from the capture (snap length, loss) is
//! refused with [`ExportError::MissingData`], unless [`ExportOptions::allow_damaged`] asks to
//! leave those messages out.
//!
//! ```
//! let capture = std::fs::read("tests/data/nginx-ffmpeg-publish.pcap")?;
//! let flv = rtmpscope::export::flv_from_capture(&capture, 0, 1)?;
//! assert_eq!(&flv[..5], b"FLV\x01\x05"); // audio and video
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod exporter;
pub mod flv;
mod plan;

use std::io::Write;
use std::sync::Arc;

use crate::analysis::{analyze_bytes, AnalyzerOptions};
use crate::capture::CaptureError;

pub use exporter::{ExportSummary, FlvExporter};
pub use plan::{exportable_streams, ExportOptions, ExportPlan, ExportableStream};

/// Why an export could not be made.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Capture(#[from] CaptureError),
    #[error("there is no TCP connection {conn} in the capture (it has {connections})")]
    NoSuchConnection { conn: u32, connections: usize },
    #[error("connection {conn} is not RTMP ({protocol})")]
    NotRtmp { conn: u32, protocol: String },
    #[error(
        "connection {conn} has no audio, video or data on message stream {msid}{}; \
         streams with media: {available}",
        missing_note(*missing_bytes)
    )]
    NoSuchStream {
        conn: u32,
        msid: u32,
        available: String,
        /// Bytes of the connection missing from the capture, which may be where the stream was.
        missing_bytes: u64,
    },
    #[error(
        "{damaged} of {total} messages of connection {conn} stream {msid} are incomplete in the \
         capture (bytes missing: snap length, packet loss or a capture cut short; the first \
         completes in frame {first_frame}); nothing exported"
    )]
    MissingData {
        conn: u32,
        msid: u32,
        damaged: u64,
        total: u64,
        first_frame: u64,
    },
    #[error("the export pass found {found} messages where the analysis found {planned}")]
    Inconsistent { planned: u64, found: u64 },
    #[error("cannot write the FLV: {0}")]
    Write(Arc<std::io::Error>),
}

fn missing_note(missing_bytes: u64) -> String {
    if missing_bytes == 0 {
        String::new()
    } else {
        format!(" ({missing_bytes} bytes of the connection are missing from the capture)")
    }
}

impl From<std::io::Error> for ExportError {
    fn from(error: std::io::Error) -> Self {
        ExportError::Write(Arc::new(error))
    }
}

/// Exports message stream `msid` of connection `conn` of a capture held in memory, writing the
/// FLV to `out`. The capture is analyzed first (see the [module docs](self)).
///
/// ```
/// use rtmpscope::export::{write_flv, ExportOptions};
///
/// let capture = std::fs::read("tests/data/nginx-ffmpeg-publish.pcap")?;
/// let mut flv = Vec::new();
/// let summary = write_flv(&capture, 0, 1, &ExportOptions::default(), &mut flv)?;
/// assert_eq!(summary.video_tags, 152);
/// assert_eq!(summary.bytes, flv.len() as u64);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_flv<W: Write>(
    capture: &[u8],
    conn: u32,
    msid: u32,
    options: &ExportOptions,
    out: W,
) -> Result<ExportSummary, ExportError> {
    let report = analyze_bytes(capture, AnalyzerOptions::default())?;
    let plan = ExportPlan::new(&report, conn, msid, options.clone())?;
    let mut exporter = FlvExporter::new(plan, out)?;
    exporter.feed(capture)?;
    exporter.finish().map(|(summary, _)| summary)
}

/// The FLV of message stream `msid` of connection `conn` (default options): what the web app
/// offers as a download.
///
/// ```
/// use rtmpscope::export::{flv_from_capture, ExportError};
///
/// let capture = std::fs::read("tests/data/nginx-ffmpeg-publish-snap200.pcap")?;
/// // Payloads cut at 200 bytes: the stream is not in the capture.
/// let error = flv_from_capture(&capture, 0, 1).unwrap_err();
/// assert!(matches!(error, ExportError::NoSuchStream { .. } | ExportError::MissingData { .. }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn flv_from_capture(capture: &[u8], conn: u32, msid: u32) -> Result<Vec<u8>, ExportError> {
    let mut out = Vec::new();
    write_flv(capture, conn, msid, &ExportOptions::default(), &mut out)?;
    Ok(out)
}

/// Exports from a capture file, reading it twice in pieces (native builds only). `report` is
/// the file's analysis (as from [`analyze_path`](crate::analyze_path)).
#[cfg(not(target_arch = "wasm32"))]
pub fn export_path<W: Write>(
    path: &std::path::Path,
    report: &crate::Report,
    conn: u32,
    msid: u32,
    options: &ExportOptions,
    out: W,
) -> Result<ExportSummary, ExportError> {
    use std::io::Read;

    let plan = ExportPlan::new(report, conn, msid, options.clone())?;
    let io_error = |source: std::io::Error| CaptureError::Io {
        path: path.display().to_string(),
        source: Arc::new(source),
    };
    let mut file = std::fs::File::open(path).map_err(io_error)?;
    let mut exporter = FlvExporter::new(plan, out)?;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_error(e).into()),
        };
        exporter.feed(buf.get(..n).unwrap_or_default())?;
    }
    exporter.finish().map(|(summary, _)| summary)
}
