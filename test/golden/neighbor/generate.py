#!/usr/bin/python3
"""Golden frames for the neighbor and route stages (ARP, RFC 826; NDP, RFC 4861), built by scapy.

Run with Debian's scapy:  /usr/bin/python3 test/golden/neighbor/generate.py > test/golden/neighbor/vectors.json
The frames the gateway must send are scapy's, checksums included, so the stages' ARP replies,
Neighbor Advertisements and solicitations are compared byte for byte with an independent
implementation.
"""
import json

from scapy.all import (ARP, Ether, ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6NDOptDstLLAddr, ICMPv6NDOptSrcLLAddr,
                       ICMPv6ND_RS, IPv6, Padding, raw)
from scapy.utils6 import in6_getnsma, in6_getnsmac, in6_mactoifaceid
from scapy.pton_ntop import inet_pton
import socket

HOST = "02:00:00:00:00:07"
GW_IN = "02:00:00:00:01:01"   # inside interface (IPv6)
GW_OUT = "02:00:00:00:01:02"  # outside interface (IPv4)
HOST4 = "198.51.100.7"
GW4 = "198.51.100.1"
HOST6 = "2001:db8:1::7"
GW6 = "2001:db8:1::1"
GW_LL = "fe80::" + in6_mactoifaceid(GW_IN)
BCAST = "ff:ff:ff:ff:ff:ff"


def pad60(p):
    b = raw(p)
    return b + b"\x00" * (60 - len(b)) if len(b) < 60 else b


def sn(addr):
    return socket.inet_ntop(socket.AF_INET6, in6_getnsma(inet_pton(socket.AF_INET6, addr)))


def snmac(addr):
    # RFC 2464 §7: 33:33 and the last four bytes of the solicited-node group address.
    return in6_getnsmac(in6_getnsma(inet_pton(socket.AF_INET6, addr)))


def ns(src, dst, target, lladdr=None, hlim=255, ethsrc=HOST, ethdst=None):
    p = Ether(src=ethsrc, dst=ethdst or snmac(target)) / IPv6(src=src, dst=dst, hlim=hlim) / ICMPv6ND_NS(tgt=target)
    if lladdr is not None:
        p = p / ICMPv6NDOptSrcLLAddr(lladdr=lladdr)
    return p


def na(src, dst, target, lladdr, R, S, O, ethsrc, ethdst):
    return (Ether(src=ethsrc, dst=ethdst) / IPv6(src=src, dst=dst, hlim=255) /
            ICMPv6ND_NA(tgt=target, R=R, S=S, O=O) / ICMPv6NDOptDstLLAddr(lladdr=lladdr))


vectors = {
    "macs": {"host": HOST.replace(":", ""), "gwIn": GW_IN.replace(":", ""), "gwOut": GW_OUT.replace(":", "")},
    "gwLinkLocal": GW_LL,
    # Host asks for the gateway's IPv4 address; the gateway answers (padded to the 60-byte minimum).
    "arpRequestForGateway": pad60(Ether(src=HOST, dst=BCAST) / ARP(op=1, hwsrc=HOST, psrc=HOST4, pdst=GW4)).hex(),
    "arpReplyFromGateway": pad60(Ether(src=GW_OUT, dst=HOST) / ARP(op=2, hwsrc=GW_OUT, psrc=GW4, hwdst=HOST, pdst=HOST4)).hex(),
    "arpRequestForOther": pad60(Ether(src=HOST, dst=BCAST) / ARP(op=1, hwsrc=HOST, psrc=HOST4, pdst="198.51.100.9")).hex(),
    "arpRequestFromGateway": pad60(Ether(src=GW_OUT, dst=BCAST) / ARP(op=1, hwsrc=GW_OUT, psrc=GW4, hwdst="00:00:00:00:00:00", pdst=HOST4)).hex(),
    "arpProbeFromGateway": pad60(Ether(src=GW_OUT, dst=HOST) / ARP(op=1, hwsrc=GW_OUT, psrc=GW4, hwdst="00:00:00:00:00:00", pdst=HOST4)).hex(),
    "arpReplyFromHost": pad60(Ether(src=HOST, dst=GW_OUT) / ARP(op=2, hwsrc=HOST, psrc=HOST4, hwdst=GW_OUT, pdst=GW4)).hex(),
    "arpGarbage": (Ether(src=HOST, dst=BCAST, type=0x0806) / Padding(load=b"\x00\x01\x08\x00\x06")).build().hex(),
    # Host solicits the gateway's IPv6 address; the gateway advertises (R, S, O).
    "nsForGateway": raw(ns(HOST6, sn(GW6), GW6, HOST)).hex(),
    "naFromGateway": raw(na(GW6, HOST6, GW6, GW_IN, 1, 1, 1, GW_IN, HOST)).hex(),
    "nsForGatewayLinkLocal": raw(ns(HOST6, sn(GW_LL), GW_LL, HOST)).hex(),
    "naFromGatewayLinkLocal": raw(na(GW_LL, HOST6, GW_LL, GW_IN, 1, 1, 1, GW_IN, HOST)).hex(),
    "nsForOther": raw(ns(HOST6, sn("2001:db8:1::9"), "2001:db8:1::9", HOST)).hex(),
    "nsHopLimit64": raw(ns(HOST6, sn(GW6), GW6, HOST, hlim=64)).hex(),
    # Duplicate address detection probe for the gateway's address: defended to all nodes, S clear.
    "nsDad": raw(ns("::", sn(GW6), GW6)).hex(),
    "naDad": raw(na(GW6, "ff02::1", GW6, GW_IN, 1, 0, 1, GW_IN, "33:33:00:00:00:01")).hex(),
    # The gateway resolves the host: multicast NS from its link-local address, the host's answer.
    "nsFromGateway": raw(ns(GW_LL, sn(HOST6), HOST6, GW_IN, ethsrc=GW_IN)).hex(),
    "nsProbeFromGateway": raw(ns(GW_LL, HOST6, HOST6, GW_IN, ethsrc=GW_IN, ethdst=HOST)).hex(),
    "naFromHost": raw(na(HOST6, GW_LL, HOST6, HOST, 0, 1, 1, HOST, GW_IN)).hex(),
    "naUnsolicitedFromOther": raw(na("2001:db8:1::9", "ff02::1", "2001:db8:1::9", "02:00:00:00:00:09", 0, 0, 1, "02:00:00:00:00:09", "33:33:00:00:00:01")).hex(),
    "rsFromHost": raw(Ether(src=HOST, dst="33:33:00:00:00:02") / IPv6(src=HOST6, dst="ff02::2", hlim=255) / ICMPv6ND_RS()).hex(),
}

bad = bytearray(raw(ns(HOST6, sn(GW6), GW6, HOST)))
bad[14 + 40 + 2] ^= 0x01
vectors["nsBadChecksum"] = bytes(bad).hex()

print(json.dumps(vectors, indent=1, sort_keys=True))
