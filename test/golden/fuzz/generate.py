#!/usr/bin/python3
"""Seed corpus for the translator fuzz test: valid, translatable packets of every kind the
translator handles, built by scapy (an implementation independent of ours). The fuzz test
mutates them; seeds that are valid make mutations reach deep into the translator.

Addresses fit the fuzz test's SIIT config: pool6 2001:db8:64::/96, EAMT
198.51.100.0/24 <-> 2001:db8:1::/120. Run: /usr/bin/python3 test/golden/fuzz/generate.py
"""
import json, os
from scapy.all import (IP, IPv6, UDP, TCP, ICMP, ICMPv6EchoRequest, ICMPv6EchoReply,
                       ICMPv6DestUnreach, ICMPv6PacketTooBig, ICMPv6TimeExceeded, ICMPv6ParamProblem,
                       IPv6ExtHdrFragment, IPv6ExtHdrHopByHop, IPv6ExtHdrDestOpt, IPv6ExtHdrRouting,
                       IPOption_NOP, IPOption_RR, Raw, raw, fragment)
from scapy.layers.inet6 import fragment6

V6_CLIENT = "2001:db8:1::5"        # EAMT-mapped to 198.51.100.5
V6_SERVER = "2001:db8:64::c000:221"  # pool6 + 192.0.2.33
V4_CLIENT = "198.51.100.5"
V4_SERVER = "192.0.2.33"
payload = bytes(range(48))

seeds = []
def add(name, pkt):
    seeds.append({"name": name, "family": 6 if isinstance(pkt, IPv6) else 4, "hex": raw(pkt).hex()})

# IPv6 -> IPv4 direction
add("v6-udp", IPv6(src=V6_CLIENT, dst=V6_SERVER) / UDP(sport=5000, dport=53) / Raw(payload))
add("v6-tcp-syn-opts", IPv6(src=V6_CLIENT, dst=V6_SERVER) / TCP(sport=40000, dport=80, flags="S",
    options=[("MSS", 1440), ("SAckOK", b""), ("Timestamp", (1, 0)), ("NOP", None), ("WScale", 7)]))
add("v6-tcp-data", IPv6(src=V6_CLIENT, dst=V6_SERVER, tc=0x28, fl=0x12345) / TCP(sport=40000, dport=80, flags="PA", seq=1000, ack=2000) / Raw(payload * 20))
add("v6-echo", IPv6(src=V6_CLIENT, dst=V6_SERVER) / ICMPv6EchoRequest(id=7, seq=1, data=payload))
add("v6-echo-reply", IPv6(src=V6_CLIENT, dst=V6_SERVER) / ICMPv6EchoReply(id=7, seq=1, data=payload))
add("v6-hbh-dstopt-udp", IPv6(src=V6_CLIENT, dst=V6_SERVER) / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() / UDP(sport=1, dport=2) / Raw(payload))
add("v6-routing-sl0", IPv6(src=V6_CLIENT, dst=V6_SERVER) / IPv6ExtHdrRouting(addresses=[], segleft=0) / UDP(sport=1, dport=2) / Raw(payload))
add("v6-routing-sl1", IPv6(src=V6_CLIENT, dst=V6_SERVER) / IPv6ExtHdrRouting(addresses=["2001:db8::9"], segleft=1) / UDP(sport=1, dport=2))
add("v6-hoplimit-1", IPv6(src=V6_CLIENT, dst=V6_SERVER, hlim=1) / UDP(sport=1, dport=2) / Raw(payload))
add("v6-atomic-frag", IPv6(src=V6_CLIENT, dst=V6_SERVER) / IPv6ExtHdrFragment(id=0x1234567, m=0, offset=0) / UDP(sport=9, dport=9) / Raw(payload))
big6 = IPv6(src=V6_CLIENT, dst=V6_SERVER) / IPv6ExtHdrFragment(id=0xabcdef) / UDP(sport=9, dport=9) / Raw(payload * 40)
for i, f in enumerate(fragment6(big6, 700)):
    add(f"v6-frag-{i}", f)
