#!/usr/bin/python3
"""Golden vectors for the RFC 7915 translator: each input packet with the packet(s) RFC 7915
says it becomes, both built by scapy, so every length, checksum and quoted header in the
expected output comes from an implementation other than ours.

Run with Debian's python (it has scapy):  /usr/bin/python3 test/golden/xlat/generate.py
It rewrites vectors.json beside this file; commit both.

Address mapping of every vector: RFC 6052 with the prefix 2001:db8:64::/96 (the IPv4 address in
the last 32 bits); 2001:db8:ffff::/48 has no IPv4 form. Translator settings are the defaults
(both link MTUs 1500, lowest IPv6 MTU 1280, RFC 6791 pool 192.0.0.8) unless a vector lists
`config` overrides.

Each vector: name, section (of RFC 7915), dir ('4to6' or '6to4'), in (hex), out (list of hex),
maskIpv4Id (the IPv4 Identification of these outputs comes from the translator's generator,
RFC 7915 §5.1: tests compare everything else and verify the header checksum), config.
"""
import ipaddress
import json
import os
import struct

from scapy.all import (IP, IPv6, UDP, TCP, ICMP, GRE, Raw, raw, fragment, IPv6ExtHdrFragment,
                       IPv6ExtHdrHopByHop, IPv6ExtHdrDestOpt, IPv6ExtHdrRouting,
                       ICMPv6EchoRequest, ICMPv6EchoReply, ICMPv6DestUnreach, ICMPv6PacketTooBig,
                       ICMPv6TimeExceeded, ICMPv6ParamProblem)
from scapy.utils import checksum
from scapy.layers.inet6 import in6_chksum

PREFIX = int(ipaddress.IPv6Address('2001:db8:64::'))
S4, D4, R4 = '192.0.2.1', '198.51.100.2', '203.0.113.1'
R6_UNMAPPED = '2001:db8:ffff::1'
POOL6791 = '192.0.0.8'


def v6(a):
    return str(ipaddress.IPv6Address(PREFIX | int(ipaddress.IPv4Address(a))))


vectors = []


def add(name, section, direction, pkt_in, outs, mask_id=False, config=None):
    vectors.append({
        'name': name,
        'section': section,
        'dir': direction,
        'in': raw(pkt_in).hex() if not isinstance(pkt_in, bytes) else pkt_in.hex(),
        'out': [(raw(o) if not isinstance(o, bytes) else o).hex() for o in outs],
        'maskIpv4Id': mask_id,
        'config': config or {},
    })


def payload(n, seed=1):
    return bytes((seed * 7 + i * 13) & 0xff for i in range(n))


# --- §4.1 / §5.1 headers -------------------------------------------------------------------
add('udp 64 bytes, TOS copied, TTL decremented', '4.1', '4to6',
    IP(src=S4, dst=D4, tos=0xb8, ttl=64, id=0x1234, flags='DF') / UDP(sport=40000, dport=53) / Raw(payload(36)),
    [IPv6(src=v6(S4), dst=v6(D4), tc=0xb8, fl=0, hlim=63) / UDP(sport=40000, dport=53) / Raw(payload(36))])

tcp_opts = [('MSS', 1400), ('NOP', None), ('WScale', 7)]
add('tcp with options, no DF', '4.1', '4to6',
    IP(src=S4, dst=D4, ttl=5, id=77, flags=0) / TCP(sport=443, dport=50000, seq=1000, ack=2000, flags='PA', options=tcp_opts) / Raw(payload(200)),
    [IPv6(src=v6(S4), dst=v6(D4), hlim=4) / TCP(sport=443, dport=50000, seq=1000, ack=2000, flags='PA', options=tcp_opts) / Raw(payload(200))])

add('ipv4 options ignored', '4.1', '4to6',
    IP(src=S4, dst=D4, ttl=64, options=[b'\x07\x07\x04\x00\x00\x00\x00', b'\x01']) / UDP(sport=1, dport=2) / Raw(payload(10)),
    [IPv6(src=v6(S4), dst=v6(D4), hlim=63) / UDP(sport=1, dport=2) / Raw(payload(10))])

