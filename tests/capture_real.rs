//! The capture reader and header decoder on real captures, checked against what capinfos and
//! tshark report for them (tests/data/*.tshark-stats.txt and *.tshark.tsv).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rtmpscope::capture::{
    read_bytes, read_path, CaptureFormat, CaptureReader, CaptureSummary, LinkType, Packet,
    Timestamp,
};
use rtmpscope::net::decode_tcp;

const CAPTURES: [&str; 11] = [
    "nginx-ffmpeg-publish.pcap",
    "nginx-ffmpeg-publish-dumpcap.pcapng",
    "nginx-ffmpeg-publish-any-sll.pcap",
    "nginx-ffmpeg-publish-any-sll2.pcap",
    "nginx-ffmpeg-publish-lossy.pcap",
    "nginx-ffmpeg-publish-midstream.pcap",
    "nginx-ffmpeg-publish-snap200.pcap",
    "nginx-gst-rtmp2sink-publish.pcap",
    "nginx-gst-rtmpsink-publish.pcap",
    "nginx-rtmpdump-play.pcap",
    "nms-ffmpeg-publish.pcap",
];

const PUBLIC_CAPTURES: [&str; 6] = [
    "ndpi-rtmp.pcap",
    "twinx-1b04452-rtmp.pcap",
    "twinx-1b04452-twinx.pcap",
    "twinx-65926c9-nginx.pcap",
    "twinx-65926c9-twinx.pcap",
    "wireshark-rtmp_sample.cap",
];

fn data_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn stem(name: &str) -> &str {
    name.rsplit_once('.').map_or(name, |(stem, _)| stem)
}

/// What we keep of each packet to compare against the references.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    time: Timestamp,
    link: LinkType,
    file_offset: u64,
    len: usize,
    /// (src port, dst port, captured payload, wire payload), or the decode error text.
    tcp: Result<Option<(u16, u16, usize, u32)>, String>,
}

fn seen(packet: &Packet<'_>) -> Seen {
    Seen {
        time: packet.time,
        link: packet.link,
        file_offset: packet.file_offset,
        len: packet.data.len(),
        tcp: decode_tcp(packet.link, packet.data)
            .map(|s| {
                s.map(|s| {
                    (
                        s.src.port(),
                        s.dst.port(),
                        s.payload.len(),
                        s.wire_payload_len,
                    )
                })
            })
            .map_err(|e| e.to_string()),
    }
}

/// Reads a capture with `read_path`, checking frame numbers run 1, 2, 3, ...
fn read(path: &Path) -> (Vec<Seen>, CaptureSummary) {
    let mut packets = Vec::new();
    let summary = read_path(path, |p| {
        assert_eq!(p.frame, packets.len() as u64 + 1);
        packets.push(seen(p));
    })
    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (packets, summary)
}

/// The capinfos part of NAME.tshark-stats.txt, as `key -> value`.
fn capinfos(name: &str) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(data_path(&format!("{}.tshark-stats.txt", stem(name))))
        .expect("stats file");
    text.lines()
        .skip_while(|l| !l.starts_with("## capinfos"))
        .skip(1)
        .take_while(|l| !l.starts_with("##"))
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// One row of NAME.tshark.tsv: frame, time, src port, dst port.
fn tshark_rows(path: &Path) -> Vec<(u64, Timestamp, u16, u16)> {
    let text = std::fs::read_to_string(path).expect("tsv");
    text.lines()
        .skip(1)
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            let (secs, frac) = cols[1].split_once('.').expect("time_epoch");
            let nanos = format!("{frac:0<9}").parse::<u32>().expect("nanos");
            (
                cols[0].parse().expect("frame"),
                Timestamp::new(secs.parse().expect("secs"), nanos),
                cols[3].parse().expect("src port"),
                cols[4].parse().expect("dst port"),
            )
        })
        .collect()
}

/// Formats a timestamp as capinfos does (UTC here: the captures were made on a UTC machine).
fn capinfos_time(time: Timestamp, digits: u32) -> String {
    // Days since 1970-01-01 to a civil date (proleptic Gregorian).
    let days = time.secs.div_euclid(86_400);
    let secs_of_day = time.secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let frac = time.nanos / 10u32.pow(9 - digits);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}.{frac:0width$}",
        secs_of_day / 3600,
        secs_of_day / 60 % 60,
        secs_of_day % 60,
        width = digits as usize
    )
}

/// Every frame tshark decoded RTMP in must decode to a TCP segment with the same ports, at the
/// same time.
fn check_against_tshark(name: &str, tsv: &Path, packets: &[Seen]) {
    for (frame, time, src, dst) in tshark_rows(tsv) {
        let packet = packets
            .get(frame as usize - 1)
            .unwrap_or_else(|| panic!("{name}: tshark's frame {frame} is missing"));
        assert_eq!(packet.time, time, "{name} frame {frame}");
        match &packet.tcp {
            Ok(Some((s, d, _, _))) => assert_eq!((*s, *d), (src, dst), "{name} frame {frame}"),
            other => panic!("{name} frame {frame}: {other:?}"),
        }
    }
}