# ICMPv6 errors quoting an IPv4-destined packet (sent by the IPv6 side back toward IPv4 hosts)
inner6 = IPv6(src=V6_SERVER, dst=V6_CLIENT) / UDP(sport=53, dport=5000) / Raw(payload)
add("v6-unreach-port", IPv6(src=V6_CLIENT, dst=V6_SERVER) / ICMPv6DestUnreach(code=4) / inner6)
add("v6-ptb", IPv6(src=V6_CLIENT, dst=V6_SERVER) / ICMPv6PacketTooBig(mtu=1400) / (IPv6(src=V6_SERVER, dst=V6_CLIENT) / TCP(sport=80, dport=40000, flags="A") / Raw(payload * 20)))
add("v6-time-exceeded", IPv6(src="2001:db8:1::fe", dst=V6_SERVER) / ICMPv6TimeExceeded() / inner6)
add("v6-param-problem", IPv6(src=V6_CLIENT, dst=V6_SERVER) / ICMPv6ParamProblem(code=0, ptr=7) / inner6)
add("v6-unreach-untranslatable-src", IPv6(src="2001:db8:ffff::1", dst=V6_SERVER) / ICMPv6DestUnreach(code=0) / inner6)

# IPv4 -> IPv6 direction
add("v4-udp", IP(src=V4_SERVER, dst=V4_CLIENT) / UDP(sport=53, dport=5000) / Raw(payload))
add("v4-udp-zero-csum", IP(src=V4_SERVER, dst=V4_CLIENT) / UDP(sport=53, dport=5000, chksum=0) / Raw(payload))
add("v4-tcp-synack", IP(src=V4_SERVER, dst=V4_CLIENT, flags="DF") / TCP(sport=80, dport=40000, flags="SA",
    options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (5, 1)), ("NOP", None), ("WScale", 7)]))
add("v4-tcp-data-df", IP(src=V4_SERVER, dst=V4_CLIENT, flags="DF", tos=0xb8) / TCP(sport=80, dport=40000, flags="PA") / Raw(payload * 30))
add("v4-tcp-big-nodf", IP(src=V4_SERVER, dst=V4_CLIENT, flags=0, id=4321) / TCP(sport=80, dport=40000, flags="PA") / Raw(payload * 30))
add("v4-echo", IP(src=V4_SERVER, dst=V4_CLIENT) / ICMP(type=8, id=3, seq=4) / Raw(payload))
add("v4-echo-reply", IP(src=V4_SERVER, dst=V4_CLIENT) / ICMP(type=0, id=3, seq=4) / Raw(payload))
add("v4-options", IP(src=V4_SERVER, dst=V4_CLIENT, options=[IPOption_NOP(), IPOption_RR(routers=["10.0.0.1"])]) / UDP(sport=1, dport=2) / Raw(payload))
add("v4-ttl-1", IP(src=V4_SERVER, dst=V4_CLIENT, ttl=1) / UDP(sport=1, dport=2) / Raw(payload))
for i, f in enumerate(fragment(IP(src=V4_SERVER, dst=V4_CLIENT, id=777) / UDP(sport=7, dport=7) / Raw(payload * 40), fragsize=600)):
    add(f"v4-frag-{i}", f)
inner4 = IP(src=V4_CLIENT, dst=V4_SERVER) / UDP(sport=5000, dport=53) / Raw(payload)
add("v4-unreach-port", IP(src=V4_SERVER, dst=V4_CLIENT) / ICMP(type=3, code=3) / inner4)
add("v4-frag-needed", IP(src="192.0.2.1", dst=V4_CLIENT) / ICMP(type=3, code=4, nexthopmtu=1400) / (IP(src=V4_CLIENT, dst=V4_SERVER, flags="DF") / TCP(sport=40000, dport=80, flags="A") / Raw(payload * 20)))
add("v4-frag-needed-mtu0", IP(src="192.0.2.1", dst=V4_CLIENT) / ICMP(type=3, code=4, nexthopmtu=0) / (IP(src=V4_CLIENT, dst=V4_SERVER, flags="DF", len=1500) / TCP(sport=40000, dport=80, flags="A")))
add("v4-time-exceeded", IP(src="192.0.2.1", dst=V4_CLIENT) / ICMP(type=11, code=0) / inner4)
add("v4-param-problem", IP(src=V4_SERVER, dst=V4_CLIENT) / ICMP(type=12, code=0, ptr=8) / inner4)
add("v4-icmp-in-icmp", IP(src=V4_SERVER, dst=V4_CLIENT) / ICMP(type=3, code=1) / (IP(src=V4_CLIENT, dst=V4_SERVER) / ICMP(type=3, code=3) / inner4))

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds.json")
with open(out, "w") as f:
    json.dump({"generator": "test/golden/fuzz/generate.py", "seeds": seeds}, f, indent=1)
    f.write("\n")
print(f"{len(seeds)} seeds -> {out}")
