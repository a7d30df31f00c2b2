#!/usr/bin/python3
"""Golden virtio-net headers (struct virtio_net_hdr, virtio 1.0 §5.1.6) for
test/wire/virtio-net-header.test.ts.

scapy has no virtio-net layer, so the reference is a ctypes LittleEndianStructure laid out as
linux/virtio_net.h declares the struct (u8 flags, u8 gso_type, then four __virtio16), i.e. the
bytes a TUN device opened with IFF_VNET_HDR and TUNSETVNETLE hands to user space. The cases are
the shapes the kernel produces: plain packets, checksum-offloaded packets, TSO and USO
super-segments. Run: /usr/bin/python3 test/golden/virtio-net/generate.py
"""
import ctypes
import json
import os


class VirtioNetHdr(ctypes.LittleEndianStructure):
    _pack_ = 1
    _fields_ = [
        ("flags", ctypes.c_uint8),
        ("gso_type", ctypes.c_uint8),
        ("hdr_len", ctypes.c_uint16),
        ("gso_size", ctypes.c_uint16),
        ("csum_start", ctypes.c_uint16),
        ("csum_offset", ctypes.c_uint16),
    ]


NEEDS_CSUM, DATA_VALID = 1, 2
NONE, TCPV4, UDP, TCPV6, UDP_L4, ECN = 0, 1, 3, 4, 5, 0x80

CASES = [
    ("plain", 0, NONE, 0, 0, 0, 0),
    ("data-valid", DATA_VALID, NONE, 0, 0, 0, 0),
    # A UDP/IPv4 datagram with its checksum left to the receiver: csum_start = IPv4 header, the
    # UDP checksum 6 bytes into the UDP header.
    ("udp4-needs-csum", NEEDS_CSUM, NONE, 0, 0, 20, 6),
    # TSO over IPv4: 20 + 32 bytes of headers (timestamps), MSS 1448, TCP checksum at 16.
    ("tcp4-tso", NEEDS_CSUM, TCPV4, 52, 1448, 20, 16),
    # TSO over IPv6: 40 + 32, MSS 1428.
    ("tcp6-tso", NEEDS_CSUM, TCPV6, 72, 1428, 40, 16),
    ("tcp4-tso-ecn", NEEDS_CSUM, TCPV4 | ECN, 40, 1460, 20, 16),
    ("udp6-uso", NEEDS_CSUM, UDP_L4, 48, 1200, 40, 6),
    ("ufo-legacy", NEEDS_CSUM, UDP, 28, 1472, 20, 6),
    # Every 16-bit field with both bytes distinct, to catch a byte-order slip.
    ("byte-order", NEEDS_CSUM, TCPV6, 0x1234, 0xabcd, 0x0102, 0x0a0b),
]


def main():
    vectors = []
    for name, flags, gso_type, hdr_len, gso_size, csum_start, csum_offset in CASES:
        h = VirtioNetHdr(flags, gso_type, hdr_len, gso_size, csum_start, csum_offset)
        raw = bytes(h)
        assert len(raw) == 10
        vectors.append({
            "name": name,
            "hex": raw.hex(),
            "fields": {"flags": flags, "gsoType": gso_type, "hdrLen": hdr_len, "gsoSize": gso_size,
                       "csumStart": csum_start, "csumOffset": csum_offset},
        })
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "vectors.json"), "w") as f:
        json.dump({"generator": "test/golden/virtio-net/generate.py", "vectors": vectors}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
