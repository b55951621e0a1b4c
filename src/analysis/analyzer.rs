//! The push-based driver: capture bytes in, report out.

use std::collections::BTreeMap;

use crate::capture::{CaptureError, CaptureReader, Packet};
use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::net::{decode_tcp, NetError};
use crate::rtmp::RtmpConfig;
use crate::tcp::{FlowTable, PacketMeta, TcpConfig};

use super::analytics::{analyze_sessions, AnalyticsInput, AnalyticsOptions};
use super::report::{CaptureReport, ConnectionReport, Report, SCHEMA_VERSION};
use super::rtmp_stage::{Protocol, RtmpStage};

/// Knobs for one analysis.
#[derive(Debug, Clone)]
pub struct AnalyzerOptions {
    /// Shown in the report as the capture's file name.
    pub file_name: Option<String>,
    pub tcp: TcpConfig,
    pub rtmp: RtmpConfig,
    pub analytics: AnalyticsOptions,
    /// Keep every RTMP message in [`Report::messages`] (the default). Off, the report has
    /// no message list and the analysis keeps only a compact log of what its analytics read
    /// (about 72 bytes a message instead of some 300); sessions, streams, analytics and
    /// diagnostics are the same, and diagnostics still give the index of the message they
    /// point at. For callers that need only the summary (`rtmpscope summary` as a table,
    /// `rtmpscope check`) on big captures.
    ///
    /// ```
    /// use rtmpscope::{analyze_bytes, AnalyzerOptions};
    ///
    /// let capture = std::fs::read("tests/data/nginx-ffmpeg-publish.pcap")?;
    /// let full = analyze_bytes(&capture, AnalyzerOptions::default())?;
    /// let lean = analyze_bytes(&capture, AnalyzerOptions {
    ///     keep_messages: false,
    ///     ..AnalyzerOptions::default()
    /// })?;
    /// assert!(lean.messages.is_empty());
    /// assert_eq!(full.messages.len(), 386);
    /// assert_eq!(lean.sessions, full.sessions);
    /// assert_eq!(lean.diagnostics, full.diagnostics);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub keep_messages: bool,
}

impl Default for AnalyzerOptions {
    fn default() -> Self {
        AnalyzerOptions {
            file_name: None,
            tcp: TcpConfig::default(),
            rtmp: RtmpConfig::default(),
            analytics: AnalyticsOptions::default(),
            keep_messages: true,
        }
    }
}

/// Analyzes a capture fed in pieces. See the [module docs](super).
///
/// ```
/// use rtmpscope::{Analyzer, AnalyzerOptions};
///
/// let capture = std::fs::read("tests/data/nginx-ffmpeg-publish.pcap")?;
/// let mut analyzer = Analyzer::new(AnalyzerOptions::default());
/// // Any piece size: a network read, a browser file slice...
/// for piece in capture.chunks(64 * 1024) {
///     analyzer.feed(piece)?;
/// }
/// let report = analyzer.finish()?;
/// assert_eq!(report.messages.len(), 386);
/// assert_eq!(report.sessions[0].app.as_deref(), Some("live"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Analyzer {
    reader: CaptureReader,
    pipeline: Pipeline,
    file_name: Option<String>,
    analytics: AnalyticsOptions,
}

/// The stages below the capture reader; split from [`Analyzer`] so the reader's packet callback
/// can borrow it while the reader itself is borrowed.
struct Pipeline {
    flows: FlowTable,
    rtmp: RtmpStage,
    net_errors: NetErrorTally,
}

impl Analyzer {
    pub fn new(options: AnalyzerOptions) -> Self {
        Analyzer {
            reader: CaptureReader::new(),
            pipeline: Pipeline {
                flows: FlowTable::new(options.tcp),
                rtmp: RtmpStage::new(options.rtmp, options.keep_messages),
                net_errors: NetErrorTally::default(),
            },
            file_name: options.file_name,
            analytics: options.analytics,
        }
    }

