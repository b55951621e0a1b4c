#!/usr/bin/env python3
"""Flattens tshark's PDML of a re-cut capture (recut.py) to one row per RTMP message whose first
chunk is in an original frame: frame (numbered as in the original capture), direction, fmt,
csid, timestamp (tshark's, from the primer's base 0), type id, length, command name.
Usage: tshark ... -T pdml | flatten.py SYNTHETIC_FRAMES SERVER_PORT"""
import sys
import xml.etree.ElementTree as ET

synthetic, server_port = int(sys.argv[1]), sys.argv[2]
print('frame\tdir\tfmt\tcsid\ttimestamp\ttype_id\tlength\tcommand')
# fmt 2/3 headers carry no type or length: tshark's values carried forward per chunk stream.
carried = {}
for _, packet in ET.iterparse(sys.stdin, events=('end',)):
    if packet.tag != 'packet':
        continue
    frame, sport = None, None
    for proto in packet.findall('proto'):
        for f in proto.iter('field'):
            if f.get('name') == 'frame.number' and frame is None:
                frame = int(f.get('show'))
            if f.get('name') == 'tcp.srcport' and sport is None:
                sport = f.get('show')
    for proto in packet.findall('proto'):
        if proto.get('name') != 'rtmpt':
            continue
        fields = {}
        command = ''
        for f in proto.iter('field'):
            name = f.get('name')
            if name.startswith('rtmpt.header.') and name not in fields:
                fields[name] = f.get('show')
            if name == 'amf.string' and not command and fields.get('rtmpt.header.typeid') in ('0x14', '0x12'):
                command = f.get('show')
        if 'rtmpt.header.csid' not in fields:
            continue
        d = 's2c' if sport == server_port else 'c2s'
        key = (d, fields['rtmpt.header.csid'])
        for name in ('rtmpt.header.typeid', 'rtmpt.header.bodysize'):
            if name in fields:
                carried[key + (name,)] = fields[name]
            else:
                fields[name] = carried.get(key + (name,), '')
        if not fields['rtmpt.header.typeid'] or frame <= synthetic:
            continue
        print('\t'.join([str(frame - synthetic), d, fields.get('rtmpt.header.format', ''),
                         fields.get('rtmpt.header.csid', ''), fields.get('rtmpt.header.timestamp', ''),
                         str(int(fields['rtmpt.header.typeid'], 16)), fields.get('rtmpt.header.bodysize', ''),
                         command]))
    packet.clear()
