#!/usr/bin/python3
"""Golden capture files for test/io/pcap-reader.test.ts.

Run with Debian's scapy: /usr/bin/python3 test/golden/pcap/generate.py
Writes the same three packets (fixed bytes, fixed timestamps) in every format the reader
supports, using writers other than ours (scapy, editcap), plus packets.json describing them.
"""
import json
import os
import subprocess
from scapy.all import Ether, IP, IPv6, UDP, TCP, ICMP, Raw, PcapWriter, PcapNgWriter, wrpcap  # noqa

here = os.path.dirname(os.path.abspath(__file__))


def out(name):
    return os.path.join(here, name)


eth = [
    Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / IP(src="192.0.2.1", dst="198.51.100.2") / UDP(sport=1000, dport=53) / Raw(b"golden-1"),
    Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / IPv6(src="2001:db8::1", dst="64:ff9b::c633:6402") / TCP(sport=40000, dport=80, flags="S"),
    Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / IP(src="192.0.2.1", dst="198.51.100.2") / ICMP(id=7, seq=1) / Raw(b"x" * 100),
]
# Microsecond-exact, so every writer (µs or ns) stores them without rounding.
times = [(1700000000, 123456000), (1700000001, 1000), (1700000002, 500000000)]
raw = [p[1] for p in eth]

from scapy.utils import EDecimal  # noqa: E402
for p, (s, ns) in zip(eth, times):
    p.time = EDecimal(s) + EDecimal(ns) / EDecimal(1000000000)
for p, q in zip(raw, eth):
    p.time = q.time

# Classic pcap: little-endian microseconds, big-endian nanoseconds, raw IP (LINKTYPE_RAW).
w = PcapWriter(out("eth-le-usec.pcap"), linktype=1, endianness="<", sync=True)
w.write(eth); w.close()
w = PcapWriter(out("eth-be-nsec.pcap"), linktype=1, endianness=">", nano=True, sync=True)
w.write(eth); w.close()
w = PcapWriter(out("raw-le-usec.pcap"), linktype=101, endianness="<", sync=True)
w.write(raw); w.close()

# pcapng from editcap (SHB, IDB with if_tsresol, EPB) and from scapy.
subprocess.run(["editcap", "-F", "pcapng", out("eth-be-nsec.pcap"), out("eth-editcap.pcapng")], check=True)
w = PcapNgWriter(out("eth-scapy.pcapng"))
for p in eth:
    w.write(p)
w.close()

desc = {
    "packets": [
        {"eth": bytes(p).hex(), "ip": bytes(r).hex(), "sec": s, "nsec": ns}
        for p, r, (s, ns) in zip(eth, raw, times)
    ]
}
with open(out("packets.json"), "w") as f:
    json.dump(desc, f, indent=1)
    f.write("\n")
