//! Captures where Wireshark is wrong (tests/data/README.md): assert what is right instead.

mod common;

use rtmpscope::rtmp::MessageBody;
use rtmpscope::Report;

fn analyze(name: &str) -> Report {
    rtmpscope::analyze_path(&common::data(name)).expect("capture analyzes")
}

/// (dir, type id, msid, csid, length, command name) of every non-media message.
fn control_plane(report: &Report) -> Vec<(String, u8, u32, u32, u32, Option<String>)> {
    let mut rows: Vec<_> = report
        .messages
        .iter()
        .filter(|r| !matches!(r.message.type_id, 8 | 9))
        .map(|r| {
            let m = &r.message;
            let name = match &m.body {
                MessageBody::Command(c) => Some(c.name.clone()),
                _ => None,
            };
            (
                m.dir.as_str().to_string(),
                m.type_id,
                m.msid,
                m.csid,
                m.length,
                name,
            )
        })
        .collect();
    // Directions complete independently; compare each direction's order.
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    rows
}

/// snaplen 200: the same publish as nginx-ffmpeg-publish.pcap (same ffmpeg, same server), with
/// every payload cut at 200 bytes. Wireshark loses sync and prints garbage; the right answer is
/// every control and command message of the publish, the cut ones marked damaged, and nothing
/// invented.
#[test]
fn snap200_decodes_what_fits_and_invents_nothing() {
    let cut = analyze("nginx-ffmpeg-publish-snap200.pcap");
    let whole = analyze("nginx-ffmpeg-publish.pcap");
    assert_eq!(control_plane(&cut), control_plane(&whole));

    let session = &cut.sessions[0];
    let handshake = session.handshake.as_ref().expect("handshake");
    assert!(handshake.missing_bytes > 0, "the handshake was cut too");
    let stream = session
        .streams
        .iter()
        .find(|s| s.msid == 1)
        .expect("stream 1");
    assert_eq!(stream.name.as_deref(), Some("stream"));
    assert_eq!(
        stream.status_codes,
        ["NetStream.Publish.Start", "NetStream.Unpublish.Success"]
    );

    // connect (139 bytes) and @setDataFrame (309 bytes) do not fit in 200-byte packets: they
    // are reported damaged with the number of missing bytes, never silently completed.
    for r in &cut.messages {
        let m = &r.message;
        if m.damaged {
            assert!(m.missing_bytes > 0);
        }
        if let MessageBody::Command(c) = &m.body {
            if c.name == "connect" {
                assert!(m.damaged, "connect lost bytes to the snap length");
            }
        }
        if matches!(m.type_id, 8 | 9) {
            assert_eq!(m.msid, 1, "media only on the published stream");
        }
    }
    assert!(cut.diagnostics.iter().any(|d| d.code.contains("gap")));
}
