#!/usr/bin/python3
"""GSO super-segments and the segments they stand for, for test/io/gso.test.ts.

Each vector is one super-segment as a Linux TUN device hands it over with TSO/USO on: the IP
length fields cover the whole super-segment, the transport checksum field holds the folded
pseudo-header sum over the whole transport length (what ~csum_tcpudp_magic / ~csum_ipv6_magic
leave for CHECKSUM_PARTIAL), and a virtio-net header says NEEDS_CSUM, the GSO type and the
segment size. The expected segments are built independently by scapy, one packet each, with
scapy computing every length and checksum: IPv4 Identification +1 per segment, TCP sequence
advanced by the payload before it, FIN/PSH only on the last segment, CWR only on the first.

Payload bytes are not stored: payload[i] = (i * 31 + seed) & 0xff, rebuilt by the test.
Run: /usr/bin/python3 test/golden/gso/generate.py
"""
import json
import os

from scapy.all import IP, IPv6, TCP, UDP, IPOption_NOP, IPv6ExtHdrDestOpt, PadN, raw
from scapy.utils import checksum

NEEDS_CSUM = 1
TCPV4, TCPV6, UDP_L4 = 1, 4, 5


def payload(n, seed):
    return bytes((i * 31 + seed) & 0xFF for i in range(n))


def pseudo(ip_raw, family, proto, l4len):
    if family == 4:
        ph = ip_raw[12:16] + ip_raw[16:20] + bytes([0, proto]) + l4len.to_bytes(2, "big")
    else:
        ph = ip_raw[8:24] + ip_raw[24:40] + l4len.to_bytes(4, "big") + bytes([0, 0, 0, proto])
    # scapy's checksum() is the complemented sum; the partial field holds the sum itself.
    return (~checksum(ph)) & 0xFFFF


def l3(family, ip_kw, ext):
    return (IP(**ip_kw) if family == 4 else IPv6(**ip_kw)) / ext if ext is not None else (IP(**ip_kw) if family == 4 else IPv6(**ip_kw))


def build(name, family, proto, ip_kw, ext, l4_kw, plen, seed, mss):
    data = payload(plen, seed)
    base = l3(family, ip_kw, ext)
    l4cls = TCP if proto == "tcp" else UDP
    whole = raw(base / l4cls(**l4_kw) / data)
    # Locate the transport header: scapy built it, so measure the pieces.
    l4off = len(raw(base))
    l4hl = len(raw(l4cls(**l4_kw)))
    if proto == "tcp":
        l4hl = (whole[l4off + 12] >> 4) * 4
    proto_num = 6 if proto == "tcp" else 17
    csum_off = 16 if proto == "tcp" else 6
    sup = bytearray(whole)
    partial = pseudo(whole, family, proto_num, len(whole) - l4off)
    sup[l4off + csum_off:l4off + csum_off + 2] = partial.to_bytes(2, "big")
    headers_len = l4off + l4hl
    assert bytes(sup[headers_len:]) == data

    segs = []
    n = max(1, -(-plen // mss))
    for i in range(n):
        chunk = data[i * mss:(i + 1) * mss]
        kw = dict(ip_kw)
        if family == 4:
            kw["id"] = (ip_kw["id"] + i) & 0xFFFF
        l4 = dict(l4_kw)
        if proto == "tcp":
            l4["seq"] = (l4_kw["seq"] + i * mss) & 0xFFFFFFFF
            flags = int(TCP(flags=l4_kw["flags"]).flags)
            if i > 0:
                flags &= ~0x80  # CWR on the first segment only
            if i < n - 1:
                flags &= ~0x09  # FIN and PSH on the last only
            l4["flags"] = flags
        pkt = raw(l3(family, kw, ext) / l4cls(**l4) / chunk)
        assert pkt[headers_len:] == chunk
        segs.append({"headersHex": pkt[:headers_len].hex(), "payloadOff": i * mss, "payloadLen": len(chunk)})

    gso = UDP_L4 if proto == "udp" else (TCPV4 if family == 4 else TCPV6)
    return {
        "name": name,
        "family": family,
        "protocol": proto,
        "headersHex": bytes(sup[:headers_len]).hex(),
        "payloadLen": plen,
        "payloadSeed": seed,
        "vnet": {"flags": NEEDS_CSUM, "gsoType": gso, "hdrLen": headers_len, "gsoSize": mss,
                 "csumStart": l4off, "csumOffset": csum_off},
        "segments": segs,
    }


def main():
    v4 = dict(src="192.0.2.1", dst="198.51.100.7", ttl=64, flags="DF")
    v6 = dict(src="2001:db8::1", dst="64:ff9b::c633:6407", hlim=64)
    ts = [("NOP", None), ("NOP", None), ("Timestamp", (123456789, 987654321))]
    vectors = [
        # Sequence numbers wrap past 2^32; CWR, ECE, PSH and FIN all set on the super-segment.
        build("tcp4-timestamps-cwr-fin", 4, "tcp", dict(v4, id=0x1234), None,
              dict(sport=40000, dport=5001, seq=0xFFFFF000, ack=12345, flags="FPAEC", window=502, options=ts),
              10000, 7, 1448),
        # IPv4 options, close to 64 KB, the Identification wrapping past 0xffff.
        build("tcp4-ip-options-64k", 4, "tcp", dict(v4, id=0xFFFE, options=[IPOption_NOP()] * 4), None,
              dict(sport=443, dport=51000, seq=1000, ack=2000, flags="PA", window=65535),
              65535 - 24 - 20, 11, 1460),
        # An IPv6 Destination Options header between IPv6 and TCP; payload an exact multiple.
        build("tcp6-dest-options-exact", 6, "tcp", dict(v6), IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\x00\x00\x00\x00")]),
              dict(sport=51000, dport=80, seq=77, ack=88, flags="FA", window=1000, options=ts),
              3 * 1428, 3, 1428),
        build("tcp6-single-segment", 6, "tcp", dict(v6), None,
              dict(sport=1, dport=2, seq=5, ack=6, flags="PA"), 500, 5, 1440),
        build("udp4-uso", 4, "udp", dict(v4, id=100), None, dict(sport=5000, dport=6000), 5000, 13, 1200),
        # Odd segment size: every segment but the last starts its payload at an odd length.
        build("udp6-uso-odd", 6, "udp", dict(v6), None, dict(sport=5000, dport=6000), 3601, 17, 1201),
    ]
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "vectors.json"), "w") as f:
        json.dump({"generator": "test/golden/gso/generate.py", "vectors": vectors}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
