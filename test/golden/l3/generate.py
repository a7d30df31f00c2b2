#!/usr/bin/python3
"""Golden vectors for the Ethernet, ARP, IPv4 and IPv6 codecs, built by scapy.

Run with Debian's scapy:  /usr/bin/python3 test/golden/l3/generate.py > test/golden/l3/vectors.json
Each vector is the packet as hex plus the fields scapy itself reads back from those bytes, so
the tests compare the codecs against an independent implementation, not against themselves.
"""
import json
import sys

from scapy.all import (ARP, IP, TCP, UDP, Dot1AD, Dot1Q, Ether, ICMP, IPOption_NOP, IPOption_EOL,
                       IPOption_RR, IPOption_Router_Alert, IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                       IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, IPv6ExtHdrSegmentRouting, ICMPv6EchoRequest,
                       PadN, RouterAlert, Jumbo, HAO, Raw, raw)

MAC_A = "02:00:00:00:00:0a"
MAC_B = "02:00:00:00:00:0b"


def hexof(p):
    return raw(p).hex()


def mac_hex(m):
    return m.replace(":", "")


def ether_case(pkt, ether_type, tags, payload_off):
    b = raw(pkt)
    return {"hex": b.hex(), "dst": mac_hex(pkt.dst), "src": mac_hex(pkt.src), "etherType": ether_type,
            "tags": tags, "payloadOff": payload_off}


def ipv4_case(pkt):
    b = raw(pkt)
    p = IP(b)
    ihl = p.ihl * 4
    return {"hex": b.hex(), "ihl": ihl, "totalLen": p.len, "tos": p.tos, "ident": p.id,
            "df": bool(p.flags.DF), "mf": bool(p.flags.MF), "fragOffset": p.frag * 8, "ttl": p.ttl,
            "protocol": p.proto, "checksum": p.chksum, "src": p.src, "dst": p.dst,
            "options": b[20:ihl].hex(),
            # Options as scapy splits them: [type octet, offset from the header start, length];
            # the walk ends at the first End of Option List (RFC 791: the rest is padding).
            "optionList": option_list(p)}


def option_list(p):
    out = []
    off = 20
    for o in p.options:
        ob = raw(o)
        out.append([ob[0], off, len(ob)])
        off += len(ob)
        if ob[0] == 0:
            break
    return out


EXT = {0: "hbh", 43: "routing", 44: "fragment", 60: "destopts"}


def ipv6_case(pkt):
    b = raw(pkt)
    p = IPv6(b)
    exts = []
    layer = p.payload
    off = 40
    nh = p.nh
    frag = None
    routing = None
    while nh in EXT:
        lb = raw(layer)
        if nh == 44:
            hl = 8
            frag = {"off": off, "offset": layer.offset * 8, "m": bool(layer.m), "ident": layer.id}
        else:
            hl = (lb[1] + 1) * 8
            if nh == 43:
                routing = {"off": off, "type": lb[2], "segmentsLeft": lb[3]}
        exts.append([nh, off, hl])
        nh = lb[0]
        off += hl
        layer = layer.payload
        if frag is not None and frag["off"] == exts[-1][1] and frag["offset"] != 0:
            break
    return {"hex": b.hex(), "trafficClass": p.tc, "flowLabel": p.fl, "payloadLen": p.plen, "nextHeader": p.nh,
            "hopLimit": p.hlim, "src": p.src, "dst": p.dst, "exts": exts, "upperProtocol": nh, "upperOff": off,
            "frag": frag, "routing": routing}


vectors = {"ethernet": {}, "arp": {}, "ipv4": {}, "ipv6": {}}
E = vectors["ethernet"]
E["untagged_ipv4"] = ether_case(Ether(dst=MAC_B, src=MAC_A) / IP(src="192.0.2.1", dst="198.51.100.2") / UDP(sport=1000, dport=53),
                                0x0800, [], 14)
