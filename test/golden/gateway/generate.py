#!/usr/bin/python3
"""Golden conversation for the whole gateway pipeline (test/pipeline/gateway-pipeline.test.ts):
NAT64 and NAT44 sharing one pool address, with a firewall, run step by step through
classify -> tenant -> flow cache -> firewall -> translate -> firewall -> emit. Every expected
packet is built here by scapy from its fields, so every expected checksum (outer and quoted)
comes from an implementation other than ours.

Run with Debian's python (it has scapy):  /usr/bin/python3 test/golden/gateway/generate.py
It rewrites vectors.json beside this file; commit both. gateway.yaml is the configuration: its
static BIB entries fix every mapping, so the pool ports below are known in advance.

A step has: name, in (the IP packet fed to the pipeline, hex), and either out (the packets that
must leave, hex, in order, with kinds 'translated' or 'icmp-error') or drop ('stage:reason').
zeroIdent marks IPv4 packets the NAT64 translator made from IPv6: their Identification comes
from the translator's keyed hash (RFC 7915 §5.1, RFC 6864), so it is 0 here and the test zeroes
it (fixing the header checksum) before comparing. The translator's other choices that RFC 7915
leaves open are written out where they are used.
"""
import json
import os

from scapy.all import (IP, IPv6, TCP, UDP, ICMP, Raw, raw, ICMPv6DestUnreach, ICMPv6TimeExceeded,
                       ICMPv6EchoRequest, ICMPv6EchoReply)

T = '203.0.113.1'
PREFIX = '64:ff9b::'
X6, X6B = '2001:db8::10', '2001:db8::11'
X4, X4B = '10.0.0.10', '10.0.0.11'
Z = '198.51.100.7'
R = '192.0.2.99'


def y(v4):
    """RFC 6052 /96: the IPv4 address embedded in the NAT64 prefix."""
    a = [int(x) for x in v4.split('.')]
    return PREFIX + '%x:%x' % (a[0] << 8 | a[1], a[2] << 8 | a[3])


Y, YT, YR = y(Z), y(T), y(R)

steps = []


def step(name, pkt_in, out=(), kinds=None, drop=None, zero_ident=False):
    s = {'name': name, 'in': raw(pkt_in).hex()}
    if drop is not None:
        s['drop'] = drop
    s['out'] = [raw(p).hex() for p in out]
    s['kinds'] = kinds or ['translated'] * len(out)
    if zero_ident:
        s['zeroIdent'] = True
    steps.append(s)


# RFC 7915 §5.1 as the translator does it for a packet that is not fragmented and fits 1280
# bytes: DF clear so IPv4 routers may still fragment, Identification from its generator (zeroed
# here), TOS from the Traffic Class, TTL = hop limit - 1.
def v4_from_v6(src, dst, ttl, tos=0):
    return IP(src=src, dst=dst, ttl=ttl, id=0, flags=0, tos=tos)


# RFC 7915 §4.1: Traffic Class = TOS, flow label 0, hop limit = TTL - 1.
def v6_from_v4(src, dst, hlim, tc=0):
    return IPv6(src=src, dst=dst, hlim=hlim, tc=tc, fl=0)


# ---------------------------------------------------------------- NAT64 (RFC 6146)

# Static BIB: udp [X6]:5000 <-> T:6000, udp [X6B]:5001 <-> T:6001, tcp [X6]:5002 <-> T:6002,
# icmp [X6] id 0x4242 <-> T id 6003.
q6 = IPv6(src=X6, dst=Y, hlim=64) / UDP(sport=5000, dport=53) / Raw(b'nat64 query')
step('nat64-udp-out', q6, [v4_from_v6(T, Z, 63) / UDP(sport=6000, dport=53) / Raw(b'nat64 query')], zero_ident=True)
# What left, as a router on the IPv4 side will quote it (its Identification is the router's
# copy of ours; the NAT reads only addresses and ports of a quote).
sent4 = IP(src=T, dst=Z, ttl=63, id=0x5151, flags=0) / UDP(sport=6000, dport=53) / Raw(b'nat64 query')

