#!/usr/bin/python3
"""Golden vectors for the flow tuple and the NAPT rewrite (src/xlat/flow-tuple.ts,
src/xlat/napt-rewrite.ts), built by scapy so every expected checksum comes from an
implementation other than ours.

Run with Debian's python (it has scapy):  /usr/bin/python3 test/golden/napt/generate.py
It rewrites vectors.json beside this file; commit both.

Each case is a builder (a function from endpoint fields to packet bytes) and the fields of the
original packet. The input packet is the builder applied to those fields; each rewrite names a
side, an address (or null) and a port, and its expected bytes are the builder applied to the
fields as the rewrite should leave them, so scapy computes every checksum of the result from
scratch. Quoted packets in ICMP errors are built whole, checksummed, and then cut to the quote
length: the expected quoted transport checksum is the one of the whole rewritten packet, which
is what an incremental update of the cut one must give.

Vector fields: name, hex (the IP packet), then either drop (the FlowDrop name) or tuple (what
extractFlowTuple must fill: addresses as four 32-bit words, IPv4 mapped as ::ffff:a.b.c.d) and
rewrites ([{side, addr, port, hex}]).
"""
import json
import os
import socket

from scapy.all import (IP, IPv6, TCP, UDP, ICMP, Raw, raw, IPOption_RR, IPv6ExtHdrHopByHop,
                       IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, IPv6ExtHdrRouting, ICMPv6EchoRequest,
                       ICMPv6EchoReply, ICMPv6DestUnreach, ICMPv6PacketTooBig, ICMPv6TimeExceeded,
                       ICMPv6ParamProblem, ICMPv6ND_NS, fragment, fragment6)

INSIDE4, PUBLIC4, REMOTE4, ROUTER4 = '10.0.0.5', '203.0.113.9', '198.51.100.7', '192.0.2.254'
OTHER4 = '203.0.113.77'
INSIDE6, REMOTE6, ROUTER6 = '2001:db8::5', '64:ff9b::c633:6407', '2001:db8:ffff::1'

vectors = []


def words(addr):
    if ':' in addr:
        b = socket.inet_pton(socket.AF_INET6, addr)
    else:
        b = bytes(10) + b'\xff\xff' + socket.inet_aton(addr)
    return [int.from_bytes(b[i:i + 4], 'big') for i in range(0, 16, 4)]


def l4_offset(pkt, layer):
    data = raw(pkt)
    return len(data) - len(raw(pkt[layer]))


# --- builders: fields -> (bytes, tuple meta) -----------------------------------------------

def tcp4(f, flags='S', payload=b'', ip_options=None, tcp_options=None):
    ip = IP(src=f['src'], dst=f['dst'], id=0x4242, options=ip_options or [])
    pkt = ip / TCP(sport=f['sport'], dport=f['dport'], flags=flags, seq=0x01020304, ack=0,
                   window=65535, options=tcp_options or []) / Raw(payload)
    return raw(pkt), {'proto': 6, 'l4Off': l4_offset(pkt, TCP), 'tcpFlags': int(pkt[TCP].flags) & 0xff}


def udp4(f, payload=b'query', chksum=None):
    u = UDP(sport=f['sport'], dport=f['dport'])
    if chksum is not None:
        u.chksum = chksum
    pkt = IP(src=f['src'], dst=f['dst'], id=7) / u / Raw(payload)
    return raw(pkt), {'proto': 17, 'l4Off': l4_offset(pkt, UDP)}


def echo4(f, typ=8, seq=1, payload=b'ping-0123456789'):
    pkt = IP(src=f['src'], dst=f['dst'], id=9) / ICMP(type=typ, id=f['sport'], seq=seq) / Raw(payload)
    return raw(pkt), {'proto': 1, 'l4Off': l4_offset(pkt, ICMP), 'icmpQueryRequest': typ == 8}