E["dot1q_ipv6"] = ether_case(Ether(dst=MAC_B, src=MAC_A) / Dot1Q(vlan=100, prio=5, id=1) / IPv6(src="2001:db8::1", dst="2001:db8::2") / UDP(),
                             0x86dd, [[0x8100, (5 << 13) | (1 << 12) | 100]], 18)
E["qinq_ipv4"] = ether_case(Ether(dst=MAC_B, src=MAC_A) / Dot1AD(vlan=200, prio=3) / Dot1Q(vlan=100) / IP(src="10.0.0.1", dst="10.0.0.2") / ICMP(),
                            0x0800, [[0x88a8, (3 << 13) | 200], [0x8100, 100]], 22)
E["arp_padded"] = ether_case(Ether(dst="ff:ff:ff:ff:ff:ff", src=MAC_A) / ARP(psrc="192.0.2.1", pdst="192.0.2.2", hwsrc=MAC_A) / Raw(b"\x00" * 18),
                             0x0806, [], 14)

A = vectors["arp"]
for name, op, tha in (("request", 1, "00:00:00:00:00:00"), ("reply", 2, MAC_B)):
    a = ARP(op=op, hwsrc=MAC_A, psrc="192.0.2.1", hwdst=tha, pdst="192.0.2.2")
    A[name] = {"hex": hexof(a), "operation": op, "sha": mac_hex(MAC_A), "spa": "192.0.2.1", "tha": mac_hex(tha), "tpa": "192.0.2.2"}

V4 = vectors["ipv4"]
V4["udp"] = ipv4_case(IP(src="192.0.2.1", dst="198.51.100.2", id=0x1234, ttl=64, tos=0xb8) / UDP(sport=1000, dport=53) / b"abcd")
V4["tcp_df"] = ipv4_case(IP(src="203.0.113.9", dst="10.1.2.3", id=0, flags="DF", ttl=255) / TCP(sport=40000, dport=443, flags="S"))
V4["first_fragment"] = ipv4_case(IP(src="192.0.2.1", dst="192.0.2.2", id=0xbeef, flags="MF", frag=0, proto=17) / (b"\x11" * 16))
V4["middle_fragment"] = ipv4_case(IP(src="192.0.2.1", dst="192.0.2.2", id=0xbeef, flags="MF", frag=2, proto=17) / (b"\x22" * 24))
V4["last_fragment"] = ipv4_case(IP(src="192.0.2.1", dst="192.0.2.2", id=0xbeef, frag=5, proto=17) / (b"\x33" * 5))
V4["router_alert"] = ipv4_case(IP(src="10.0.0.1", dst="224.0.0.22", ttl=1, proto=2, options=[IPOption_Router_Alert()]) / (b"\x22" + b"\x00" * 7))
V4["record_route_nop_eol"] = ipv4_case(IP(src="10.0.0.1", dst="10.0.0.9", options=[IPOption_NOP(), IPOption_RR(routers=["10.0.0.1", "10.0.0.2"]), IPOption_EOL()]) / ICMP())
V4["unknown_option_kind"] = ipv4_case(IP(src="10.0.0.1", dst="10.0.0.9", options=b"\x9e\x06\x01\x02\x03\x04\x01\x00") / UDP())
V4["max_options"] = ipv4_case(IP(src="10.0.0.1", dst="10.0.0.9", options=[IPOption_RR(routers=["0.0.0.0"] * 9)]) / UDP())

