//! The script: what an ffmpeg-like publisher and an nginx-rtmp-like server say, in order.

use std::io::{self, Write};

use super::amf::{body, Amf};
use super::chunk::{ChunkWriter, Outgoing};
use super::handshake::handshake;
use super::media::{self, NoisePool};
use super::rng::Rng;
use super::wire::{Addresses, End, Wire};
use super::{SynthConfig, SynthMessage, SynthSummary};
use crate::rtmp::Dir;

// ffmpeg's chunk streams: protocol control, commands, audio and data, video, stream commands.
const CS_CONTROL: u32 = 2;
const CS_COMMAND: u32 = 3;
const CS_AUDIO: u32 = 4;
const CS_STATUS: u32 = 5;
const CS_VIDEO: u32 = 6;
const CS_SOURCE: u32 = 8;
const STREAM: u32 = 1;

/// 2026-01-01T00:00:00Z, in microseconds.
const START_US: u64 = 1_767_225_600_000_000;
/// Time between a request and what answers it.
const RTT_US: u64 = 400;

pub(crate) struct Publisher<'c, W: Write> {
    config: &'c SynthConfig,
    rng: Rng,
    wire: Wire<W>,
    chunks: [ChunkWriter; 2],
    summary: SynthSummary,
    noise: NoisePool,
    /// Reused for every message body and every write.
    body: Vec<u8>,
    write: Vec<u8>,
    /// Client bytes the server had received at its last Acknowledgement.
    acked: u64,
}

fn dir_index(end: End) -> usize {
    match end {
        End::Client => 0,
        End::Server => 1,
    }
}

impl<'c, W: Write> Publisher<'c, W> {
    pub fn new(config: &'c SynthConfig, out: W) -> io::Result<Self> {
        let mut rng = Rng::new(config.seed);
        let addrs = Addresses {
            client: ([10, 0, 0, 2], rng.range(32_768, 60_999) as u16),
            server: ([10, 0, 0, 1], 1935),
            isn: [rng.next_u32(), rng.next_u32()],
        };
        let noise = NoisePool::new(&mut rng);
        Ok(Publisher {
            config,
            wire: Wire::new(out, addrs, config.mss, START_US)?,
            rng,
            chunks: [ChunkWriter::new(true), ChunkWriter::new(false)],
            summary: SynthSummary::default(),
            noise,
            body: Vec::with_capacity(1 << 20),
            write: Vec::with_capacity(1 << 20),
            acked: 0,
        })
    }

    pub fn run(mut self) -> io::Result<SynthSummary> {
        self.wire.connect()?;
        self.wire.wait(RTT_US);
        let hs = handshake(&mut self.rng);
        self.wire.send(End::Client, &hs.c0c1)?;
        self.wire.wait(RTT_US);
        self.wire.send(End::Server, &hs.s0s1s2)?;
        self.wire.wait(RTT_US);
        self.wire.send(End::Client, &hs.c2)?;
        self.wire.wait(RTT_US);
        self.connect()?;
        self.media()?;
        self.unpublish()?;
        self.wire.close()?;
        let mut summary = self.summary;
        summary.packets = self.wire.packets;
        summary.file_bytes = self.wire.file_bytes;
        summary.stream_bytes = self.wire.sent;
        self.wire.into_inner().flush()?;
        Ok(summary)
    }

    /// Chunks one message into the pending write and logs it.
    fn queue(&mut self, from: End, csid: u32, msid: u32, type_id: u8, timestamp: u32) {
        let m = Outgoing {
            csid,
            msid,
            type_id,
            timestamp,
            body: &self.body,
        };
        let written = self.chunks[dir_index(from)].write(&m, &mut self.write);
        let s = &mut self.summary;
        s.messages += 1;
        match from {
            End::Client => s.messages_c2s += 1,
            End::Server => s.messages_s2c += 1,
        }
        *s.by_type.entry(type_id).or_insert(0) += 1;
        if type_id == 8 || type_id == 9 {
            s.media_bytes += self.body.len() as u64;
        }
        if self.config.record_messages {
            s.log.push(SynthMessage {
                dir: if from == End::Client {
                    Dir::C2S
                } else {
                    Dir::S2C
                },
                csid,
                msid,
                type_id,
                timestamp,
                length: self.body.len() as u32,
                fmt: written.fmt,
                chunks: written.chunks,
            });
        }
    }

    fn queue_amf(&mut self, from: End, csid: u32, msid: u32, type_id: u8, values: &[Amf]) {
        self.body = body(values);
        self.queue(from, csid, msid, type_id, 0);
    }

    fn queue_control(&mut self, from: End, type_id: u8, payload: &[u8]) {
        self.body.clear();
        self.body.extend_from_slice(payload);
        self.queue(from, CS_CONTROL, 0, type_id, 0);
    }

