#!/usr/bin/python3
"""Golden vectors for the ICMPv4, ICMPv6/NDP, UDP, TCP, VXLAN and Geneve codecs, built and
dissected by scapy so the expected field values come from an implementation other than ours.

Run with Debian's python (it has scapy):  /usr/bin/python3 test/golden/l4/generate.py
It rewrites vectors.json beside this file; commit both.

Each vector: name, kind, family (4/6, or 0 for tunnel headers), hex (the whole IP packet for
L4 vectors so tests can build the pseudo-header; the tunnel header and payload otherwise),
l4Offset (where the codec's view starts) and fields (what scapy reads back from the bytes).
"""
import json
import os
import socket

from scapy.all import (IP, IPv6, UDP, TCP, ICMP, Ether, Raw, raw, ICMPv6EchoRequest,
                       ICMPv6EchoReply, ICMPv6DestUnreach, ICMPv6PacketTooBig, ICMPv6TimeExceeded,
                       ICMPv6ParamProblem, ICMPv6ND_NS, ICMPv6ND_NA, ICMPv6NDOptSrcLLAddr,
                       ICMPv6NDOptDstLLAddr)
from scapy.layers.vxlan import VXLAN
from scapy.contrib.geneve import GENEVE, GeneveOptions

SRC4, DST4 = '192.0.2.1', '198.51.100.2'
SRC6, DST6 = '2001:db8::1', '2001:db8:1::2'

vectors = []


def add(name, kind, pkt, family, layer, fields):
    """Serialises pkt, reparses it, and records the offset of `layer` and its fields."""
    data = raw(pkt)
    if family == 4:
        back = IP(data)
    elif family == 6:
        back = IPv6(data)
    else:
        back = pkt.__class__(data)
    lay = back.getlayer(layer)
    off = len(data) - len(raw(lay))
    vectors.append({
        'name': name,
        'kind': kind,
        'family': family,
        'hex': data.hex(),
        'l4Offset': off,
        'fields': fields(lay),
    })


def udp_fields(u):
    return {'srcPort': u.sport, 'dstPort': u.dport, 'length': u.len, 'checksum': u.chksum}


def tcp_option(o):
    name, val = o
    if name == 'MSS':
        return ['mss', val]
    if name == 'WScale':
        return ['windowScale', val]
    if name == 'SAckOK':
        return ['sackPermitted', None]
    if name == 'Timestamp':
        return ['timestamp', list(val)]
    if name == 'SAck':
        return ['sack', list(val)]
    if name == 'NOP':
        return ['nop', None]
    if name == 'EOL':
        return ['eol', None]
    return ['unknown', [name if isinstance(name, int) else None, bytes(val).hex()]]


def tcp_fields(t):
    return {
        'srcPort': t.sport, 'dstPort': t.dport, 'seq': t.seq, 'ack': t.ack,
        'dataOffset': t.dataofs, 'reserved': t.reserved, 'flags': int(t.flags) & 0xff,
        'window': t.window, 'checksum': t.chksum, 'urgent': t.urgptr,
        'options': [tcp_option(o) for o in t.options],
        'payloadLength': len(raw(t.payload)),
    }


def icmp4_fields(i):
    rest = raw(i)[4:8]
    return {'type': i.type, 'code': i.code, 'checksum': i.chksum, 'rest': int.from_bytes(rest, 'big'),
            'payloadLength': len(raw(i)) - 8}


def icmp6_fields(i):
    rest = raw(i)[4:8]
    return {'type': i.type, 'code': i.code, 'checksum': i.cksum, 'rest': int.from_bytes(rest, 'big'),
            'payloadLength': len(raw(i)) - 8}


# --- UDP -------------------------------------------------------------------------------------
add('udp4-dns-query', 'udp', IP(src=SRC4, dst=DST4) / UDP(sport=53000, dport=53) /
    Raw(bytes.fromhex('1234010000010000000000000377777706676f6f676c6503636f6d0000010001')),
    4, UDP, udp_fields)