V6 = vectors["ipv6"]
S, D = "2001:db8::1", "64:ff9b::c000:201"
V6["udp"] = ipv6_case(IPv6(src=S, dst=D, tc=0xb8, fl=0x12345, hlim=64) / UDP(sport=1000, dport=53) / b"abcd")
V6["hbh_router_alert"] = ipv6_case(IPv6(src="fe80::1", dst="ff02::16", hlim=1) / IPv6ExtHdrHopByHop(options=[RouterAlert(value=0)]) / ICMPv6EchoRequest())
V6["destopts_padn"] = ipv6_case(IPv6(src=S, dst=D) / IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\x00" * 4)]) / TCP())
V6["routing_type0"] = ipv6_case(IPv6(src=S, dst=D) / IPv6ExtHdrRouting(addresses=["2001:db8::a", "2001:db8::b"], segleft=2) / UDP())
V6["routing_exhausted"] = ipv6_case(IPv6(src=S, dst=D) / IPv6ExtHdrRouting(addresses=["2001:db8::a"], segleft=0) / UDP())
V6["srh"] = ipv6_case(IPv6(src=S, dst=D) / IPv6ExtHdrSegmentRouting(addresses=["2001:db8::a", "2001:db8::b"], segleft=1) / UDP())
V6["first_fragment"] = ipv6_case(IPv6(src=S, dst=D) / IPv6ExtHdrFragment(nh=17, offset=0, m=1, id=0xdeadbeef) / UDP(sport=1, dport=2) / (b"\x00" * 8))
V6["later_fragment"] = ipv6_case(IPv6(src=S, dst=D) / IPv6ExtHdrFragment(nh=17, offset=2, m=0, id=0xdeadbeef) / (b"\x44" * 13))
V6["atomic_fragment"] = ipv6_case(IPv6(src=S, dst=D) / IPv6ExtHdrFragment(nh=58, offset=0, m=0, id=7) / ICMPv6EchoRequest())
V6["full_chain"] = ipv6_case(IPv6(src=S, dst=D) / IPv6ExtHdrHopByHop(options=[RouterAlert()]) / IPv6ExtHdrDestOpt(options=[HAO(hoa="2001:db8::99")])
                             / IPv6ExtHdrRouting(addresses=["2001:db8::a"], segleft=0) / IPv6ExtHdrFragment(m=0, offset=0, id=1)
                             / IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\x00" * 4)]) / UDP(sport=5, dport=6))
V6["no_next_header"] = ipv6_case(IPv6(src=S, dst=D) / IPv6ExtHdrDestOpt(nh=59, options=[PadN(optdata=b"\x00" * 4)]))

# Packets scapy builds without complaint that the codecs must refuse, with the WireDrop name.
vectors["refused"] = {
    "ipv4_bad_checksum": {"family": 4, "drop": "badChecksum",
                          "hex": hexof(IP(src="192.0.2.1", dst="192.0.2.2", chksum=0x1234) / UDP())},
    "ipv4_option_runs_past_header": {"family": 4, "drop": "badOption",
                                     "hex": hexof(IP(src="192.0.2.1", dst="192.0.2.2", options=b"\x01\x07\x0c\x04\x00\x00\x00\x00") / UDP())},
    "ipv6_hbh_not_first": {"family": 6, "drop": "badExtensionHeader",
                           "hex": hexof(IPv6(src=S, dst=D) / IPv6ExtHdrDestOpt() / IPv6ExtHdrHopByHop() / UDP())},
    "ipv6_two_fragment_headers": {"family": 6, "drop": "badExtensionHeader",
                                  "hex": hexof(IPv6(src=S, dst=D) / IPv6ExtHdrFragment(id=1) / IPv6ExtHdrFragment(id=2) / UDP())},
    "ipv6_nine_destopts": {"family": 6, "drop": "tooManyExtensionHeaders",
                           "hex": hexof(IPv6(src=S, dst=D) / IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt()
                                        / IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt()
                                        / IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt() / UDP())},
    "ipv6_jumbogram": {"family": 6, "drop": "unsupported",
                       "hex": hexof(IPv6(src=S, dst=D, plen=0) / IPv6ExtHdrHopByHop(options=[Jumbo(jumboplen=70000)]) / UDP())},
}

json.dump(vectors, sys.stdout, indent=1, sort_keys=True)
sys.stdout.write("\n")