a4 = IP(src=Z, dst=T, ttl=50, id=0x0a0a) / UDP(sport=53, dport=6000) / Raw(b'nat64 answer')
a6 = v6_from_v4(Y, X6, 49) / UDP(sport=53, dport=5000) / Raw(b'nat64 answer')
step('nat64-udp-in', a4, [a6])

# RFC 6146 §3.5.4, RFC 7915 §4.2/§4.3: Port Unreachable -> Destination Unreachable code 4; the
# quote goes back to what X6 sent, with the hop limit the quoted TTL gives.
step('nat64-icmp4-port-unreachable-in',
     IP(src=Z, dst=T, ttl=60, id=0x0b0b) / ICMP(type=3, code=3) / Raw(raw(sent4)),
     [v6_from_v4(Y, X6, 59) / ICMPv6DestUnreach(code=4) / Raw(raw(IPv6(src=X6, dst=Y, hlim=63) / UDP(sport=5000, dport=53) / Raw(b'nat64 query')))])

# Time Exceeded from a router quoting 28 bytes (RFC 792): the quoted UDP checksum is that of the
# whole datagram, adjusted, so the expected quote is the first 48 bytes of the whole IPv6 one.
whole6 = raw(IPv6(src=X6, dst=Y, hlim=63) / UDP(sport=5000, dport=53) / Raw(b'nat64 query'))
step('nat64-icmp4-time-exceeded-in',
     IP(src=R, dst=T, ttl=250, id=0x0c0c) / ICMP(type=11, code=0) / Raw(raw(sent4)[:28]),
     [v6_from_v4(YR, X6, 249) / ICMPv6TimeExceeded(code=0) / Raw(whole6[:48])])

# RFC 6146 §3.5.4, RFC 7915 §5.2/§5.3: X6 reports the answer's port unreachable; the quote is
# translated back to the answer as it came (TTL = quoted hop limit, Identification 0).
delivered6 = raw(a6)
step('nat64-icmp6-port-unreachable-out',
     IPv6(src=X6, dst=Y, hlim=64) / ICMPv6DestUnreach(code=4) / Raw(delivered6),
     [v4_from_v6(T, Z, 63) / ICMP(type=3, code=3) / Raw(raw(IP(src=Z, dst=T, ttl=49, id=0, flags=0) / UDP(sport=53, dport=6000) / Raw(b'nat64 answer')))],
     zero_ident=True)

# RFC 6146 §3.5.2: TCP opened from the inside.
step('nat64-tcp-syn-out', IPv6(src=X6, dst=Y, hlim=64) / TCP(sport=5002, dport=80, flags='S', seq=1000, window=8192),
     [v4_from_v6(T, Z, 63) / TCP(sport=6002, dport=80, flags='S', seq=1000, window=8192)], zero_ident=True)
step('nat64-tcp-synack-in', IP(src=Z, dst=T, ttl=64, id=0x0d0d) / TCP(sport=80, dport=6002, flags='SA', seq=7000, ack=1001, window=8192),
     [v6_from_v4(Y, X6, 63) / TCP(sport=80, dport=5002, flags='SA', seq=7000, ack=1001, window=8192)])
step('nat64-tcp-ack-out', IPv6(src=X6, dst=Y, hlim=64) / TCP(sport=5002, dport=80, flags='A', seq=1001, ack=7001, window=8192),
     [v4_from_v6(T, Z, 63) / TCP(sport=6002, dport=80, flags='A', seq=1001, ack=7001, window=8192)], zero_ident=True)

# RFC 6146 §3.5.3: Echo identifier 0x4242 <-> 6003.
step('nat64-echo-out', IPv6(src=X6, dst=Y, hlim=64) / ICMPv6EchoRequest(id=0x4242, seq=1, data=b'ping'),
     [v4_from_v6(T, Z, 63) / ICMP(type=8, id=6003, seq=1) / Raw(b'ping')], zero_ident=True)
step('nat64-echo-in', IP(src=Z, dst=T, ttl=64, id=0x0e0e) / ICMP(type=0, id=6003, seq=1) / Raw(b'ping'),
     [v6_from_v4(Y, X6, 63) / ICMPv6EchoReply(id=0x4242, seq=1, data=b'ping')])