#[test]
fn captures_match_capinfos_and_tshark() {
    let mut links = BTreeSet::new();
    let mut formats = BTreeSet::new();
    for name in CAPTURES {
        let info = capinfos(name);
        let (packets, summary) = read(&data_path(name));

        let expected_packets: u64 = info["Number of packets"].parse().expect("count");
        assert_eq!(summary.packets, expected_packets, "{name}");
        assert_eq!(packets.len() as u64, expected_packets, "{name}");

        let link = summary.link().expect("link type");
        let encapsulation = match link {
            LinkType::Ethernet => "Ethernet",
            LinkType::LinuxSll => "Linux cooked-mode capture v1",
            LinkType::LinuxSll2 => "Linux cooked-mode capture v2",
            other => panic!("{name}: unexpected {other:?}"),
        };
        assert_eq!(info["File encapsulation"], encapsulation, "{name}");
        links.insert(link.name());

        let format = summary.format.expect("format");
        let file_type = match format {
            CaptureFormat::Pcap => "Wireshark/tcpdump/... - pcap",
            CaptureFormat::PcapNg => "Wireshark/... - pcapng",
        };
        assert_eq!(info["File type"], file_type, "{name}");
        formats.insert(format!("{format:?}"));

        let digits = summary.interfaces[0].ts_precision_digits();
        assert!(
            info["File timestamp precision"].ends_with(&format!("({digits})")),
            "{name}"
        );
        let start = summary.start_time.expect("start");
        let end = summary.end_time.expect("end");
        assert_eq!(
            capinfos_time(start, digits),
            info["First packet time"],
            "{name}"
        );
        assert_eq!(
            capinfos_time(end, digits),
            info["Last packet time"],
            "{name}"
        );
        assert_eq!(
            summary.time_ordered,
            info["Strict time order"] == "True",
            "{name}"
        );
        if let Some(limit) = info["Packet size limit"].strip_prefix("file hdr: ") {
            if let Some(bytes) = limit.strip_suffix(" bytes") {
                assert_eq!(summary.interfaces[0].snaplen.to_string(), bytes, "{name}");
            }
        }
        assert!(summary.notices.is_empty(), "{name}: {:?}", summary.notices);

        // Captured with a 'tcp port' filter: every packet is a TCP segment.
        for (i, packet) in packets.iter().enumerate() {
            assert!(
                matches!(packet.tcp, Ok(Some(_))),
                "{name} frame {}: {:?}",
                i + 1,
                packet.tcp
            );
        }
        check_against_tshark(
            name,
            &data_path(&format!("{}.tshark.tsv", stem(name))),
            &packets,
        );
    }
    assert_eq!(
        links,
        BTreeSet::from(["EN10MB", "LINUX_SLL", "LINUX_SLL2"]),
        "link types covered"
    );
    assert_eq!(formats.len(), 2, "both pcap and pcapng covered");
}

#[test]
fn snap_length_cut_segments_report_their_wire_length() {
    let (packets, summary) = read(&data_path("nginx-ffmpeg-publish-snap200.pcap"));
    assert_eq!(summary.interfaces[0].snaplen, 200);
    assert!(summary.cut_packets > 0);
    let mut cut = 0;
    for packet in &packets {
        let Ok(Some((_, _, captured, wire))) = packet.tcp else {
            panic!("{packet:?}")
        };
        assert!(packet.len <= 200);
        assert!(captured as u32 <= wire);
        if (captured as u32) < wire {
            cut += 1;
        }
    }
    assert_eq!(cut, summary.cut_packets);
}

#[test]
fn public_captures() {
    for name in PUBLIC_CAPTURES {
        let path = data_path(&format!("public/{name}"));
        let (packets, summary) = read(&path);
        let tsv = data_path(&format!("public/{}.tshark.tsv", stem(name)));
        let rows = tshark_rows(&tsv);
        let highest = rows.iter().map(|r| r.0).max().expect("rows");
        assert!(summary.packets >= highest, "{name}");
        let tcp = packets
            .iter()
            .filter(|p| matches!(p.tcp, Ok(Some(_))))
            .count();
        assert!(tcp >= rows.len().min(1), "{name}: no TCP segments");
        assert!(
            packets.iter().all(|p| p.tcp.is_ok()),
            "{name}: decode errors"
        );
        check_against_tshark(name, &tsv, &packets);
    }
}

/// Feeding a capture in uneven slices must give exactly what reading it whole gives.
fn read_in_slices(
    data: &[u8],
    sizes: &mut dyn Iterator<Item = usize>,
) -> (Vec<Seen>, CaptureSummary) {
    let mut reader = CaptureReader::new();
    let mut packets = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let n = sizes.next().expect("sizes").min(rest.len());
        let (piece, tail) = rest.split_at(n);
        reader
            .feed(piece, &mut |p: &Packet<'_>| packets.push(seen(p)))
            .expect("feed");
        rest = tail;
    }
    reader.finish().expect("finish");
    (packets, reader.into_summary())
}

#[test]
fn slicing_does_not_change_anything() {
    let mut state = 7u64;
    let mut random = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        state >> 33
    };
    let names = CAPTURES
        .iter()
        .map(|n| n.to_string())
        .chain(PUBLIC_CAPTURES.iter().map(|n| format!("public/{n}")));
    for name in names {
        let data = std::fs::read(data_path(&name)).expect("capture");
        let mut whole = Vec::new();
        let summary = read_bytes(&data, |p| whole.push(seen(p))).expect("read_bytes");
        let (sliced, sliced_summary) = read_in_slices(
            &data,
            &mut std::iter::repeat_with(|| (random() % 70_000) as usize + 1),
        );
        assert_eq!(whole, sliced, "{name}");
        assert_eq!(summary, sliced_summary, "{name}");
        if data.len() < 50_000 {
            let (bytewise, _) = read_in_slices(&data, &mut std::iter::repeat(1));
            assert_eq!(whole, bytewise, "{name}");
        }
    }
}