    /// Sends what was queued as one write; the server acknowledges per window.
    fn flush(&mut self, from: End) -> io::Result<()> {
        let write = std::mem::take(&mut self.write);
        self.wire.send(from, &write)?;
        self.write = write;
        self.write.clear();
        if from == End::Client {
            let received = self.wire.sent[0];
            let window = u64::from(self.config.ack_window.max(1));
            if received - self.acked >= window {
                self.acked = received;
                self.wire.wait(30);
                self.queue_control(End::Server, 3, &(received as u32).to_be_bytes());
                let write = std::mem::take(&mut self.write);
                self.wire.send(End::Server, &write)?;
                self.write = write;
                self.write.clear();
            }
        }
        Ok(())
    }

    fn connect(&mut self) -> io::Result<()> {
        let tc_url = "rtmp://10.0.0.1:1935/live";
        self.queue_amf(
            End::Client,
            CS_COMMAND,
            0,
            20,
            &[
                Amf::Str("connect"),
                Amf::Number(1.0),
                Amf::Object(vec![
                    ("app", Amf::Str("live")),
                    ("type", Amf::Str("nonprivate")),
                    ("flashVer", Amf::Str("FMLE/3.0 (compatible; Lavf61.7.100)")),
                    ("tcUrl", Amf::Str(tc_url)),
                ]),
            ],
        );
        self.flush(End::Client)?;
        self.wire.wait(RTT_US);
        let chunk_size = self.config.chunk_size;
        self.queue_control(End::Server, 5, &5_000_000u32.to_be_bytes());
        self.queue_control(End::Server, 6, &[0, 0x4c, 0x4b, 0x40, 2]);
        self.queue_control(End::Server, 1, &chunk_size.to_be_bytes());
        self.chunks[1].set_chunk_size(chunk_size);
        self.queue_amf(
            End::Server,
            CS_COMMAND,
            0,
            20,
            &[
                Amf::Str("_result"),
                Amf::Number(1.0),
                Amf::Object(vec![
                    ("fmsVer", Amf::Str("FMS/3,0,1,123")),
                    ("capabilities", Amf::Number(31.0)),
                ]),
                Amf::Object(vec![
                    ("level", Amf::Str("status")),
                    ("code", Amf::Str("NetConnection.Connect.Success")),
                    ("description", Amf::Str("Connection succeeded.")),
                    ("objectEncoding", Amf::Number(0.0)),
                ]),
            ],
        );
        self.flush(End::Server)?;
        self.wire.wait(RTT_US);
        self.queue_control(End::Client, 1, &chunk_size.to_be_bytes());
        self.chunks[0].set_chunk_size(chunk_size);
        for (txn, name) in [(2.0, "releaseStream"), (3.0, "FCPublish")] {
            let values = [
                Amf::Str(name),
                Amf::Number(txn),
                Amf::Null,
                Amf::Str("stream"),
            ];
            self.queue_amf(End::Client, CS_COMMAND, 0, 20, &values);
        }
        let create = [Amf::Str("createStream"), Amf::Number(4.0), Amf::Null];
        self.queue_amf(End::Client, CS_COMMAND, 0, 20, &create);
        self.flush(End::Client)?;
        self.wire.wait(RTT_US);
        let result = [
            Amf::Str("_result"),
            Amf::Number(4.0),
            Amf::Null,
            Amf::Number(f64::from(STREAM)),
        ];
        self.queue_amf(End::Server, CS_COMMAND, 0, 20, &result);
        self.flush(End::Server)?;
        self.wire.wait(RTT_US);
        let publish = [
            Amf::Str("publish"),
            Amf::Number(5.0),
            Amf::Null,
            Amf::Str("stream"),
            Amf::Str("live"),
        ];
        self.queue_amf(End::Client, CS_SOURCE, STREAM, 20, &publish);
        self.flush(End::Client)?;
        self.wire.wait(RTT_US);
        self.status("NetStream.Publish.Start", "Start publishing")?;
        self.wire.wait(RTT_US);
        Ok(())
    }

    fn status(&mut self, code: &'static str, description: &'static str) -> io::Result<()> {
        let values = [
            Amf::Str("onStatus"),
            Amf::Number(0.0),
            Amf::Null,
            Amf::Object(vec![
                ("level", Amf::Str("status")),
                ("code", Amf::Str(code)),
                ("description", Amf::Str(description)),
            ]),
        ];
        self.queue_amf(End::Server, CS_STATUS, STREAM, 20, &values);
        self.flush(End::Server)
    }

    fn metadata(&mut self) -> Amf {
        let c = self.config;
        Amf::EcmaArray(vec![
            ("duration", Amf::Number(0.0)),
            ("width", Amf::Number(f64::from(c.width))),
            ("height", Amf::Number(f64::from(c.height))),
            ("videodatarate", Amf::Number(f64::from(c.video_kbps))),
            ("framerate", Amf::Number(f64::from(c.fps))),
            ("videocodecid", Amf::Number(7.0)),
            ("audiodatarate", Amf::Number(f64::from(c.audio_kbps))),
            ("audiosamplerate", Amf::Number(media::AUDIO_RATE as f64)),
            ("audiosamplesize", Amf::Number(16.0)),
            ("stereo", Amf::Bool(true)),
            ("audiocodecid", Amf::Number(10.0)),
            ("encoder", Amf::Str("Lavf61.7.100")),
            ("filesize", Amf::Number(0.0)),
        ])
    }