add('udp4-odd-payload', 'udp', IP(src=SRC4, dst=DST4) / UDP(sport=1, dport=65535) / Raw(b'abc'),
    4, UDP, udp_fields)
add('udp4-no-checksum', 'udp', IP(src=SRC4, dst=DST4) / UDP(sport=4789, dport=4789, chksum=0) / Raw(b'xyz!'),
    4, UDP, udp_fields)
add('udp4-empty', 'udp', IP(src=SRC4, dst=DST4) / UDP(sport=123, dport=123), 4, UDP, udp_fields)
add('udp6-hello', 'udp', IPv6(src=SRC6, dst=DST6) / UDP(sport=1234, dport=5678) / Raw(b'hello'),
    6, UDP, udp_fields)
add('udp6-geneve-port', 'udp', IPv6(src=DST6, dst=SRC6) / UDP(sport=50000, dport=6081) / Raw(bytes(range(40))),
    6, UDP, udp_fields)

# --- TCP -------------------------------------------------------------------------------------
add('tcp4-syn-linux-options', 'tcp', IP(src=SRC4, dst=DST4) /
    TCP(sport=40000, dport=80, flags='S', seq=0x11223344, window=64240,
        options=[('MSS', 1460), ('SAckOK', b''), ('Timestamp', (123456789, 0)), ('NOP', None), ('WScale', 7)]),
    4, TCP, tcp_fields)
add('tcp4-synack-mss-odd-offset', 'tcp', IP(src=DST4, dst=SRC4) /
    TCP(sport=80, dport=40000, flags='SA', seq=0xfffffff0, ack=0x11223345, window=65535,
        options=[('NOP', None), ('MSS', 1400), ('NOP', None), ('NOP', None), ('NOP', None)]),
    4, TCP, tcp_fields)
add('tcp4-ack-sack', 'tcp', IP(src=SRC4, dst=DST4) /
    TCP(sport=40000, dport=80, flags='A', seq=1000, ack=2000, window=501,
        options=[('NOP', None), ('NOP', None), ('SAck', (3000, 4000, 5000, 6000))]),
    4, TCP, tcp_fields)
add('tcp4-unknown-option', 'tcp', IP(src=SRC4, dst=DST4) /
    TCP(sport=1, dport=2, flags='S', seq=7, options=[(30, b'\x00\x81\x02\x03\x04\x05'), ('MSS', 536)]),
    4, TCP, tcp_fields)
add('tcp4-fin-urg-payload', 'tcp', IP(src=SRC4, dst=DST4) /
    TCP(sport=443, dport=51000, flags='FPAU', seq=99, ack=100, window=1024, urgptr=3) / Raw(b'bye'),
    4, TCP, tcp_fields)
add('tcp6-push-timestamps', 'tcp', IPv6(src=SRC6, dst=DST6) /
    TCP(sport=51000, dport=443, flags='PA', seq=1, ack=2, window=4096,
        options=[('NOP', None), ('NOP', None), ('Timestamp', (0xdeadbeef, 0x01020304))]) / Raw(b'GET / HTTP/1.1\r\n'),
    6, TCP, tcp_fields)
add('tcp6-syn-mss', 'tcp', IPv6(src=SRC6, dst=DST6) /
    TCP(sport=51001, dport=22, flags='SEC', seq=5, options=[('MSS', 1440), ('EOL', None)]),
    6, TCP, tcp_fields)

# --- ICMPv4 ----------------------------------------------------------------------------------
quoted_udp4 = IP(src=DST4, dst=SRC4, ttl=1) / UDP(sport=33434, dport=33435) / Raw(b'traceroute')
add('icmp4-echo-request', 'icmpv4', IP(src=SRC4, dst=DST4) / ICMP(type=8, id=0x1234, seq=1) / Raw(b'ping-data-0123456'),
    4, ICMP, icmp4_fields)
add('icmp4-echo-reply', 'icmpv4', IP(src=DST4, dst=SRC4) / ICMP(type=0, id=0x1234, seq=1) / Raw(b'ping-data-0123456'),
    4, ICMP, icmp4_fields)