def tcp6(f, flags='PA', payload=b'GET / HTTP/1.1\r\n', ext=None):
    pkt = IPv6(src=f['src'], dst=f['dst'])
    for e in ext or []:
        pkt = pkt / e
    pkt = pkt / TCP(sport=f['sport'], dport=f['dport'], flags=flags, seq=5, ack=6) / Raw(payload)
    return raw(pkt), {'proto': 6, 'l4Off': l4_offset(pkt, TCP), 'tcpFlags': int(pkt[TCP].flags) & 0xff}


def udp6(f, payload=b'hello', ext=None):
    pkt = IPv6(src=f['src'], dst=f['dst'])
    for e in ext or []:
        pkt = pkt / e
    pkt = pkt / UDP(sport=f['sport'], dport=f['dport']) / Raw(payload)
    return raw(pkt), {'proto': 17, 'l4Off': l4_offset(pkt, UDP)}


def echo6(f, request=True, payload=b'ping6'):
    cls = ICMPv6EchoRequest if request else ICMPv6EchoReply
    pkt = IPv6(src=f['src'], dst=f['dst']) / cls(id=f['sport'], seq=3, data=payload)
    return raw(pkt), {'proto': 58, 'l4Off': 40, 'icmpQueryRequest': request}


def quoted_inner4(f, kind, payload, ip_options=None, udp_chksum=None):
    ip = IP(src=f['qsrc'], dst=f['qdst'], id=0x1111, ttl=1, options=ip_options or [])
    if kind == 'tcp':
        inner = ip / TCP(sport=f['qsport'], dport=f['qdport'], flags='S', seq=0xa0b0c0d0) / Raw(payload)
        layer, proto = TCP, 6
    elif kind == 'udp':
        u = UDP(sport=f['qsport'], dport=f['qdport'])
        if udp_chksum is not None:
            u.chksum = udp_chksum
        inner = ip / u / Raw(payload)
        layer, proto = UDP, 17
    else:
        inner = ip / ICMP(type=8 if kind == 'echo-request' else 0, id=f['qsport'], seq=4) / Raw(payload)
        layer, proto = ICMP, 1
    return inner, layer, proto


def error4(f, kind, quote_len=None, typ=3, code=3, payload=b'payload-bytes', ip_options=None, udp_chksum=None):
    """An ICMPv4 error from the outer src to the outer dst quoting `quote_len` bytes (None: all)
    of an IPv4 packet from qsrc:qsport to qdst:qdport."""
    inner, layer, proto = quoted_inner4(f, kind, payload, ip_options, udp_chksum)
    data = raw(inner)
    quote = data if quote_len is None else data[:quote_len]
    outer = IP(src=f['src'], dst=f['dst'], id=0x2222) / ICMP(type=typ, code=code) / Raw(quote)
    q = len(raw(outer)) - len(quote)
    meta = {'proto': proto, 'l4Off': q - 8, 'icmpError': True, 'innerL3Off': q,
            'innerL4Off': q + l4_offset(inner, layer), 'icmpQueryRequest': kind == 'echo-request'}
    return raw(outer), meta


def error6(f, kind, quote_len=None, cls=ICMPv6DestUnreach, payload=b'payload-bytes', ext=None, **kw):
    ip = IPv6(src=f['qsrc'], dst=f['qdst'], hlim=1)
    for e in ext or []:
        ip = ip / e
    if kind == 'tcp':
        inner = ip / TCP(sport=f['qsport'], dport=f['qdport'], flags='S', seq=9) / Raw(payload)
        layer, proto = TCP, 6
    elif kind == 'udp':
        inner = ip / UDP(sport=f['qsport'], dport=f['qdport']) / Raw(payload)
        layer, proto = UDP, 17
    else:
        ecls = ICMPv6EchoRequest if kind == 'echo-request' else ICMPv6EchoReply
        inner = ip / ecls(id=f['qsport'], seq=4, data=payload)
        layer, proto = ecls, 58
    data = raw(inner)
    quote = data if quote_len is None else data[:quote_len]
    outer = IPv6(src=f['src'], dst=f['dst']) / cls(**kw) / Raw(quote)
    q = 48
    meta = {'proto': proto, 'l4Off': 40, 'icmpError': True, 'innerL3Off': q,
            'innerL4Off': q + l4_offset(inner, layer), 'icmpQueryRequest': kind == 'echo-request'}
    return raw(outer), meta


