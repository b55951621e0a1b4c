#!/usr/bin/env python3
"""Builds seed corpora for the fuzz targets from the repository's test captures.

    python3 fuzz/seeds.py            # writes fuzz/corpus/<target>/ (gitignored)

* capture_reader, pipeline: the first records of every capture in tests/data (cut at a record
  boundary, at most 64 KiB), behind the targets' piece-size byte;
* chunk_demux: slices of the RTMP streams in tests/data/rtmp-*.bin after the handshake, and of
  the reassembled TCP streams of the mid-stream and snap-length captures, behind the target's
  3 control bytes (mode, piece size, no gaps);
* rtmp_connection: both directions of those streams interleaved in the target's step format;
* amf0: the AMF0 command and data bodies found in those streams; amf3: a few hand-made values;
* tcp_reassembly: the TCP segments of the first packets of two captures, in the target's
  8-byte segment format.
"""
import hashlib
import os
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, 'tests', 'data')
OUT = os.path.join(ROOT, 'fuzz', 'corpus')


def save(target, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def records(data):
    """(offset, length) of the records of a pcap or pcapng file."""
    magic = data[:4]
    out = []
    if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1'):
        pos = 24
        while pos + 16 <= len(data):
            incl = struct.unpack('<I', data[pos + 8:pos + 12])[0]
            out.append((pos, 16 + incl))
            pos += 16 + incl
    elif magic == b'\x0a\x0d\x0d\x0a':
        pos = 0
        while pos + 12 <= len(data):
            length = struct.unpack('<I', data[pos + 4:pos + 8])[0]
            if length < 12:
                break
            out.append((pos, length))
            pos += length
    return out


def head(data, limit=64 << 10):
    end = 0
    for pos, length in records(data):
        if pos + length > limit:
            break
        end = pos + length
    return data[:max(end, 24)]


def packets(data):
    """Captured frames of a classic pcap."""
    for pos, length in records(data):
        yield data[pos + 16:pos + length]


def tcp_streams(data):
    """The two directions' payload bytes of the first TCP connection (in capture order; good
    enough for seeds)."""
    c2s, s2c = bytearray(), bytearray()
    for frame in packets(data):
        ip = frame[14:]
        if len(ip) < 20 or ip[9] != 6:
            continue
        ihl = (ip[0] & 15) * 4
        tcp = ip[ihl:]
        if len(tcp) < 20:
            continue
        total = struct.unpack('>H', ip[2:4])[0]
        doff = (tcp[12] >> 4) * 4
        payload = tcp[doff:total - ihl]
        dport = struct.unpack('>H', tcp[2:4])[0]
        (c2s if dport in (1935, 1936) else s2c).extend(payload)
    return bytes(c2s), bytes(s2c)


def chunks(stream, chunk_size=128):
    """(type id, body) of the messages of a chunk stream that starts at a chunk boundary."""
    state, pos, out = {}, 0, []
    try:
        while pos < len(stream):
            b = stream[pos]
            fmt, csid, hl = b >> 6, b & 0x3f, 1
            if csid == 0:
                csid, hl = 64 + stream[pos + 1], 2
            elif csid == 1:
                csid, hl = 64 + stream[pos + 1] + 256 * stream[pos + 2], 3
            s = state.setdefault(csid, {'len': 0, 'type': 0, 'rem': 0, 'body': b''})
            p = pos + hl
            if fmt <= 1:
                s['len'] = int.from_bytes(stream[p + 3:p + 6], 'big')
                s['type'] = stream[p + 6]
            p += (11, 7, 3, 0)[fmt]
            if s['rem'] == 0:
                s['rem'], s['body'] = s['len'], b''
            n = min(s['rem'], chunk_size)
            s['body'] += stream[p:p + n]
            s['rem'] -= n
            pos = p + n
            if s['rem'] == 0:
                out.append((s['type'], s['body']))
                if s['type'] == 1 and len(s['body']) == 4:
                    chunk_size = int.from_bytes(s['body'], 'big') & 0x7fffffff
    except IndexError:
        pass
    return out


def main():
    captures = sorted(f for f in os.listdir(DATA) if f.endswith(('.pcap', '.pcapng')))
    for name in captures:
        data = open(os.path.join(DATA, name), 'rb').read()
        h = head(data)
        save('capture_reader', bytes([63]) + h)
        save('capture_reader', bytes([0]) + h[:4096])
        save('pipeline', bytes([255]) + h)

    streams = []
    for prefix in ('nginx-ffmpeg-publish', 'nginx-rtmpdump-play', 'nms-ffmpeg-publish'):
        c2s = open(os.path.join(DATA, f'rtmp-{prefix}-c2s.bin'), 'rb').read()
        s2c = open(os.path.join(DATA, f'rtmp-{prefix}-s2c.bin'), 'rb').read()
        streams.append((c2s, s2c, 3073))
    for name in ('nginx-ffmpeg-publish-midstream.pcap', 'nginx-ffmpeg-publish-snap200.pcap'):
        c2s, s2c = tcp_streams(open(os.path.join(DATA, name), 'rb').read())
        streams.append((c2s[:32768], s2c[:8192], 0))

    for c2s, s2c, hs in streams:
        for direction in (c2s, s2c):
            body = direction[hs:]
            for start in (0, 5, 300):
                save('chunk_demux', bytes([0 if hs and start == 0 else 1, 200, 0]) + body[start:start + 8192])
            save('chunk_demux', bytes([2, 255, 0]) + body[:8192])
            for type_id, msg in chunks(body):
                if type_id in (18, 20, 19) and msg:
                    save('amf0', msg)
        # rtmp_connection: a start byte (SYN seen, RTMP port), then steps of at most 64*24 bytes.
        steps = bytearray([3 if hs else 2])
        a, b = c2s[:16384], s2c[:8192]
        while a or b:
            for direction, data in ((0, a), (0x80, b)):
                if data:
                    n = min(len(data), 1 + 62 * 24)
                    ctl = direction | ((n - 1) // 24)
                    n = ((ctl & 0x3f) * 24) + 1
                    steps.append(ctl)
                    steps.extend(data[:n])
            a, b = a[(((min(len(a), 1 + 62 * 24) - 1) // 24) * 24 + 1):] if a else a, \
                b[(((min(len(b), 1 + 62 * 24) - 1) // 24) * 24 + 1):] if b else b
        save('rtmp_connection', bytes(steps))

    amf3 = [
        b'\x06\x0bhello',                       # string
        b'\x04\x7f\x04\xff\xff\xff\x7f',        # integers
        b'\x05\x3f\xf0\x00\x00\x00\x00\x00\x00',  # double 1.0
        b'\x09\x05\x01\x04\x01\x04\x02',        # dense array [1, 2]
        b'\x0a\x0b\x01\x03a\x06\x03b\x01',      # dynamic object {a: "b"}
        b'\x0a\x13\x07Foo\x03x\x04\x05',        # sealed object Foo {x: 5}
        b'\x0a\x0b\x01\x03a\x0a\x00\x01',       # object referencing itself
        b'\x08\x01\x42\x70\x00\x00\x00\x00\x00\x00',  # date
        b'\x0c\x07abc',                         # byte array
        b'\x00\x02\x00\x07connect\x00\x3f\xf0\x00\x00\x00\x00\x00\x00\x11\x0a\x0b\x01\x01',
    ]
    for v in amf3:
        save('amf3', v)

    for name in ('nginx-ffmpeg-publish.pcap', 'nginx-ffmpeg-publish-lossy.pcap'):
        seed = bytearray()
        seq = {}
        for frame in list(packets(open(os.path.join(DATA, name), 'rb').read()))[:60]:
            ip = frame[14:]
            ihl = (ip[0] & 15) * 4
            tcp = ip[ihl:]
            total = struct.unpack('>H', ip[2:4])[0]
            doff = (tcp[12] >> 4) * 4
            payload = bytes(tcp[doff:total - ihl])[:255]
            flags = tcp[13]
            f = (flags & 2 and 1) | (flags & 16 and 2) | (flags & 1 and 4) | (flags & 8 and 16)
            side = 0 if struct.unpack('>H', tcp[2:4])[0] == 1935 else 1
            seed.extend([f, side, 1, 0, 16, len(payload), 0, 0])
            seed.extend(payload)
        save('tcp_reassembly', bytes(seed))
    for t in sorted(os.listdir(OUT)):
        print(t, len(os.listdir(os.path.join(OUT, t))), file=sys.stderr)


main()