    /// Feeds the next piece of the capture. An error means the rest of the file cannot be read
    /// (not a capture, or corrupt from here on); [`Analyzer::finish`] still reports everything
    /// before it.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), CaptureError> {
        let pipeline = &mut self.pipeline;
        self.reader
            .feed(bytes, &mut |packet| pipeline.on_packet(packet))
    }

    /// RTMP messages kept for the report so far.
    pub fn messages_kept(&self) -> usize {
        self.pipeline.rtmp.messages.len()
    }

    /// Makes room for about `total` messages in the report's list (a little more; never past
    /// [`RtmpConfig::max_messages`](crate::rtmp::RtmpConfig::max_messages)). A caller that can
    /// tell how many will come, say from the part of a file read so far, spares the list its
    /// regrowth by doubling, which copies it and leaves the old copy behind where memory is never
    /// given back (WebAssembly). The report is the same either way.
    ///
    /// ```
    /// use rtmpscope::{Analyzer, AnalyzerOptions};
    ///
    /// let capture = std::fs::read("tests/data/nginx-ffmpeg-publish.pcap")?;
    /// let mut analyzer = Analyzer::new(AnalyzerOptions::default());
    /// analyzer.expect_messages(400);
    /// analyzer.feed(&capture)?;
    /// assert_eq!(analyzer.messages_kept(), 386);
    /// let report = analyzer.finish()?;
    /// assert!(report.messages.capacity() >= 400);
    /// assert_eq!(report.messages.len(), 386);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn expect_messages(&mut self, total: usize) {
        self.pipeline.rtmp.expect_messages(total);
    }

    /// Bytes of the capture consumed so far.
    pub fn bytes_read(&self) -> u64 {
        self.reader.summary().file_bytes
    }

    /// Ends the input and builds the report. Fails only when the input was not a capture at all;
    /// a capture that breaks off is reported up to the break, with `capture.ended_early` set.
    pub fn finish(mut self) -> Result<Report, CaptureError> {
        let ended_early = match self.reader.finish() {
            Ok(()) => None,
            Err(error @ CaptureError::NotACapture { .. }) => return Err(error),
            Err(error) => Some(error),
        };
        let Pipeline {
            mut flows,
            mut rtmp,
            net_errors,
        } = self.pipeline;
        flows.finish(&mut |event| rtmp.on_flow_event(event));
        rtmp.finish();

        let summary = self.reader.into_summary();
        let mut diagnostics = summary.notices.clone();
        if let Some(error) = &ended_early {
            diagnostics.push(Diagnostic::new(
                Severity::Error,
                "capture.ended_early",
                format!("{error}; everything before it is analyzed"),
                Location {
                    frame: error.frame(),
                    file_offset: error.offset(),
                    ..Location::default()
                },
            ));
        }
        diagnostics.extend(net_errors.diagnostics());
        diagnostics.append(&mut rtmp.diagnostics);
        let session_of = |conn: u32| rtmp.sessions.iter().position(|s| s.conn == conn);
        let connections = flows
            .connections()
            .iter()
            .map(|tcp| ConnectionReport {
                tcp: tcp.clone(),
                protocol: rtmp
                    .protocols
                    .get(tcp.conn.0 as usize)
                    .copied()
                    .unwrap_or(Protocol::Unknown),
                session: session_of(tcp.conn.0),
            })
            .collect();
        let tcp_stats: Vec<_> = flows.connections().iter().collect();
        let input = match &rtmp.log {
            Some(log) => AnalyticsInput::Logged(log),
            None => AnalyticsInput::Records(&rtmp.messages),
        };
        diagnostics.extend(analyze_sessions(
            &mut rtmp.sessions,
            input,
            &tcp_stats,
            &self.analytics,
        ));

        Ok(Report {
            schema_version: SCHEMA_VERSION,
            generator: concat!("rtmpscope ", env!("CARGO_PKG_VERSION")).to_string(),
            capture: CaptureReport {
                file: self.file_name,
                summary,
                ended_early: ended_early.map(|e| e.to_string()),
                undecodable_packets: net_errors.total(),
            },
            connections,
            sessions: rtmp.sessions,
            messages: rtmp.messages,
            diagnostics,
        })
    }
}