# --- vectors ---------------------------------------------------------------------------------

def rewritten(f, error, echo, side, addr, port):
    g = dict(f)
    if error:
        if side == 'destination':
            if addr:
                g['dst'] = addr
                g['qsrc'] = addr
            g['qsport'] = port
            if echo:
                g['qdport'] = port
        else:
            if addr:
                g['src'] = addr
                g['qdst'] = addr
            g['qdport'] = port
            if echo:
                g['qsport'] = port
        if echo:
            g['qsport'] = g['qdport'] = port
    else:
        key = 'src' if side == 'source' else 'dst'
        if addr:
            g[key] = addr
        g['sport' if side == 'source' else 'dport'] = port
        if echo:
            g['sport'] = g['dport'] = port
    return g


def tuple_of(f, meta, family, length):
    error = meta.get('icmpError', False)
    echo = meta['proto'] in (1, 58)
    src, dst = (f['qsrc'], f['qdst']) if error else (f['src'], f['dst'])
    sport, dport = (f['qsport'], f['qdport']) if error else (f['sport'], f['dport'])
    if echo:
        dport = sport
    return {
        'family': family, 'proto': meta['proto'], 'src': words(src), 'dst': words(dst),
        'srcPort': sport, 'dstPort': dport, 'icmpError': error,
        'icmpQueryRequest': meta.get('icmpQueryRequest', False), 'tcpFlags': meta.get('tcpFlags', 0),
        'l4Off': meta['l4Off'], 'innerL3Off': meta.get('innerL3Off', 0), 'innerL4Off': meta.get('innerL4Off', 0),
        'l3End': length,
    }


def case(name, build, f, rewrites, family=4):
    data, meta = build(f)
    echo = meta['proto'] in (1, 58)
    error = meta.get('icmpError', False)
    out = []
    for side, addr, port in rewrites:
        exp, _ = build(rewritten(f, error, echo, side, addr, port))
        out.append({'side': side, 'addr': addr, 'port': port, 'hex': exp.hex()})
    vectors.append({'name': name, 'hex': data.hex(), 'tuple': tuple_of(f, meta, family, len(data)), 'rewrites': out})


def drop(name, pkt, reason):
    vectors.append({'name': name, 'hex': raw(pkt).hex(), 'drop': reason})


def find_port(build, f, side, addr, want, field):
    """A port for which the rewritten packet's checksum at byte `field` is `want`, as scapy
    computes it. The checksum is linear in the port (ones' complement), so one build gives the
    candidate and a second confirms it."""
    p0 = 1024
    exp, _ = build(rewritten(f, False, False, side, addr, p0))
    s0 = ~int.from_bytes(exp[field:field + 2], 'big') & 0xffff
    target = ~want & 0xffff
    port = (target - s0 + p0) % 0xffff
    for cand in (port, port + 0xffff):
        if 0 < cand <= 0xffff:
            exp, _ = build(rewritten(f, False, False, side, addr, cand))
            if int.from_bytes(exp[field:field + 2], 'big') == want:
                return cand
    raise SystemExit('no port found')


out4 = {'src': INSIDE4, 'dst': REMOTE4, 'sport': 40000, 'dport': 443}
in4 = {'src': REMOTE4, 'dst': PUBLIC4, 'sport': 443, 'dport': 61000}

