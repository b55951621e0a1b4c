#!/usr/bin/env python3
"""Independent expectations for tests/analytics_real.rs.

For each capture: tshark (not rtmpscope) reassembles the RTMP audio/video messages; this script
writes them into an FLV file, and ffprobe reports what the media is. The facts printed here are
what the tests expect rtmpscope to find on its own.

    python3 tests/analytics_support/make_expect.py tests/data/nginx-ffmpeg-publish.pcap [--port 1936]

Needs tshark and ffprobe. Prints one JSON object.
"""
import json
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET


def media_tag(fields, type_id):
    ts = fields.get("rtmpt.header.timestamp")
    if type_id is None or ts is None:
        return None
    kind = {8: "audio", 9: "video"}.get(type_id)
    if kind is None:
        return None
    control = fields.get(f"rtmpt.{kind}.control")
    data = fields.get(f"rtmpt.{kind}.data")
    body = bytes.fromhex(control.get("value")) if control is not None else b""
    if data is not None:
        body += bytes.fromhex(data.get("value"))
    return (type_id, int(ts.get("show")), body)


def rtmp_media(pcap, port):
    cmd = ["tshark", "-r", pcap, "-o", "tcp.desegment_tcp_streams:TRUE",
           "-o", "tcp.reassemble_out_of_order:TRUE", "-o", "rtmpt.desegment:TRUE",
           "-o", "rtmpt.max_packet_size:16777215", "-Y", "rtmpt", "-T", "pdml"]
    if port:
        cmd[3:3] = ["-d", f"tcp.port=={port},rtmpt"]
    xml = subprocess.run(cmd, capture_output=True, check=True).stdout
    tags = []
    # fmt 2 and 3 headers leave the type out: it is the chunk stream's previous one.
    types = {}
    for packet in ET.fromstring(xml).iter("packet"):
        port = next((f.get("show") for f in packet.iter("field") if f.get("name") == "tcp.srcport"), None)
        for proto in packet.iter("proto"):
            if proto.get("name") != "rtmpt":
                continue
            # One proto element can hold several PDUs: each starts with its header format.
            pdus = []
            for field in proto.iter("field"):
                if field.get("name") == "rtmpt.header.format":
                    pdus.append({})
                if pdus:
                    pdus[-1].setdefault(field.get("name"), field)
            for fields in pdus:
                csid = fields.get("rtmpt.header.csid")
                key = (port, csid.get("show") if csid is not None else None)
                tid = fields.get("rtmpt.header.typeid")
                if tid is not None:
                    types[key] = int(tid.get("show"), 16)
                tag = media_tag(fields, types.get(key))
                if tag:
                    tags.append(tag)
    return tags


def write_flv(tags, path):
    with open(path, "wb") as f:
        f.write(b"FLV\x01\x05\x00\x00\x00\x09" + struct.pack(">I", 0))
        for type_id, ts, body in tags:
            header = bytes([type_id]) + struct.pack(">I", len(body))[1:]
            header += struct.pack(">I", ts & 0xFFFFFF)[1:] + bytes([(ts >> 24) & 0xFF]) + b"\x00\x00\x00"
            f.write(header + body + struct.pack(">I", 11 + len(body)))


def main():
    pcap = sys.argv[1]
    port = sys.argv[sys.argv.index("--port") + 1] if "--port" in sys.argv else None
    tags = rtmp_media(pcap, port)
    with tempfile.NamedTemporaryFile(suffix=".flv") as flv:
        write_flv(tags, flv.name)
        probe = json.loads(subprocess.run(
            ["ffprobe", "-v", "error", "-show_streams", "-show_packets", "-of", "json", flv.name],
            capture_output=True, check=True).stdout)
    out = {}
    for stream in probe["streams"]:
        kind = stream["codec_type"]
        packets = [p for p in probe["packets"] if p["stream_index"] == stream["index"]]
        dts = [int(p["dts"]) for p in packets]
        facts = {"codec": stream.get("codec_name"), "profile": stream.get("profile"),
                 "packets": len(packets)}
        if kind == "video":
            keys = [i for i, p in enumerate(packets) if "K" in p.get("flags", "")]
            facts.update(width=stream.get("width"), height=stream.get("height"),
                         pix_fmt=stream.get("pix_fmt"), level=stream.get("level"),
                         avg_frame_rate=stream.get("avg_frame_rate"),
                         keyframes=len(keys),
                         keyframe_interval_frames=[b - a for a, b in zip(keys, keys[1:])],
                         keyframe_interval_ms=[dts[b] - dts[a] for a, b in zip(keys, keys[1:])],
                         reordered=any(p["pts"] != p["dts"] for p in packets),
                         largest_packet=max(int(p["size"]) for p in packets))
        else:
            steps = [b - a for a, b in zip(dts, dts[1:])]
            facts.update(sample_rate=stream.get("sample_rate"), channels=stream.get("channels"),
                         mean_step_ms=round(sum(steps) / len(steps), 3) if steps else None)
        out[kind] = facts
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