impl Pipeline {
    fn on_packet(&mut self, packet: &Packet<'_>) {
        let segment = match decode_tcp(packet.link, packet.data) {
            Ok(Some(segment)) => segment,
            Ok(None) => return,
            Err(error) => {
                self.net_errors.record(&error, packet.frame);
                return;
            }
        };
        let meta = PacketMeta {
            frame: packet.frame,
            time: packet.time,
            file_offset: packet.file_offset,
            wire_len: packet.orig_len,
        };
        let rtmp = &mut self.rtmp;
        self.flows
            .push(meta, &segment, &mut |event| rtmp.on_flow_event(event));
    }
}

/// Counts undecodable packets by kind, so a capture full of IP fragments gives one diagnostic,
/// not thousands.
#[derive(Default)]
struct NetErrorTally {
    by_kind: BTreeMap<&'static str, (u64, u64, String)>,
}

impl NetErrorTally {
    fn record(&mut self, error: &NetError, frame: u64) {
        let kind = match error {
            NetError::LinkTruncated { .. } => "net.link_truncated",
            NetError::TooManyVlanTags(_) => "net.vlan_tags",
            NetError::BadIpVersion(_) => "net.bad_ip_version",
            NetError::IpTruncated { .. } => "net.ip_truncated",
            NetError::BadIpHeader(_) => "net.bad_ip_header",
            NetError::Fragment { .. } => "net.ip_fragment",
            NetError::TcpTruncated { .. } => "net.tcp_truncated",
            NetError::BadTcpHeader(_) => "net.bad_tcp_header",
        };
        self.by_kind
            .entry(kind)
            .or_insert_with(|| (0, frame, error.to_string()))
            .0 += 1;
    }

    fn total(&self) -> u64 {
        self.by_kind.values().map(|(count, ..)| count).sum()
    }

    fn diagnostics(&self) -> impl Iterator<Item = Diagnostic> + '_ {
        self.by_kind
            .iter()
            .map(|(code, (count, first_frame, text))| {
                let text = if *count == 1 {
                    format!("packet skipped: {text}")
                } else {
                    format!("{count} packets skipped; the first (frame {first_frame}): {text}")
                };
                Diagnostic::new(
                    Severity::Warning,
                    code,
                    text,
                    Location {
                        frame: Some(*first_frame),
                        ..Location::default()
                    },
                )
            })
    }
}

/// Analyzes a capture held in memory.
///
/// ```
/// use rtmpscope::analysis::StreamRole;
///
/// let capture = std::fs::read("tests/data/nginx-rtmpdump-play.pcap")?;
/// let report = rtmpscope::analyze_bytes(&capture, Default::default())?;
/// let stream = &report.sessions[0].streams[0];
/// assert_eq!((stream.name.as_deref(), stream.role), (Some("stream"), Some(StreamRole::Play)));
///
/// // Anything that is not a pcap or pcapng file is an error.
/// assert!(rtmpscope::analyze_bytes(b"GET / HTTP/1.1", Default::default()).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn analyze_bytes(data: &[u8], options: AnalyzerOptions) -> Result<Report, CaptureError> {
    let mut analyzer = Analyzer::new(options);
    // A feed error is also returned by finish(), which reports what came before it.
    let _ = analyzer.feed(data);
    analyzer.finish()
}

/// Analyzes a capture file (native builds only), read in pieces: see
/// [`crate::capture::for_each_piece`].
///
/// ```
/// let report = rtmpscope::analyze_path("tests/data/nginx-ffmpeg-publish.pcap".as_ref())?;
/// assert_eq!(report.capture.file.as_deref(), Some("nginx-ffmpeg-publish.pcap"));
/// for session in &report.sessions {
///     for stream in &session.streams {
///         println!("conn {} stream {} {:?}", session.conn, stream.msid, stream.name);
///     }
/// }
/// # Ok::<(), rtmpscope::capture::CaptureError>(())
/// ```
#[cfg(not(target_arch = "wasm32"))]
pub fn analyze_path(path: &std::path::Path) -> Result<Report, CaptureError> {
    let mut analyzer = Analyzer::new(AnalyzerOptions {
        file_name: path.file_name().map(|n| n.to_string_lossy().into_owned()),
        ..AnalyzerOptions::default()
    });
    // A feed error stops the reading; finish() reports it after what came before.
    crate::capture::for_each_piece(path, |piece| analyzer.feed(piece).is_ok())?;
    analyzer.finish()
}