# TCP over IPv4
case('tcp4-syn-outbound', lambda f: tcp4(f, tcp_options=[('MSS', 1460), ('SAckOK', b''), ('WScale', 7)]), out4,
     [('source', PUBLIC4, 61000), ('destination', OTHER4, 8443), ('source', None, 1)])
case('tcp4-synack-inbound', lambda f: tcp4(f, flags='SA'), in4, [('destination', INSIDE4, 40000)])
case('tcp4-ip-options-payload', lambda f: tcp4(f, flags='PA', payload=b'hello world!',
                                                 ip_options=[IPOption_RR(routers=['192.0.2.1', '192.0.2.2'])]),
     out4, [('source', PUBLIC4, 61001), ('destination', OTHER4, 65535)])
tcp_zero = find_port(lambda f: tcp4(f, flags='A', payload=b'z'), out4, 'source', PUBLIC4, 0, 36)
case('tcp4-checksum-becomes-zero', lambda f: tcp4(f, flags='A', payload=b'z'), out4,
     [('source', PUBLIC4, tcp_zero)])

# UDP over IPv4
case('udp4-outbound', udp4, {'src': INSIDE4, 'dst': REMOTE4, 'sport': 5353, 'dport': 53},
     [('source', PUBLIC4, 62000), ('destination', OTHER4, 5300)])
case('udp4-zero-checksum-stays-zero', lambda f: udp4(f, chksum=0), {'src': INSIDE4, 'dst': REMOTE4, 'sport': 4789, 'dport': 4789},
     [('source', PUBLIC4, 62001), ('destination', OTHER4, 1)])
udp_f = {'src': INSIDE4, 'dst': REMOTE4, 'sport': 5000, 'dport': 53}
udp_ffff = find_port(udp4, udp_f, 'source', PUBLIC4, 0xffff, 26)
case('udp4-checksum-becomes-ffff', udp4, udp_f, [('source', PUBLIC4, udp_ffff)])
orig_ffff = find_port(udp4, udp_f, 'source', None, 0xffff, 26)
case('udp4-checksum-was-ffff', udp4, dict(udp_f, sport=orig_ffff), [('source', PUBLIC4, 62002)])
# First fragment: the UDP checksum covers the whole datagram, so scapy checksums it whole and
# then fragments it.
case('udp4-first-fragment', lambda f: (lambda p: (raw(p), {'proto': 17, 'l4Off': 20}))(
    fragment(IP(raw(udp4(f, payload=bytes(range(256)) * 4)[0])), fragsize=512)[0]),
     {'src': INSIDE4, 'dst': REMOTE4, 'sport': 5004, 'dport': 5005}, [('source', PUBLIC4, 62003)])

# ICMPv4 queries
case('icmp4-echo-request', echo4, {'src': INSIDE4, 'dst': REMOTE4, 'sport': 0x1234, 'dport': 0x1234},
     [('source', PUBLIC4, 0x8001), ('destination', OTHER4, 0x0001)])
case('icmp4-echo-reply', lambda f: echo4(f, typ=0), {'src': REMOTE4, 'dst': PUBLIC4, 'sport': 0x8001, 'dport': 0x8001},
     [('destination', INSIDE4, 0x1234)])
# Identifier, sequence number and data zero: the only message whose checksum is 0xffff.
case('icmp4-echo-reply-all-zero', lambda f: echo4(f, typ=0, seq=0, payload=b''),
     {'src': REMOTE4, 'dst': PUBLIC4, 'sport': 7, 'dport': 7}, [('destination', INSIDE4, 0)])

# ICMPv4 errors toward the inside host (rewriteDestination) and from it (rewriteSource).
err_out = {'src': ROUTER4, 'dst': PUBLIC4, 'qsrc': PUBLIC4, 'qdst': REMOTE4, 'qsport': 61000, 'qdport': 443}
case('icmp4-unreach-quoting-tcp-8-bytes', lambda f: error4(f, 'tcp', quote_len=28), err_out,
     [('destination', INSIDE4, 40000)])