add('other transport (GRE) carried as is', '4.5', '4to6',
    IP(src=S4, dst=D4, ttl=64, proto=47) / Raw(payload(24)),
    [IPv6(src=v6(S4), dst=v6(D4), hlim=63, nh=47) / Raw(payload(24))])

add('udp small: DF clear, generated ID, traffic class copied, flow label dropped', '5.1', '6to4',
    IPv6(src=v6(S4), dst=v6(D4), tc=0x28, fl=0x12345, hlim=64) / UDP(sport=5353, dport=5353) / Raw(payload(36)),
    [IP(src=S4, dst=D4, tos=0x28, ttl=63, id=0, flags=0) / UDP(sport=5353, dport=5353) / Raw(payload(36))], mask_id=True)

add('tcp 1440 bytes: DF set, ID zero', '5.1', '6to4',
    IPv6(src=v6(S4), dst=v6(D4), hlim=2) / TCP(sport=80, dport=1025, seq=5, flags='A') / Raw(payload(1400)),
    [IP(src=S4, dst=D4, ttl=1, id=0, flags='DF') / TCP(sport=80, dport=1025, seq=5, flags='A') / Raw(payload(1400))])

add('extension headers skipped, routing header with segments left 0', '5.1', '6to4',
    IPv6(src=v6(S4), dst=v6(D4), hlim=64) / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() /
    IPv6ExtHdrRouting(segleft=0, addresses=['2001:db8::5']) / UDP(sport=7, dport=9) / Raw(payload(16)),
    [IP(src=S4, dst=D4, ttl=63, id=0, flags=0) / UDP(sport=7, dport=9) / Raw(payload(16))], mask_id=True)

add('other transport (SCTP) carried as is', '5.5', '6to4',
    IPv6(src=v6(S4), dst=v6(D4), hlim=64, nh=132) / Raw(payload(32)),
    [IP(src=S4, dst=D4, ttl=63, id=0, flags=0, proto=132) / Raw(payload(32))], mask_id=True)

# --- §4.2 / §5.2 echo ------------------------------------------------------------------------
add('echo request', '4.2', '4to6',
    IP(src=S4, dst=D4, ttl=64) / ICMP(type=8, id=0x4242, seq=7) / Raw(payload(56)),
    [IPv6(src=v6(S4), dst=v6(D4), hlim=63) / ICMPv6EchoRequest(id=0x4242, seq=7) / Raw(payload(56))])

add('echo reply', '5.2', '6to4',
    IPv6(src=v6(D4), dst=v6(S4), hlim=64) / ICMPv6EchoReply(id=0x4242, seq=7) / Raw(payload(56)),
    [IP(src=D4, dst=S4, ttl=63, id=0, flags=0) / ICMP(type=0, id=0x4242, seq=7) / Raw(payload(56))], mask_id=True)

