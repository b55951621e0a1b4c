//! Synthetic sessions for the analytics unit tests: message records built by hand, the way
//! the RTMP stage would number them.

use std::net::SocketAddr;

use crate::amf::AmfValue;
use crate::capture::Timestamp;
use crate::diagnostic::Diagnostic;
use crate::rtmp::command::{Command, DataMessage};
use crate::rtmp::control::ProtocolControl;
use crate::rtmp::media::{decode_audio, decode_video};
use crate::rtmp::{Dir, MessageBody, RtmpMessage};

use super::analytics::{analyze_sessions, AnalyticsInput, AnalyticsOptions};
use super::message_log::MessageLog;
use super::report::MessageRecord;
use super::session::Session;

/// ffmpeg's AVCDecoderConfigurationRecord for 640x360 High 3.0 (from nginx-ffmpeg-publish).
pub const AVC_CONFIG: &str = "0164001effe1001a6764001eacd940a02ff970110000030001000003003c0f162d\
                              9601000468efbcb0fdf8f800";
/// AAC LC, 44.1 kHz, mono.
pub const AAC_CONFIG: &str = "1208";

pub fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len() / 2)
        .filter_map(|i| s.get(2 * i..2 * i + 2))
        .filter_map(|b| u8::from_str_radix(b, 16).ok())
        .collect()
}

pub fn obj(props: &[(&str, AmfValue)]) -> AmfValue {
    AmfValue::Object {
        class_name: None,
        properties: props
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    }
}

pub fn text(s: &str) -> AmfValue {
    AmfValue::String(s.to_string())
}

/// Builds a session's messages in order; capture time and stream offsets are given per call.
pub struct Script {
    pub records: Vec<MessageRecord>,
    offsets: [u64; 2],
}

impl Default for Script {
    fn default() -> Self {
        Script {
            records: Vec::new(),
            // The handshake: 1537 + 1536 bytes each way.
            offsets: [3073, 3073],
        }
    }
}

impl Script {
    /// Adds a message sent in `dir` at capture second `time`.
    pub fn push(
        &mut self,
        dir: Dir,
        msid: u32,
        timestamp: u32,
        time: f64,
        length: u32,
        body: MessageBody,
    ) -> u64 {
        let index = self.records.len() as u64;
        let slot = usize::from(dir == Dir::S2C);
        let offset = self.offsets[slot];
        self.offsets[slot] += u64::from(length) + 12;
        let secs = time.floor();
        let message = RtmpMessage {
            dir,
            csid: 3,
            msid,
            type_id: 0,
            timestamp,
            timestamp_delta: None,
            length,
            fmt: 0,
            extended_timestamp: false,
            chunks: 1,
            first_frame: index + 1,
            frame: index + 1,
            time: Timestamp::new(1_000 + secs as i64, ((time - secs) * 1e9) as u32),
            stream_offset: offset,
            file_offset: None,
            inferred: false,
            resync_point: false,
            damaged: false,
            missing_bytes: 0,
            truncated: false,
            body,
            kept: None,
        };
        self.records.push(MessageRecord::new(index, 0, message));
        index
    }

    pub fn command(
        &mut self,
        dir: Dir,
        msid: u32,
        time: f64,
        name: &str,
        args: Vec<AmfValue>,
    ) -> u64 {
        self.command_with(dir, msid, time, name, AmfValue::Null, args)
    }

    pub fn command_with(
        &mut self,
        dir: Dir,
        msid: u32,
        time: f64,
        name: &str,
        command_object: AmfValue,
        arguments: Vec<AmfValue>,
    ) -> u64 {
        let body = MessageBody::Command(Box::new(Command {
            amf3: false,
            name: name.to_string(),
            transaction_id: 0.0,
            command_object,
            arguments,
            error: None,
        }));
        self.push(dir, msid, 0, time, 100, body)
    }

    /// A `_result` answering message `request`.
    pub fn result(&mut self, request: u64, time: f64, args: Vec<AmfValue>) -> u64 {
        let i = self.command(Dir::S2C, 0, time, "_result", args);
        if let Some(r) = self.records.get_mut(i as usize) {
            r.pairing_mut().request = Some(request);
        }
        i
    }

    pub fn status(&mut self, msid: u32, time: f64, level: &str, code: &str) -> u64 {
        let info = obj(&[("level", text(level)), ("code", text(code))]);
        self.command(Dir::S2C, msid, time, "onStatus", vec![info])
    }

    pub fn control(&mut self, dir: Dir, time: f64, control: ProtocolControl) -> u64 {
        self.push(dir, 0, 0, time, 4, MessageBody::Control(control))
    }

    pub fn metadata(&mut self, dir: Dir, msid: u32, time: f64, props: &[(&str, AmfValue)]) -> u64 {
        let body = MessageBody::Data(Box::new(DataMessage {
            amf3: false,
            values: vec![text("@setDataFrame"), text("onMetaData"), obj(props)],
            error: None,
        }));
        self.push(dir, msid, 0, time, 200, body)
    }

    /// An AVC video frame (keyframe or not), composition time 0.
    pub fn video(&mut self, dir: Dir, msid: u32, ts: u32, time: f64, key: bool, bytes: u32) -> u64 {
        let first = if key { 0x17 } else { 0x27 };
        let body = [first, 1, 0, 0, 0];
        let header = decode_video(&body).map_or_else(|_| unreachable_body(), MessageBody::Video);
        self.push(dir, msid, ts, time, bytes, header)
    }