case('icmp4-unreach-quoting-tcp-whole', lambda f: error4(f, 'tcp'), err_out, [('destination', INSIDE4, 40000)])
case('icmp4-unreach-quoting-tcp-20-bytes', lambda f: error4(f, 'tcp', quote_len=40, typ=3, code=4), err_out,
     [('destination', INSIDE4, 40000)])
err_udp = dict(err_out, qsport=62000, qdport=53)
case('icmp4-time-exceeded-quoting-udp', lambda f: error4(f, 'udp', typ=11, code=0), err_udp,
     [('destination', INSIDE4, 5353)])
case('icmp4-unreach-quoting-udp-zero-checksum', lambda f: error4(f, 'udp', udp_chksum=0), err_udp,
     [('destination', INSIDE4, 5353)])
case('icmp4-param-problem-quoting-udp-with-options',
     lambda f: error4(f, 'udp', typ=12, code=0, ip_options=[IPOption_RR(routers=['192.0.2.9'])]),
     err_udp, [('destination', INSIDE4, 5353)])
case('icmp4-time-exceeded-quoting-echo-request', lambda f: error4(f, 'echo-request', typ=11, code=0),
     dict(err_out, qsport=0x8001, qdport=0x8001), [('destination', INSIDE4, 0x1234)])
case('icmp4-unreach-quoting-echo-8-bytes', lambda f: error4(f, 'echo-request', quote_len=28),
     dict(err_out, qsport=0x8001, qdport=0x8001), [('destination', INSIDE4, 0x1234)])
# The inside host reports on an inbound packet: outer source and quoted destination go public.
err_in = {'src': INSIDE4, 'dst': REMOTE4, 'qsrc': REMOTE4, 'qdst': INSIDE4, 'qsport': 53, 'qdport': 5353}
case('icmp4-port-unreach-from-inside-quoting-udp', lambda f: error4(f, 'udp'), err_in,
     [('source', PUBLIC4, 62000)])
case('icmp4-unreach-from-inside-quoting-tcp-8-bytes', lambda f: error4(f, 'tcp', quote_len=28),
     dict(err_in, qsport=443, qdport=40000), [('source', PUBLIC4, 61000)])

# IPv6 (NAT64: addresses are the translator's, only ports and identifiers change here)
out6 = {'src': INSIDE6, 'dst': REMOTE6, 'sport': 40000, 'dport': 443}
case('tcp6-outbound', tcp6, out6, [('source', None, 61000), ('destination', None, 8443)], family=6)
case('udp6-hop-by-hop-and-dest-opts', lambda f: udp6(f, ext=[IPv6ExtHdrHopByHop(), IPv6ExtHdrDestOpt()]),
     dict(out6, dport=53), [('source', None, 62000)], family=6)
case('udp6-first-fragment', lambda f: (lambda p: (raw(p), {'proto': 17, 'l4Off': 48}))(
    fragment6(IPv6(raw(udp6(f, payload=bytes(range(256)) * 6, ext=[IPv6ExtHdrFragment(id=0x01020304)])[0])), 1280)[0]),
     dict(out6, dport=53), [('source', None, 62001)], family=6)
case('icmp6-echo-request', echo6, {'src': INSIDE6, 'dst': REMOTE6, 'sport': 0x1234, 'dport': 0x1234},
     [('source', None, 0x8001)], family=6)
case('icmp6-echo-reply', lambda f: echo6(f, request=False), {'src': REMOTE6, 'dst': INSIDE6, 'sport': 0x8001, 'dport': 0x8001},
     [('destination', None, 0x1234)], family=6)
err6 = {'src': ROUTER6, 'dst': INSIDE6, 'qsrc': INSIDE6, 'qdst': REMOTE6, 'qsport': 61000, 'qdport': 443}
case('icmp6-unreach-quoting-udp', lambda f: error6(f, 'udp', code=4), dict(err6, qdport=53),
     [('destination', None, 40000)], family=6)