    fn media(&mut self) -> io::Result<()> {
        let c = self.config;
        let start = self.wire.clock_us + 5_000;
        let meta = self.metadata();
        self.queue_amf(
            End::Client,
            CS_AUDIO,
            STREAM,
            18,
            &[Amf::Str("@setDataFrame"), Amf::Str("onMetaData"), meta],
        );
        self.body = media::avc_sequence_header(c.width, c.height);
        self.queue(End::Client, CS_VIDEO, STREAM, 9, 0);
        self.body = media::AAC_SEQUENCE_HEADER.to_vec();
        self.queue(End::Client, CS_AUDIO, STREAM, 8, 0);
        self.wire.at(start);
        self.flush(End::Client)?;

        let fps = c.fps.max(1);
        let gop = (u64::from(fps) * u64::from(c.keyframe_interval_ms) / 1000).max(1);
        let gop_bytes = u64::from(c.video_kbps) * 125 * u64::from(c.keyframe_interval_ms) / 1000;
        // A keyframe weighs as much as ten inter frames.
        let inter_bytes = (gop_bytes / (gop + 9)).max(16);
        let audio_bytes =
            u64::from(c.audio_kbps) * 125 * media::SAMPLES_PER_FRAME / media::AUDIO_RATE;
        let (mut video_n, mut audio_n, mut data_n) = (0u64, 0u64, 1u64);
        loop {
            if c.max_bytes.is_some_and(|max| self.wire.file_bytes >= max) {
                break;
            }
            let vts = media::video_ts(video_n, fps);
            let ats = media::audio_ts(audio_n);
            let dts = data_n * u64::from(c.data_interval_ms);
            let next = vts.min(ats);
            if next >= c.duration_ms {
                break;
            }
            let jitter = self.rng.range(0, 300);
            self.wire.at(start + next * 1000 + jitter);
            if c.data_interval_ms > 0 && dts <= next {
                self.on_fi(dts)?;
                data_n += 1;
            }
            self.body.clear();
            if vts <= ats {
                let keyframe = video_n % gop == 0;
                let size = if keyframe {
                    self.rng.jitter(inter_bytes * 10, 10)
                } else {
                    self.rng.jitter(inter_bytes, 30)
                };
                let cts = [67, 133, 33, 0][(video_n % 4) as usize];
                let noise = self.noise.take(size as usize, &mut self.rng);
                media::video_frame(&mut self.body, keyframe, cts, size as usize, noise);
                self.queue(End::Client, CS_VIDEO, STREAM, 9, vts as u32);
                self.summary.video_frames += 1;
                self.summary.keyframes += u64::from(keyframe);
                self.summary.last_video_timestamp = vts as u32;
                video_n += 1;
            } else {
                let size = self.rng.jitter(audio_bytes, 15);
                let noise = self.noise.take(size as usize, &mut self.rng);
                media::audio_frame(&mut self.body, size as usize, noise);
                self.queue(End::Client, CS_AUDIO, STREAM, 8, ats as u32);
                self.summary.audio_frames += 1;
                self.summary.last_audio_timestamp = ats as u32;
                audio_n += 1;
            }
            self.flush(End::Client)?;
        }
        Ok(())
    }

    /// A timecode data message, as Wirecast and some hardware encoders send.
    fn on_fi(&mut self, ts: u64) -> io::Result<()> {
        let secs = ts / 1000;
        let st = format!(
            "{:02}:{:02}:{:02}.{:03}",
            secs / 3600,
            secs / 60 % 60,
            secs % 60,
            ts % 1000
        );
        self.body = body(&[
            Amf::Str("onFI"),
            Amf::EcmaArray(vec![
                ("sd", Amf::Str("01-01-2026")),
                ("st", Amf::String(st)),
            ]),
        ]);
        self.queue(End::Client, CS_AUDIO, STREAM, 18, ts as u32);
        self.flush(End::Client)
    }

    fn unpublish(&mut self) -> io::Result<()> {
        self.wire.wait(2_000);
        self.body = media::AVC_END_OF_SEQUENCE.to_vec();
        let last = self.summary.last_video_timestamp;
        self.queue(End::Client, CS_VIDEO, STREAM, 9, last);
        let values = [
            Amf::Str("FCUnpublish"),
            Amf::Number(6.0),
            Amf::Null,
            Amf::Str("stream"),
        ];
        self.queue_amf(End::Client, CS_COMMAND, 0, 20, &values);
        let values = [
            Amf::Str("deleteStream"),
            Amf::Number(7.0),
            Amf::Null,
            Amf::Number(f64::from(STREAM)),
        ];
        self.queue_amf(End::Client, CS_COMMAND, 0, 20, &values);
        self.flush(End::Client)?;
        self.wire.wait(RTT_US);
        self.status("NetStream.Unpublish.Success", "Stop publishing")?;
        self.wire.wait(RTT_US);
        Ok(())
    }
}