add('icmp4-frag-needed', 'icmpv4', IP(src=DST4, dst=SRC4) / ICMP(type=3, code=4, nexthopmtu=1400) / quoted_udp4,
    4, ICMP, icmp4_fields)
add('icmp4-port-unreachable', 'icmpv4', IP(src=DST4, dst=SRC4) / ICMP(type=3, code=3) / quoted_udp4,
    4, ICMP, icmp4_fields)
add('icmp4-time-exceeded', 'icmpv4', IP(src=DST4, dst=SRC4) / ICMP(type=11, code=0) / quoted_udp4,
    4, ICMP, icmp4_fields)
add('icmp4-parameter-problem', 'icmpv4', IP(src=DST4, dst=SRC4) / ICMP(type=12, code=0, ptr=12) / quoted_udp4,
    4, ICMP, icmp4_fields)
# RFC 4884: a 128-byte original datagram field (32 words) followed by an extension structure.
quoted128 = raw(quoted_udp4).ljust(128, b'\x00')
ext = bytes.fromhex('20000000') + bytes.fromhex('000801010000000a')
add('icmp4-time-exceeded-rfc4884', 'icmpv4', IP(src=DST4, dst=SRC4) / ICMP(type=11, code=0, length=32) / Raw(quoted128 + ext),
    4, ICMP, icmp4_fields)

# --- ICMPv6 ----------------------------------------------------------------------------------
quoted_udp6 = IPv6(src=DST6, dst=SRC6, hlim=1) / UDP(sport=33434, dport=33435) / Raw(b'traceroute')
add('icmp6-echo-request', 'icmpv6', IPv6(src=SRC6, dst=DST6) / ICMPv6EchoRequest(id=0xbeef, seq=7, data=b'abcdefgh'),
    6, ICMPv6EchoRequest, icmp6_fields)
add('icmp6-echo-reply', 'icmpv6', IPv6(src=DST6, dst=SRC6) / ICMPv6EchoReply(id=0xbeef, seq=7, data=b'abcdefgh'),
    6, ICMPv6EchoReply, icmp6_fields)
add('icmp6-port-unreachable', 'icmpv6', IPv6(src=DST6, dst=SRC6) / ICMPv6DestUnreach(code=4) / quoted_udp6,
    6, ICMPv6DestUnreach, icmp6_fields)
add('icmp6-packet-too-big', 'icmpv6', IPv6(src=DST6, dst=SRC6) / ICMPv6PacketTooBig(mtu=1280) / quoted_udp6,
    6, ICMPv6PacketTooBig, icmp6_fields)
add('icmp6-time-exceeded', 'icmpv6', IPv6(src=DST6, dst=SRC6) / ICMPv6TimeExceeded(code=0) / quoted_udp6,
    6, ICMPv6TimeExceeded, icmp6_fields)
add('icmp6-parameter-problem', 'icmpv6', IPv6(src=DST6, dst=SRC6) / ICMPv6ParamProblem(code=1, ptr=40) / quoted_udp6,
    6, ICMPv6ParamProblem, icmp6_fields)
quoted6_128 = raw(quoted_udp6).ljust(128, b'\x00')
add('icmp6-time-exceeded-rfc4884', 'icmpv6', IPv6(src=DST6, dst=SRC6) / ICMPv6TimeExceeded(code=0, length=16) / Raw(quoted6_128 + ext),
    6, ICMPv6TimeExceeded, icmp6_fields)


# --- NDP -------------------------------------------------------------------------------------
def ndp_fields(n):
    out = icmp6_fields(n)
    out['target'] = socket.inet_pton(socket.AF_INET6, n.tgt).hex()
    out['flags'] = (n.R << 7 | n.S << 6 | n.O << 5) if n.type == 136 else 0
    sl = n.getlayer(ICMPv6NDOptSrcLLAddr)
    tl = n.getlayer(ICMPv6NDOptDstLLAddr)
    out['sourceLinkAddr'] = sl.lladdr.replace(':', '') if sl else None
    out['targetLinkAddr'] = tl.lladdr.replace(':', '') if tl else None
    return out