case('icmp6-packet-too-big-quoting-tcp-8-bytes', lambda f: error6(f, 'tcp', quote_len=48, cls=ICMPv6PacketTooBig, mtu=1280),
     err6, [('destination', None, 40000)], family=6)
case('icmp6-time-exceeded-quoting-tcp-whole-with-dest-opts',
     lambda f: error6(f, 'tcp', cls=ICMPv6TimeExceeded, ext=[IPv6ExtHdrDestOpt()]), err6,
     [('destination', None, 40000)], family=6)
case('icmp6-param-problem-quoting-echo', lambda f: error6(f, 'echo-request', cls=ICMPv6ParamProblem, ptr=6),
     dict(err6, qsport=0x8001, qdport=0x8001), [('destination', None, 0x1234)], family=6)
case('icmp6-unreach-from-inside-quoting-udp', lambda f: error6(f, 'udp', code=4),
     {'src': INSIDE6, 'dst': REMOTE6, 'qsrc': REMOTE6, 'qdst': INSIDE6, 'qsport': 53, 'qdport': 5353},
     [('source', None, 62000)], family=6)

# --- drops -----------------------------------------------------------------------------------
drop('ipv4-non-first-fragment', IP(src=INSIDE4, dst=REMOTE4, proto=17, frag=64) / Raw(bytes(40)), 'fragmentNoPorts')
drop('ipv6-non-first-fragment', IPv6(src=INSIDE6, dst=REMOTE6) / IPv6ExtHdrFragment(nh=6, offset=100, m=1) / Raw(bytes(64)),
     'fragmentNoPorts')
drop('ipv4-gre', IP(src=INSIDE4, dst=REMOTE4, proto=47) / Raw(bytes(24)), 'unsupportedProtocol')
drop('ipv4-icmpv6-inside', IP(src=INSIDE4, dst=REMOTE4, proto=58) / Raw(bytes(24)), 'unsupportedProtocol')
drop('ipv6-no-next-header', IPv6(src=INSIDE6, dst=REMOTE6, nh=59), 'unsupportedProtocol')
drop('ipv6-esp', IPv6(src=INSIDE6, dst=REMOTE6, nh=50) / Raw(bytes(24)), 'unsupportedProtocol')
drop('ipv6-routing-then-icmpv4', IPv6(src=INSIDE6, dst=REMOTE6) / IPv6ExtHdrRouting(nh=1, addresses=[]) / Raw(bytes(8)),
     'unsupportedProtocol')
drop('icmp4-timestamp', IP(src=INSIDE4, dst=REMOTE4) / ICMP(type=13, ts_ori=1000, ts_rx=0, ts_tx=0), 'icmpUnsupportedType')
drop('icmp4-redirect', IP(src=ROUTER4, dst=INSIDE4) / ICMP(type=5, code=1, gw=ROUTER4) /
     Raw(raw(IP(src=INSIDE4, dst=REMOTE4) / UDP(sport=1, dport=2))), 'icmpUnsupportedType')
drop('icmp4-source-quench', IP(src=ROUTER4, dst=PUBLIC4) / ICMP(type=4) /
     Raw(raw(IP(src=PUBLIC4, dst=REMOTE4) / UDP(sport=1, dport=2))), 'icmpSourceQuench')
drop('icmp6-neighbor-solicitation', IPv6(src=INSIDE6, dst=REMOTE6, hlim=255) / ICMPv6ND_NS(tgt=REMOTE6), 'icmpUnsupportedType')
drop('icmp4-error-about-error', IP(src=ROUTER4, dst=PUBLIC4) / ICMP(type=11) /
     Raw(raw(IP(src=PUBLIC4, dst=REMOTE4) / ICMP(type=3, code=3) / Raw(bytes(28)))), 'icmpErrorAboutIcmpError')
