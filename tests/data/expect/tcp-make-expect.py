#!/usr/bin/env python3
"""Regenerates the tcp-* expectation files from Wireshark (tshark 4.0.17 was used).

Run from the repository root: python3 tests/data/expect/tcp-make-expect.py [DATA_DIR]
DATA_DIR defaults to tests/data. Needs tshark on PATH.
"""
import glob, hashlib, os, subprocess, sys

DATA = sys.argv[1] if len(sys.argv) > 1 else "tests/data"
OUT = os.path.dirname(os.path.abspath(__file__))
FOLLOW_OPTS = ["-o", "tcp.desegment_tcp_streams:TRUE", "-o", "tcp.reassemble_out_of_order:TRUE"]


def tshark(args):
    return subprocess.run(["tshark"] + args, check=True, capture_output=True, text=True).stdout


def captures():
    names = sorted(glob.glob(os.path.join(DATA, "*.pcap*")))
    names += sorted(glob.glob(os.path.join(DATA, "public", "*.pcap*")) + glob.glob(os.path.join(DATA, "public", "*.cap")))
    return names


def rel(path):
    return os.path.relpath(path, DATA)


def follow(path, stream):
    """Each node's bytes from `-z follow,tcp,raw,N`: {address: bytes}, in node order."""
    text = tshark(["-r", path] + FOLLOW_OPTS + ["-q", "-z", f"follow,tcp,raw,{stream}"])
    nodes, data, body = [], {}, False
    for line in text.split("\n"):
        if line.startswith("Node 0: ") or line.startswith("Node 1: "):
            nodes.append(line.split(": ", 1)[1])
            data[nodes[-1]] = bytearray()
            body = len(nodes) == 2
            continue
        if body:
            if line.startswith("====="):
                break
            if line.startswith("\t"):
                data[nodes[1]] += bytes.fromhex(line[1:])
            elif line:
                data[nodes[0]] += bytes.fromhex(line)
    return [(n, data[n]) for n in nodes]


def last(field):
    # tunnelled packets list the outer and inner address: the inner one is the TCP endpoint
    return field.split(",")[-1]


def stream_rows(path):
    """(stream, source endpoint) -> [frames, bytes] from per-frame fields."""
    text = tshark(["-r", path, "-T", "fields", "-E", "separator=/t", "-e", "tcp.stream",
                   "-e", "ip.src", "-e", "ipv6.src", "-e", "tcp.srcport", "-e", "frame.len", "tcp"])
    rows = {}
    for line in text.splitlines():
        stream, ip4, ip6, port, length = line.split("\t")
        src = f"{last(ip4)}:{port}" if ip4 else f"[{last(ip6)}]:{port}"
        row = rows.setdefault((int(stream), src), [0, 0])
        row[0] += 1
        row[1] += int(length)
    return rows


def follow_file(name, capture, role_of):
    path = os.path.join(DATA, capture)
    cmd = " ".join(["tshark", "-r", capture] + FOLLOW_OPTS + ["-q", "-z", "follow,tcp,raw,0"])
    lines = [f"# Wireshark 4.0.17: {cmd}",
             "# each direction's reassembled bytes: direction, length, SHA-256"]
    for node, data in follow(path, 0):
        lines.append(f"{role_of(node)} {len(data)} {hashlib.sha256(data).hexdigest()}")
    open(os.path.join(OUT, name), "w").write("\n".join(lines) + "\n")


def main():
    server_ports = (":1935", ":1936")
    role = lambda node: "s2c" if node.endswith(server_ports) else "c2s"
    follow_file("tcp-lossy-follow.txt", "nginx-ffmpeg-publish-lossy.pcap", role)
    follow_file("tcp-clean-follow.txt", "nginx-ffmpeg-publish.pcap", role)

    follow_lines = ["# every TCP stream of every capture, from Wireshark 4.0.17:",
                    "#   tshark -r CAPTURE " + " ".join(FOLLOW_OPTS) + " -q -z follow,tcp,raw,STREAM",
                    "# snap200: Wireshark's follow glues the captured bytes together across the snap-length cuts;",
                    "# rtmpscope reports the cuts as gaps (tcp-snap200-cuts.txt) and its captured bytes match these.",
                    "# twinx-1b04452-rtmp stream 0 starts with a keep-alive (seq one below the next byte): no bytes.",
                    "# capture\tstream\tsender\tlength\tsha256"]
    stream_lines = ["# frames and frame bytes per TCP stream and sender, from Wireshark 4.0.17:",
                    "#   tshark -r CAPTURE -T fields -e tcp.stream -e ip.src -e ipv6.src -e tcp.srcport -e frame.len tcp",
                    "# summed per (tcp.stream, source address:port); tunnelled packets use the inner address",
                    "# capture\tstream\tsender\tframes\tbytes"]
    for path in captures():
        rows = stream_rows(path)
        for (stream, src), (frames, length) in sorted(rows.items()):
            stream_lines.append(f"{rel(path)}\t{stream}\t{src}\t{frames}\t{length}")
        for stream in sorted({s for s, _ in rows}):
            for node, data in follow(path, stream):
                follow_lines.append(f"{rel(path)}\t{stream}\t{node}\t{len(data)}\t{hashlib.sha256(data).hexdigest()}")
        if rel(path).startswith("public"):
            base = os.path.splitext(os.path.basename(path))[0]
            conv = tshark(["-r", path, "-q", "-z", "conv,tcp"])
            header = f"# Wireshark 4.0.17: tshark -r {rel(path)} -q -z conv,tcp\n"
            open(os.path.join(OUT, f"tcp-{base}.conv.txt"), "w").write(header + conv)
    open(os.path.join(OUT, "tcp-follow-all.tsv"), "w").write("\n".join(follow_lines) + "\n")
    open(os.path.join(OUT, "tcp-streams-all.tsv"), "w").write("\n".join(stream_lines) + "\n")

    snap = os.path.join(DATA, "nginx-ffmpeg-publish-snap200.pcap")
    text = tshark(["-r", snap, "-T", "fields", "-E", "separator=/t", "-e", "tcp.srcport", "-e", "tcp.len",
                   "-e", "frame.len", "-e", "frame.cap_len", "tcp"])
    per_dir = {}
    for line in text.splitlines():
        port, tcp_len, frame_len, cap_len = line.split("\t")
        d = per_dir.setdefault("s2c" if port == "1935" else "c2s", [0, 0, 0])
        d[0] += int(tcp_len)
        cut = int(frame_len) - int(cap_len)
        d[1] += 1 if cut > 0 else 0
        d[2] += cut
    lines = ["# Wireshark 4.0.17: tshark -r nginx-ffmpeg-publish-snap200.pcap -T fields -e tcp.srcport -e tcp.len -e frame.len -e frame.cap_len tcp",
             "# per direction: payload bytes on the wire (sum of tcp.len), segments cut by the snap length,",
             "# bytes cut (sum of frame.len - frame.cap_len; every cut falls inside the TCP payload)",
             "# direction\tpayload_bytes\tcut_segments\tcut_bytes"]
    for d in ("c2s", "s2c"):
        lines.append(f"{d}\t" + "\t".join(map(str, per_dir[d])))
    open(os.path.join(OUT, "tcp-snap200-cuts.txt"), "w").write("\n".join(lines) + "\n")


main()