add('ndp-ns-address-resolution', 'ndp', IPv6(src='fe80::1', dst='ff02::1:ff00:2', hlim=255) /
    ICMPv6ND_NS(tgt='2001:db8::2') / ICMPv6NDOptSrcLLAddr(lladdr='02:00:00:00:00:01'),
    6, ICMPv6ND_NS, ndp_fields)
add('ndp-ns-dad', 'ndp', IPv6(src='::', dst='ff02::1:ff00:2', hlim=255) / ICMPv6ND_NS(tgt='fe80::2'),
    6, ICMPv6ND_NS, ndp_fields)
add('ndp-na-solicited', 'ndp', IPv6(src='2001:db8::2', dst='fe80::1', hlim=255) /
    ICMPv6ND_NA(R=0, S=1, O=1, tgt='2001:db8::2') / ICMPv6NDOptDstLLAddr(lladdr='02:00:00:00:00:02'),
    6, ICMPv6ND_NA, ndp_fields)
add('ndp-na-router-unsolicited', 'ndp', IPv6(src='fe80::1', dst='ff02::1', hlim=255) /
    ICMPv6ND_NA(R=1, S=0, O=1, tgt='fe80::1') / ICMPv6NDOptDstLLAddr(lladdr='02:00:5e:10:20:30'),
    6, ICMPv6ND_NA, ndp_fields)

# --- VXLAN -----------------------------------------------------------------------------------
inner = Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02') / IP(src='10.0.0.1', dst='10.0.0.2') / UDP(sport=1, dport=2)
for name, vni in (('vxlan-vni-small', 42), ('vxlan-vni-max', 0xffffff)):
    # flags=0x08 explicitly: with an Ethernet payload scapy would otherwise write VXLAN-GPE's
    # next-protocol flag and byte, which RFC 7348 leaves reserved.
    add(name, 'vxlan', VXLAN(flags=0x08, vni=vni) / inner, 0, VXLAN,
        lambda v: {'flags': int(v.flags), 'vni': v.vni, 'payloadLength': len(raw(v.payload))})


# --- Geneve ----------------------------------------------------------------------------------
def geneve_fields(g):
    # scapy 2.5 drops an option with no data when it dissects, so the options come from what was
    # built (kept in `built` by add below), the rest from the dissection.
    return {
        'version': g.version, 'optionsLength': g.optionlen * 4, 'oam': g.oam, 'critical': g.critical,
        'protocolType': g.proto, 'vni': g.vni,
        'options': [{'class': o.classid, 'type': o.type, 'data': bytes(o.data).hex()} for o in built[0].options],
        'payloadLength': len(raw(g.payload)),
    }


built = [None]


def add_geneve(name, pkt):
    built[0] = pkt
    add(name, 'geneve', pkt, 0, GENEVE, geneve_fields)


add_geneve('geneve-no-options', GENEVE(vni=0x123456, proto=0x6558) / inner)
add_geneve('geneve-two-options', GENEVE(vni=7, proto=0x0800, critical=1, options=[
    GeneveOptions(classid=0x0102, type=0x80, data=b'\x00\x01\x02\x03'),
    GeneveOptions(classid=0xffff, type=0x05, data=b'')]) / IP(src='10.0.0.1', dst='10.0.0.2') / UDP())
add_geneve('geneve-oam-ipv6', GENEVE(vni=0xabcdef, proto=0x86dd, oam=1, options=[
    GeneveOptions(classid=0x0103, type=0x01, data=bytes(range(8)))]) / IPv6(src='2001:db8::1', dst='2001:db8::2'))

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, 'vectors.json'), 'w') as f:
    json.dump({'generator': 'test/golden/l4/generate.py', 'vectors': vectors}, f, indent=1)
    f.write('\n')
print(len(vectors), 'vectors')