drop('icmp6-error-about-error', IPv6(src=ROUTER6, dst=INSIDE6) / ICMPv6TimeExceeded() /
     Raw(raw(IPv6(src=INSIDE6, dst=REMOTE6) / ICMPv6DestUnreach() / Raw(bytes(48)))), 'icmpErrorAboutIcmpError')
drop('icmp4-error-quoting-ipv6', IP(src=ROUTER4, dst=PUBLIC4) / ICMP(type=3) /
     Raw(raw(IPv6(src=INSIDE6, dst=REMOTE6) / UDP(sport=1, dport=2))), 'icmpInnerWrongFamily')
drop('icmp6-error-quoting-ipv4', IPv6(src=ROUTER6, dst=INSIDE6) / ICMPv6DestUnreach() /
     Raw(raw(IP(src=PUBLIC4, dst=REMOTE4) / UDP(sport=1, dport=2))), 'icmpInnerWrongFamily')
drop('icmp4-error-quoting-non-first-fragment', IP(src=ROUTER4, dst=PUBLIC4) / ICMP(type=11, code=1) /
     Raw(raw(IP(src=PUBLIC4, dst=REMOTE4, proto=17, frag=8) / Raw(bytes(8)))), 'icmpInnerFragment')
drop('icmp6-error-quoting-non-first-fragment', IPv6(src=ROUTER6, dst=INSIDE6) / ICMPv6TimeExceeded(code=1) /
     Raw(raw(IPv6(src=INSIDE6, dst=REMOTE6) / IPv6ExtHdrFragment(nh=17, offset=8) / Raw(bytes(8)))), 'icmpInnerFragment')
drop('icmp4-error-quoting-gre', IP(src=ROUTER4, dst=PUBLIC4) / ICMP(type=3) /
     Raw(raw(IP(src=PUBLIC4, dst=REMOTE4, proto=47) / Raw(bytes(8)))), 'icmpInnerUnsupportedProtocol')
drop('icmp4-error-quoting-timestamp', IP(src=ROUTER4, dst=PUBLIC4) / ICMP(type=3) /
     Raw(raw(IP(src=PUBLIC4, dst=REMOTE4) / ICMP(type=13, ts_ori=1000, ts_rx=0, ts_tx=0))), 'icmpInnerUnsupportedType')
drop('icmp6-error-quoting-neighbor-solicitation', IPv6(src=ROUTER6, dst=INSIDE6) / ICMPv6DestUnreach() /
     Raw(raw(IPv6(src=INSIDE6, dst=REMOTE6) / ICMPv6ND_NS(tgt=REMOTE6))), 'icmpInnerUnsupportedType')
drop('icmp4-error-quoting-ip-header-only', IP(src=ROUTER4, dst=PUBLIC4) / ICMP(type=3) /
     Raw(raw(IP(src=PUBLIC4, dst=REMOTE4) / UDP(sport=1, dport=2))[:22]), 'icmpInnerTruncated')
drop('icmp4-error-quoting-echo-5-bytes', IP(src=ROUTER4, dst=PUBLIC4) / ICMP(type=3) /
     Raw(raw(IP(src=PUBLIC4, dst=REMOTE4) / ICMP(type=8, id=5))[:25]), 'icmpInnerTruncated')
drop('icmp6-error-quoting-cut-extension-header', IPv6(src=ROUTER6, dst=INSIDE6) / ICMPv6DestUnreach() /
     Raw(raw(IPv6(src=INSIDE6, dst=REMOTE6) / IPv6ExtHdrDestOpt(options=[]) / UDP())[:44]), 'icmpInnerTruncated')

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, 'vectors.json'), 'w') as fh:
    json.dump({'generator': 'test/golden/napt/generate.py', 'vectors': vectors}, fh, indent=1)
    fh.write('\n')
print(len(vectors), 'vectors')
