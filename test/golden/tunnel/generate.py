#!/usr/bin/python3
"""Golden datagrams for the UDP tunnel port: VXLAN (RFC 7348) and Geneve (RFC 8926) payloads, built by scapy.

Run with Debian's scapy:  /usr/bin/python3 test/golden/tunnel/generate.py > test/golden/tunnel/vectors.json
Each vector is a UDP payload (tunnel header + inner Ethernet frame) as scapy writes it, and the
inner frame alone, so the port's encapsulation and decapsulation are compared with an
independent implementation.
"""
import json

from scapy.all import Ether, IPv6, IP, UDP, Raw, raw
from scapy.layers.vxlan import VXLAN
from scapy.contrib.geneve import GENEVE

inner = raw(Ether(src="02:00:00:00:00:07", dst="02:00:00:00:01:01") /
            IPv6(src="2001:db8:1::7", dst="64:ff9b::c633:6407", hlim=64) /
            UDP(sport=40001, dport=53) / Raw(b"natmesh"))

vectors = {
    "inner": inner.hex(),
    "vxlanVni100": raw(VXLAN(vni=100, flags=0x08) / inner).hex(),
    "vxlanVni16777215": raw(VXLAN(vni=0xffffff, flags=0x08) / inner).hex(),
    "vxlanNoIFlag": raw(VXLAN(vni=100, flags=0x00) / inner).hex(),
    "vxlanUnknownVni": raw(VXLAN(vni=4242, flags=0x08) / inner).hex(),
    "geneveVni100": raw(GENEVE(vni=100, proto=0x6558) / inner).hex(),
    "geneveWithOption": raw(GENEVE(vni=100, proto=0x6558, optionlen=2,
                                   options=b"\x01\x02\x03\x01" + b"\xaa\xbb\xcc\xdd") / inner).hex(),
    "geneveOam": raw(GENEVE(vni=100, proto=0x6558, oam=1) / inner).hex(),
    "geneveCritical": raw(GENEVE(vni=100, proto=0x6558, critical=1, optionlen=2,
                                 options=b"\x01\x02\x83\x01" + b"\xaa\xbb\xcc\xdd") / inner).hex(),
    "geneveIpv4Payload": raw(GENEVE(vni=100, proto=0x0800) / IP(src="10.0.0.1", dst="10.0.0.2")).hex(),
    "geneveVersion1": (bytes([0x40]) + raw(GENEVE(vni=100, proto=0x6558) / inner)[1:]).hex(),
    "geneveOptionsOverrun": raw(GENEVE(vni=100, proto=0x6558, optionlen=63) / Raw(b"\x00" * 16)).hex(),
}
print(json.dumps(vectors, indent=1, sort_keys=True))