# RFC 6146 §3.8 hairpinning: [X6]:5000 -> prefix + T:6001 reaches [X6B]:5001 from prefix + T:6000,
# one hop in all.
h6 = v6_from_v4(YT, X6B, 63) / UDP(sport=6000, dport=5001) / Raw(b'hairpin v6')
step('nat64-hairpin', IPv6(src=X6, dst=YT, hlim=64) / UDP(sport=5000, dport=6001) / Raw(b'hairpin v6'), [h6])
# RFC 5508 REQ-7: X6B's error about it reaches X6 quoting what X6 sent.
step('nat64-hairpin-icmp6-error',
     IPv6(src=X6B, dst=YT, hlim=64) / ICMPv6DestUnreach(code=4) / Raw(raw(h6)),
     [v6_from_v4(YT, X6, 63) / ICMPv6DestUnreach(code=4) / Raw(raw(IPv6(src=X6, dst=YT, hlim=63) / UDP(sport=5000, dport=6001) / Raw(b'hairpin v6')))])

# The firewall refuses what nobody inside asked for, before the NAT looks at it.
step('nat64-unsolicited-udp', IP(src=Z, dst=T, ttl=64) / UDP(sport=53, dport=6001) / Raw(b'hi'),
     drop='firewall-in:firewall.unsolicitedInbound')

# ---------------------------------------------------------------- NAT44 (RFC 4787/5382/5508)

# Static BIB: udp X4:5000 <-> T:7000, udp X4B:5001 <-> T:7001, tcp X4:5002 <-> T:7002,
# icmp X4 id 0x4343 <-> T id 7003. NAT44 keeps Identification, TOS and DF; TTL minus one.
o44 = IP(src=X4, dst=Z, ttl=64, id=0x1234, flags='DF') / UDP(sport=5000, dport=53) / Raw(b'nat44 query')
out44 = IP(src=T, dst=Z, ttl=63, id=0x1234, flags='DF') / UDP(sport=7000, dport=53) / Raw(b'nat44 query')
step('nat44-udp-out', o44, [out44])
in44 = IP(src=Z, dst=T, ttl=40, id=0x4321, tos=0x28) / UDP(sport=53, dport=7000) / Raw(b'nat44 answer')
got44 = IP(src=Z, dst=X4, ttl=39, id=0x4321, tos=0x28) / UDP(sport=53, dport=5000) / Raw(b'nat44 answer')
step('nat44-udp-in', in44, [got44])

# RFC 5508 REQ-4, RFC 5382 REQ-9: the router's error reaches X4 with the quote as X4 sent it
# (but for the TTL the router saw).
step('nat44-icmp-time-exceeded-in',
     IP(src=R, dst=T, ttl=250, id=0x0f0f) / ICMP(type=11, code=0) / Raw(raw(out44)),
     [IP(src=R, dst=X4, ttl=249, id=0x0f0f) / ICMP(type=11, code=0) / Raw(raw(IP(src=X4, dst=Z, ttl=63, id=0x1234, flags='DF') / UDP(sport=5000, dport=53) / Raw(b'nat44 query')))],)
step('nat44-icmp-port-unreachable-in-cut',
     IP(src=Z, dst=T, ttl=64, id=0x1010) / ICMP(type=3, code=3) / Raw(raw(out44)[:28]),
     [IP(src=Z, dst=X4, ttl=63, id=0x1010) / ICMP(type=3, code=3) / Raw(raw(IP(src=X4, dst=Z, ttl=63, id=0x1234, flags='DF') / UDP(sport=5000, dport=53) / Raw(b'nat44 query'))[:28])])

# RFC 5508 REQ-5: X4 reports the answer's port unreachable: to Z from T, quoting Z:53 -> T:7000.
step('nat44-icmp-port-unreachable-out',
     IP(src=X4, dst=Z, ttl=64, id=0x1111) / ICMP(type=3, code=3) / Raw(raw(got44)),
     [IP(src=T, dst=Z, ttl=63, id=0x1111) / ICMP(type=3, code=3) / Raw(raw(IP(src=Z, dst=T, ttl=39, id=0x4321, tos=0x28) / UDP(sport=53, dport=7000) / Raw(b'nat44 answer')))])