# --- fragments -------------------------------------------------------------------------------
full4 = IP(src=S4, dst=D4, ttl=64, id=0xbeef, flags=0) / UDP(sport=1111, dport=2222) / Raw(payload(1000, 3))
frags4 = fragment(full4, fragsize=512)
full6_of_4 = raw(IPv6(src=v6(S4), dst=v6(D4), hlim=63) / UDP(sport=1111, dport=2222) / Raw(payload(1000, 3)))
pos = 0
for i, f in enumerate(frags4):
    data = raw(f)[20:]
    m = 1 if f.flags.MF else 0
    add('ipv4 fragment %d: Fragment header with the IPv4 ID, offset and MF' % i, '4.1', '4to6', f,
        [IPv6(src=v6(S4), dst=v6(D4), hlim=63) / IPv6ExtHdrFragment(nh=17, offset=pos // 8, m=m, id=0xbeef) / Raw(full6_of_4[40 + pos:40 + pos + len(data)])])
    pos += len(data)

big4 = IP(src=S4, dst=D4, ttl=64, id=0x0abc, flags=0) / UDP(sport=3333, dport=4444) / Raw(payload(3000, 5))
big6 = raw(IPv6(src=v6(S4), dst=v6(D4), hlim=63) / UDP(sport=3333, dport=4444) / Raw(payload(3000, 5)))
pieces = []
data6 = big6[40:]
for start in range(0, len(data6), 1232):
    chunk = data6[start:start + 1232]
    pieces.append(IPv6(src=v6(S4), dst=v6(D4), hlim=63) /
                  IPv6ExtHdrFragment(nh=17, offset=start // 8, m=1 if start + 1232 < len(data6) else 0, id=0x0abc) / Raw(chunk))
add('DF clear, 3028 bytes: IPv6 fragments of at most 1280 bytes', '4.1', '4to6', big4, pieces)

full6 = raw(IPv6(src=v6(S4), dst=v6(D4), hlim=64) / UDP(sport=5555, dport=6666) / Raw(payload(2000, 9)))
full4_of_6 = raw(IP(src=S4, dst=D4, ttl=63, id=0x5678, flags=0) / UDP(sport=5555, dport=6666) / Raw(payload(2000, 9)))
data = full6[40:]
for start, length, m in ((0, 1232, 1), (1232, len(data) - 1232, 0)):
    pin = IPv6(src=v6(S4), dst=v6(D4), hlim=64) / IPv6ExtHdrFragment(nh=17, offset=start // 8, m=m, id=0x12345678) / Raw(data[start:start + length])
    pout = IP(src=S4, dst=D4, ttl=63, id=0x5678, flags='MF' if m else 0, frag=start // 8, proto=17) / Raw(full4_of_6[20 + start:20 + start + length])
    add('ipv6 fragment at %d: IPv4 ID from the low 16 bits, MF from M, DF clear' % start, '5.1.1', '6to4', pin, [pout])

add('atomic fragment: a whole packet with the ID of its Fragment header', '5.1.1', '6to4',
    IPv6(src=v6(S4), dst=v6(D4), hlim=64) / IPv6ExtHdrFragment(nh=17, offset=0, m=0, id=0xabcd1234) / UDP(sport=9, dport=10) / Raw(payload(20)),
    [IP(src=S4, dst=D4, ttl=63, id=0x1234, flags=0) / UDP(sport=9, dport=10) / Raw(payload(20))])


# --- §4.3 / §5.3 ICMP errors --------------------------------------------------------------------
def quoted4(proto_layer, body, ttl=1, **kw):
    return IP(src=S4, dst=D4, ttl=ttl, id=7, **kw) / proto_layer / Raw(body)


def quoted6(proto_layer, body, hlim=1):
    return IPv6(src=v6(S4), dst=v6(D4), hlim=hlim) / proto_layer / Raw(body)


add('time exceeded quoting UDP: inner addresses and checksum translated, inner TTL kept', '4.3', '4to6',
    IP(src=R4, dst=S4, ttl=250) / ICMP(type=11, code=0) / quoted4(UDP(sport=33434, dport=33435), payload(20)),
    [IPv6(src=v6(R4), dst=v6(S4), hlim=249) / ICMPv6TimeExceeded(code=0) / quoted6(UDP(sport=33434, dport=33435), payload(20))])

add('time exceeded quoting an echo request', '4.3', '4to6',
    IP(src=R4, dst=S4, ttl=64) / ICMP(type=11, code=1) / quoted4(ICMP(type=8, id=9, seq=1), payload(16)),
    [IPv6(src=v6(R4), dst=v6(S4), hlim=63) / ICMPv6TimeExceeded(code=1) / quoted6(ICMPv6EchoRequest(id=9, seq=1), payload(16))])

add('time exceeded quoting TCP from an IPv6 router with no IPv4 form: RFC 6791 source', '5.3', '6to4',
    IPv6(src=R6_UNMAPPED, dst=v6(S4), hlim=64) / ICMPv6TimeExceeded(code=0) / quoted6(TCP(sport=1000, dport=80, flags='S'), payload(10)),
    [IP(src=POOL6791, dst=S4, ttl=63, id=0, flags=0) / ICMP(type=11, code=0) /
     IP(src=S4, dst=D4, ttl=1, id=0, flags=0) / TCP(sport=1000, dport=80, flags='S') / Raw(payload(10))], mask_id=True)

# Fragmentation Needed quoting the first 48 bytes of a 1500-byte datagram: the quoted UDP checksum
# is the one of the whole datagram, so the expected one is computed on the whole translation.
whole4 = IP(src=S4, dst=D4, ttl=63, id=99, flags='DF') / UDP(sport=4000, dport=5000) / Raw(payload(1472, 4))
whole6 = raw(IPv6(src=v6(S4), dst=v6(D4), hlim=63) / UDP(sport=4000, dport=5000) / Raw(payload(1472, 4)))


def frag_needed(mtu):
    return IP(src=R4, dst=S4, ttl=64) / ICMP(type=3, code=4, nexthopmtu=mtu) / Raw(raw(whole4)[:48])


def packet_too_big(mtu):
    return IPv6(src=v6(R4), dst=v6(S4), hlim=63) / ICMPv6PacketTooBig(mtu=mtu) / Raw(whole6[:68])


add('fragmentation needed 1400 -> packet too big min(1400+20, 1500, 1500+20)', '4.2', '4to6', frag_needed(1400), [packet_too_big(1420)])
add('fragmentation needed without MTU: plateau 1492 below total length 1500, +20', '4.2', '4to6', frag_needed(0), [packet_too_big(1512)],
    config={'ipv6LinkMtu': 9000, 'ipv4LinkMtu': 9000})
add('fragmentation needed 576 -> packet too big raised to 1280', '4.2', '4to6', frag_needed(576), [packet_too_big(1280)])
add('packet too big 1400 -> fragmentation needed min(1400-20, 1500, 1500-20)', '5.2', '6to4',
    IPv6(src=v6(R4), dst=v6(S4), hlim=64) / ICMPv6PacketTooBig(mtu=1400) / Raw(whole6[:68]),
    [IP(src=R4, dst=S4, ttl=63, id=0, flags=0) / ICMP(type=3, code=4, nexthopmtu=1380) /
     Raw(raw(IP(src=S4, dst=D4, ttl=63, id=0, flags='DF') / UDP(sport=4000, dport=5000) / Raw(payload(1472, 4)))[:48])], mask_id=True)

add('parameter problem pointer 9 (protocol) -> 6 (next header)', '4.2', '4to6',
    IP(src=R4, dst=S4, ttl=64) / ICMP(type=12, code=0, ptr=9) / quoted4(UDP(sport=1, dport=2), payload(8), ttl=9),
    [IPv6(src=v6(R4), dst=v6(S4), hlim=63) / ICMPv6ParamProblem(code=0, ptr=6) / quoted6(UDP(sport=1, dport=2), payload(8), hlim=9)])
add('parameter problem pointer 7 (hop limit) -> 8 (TTL)', '5.2', '6to4',
    IPv6(src=v6(R4), dst=v6(S4), hlim=64) / ICMPv6ParamProblem(code=0, ptr=7) / quoted6(UDP(sport=1, dport=2), payload(8), hlim=9),
    [IP(src=R4, dst=S4, ttl=63, id=0, flags=0) / ICMP(type=12, code=0, ptr=8) /
     IP(src=S4, dst=D4, ttl=9, id=0, flags=0) / UDP(sport=1, dport=2) / Raw(payload(8))], mask_id=True)
add('protocol unreachable -> parameter problem code 1 pointing at next header', '4.2', '4to6',
    IP(src=D4, dst=S4, ttl=64) / ICMP(type=3, code=2) / quoted4(UDP(sport=1, dport=2), payload(8), ttl=60),
    [IPv6(src=v6(D4), dst=v6(S4), hlim=63) / ICMPv6ParamProblem(code=1, ptr=6) / quoted6(UDP(sport=1, dport=2), payload(8), hlim=60)])
add('parameter problem code 1 (next header) -> protocol unreachable', '5.2', '6to4',
    IPv6(src=v6(D4), dst=v6(S4), hlim=64) / ICMPv6ParamProblem(code=1, ptr=40) / quoted6(UDP(sport=1, dport=2), payload(8), hlim=60),
    [IP(src=D4, dst=S4, ttl=63, id=0, flags=0) / ICMP(type=3, code=2) /
     IP(src=S4, dst=D4, ttl=60, id=0, flags=0) / UDP(sport=1, dport=2) / Raw(payload(8))], mask_id=True)
add('port unreachable 3/3 -> 1/4', '4.2', '4to6',
    IP(src=D4, dst=S4, ttl=64) / ICMP(type=3, code=3) / quoted4(UDP(sport=5, dport=6), payload(12), ttl=60),
    [IPv6(src=v6(D4), dst=v6(S4), hlim=63) / ICMPv6DestUnreach(code=4) / quoted6(UDP(sport=5, dport=6), payload(12), hlim=60)])
add('port unreachable 1/4 -> 3/3', '5.2', '6to4',
    IPv6(src=v6(D4), dst=v6(S4), hlim=64) / ICMPv6DestUnreach(code=4) / quoted6(UDP(sport=5, dport=6), payload(12), hlim=60),
    [IP(src=D4, dst=S4, ttl=63, id=0, flags=0) / ICMP(type=3, code=3) /
     IP(src=S4, dst=D4, ttl=60, id=0, flags=0) / UDP(sport=5, dport=6) / Raw(payload(12))], mask_id=True)
add('host administratively prohibited 3/10 -> 1/1', '4.2', '4to6',
    IP(src=R4, dst=S4, ttl=64) / ICMP(type=3, code=10) / quoted4(TCP(sport=5, dport=6, flags='S'), b'', ttl=60),
    [IPv6(src=v6(R4), dst=v6(S4), hlim=63) / ICMPv6DestUnreach(code=1) / quoted6(TCP(sport=5, dport=6, flags='S'), b'', hlim=60)])
add('address unreachable 1/3 -> host unreachable 3/1', '5.2', '6to4',
    IPv6(src=v6(R4), dst=v6(S4), hlim=64) / ICMPv6DestUnreach(code=3) / quoted6(TCP(sport=5, dport=6, flags='S'), b'', hlim=60),
    [IP(src=R4, dst=S4, ttl=63, id=0, flags=0) / ICMP(type=3, code=1) /
     IP(src=S4, dst=D4, ttl=60, id=0, flags=0) / TCP(sport=5, dport=6, flags='S')], mask_id=True)

# Quoted fragment (§4.3: the quoted header is translated like an outer one, Fragment header too).
add('time exceeded quoting an IPv4 fragment: quoted Fragment header', '4.3', '4to6',
    IP(src=R4, dst=S4, ttl=64) / ICMP(type=11, code=1) / Raw(raw(frags4[1])[:48]),
    [IPv6(src=v6(R4), dst=v6(S4), hlim=63) / ICMPv6TimeExceeded(code=1) /
     Raw(raw(IPv6(src=v6(S4), dst=v6(D4), hlim=64, plen=8 + len(raw(frags4[1])) - 20) /
             IPv6ExtHdrFragment(nh=17, offset=512 // 8, m=1 if frags4[1].flags.MF else 0, id=0xbeef))[:48] + raw(frags4[1])[20:48])])
frag6_first = IPv6(src=v6(S4), dst=v6(D4), hlim=5) / IPv6ExtHdrFragment(nh=17, offset=0, m=1, id=0x12345678) / Raw(full6[40:40 + 1232])
add('time exceeded quoting an IPv6 fragment: quoted IPv4 fragment fields', '5.3', '6to4',
    IPv6(src=v6(R4), dst=v6(S4), hlim=64) / ICMPv6TimeExceeded(code=1) / Raw(raw(frag6_first)[:48 + 40]),
    [IP(src=R4, dst=S4, ttl=63, id=0, flags=0) / ICMP(type=11, code=1) /
     Raw(raw(IP(src=S4, dst=D4, ttl=5, id=0x5678, flags='MF', frag=0, proto=17, len=20 + 1232))[:20] + full4_of_6[20:20 + 40])], mask_id=True)

# Truncation to the minimum MTU of the outgoing side.
big_quote4 = IP(src=S4, dst=D4, ttl=3, id=5, flags=0) / UDP(sport=7000, dport=7001) / Raw(payload(1372, 6))
big_quote6 = raw(IPv6(src=v6(S4), dst=v6(D4), hlim=3) / UDP(sport=7000, dport=7001) / Raw(payload(1372, 6)))
add('quoted packet cut so the ICMPv6 error fits 1280 bytes', '4.3', '4to6',
    IP(src=R4, dst=S4, ttl=64) / ICMP(type=11, code=0) / big_quote4,
    [IPv6(src=v6(R4), dst=v6(S4), hlim=63) / ICMPv6TimeExceeded(code=0) / Raw(big_quote6[:1280 - 48])])
mid_quote6 = IPv6(src=v6(S4), dst=v6(D4), hlim=3) / UDP(sport=7000, dport=7001) / Raw(payload(900, 6))
mid_quote4 = raw(IP(src=S4, dst=D4, ttl=3, id=0, flags=0) / UDP(sport=7000, dport=7001) / Raw(payload(900, 6)))
add('quoted packet cut so the ICMPv4 error fits 576 bytes', '5.3', '6to4',
    IPv6(src=v6(R4), dst=v6(S4), hlim=64) / ICMPv6TimeExceeded(code=0) / mid_quote6,
    [IP(src=R4, dst=S4, ttl=63, id=0, flags=0) / ICMP(type=11, code=0) / Raw(mid_quote4[:576 - 28])], mask_id=True)


# RFC 4884 extensions: the length field is re-expressed and the original datagram re-padded.
EXT = bytes.fromhex('2000') + b'\x00\x00' + bytes.fromhex('000c0101') + bytes.fromhex('c0a80001') + bytes.fromhex('00000000')
ext_ck = checksum(EXT)
EXT = EXT[:2] + struct.pack('!H', ext_ck) + EXT[4:]


def icmp4(type_, code, rest, body):
    hdr = struct.pack('!BBHI', type_, code, 0, rest)
    ck = checksum(hdr + body)
    return struct.pack('!BBHI', type_, code, ck, rest) + body


def icmp6(src, dst, type_, code, rest, body):
    hdr = struct.pack('!BBHI', type_, code, 0, rest)
    ck = in6_chksum(58, IPv6(src=src, dst=dst), hdr + body)
    return struct.pack('!BBHI', type_, code, ck, rest) + body


q4 = raw(quoted4(UDP(sport=33434, dport=33435), payload(32), ttl=1))
q6 = raw(quoted6(UDP(sport=33434, dport=33435), payload(32), hlim=1))
orig4 = q4 + bytes(128 - len(q4))
orig6 = q6 + bytes(128 - len(q6))
add('RFC 4884 extension carried, length 32 words -> 16 double words', '4.2', '4to6',
    raw(IP(src=R4, dst=S4, ttl=64, proto=1) / Raw(icmp4(11, 0, (128 // 4) << 16, orig4 + EXT))),
    [raw(IPv6(src=v6(R4), dst=v6(S4), hlim=63, nh=58) / Raw(icmp6(v6(R4), v6(S4), 3, 0, (128 // 8) << 24, orig6 + EXT)))])
add('RFC 4884 extension carried, length 16 double words -> 32 words', '5.2', '6to4',
    raw(IPv6(src=v6(R4), dst=v6(S4), hlim=64, nh=58) / Raw(icmp6(v6(R4), v6(S4), 1, 0, (128 // 8) << 24, orig6 + EXT))),
    [raw(IP(src=R4, dst=S4, ttl=63, id=0, flags=0, proto=1) / Raw(icmp4(3, 1, (128 // 4) << 16,
         raw(IP(src=S4, dst=D4, ttl=1, id=0, flags=0) / UDP(sport=33434, dport=33435) / Raw(payload(32))).ljust(128, b'\x00') + EXT)))],
    mask_id=True)

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, 'vectors.json'), 'w') as f:
    json.dump({'generator': 'test/golden/xlat/generate.py', 'vectors': vectors}, f, indent=1)
    f.write('\n')
print(len(vectors), 'vectors')
