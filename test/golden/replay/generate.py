#!/usr/bin/python3
"""Input capture for test/control/replay.test.ts (end-to-end `natmesh replay`).

Run with Debian's scapy: /usr/bin/python3 test/golden/replay/generate.py
Writes in-eth.pcap (Ethernet, one frame 802.1Q-tagged) and in-raw.pcap (LINKTYPE_RAW, the same
IP packets) next to this script.

Addressing (test/golden/replay/siit.yaml):
  pool6 2001:db8:64::/96          IPv4 203.0.113.5 <-> 2001:db8:64::cb00:7105
  EAM 198.51.100.0/24 <-> 2001:db8:6::/120
                                  IPv6 host 2001:db8:6::10 <-> 198.51.100.16
                                  IPv6 router 2001:db8:6::1 <-> 198.51.100.1
"""
import os
from scapy.all import (Ether, Dot1Q, ARP, IP, IPv6, IPv6ExtHdrFragment, UDP, TCP, ICMP, ICMPv6EchoRequest,
                       ICMPv6TimeExceeded, Raw, PcapWriter, fragment)

here = os.path.dirname(os.path.abspath(__file__))

H6 = "2001:db8:6::10"        # IPv6 host (EAM)
R6 = "2001:db8:6::1"         # IPv6 router (EAM)
S6 = "2001:db8:64::cb00:7105"  # IPv4 server seen from IPv6 (pool6)
H4 = "198.51.100.16"
S4 = "203.0.113.5"
TCP_OPTS = [("MSS", 1440), ("SAckOK", b""), ("Timestamp", (123456, 0)), ("NOP", None), ("WScale", 7)]

FRAG4 = fragment(IP(src=S4, dst=H4, ttl=64, id=0x5151) / UDP(sport=33434, dport=40000) / Raw(b"A" * 24), fragsize=16)
assert len(FRAG4) == 2

# (name, IP packet). Names are what the test refers to; keep the order.
packets = [
    ("udp6", IPv6(src=H6, dst=S6, hlim=64) / UDP(sport=40000, dport=33434) / Raw(b"query-1")),
    ("tcp6-syn", IPv6(src=H6, dst=S6, hlim=64, tc=0x28, fl=0x12345) / TCP(sport=40001, dport=80, flags="S", seq=1000, options=TCP_OPTS)),
    ("echo6", IPv6(src=H6, dst=S6, hlim=64) / ICMPv6EchoRequest(id=0x1234, seq=1, data=b"ping-payload")),
    ("udp4", IP(src=S4, dst=H4, ttl=64, id=0x4242) / UDP(sport=33434, dport=40000) / Raw(b"answer-1")),
    ("tcp4-synack", IP(src=S4, dst=H4, ttl=64, id=0x4243, flags="DF") / TCP(sport=80, dport=40001, flags="SA", seq=5000, ack=1001, options=TCP_OPTS)),
    ("echo4-reply", IP(src=S4, dst=H4, ttl=64, id=0x4244) / ICMP(type=0, id=0x1234, seq=1) / Raw(b"ping-payload")),
    # Port unreachable from the IPv4 server about the translated udp6 packet.
    ("icmp4-port-unreachable", IP(src=S4, dst=H4, ttl=64, id=0x4245) / ICMP(type=3, code=3)
        / IP(src=H4, dst=S4, ttl=63, id=7) / UDP(sport=40000, dport=33434) / Raw(b"query-1")),
    # Time Exceeded from an IPv6 router about a packet toward the IPv6 host.
    ("icmp6-time-exceeded", IPv6(src=R6, dst=S6, hlim=64) / ICMPv6TimeExceeded(code=0)
        / IPv6(src=S6, dst=H6, hlim=1) / UDP(sport=33434, dport=40000) / Raw(b"answer-1")),
    # IPv4 fragments of one UDP datagram (first with the UDP header, then the rest).
    ("frag4-first", FRAG4[0]),
    ("frag4-last", FRAG4[1]),
    # An IPv6 fragment (first of two) of a UDP datagram; the UDP checksum covers the whole datagram.
    ("frag6-first", IPv6(src=H6, dst=S6, hlim=64) / IPv6ExtHdrFragment(id=0xabcdef, m=1, offset=0, nh=17)
        / Raw(bytes((IPv6(src=H6, dst=S6) / UDP(sport=40002, dport=33435) / Raw(b"B" * 32))[UDP])[:24])),
    # Hop limit 1: the translator drops it and answers ICMPv6 Time Exceeded toward the sender.
    ("udp6-hlim1", IPv6(src=H6, dst=S6, hlim=1) / UDP(sport=40003, dport=33434) / Raw(b"dies")),
    # Destination under neither pool6 nor an EAM: dropped as untranslatable.
    ("udp6-untranslatable", IPv6(src=H6, dst="2001:db9::1", hlim=64) / UDP(sport=40004, dport=33434) / Raw(b"nowhere")),
]

GW = "02:00:00:00:00:01"
HOST = "02:00:00:00:00:02"

eth = []
for i, (name, p) in enumerate(packets):
    t = Ether(src=HOST, dst=GW)
    if name == "udp4":
        t = t / Dot1Q(vlan=100)
    f = t / p
    f.time = 1700000000 + i
    eth.append(f)
arp = Ether(src=HOST, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=HOST, psrc="198.51.100.16", pdst="198.51.100.1")
arp.time = 1700000000 + len(packets)
eth.append(arp)

raw = []
for i, (name, p) in enumerate(packets):
    q = p.__class__(bytes(p))
    q.time = 1700000000 + i
    raw.append(q)

w = PcapWriter(os.path.join(here, "in-eth.pcap"), linktype=1, sync=True)
w.write(eth)
w.close()
w = PcapWriter(os.path.join(here, "in-raw.pcap"), linktype=101, sync=True)
w.write(raw)
w.close()
with open(os.path.join(here, "packets.txt"), "w") as f:
    for i, (name, _) in enumerate(packets):
        f.write("%d %s\n" % (i + 1, name))
    f.write("%d arp (in-eth.pcap only)\n" % (len(packets) + 1))
