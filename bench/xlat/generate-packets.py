#!/usr/bin/python3
"""Packets for bench/xlat, built by scapy: 64-byte UDP and 1500-byte TCP in both families and
an ICMPv4 error quoting a UDP datagram. Addresses fit the benchmark's SIIT config (pool6
2001:db8:64::/96, EAMT 198.51.100.0/24 <-> 2001:db8:1::/120).
Run: /usr/bin/python3 bench/xlat/generate-packets.py"""
import json, os
from scapy.all import IP, IPv6, UDP, TCP, ICMP, Raw, raw

V6_CLIENT, V6_SERVER = "2001:db8:1::5", "2001:db8:64::c000:221"
V4_CLIENT, V4_SERVER = "198.51.100.5", "192.0.2.33"

def pad(base, total):
    return base / Raw(bytes((i * 7) & 0xff for i in range(total - len(raw(base)))))

pkts = {
    "udp64-6to4": pad(IPv6(src=V6_CLIENT, dst=V6_SERVER) / UDP(sport=5000, dport=53), 64),
    "udp64-4to6": pad(IP(src=V4_SERVER, dst=V4_CLIENT) / UDP(sport=53, dport=5000), 64),
    "tcp1500-6to4": pad(IPv6(src=V6_CLIENT, dst=V6_SERVER) / TCP(sport=40000, dport=80, flags="A"), 1500),
    # 1480 bytes of IPv4 become 1500 of IPv6: the largest that fits a 1500-byte IPv6 link with DF.
    "tcp1480-4to6": pad(IP(src=V4_SERVER, dst=V4_CLIENT, flags="DF") / TCP(sport=80, dport=40000, flags="A"), 1480),
    "icmp-error-4to6": IP(src=V4_SERVER, dst=V4_CLIENT) / ICMP(type=11, code=0) /
        pad(IP(src=V4_CLIENT, dst=V4_SERVER) / UDP(sport=5000, dport=53), 64),
}
out = {k: {"family": 6 if isinstance(p, IPv6) else 4, "hex": raw(p).hex(), "len": len(raw(p))} for k, p in pkts.items()}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "packets.json")
with open(path, "w") as f:
    json.dump({"generator": "bench/xlat/generate-packets.py", "packets": out}, f, indent=1)
    f.write("\n")
print({k: v["len"] for k, v in out.items()})