    pub fn audio(&mut self, dir: Dir, msid: u32, ts: u32, time: f64, bytes: u32) -> u64 {
        let header =
            decode_audio(&[0xaf, 1]).map_or_else(|_| unreachable_body(), MessageBody::Audio);
        self.push(dir, msid, ts, time, bytes, header)
    }

    /// A video message with this body (tag header included).
    pub fn video_body(&mut self, msid: u32, ts: u32, time: f64, body: &[u8]) -> u64 {
        let header = decode_video(body).map_or_else(|_| unreachable_body(), MessageBody::Video);
        self.push(Dir::C2S, msid, ts, time, body.len() as u32, header)
    }

    /// An audio message with this body (tag header included).
    pub fn audio_body(&mut self, msid: u32, ts: u32, time: f64, body: &[u8]) -> u64 {
        let header = decode_audio(body).map_or_else(|_| unreachable_body(), MessageBody::Audio);
        self.push(Dir::C2S, msid, ts, time, body.len() as u32, header)
    }

    /// AVC and AAC sequence headers at timestamp 0.
    pub fn sequence_headers(&mut self, dir: Dir, msid: u32, time: f64) {
        let mut v = vec![0x17, 0, 0, 0, 0];
        v.extend(hex(AVC_CONFIG));
        let body = decode_video(&v).map_or_else(|_| unreachable_body(), MessageBody::Video);
        self.push(dir, msid, 0, time, v.len() as u32, body);
        let mut a = vec![0xaf, 0];
        a.extend(hex(AAC_CONFIG));
        let body = decode_audio(&a).map_or_else(|_| unreachable_body(), MessageBody::Audio);
        self.push(dir, msid, 0, time, a.len() as u32, body);
    }

    /// The session these messages make, analyzed.
    pub fn analyze(&self, syn: bool) -> (Session, Vec<Diagnostic>) {
        let addr = |p: u16| SocketAddr::from(([127, 0, 0, 1], p));
        let mut session = Session::new(0, addr(40000), addr(1935));
        for r in &self.records {
            session.observe(r.index, &r.message);
        }
        let mut stats = crate::tcp::ConnectionStats {
            conn: crate::tcp::ConnId(0),
            client: addr(40000),
            server: addr(1935),
            syn_seen: syn,
            first_frame: 1,
            last_frame: self.records.len() as u64,
            first_time: Timestamp::new(1_000, 0),
            last_time: Timestamp::new(1_000, 0),
            c2s: Default::default(),
            s2c: Default::default(),
        };
        stats.last_time = self
            .records
            .last()
            .map_or(stats.first_time, |r| r.message.time);
        let mut sessions = vec![session];
        let mut logged_sessions = sessions.clone();
        let diagnostics = analyze_sessions(
            &mut sessions,
            AnalyticsInput::Records(&self.records),
            &[&stats],
            &AnalyticsOptions::default(),
        );
        // The compact log (an analysis that keeps no message list) gives the same analytics.
        let mut log = MessageLog::default();
        for r in &self.records {
            log.push(r.clone());
        }
        let logged_diagnostics = analyze_sessions(
            &mut logged_sessions,
            AnalyticsInput::Logged(&log),
            &[&stats],
            &AnalyticsOptions::default(),
        );
        assert_eq!(logged_sessions, sessions);
        assert_eq!(logged_diagnostics, diagnostics);
        let session = sessions
            .pop()
            .unwrap_or_else(|| Session::new(0, addr(1), addr(2)));
        (session, diagnostics)
    }

    /// A publish on stream 1: connect, createStream, publish, Publish.Start, sequence headers.
    pub fn publish_start(&mut self, connect_object: AmfValue) {
        let c = self.command_with(Dir::C2S, 0, 0.010, "connect", connect_object, vec![]);
        self.result(
            c,
            0.050,
            vec![obj(&[("code", text("NetConnection.Connect.Success"))])],
        );
        let cs = self.command(Dir::C2S, 0, 0.060, "createStream", vec![]);
        self.result(cs, 0.070, vec![AmfValue::Number(1.0)]);
        self.command(
            Dir::C2S,
            1,
            0.080,
            "publish",
            vec![text("live"), text("live")],
        );
        self.status(1, 0.090, "status", "NetStream.Publish.Start");
        self.sequence_headers(Dir::C2S, 1, 0.100);
    }

    /// `seconds` of 30 fps video (keyframe every `gop` frames) and AAC audio, timestamps
    /// scaled by `speed` against capture time (2.0: twice real time), from media time 0.
    pub fn media(&mut self, seconds: f64, gop: u64, speed: f64) {
        let frames = (seconds * 30.0) as u64;
        let audio_frames = (seconds * 44_100.0 / 1024.0) as u64;
        let (mut v, mut a) = (0u64, 0u64);
        while v < frames || a < audio_frames {
            let vt = v * 1000 / 30;
            let at = a * 1024 * 1000 / 44_100;
            if v < frames && (a >= audio_frames || vt <= at) {
                let time = 0.2 + vt as f64 / 1000.0 / speed;
                self.video(Dir::C2S, 1, vt as u32, time, v % gop == 0, 3000);
                v += 1;
            } else {
                let time = 0.2 + at as f64 / 1000.0 / speed;
                self.audio(Dir::C2S, 1, at as u32, time, 370);
                a += 1;
            }
        }
    }
}

fn unreachable_body() -> MessageBody {
    MessageBody::Unknown {
        prefix: Default::default(),
    }
}
