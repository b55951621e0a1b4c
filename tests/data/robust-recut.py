#!/usr/bin/env python3
"""Re-cut a mid-stream RTMP capture so that Wireshark can decode it: put a synthetic TCP
handshake, RTMP handshake, Set Chunk Size and one fmt 0 "primer" message per chunk stream in
front of the captured bytes (sequence numbers chosen so the original packets follow exactly).
Usage: recut.py IN.pcap OUT.pcap CHUNK_SIZE C2S_PRIMERS S2C_PRIMERS
PRIMERS: comma-separated csid:type:msid, e.g. 3:20:0,4:8:1,6:9:1"""
import struct, sys

def read_pcap(path):
    data = open(path, 'rb').read()
    gh = data[:24]
    magic = struct.unpack('<I', gh[:4])[0]
    assert magic == 0xa1b2c3d4, hex(magic)
    pos, pkts = 24, []
    while pos + 16 <= len(data):
        ts_s, ts_u, incl, orig = struct.unpack('<IIII', data[pos:pos + 16])
        pkts.append((ts_s, ts_u, data[pos + 16:pos + 16 + incl], orig))
        pos += 16 + incl
    return gh, pkts

def parse(frame):
    eth, ip = frame[:14], frame[14:]
    ihl = (ip[0] & 15) * 4
    tcp = ip[ihl:]
    sport, dport, seq, ack = struct.unpack('>HHII', tcp[:12])
    return eth, ip[:ihl], sport, dport, seq, ack, ip[12:16], ip[16:20]

def packet(eth, src, dst, sport, dport, seq, ack, flags, payload):
    tcp = struct.pack('>HHIIBBHHH', sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
    total = 20 + len(tcp)
    ip = struct.pack('>BBHHHBBH4s4s', 0x45, 0, total, 0, 0x4000, 64, 6, 0, src, dst)
    return eth + ip + tcp

def chunk(csid, type_id, msid, body, ts=0):
    return (bytes([csid]) + ts.to_bytes(3, 'big') + len(body).to_bytes(3, 'big') + bytes([type_id])
            + struct.pack('<I', msid) + body)

def amf_string(s):
    return b'\x02' + len(s).to_bytes(2, 'big') + s.encode()

PRIMER_BODY = {
    20: amf_string('primer') + b'\x00' + struct.pack('>d', 0) + b'\x05',
    18: amf_string('primer'),
    8: b'\xaf\x01',
    9: b'\x27\x01\x00\x00\x00',
}

def prefix(chunk_size, primers):
    out = b''
    # C0 C1 C2 from the client, S0 S1 S2 from the server.
    out += b'\x03' + bytes(1536) + bytes(1536)
    out += chunk(2, 1, 0, chunk_size.to_bytes(4, 'big'))
    for p in filter(None, primers.split(',')):
        csid, type_id, msid = map(int, p.split(':'))
        out += chunk(csid, type_id, msid, PRIMER_BODY[type_id])
    return out

def main():
    src_path, out_path, size, c2s_primers, s2c_primers = sys.argv[1:6]
    size = int(size)
    gh, pkts = read_pcap(src_path)
    eth, _, sport, dport, seq, ack, sip, dip = parse(pkts[0][2])
    # The client is the side not on port 1935.
    if sport == 1935:
        sport, dport, sip, dip, seq, ack = dport, sport, dip, sip, ack, seq
    first_c, first_s = None, None
    for _, _, f, _ in pkts:
        _, _, sp, dp, sq, ak, _, _ = parse(f)
        if sp == sport and first_c is None:
            first_c = sq
        if sp == dport and first_s is None:
            first_s = sq
    pc, ps = prefix(size, c2s_primers), prefix(size, s2c_primers)
    isn_c = (first_c - len(pc) - 1) & 0xffffffff
    isn_s = (first_s - len(ps) - 1) & 0xffffffff
    t0s, t0u = pkts[0][0] - 1, pkts[0][1]
    out = [gh]
    def emit(frame):
        out.append(struct.pack('<IIII', t0s, t0u, len(frame), len(frame)) + frame)
    c1, s1 = (isn_c + 1) & 0xffffffff, (isn_s + 1) & 0xffffffff
    emit(packet(eth, sip, dip, sport, dport, isn_c, 0, 0x02, b''))
    emit(packet(eth, dip, sip, dport, sport, isn_s, c1, 0x12, b''))
    emit(packet(eth, sip, dip, sport, dport, c1, s1, 0x10, b''))
    emit(packet(eth, sip, dip, sport, dport, c1, s1, 0x18, pc[:1537]))
    emit(packet(eth, dip, sip, dport, sport, s1, (c1 + 1537) & 0xffffffff, 0x18, ps))
    emit(packet(eth, sip, dip, sport, dport, (c1 + 1537) & 0xffffffff, first_s, 0x18, pc[1537:]))
    for ts_s, ts_u, f, orig in pkts:
        out.append(struct.pack('<IIII', ts_s, ts_u, len(f), orig) + f)
    open(out_path, 'wb').write(b''.join(out))
    print(f'prefix c2s {len(pc)} bytes, s2c {len(ps)} bytes; {len(pkts) + 6} frames', file=sys.stderr)

main()