# RFC 1812 §5.3.1, §4.3.2.5: TTL 1 is answered with Time Exceeded from the pool address:
# precedence 6 (TOS 0xc0), DF, TTL 64, quoting the packet as it came.
dying = IP(src=X4, dst=Z, ttl=1, id=0x1313) / UDP(sport=5000, dport=33434) / Raw(b'traceroute')
step('nat44-ttl-expired', dying,
     [IP(src=T, dst=X4, ttl=64, id=0, flags='DF', tos=0xc0) / ICMP(type=11, code=0) / Raw(raw(dying))],
     kinds=['icmp-error'], drop='translate:ttlExpired')

step('nat44-tcp-syn-out', IP(src=X4, dst=Z, ttl=64, id=1) / TCP(sport=5002, dport=80, flags='S', seq=2000, window=8192),
     [IP(src=T, dst=Z, ttl=63, id=1) / TCP(sport=7002, dport=80, flags='S', seq=2000, window=8192)])
step('nat44-tcp-synack-in', IP(src=Z, dst=T, ttl=64, id=2) / TCP(sport=80, dport=7002, flags='SA', seq=9000, ack=2001, window=8192),
     [IP(src=Z, dst=X4, ttl=63, id=2) / TCP(sport=80, dport=5002, flags='SA', seq=9000, ack=2001, window=8192)])

step('nat44-echo-out', IP(src=X4, dst=Z, ttl=64, id=3) / ICMP(type=8, id=0x4343, seq=1) / Raw(b'ping44'),
     [IP(src=T, dst=Z, ttl=63, id=3) / ICMP(type=8, id=7003, seq=1) / Raw(b'ping44')])
step('nat44-echo-in', IP(src=Z, dst=T, ttl=64, id=4) / ICMP(type=0, id=7003, seq=1) / Raw(b'ping44'),
     [IP(src=Z, dst=X4, ttl=63, id=4) / ICMP(type=0, id=0x4343, seq=1) / Raw(b'ping44')])

# RFC 4787 REQ-9/REQ-9a: X4:5000 -> T:7001 reaches X4B:5001 from X4's mapping T:7000.
h44 = IP(src=T, dst=X4B, ttl=63, id=5) / UDP(sport=7000, dport=5001) / Raw(b'hairpin v4')
step('nat44-hairpin', IP(src=X4, dst=T, ttl=64, id=5) / UDP(sport=5000, dport=7001) / Raw(b'hairpin v4'), [h44])
# RFC 5508 REQ-7/REQ-7a: X4B's error about it reaches X4, outer destination = quoted source.
step('nat44-hairpin-icmp-error',
     IP(src=X4B, dst=T, ttl=64, id=6) / ICMP(type=3, code=3) / Raw(raw(h44)),
     [IP(src=T, dst=X4, ttl=63, id=6) / ICMP(type=3, code=3) / Raw(raw(IP(src=X4, dst=T, ttl=63, id=5) / UDP(sport=5000, dport=7001) / Raw(b'hairpin v4')))])

# ---------------------------------------------------------------- across families

# [X6]:5000 -> prefix + T:7001 reaches X4B:5001 from T:6000; X4:5000 -> T:6001 reaches
# [X6B]:5001 from prefix + T:7000.
step('hairpin-nat64-to-nat44', IPv6(src=X6, dst=YT, hlim=64) / UDP(sport=5000, dport=7001) / Raw(b'six to four'),
     [v4_from_v6(T, X4B, 63) / UDP(sport=6000, dport=5001) / Raw(b'six to four')], zero_ident=True)
step('hairpin-nat44-to-nat64', IP(src=X4, dst=T, ttl=64, id=7) / UDP(sport=5000, dport=6001) / Raw(b'four to six'),
     [v6_from_v4(YT, X6B, 63) / UDP(sport=7000, dport=5001) / Raw(b'four to six')])

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, 'vectors.json'), 'w') as f:
    json.dump({'generator': 'test/golden/gateway/generate.py', 'config': 'gateway.yaml', 'steps': steps}, f, indent=1)
    f.write('\n')
print(len(steps), 'steps')
