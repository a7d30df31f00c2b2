#!/usr/bin/python3
"""A Geneve tunnel endpoint (RFC 8926) in user space on a TAP device.

The lab's hosts reach natmesh's Geneve port through a kernel `geneve` device where the kernel
has one; a kernel built without it (CONFIG_GENEVE unset) gets this instead: Ethernet frames the
host sends on the TAP device go to the remote endpoint in Geneve over UDP (no options,
protocol 0x6558 Transparent Ethernet Bridging, RFC 8926 §3.4), and Geneve packets from the
remote with our VNI are written back to the device.

  geneve-tap-endpoint.py --dev gnv0 --vni 100 --remote 198.18.0.1 [--port 6081]

The device may exist already (`ip tuntap add dev gnv0 mode tap`, so it can be configured first);
it has carrier from the moment this attaches. Prints "ready" when attached and bound.
"""
import argparse
import fcntl
import os
import select
import socket
import struct
import sys

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
GENEVE_TEB = 0x6558


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--dev', required=True)
    p.add_argument('--vni', type=int, required=True)
    p.add_argument('--remote', required=True)
    p.add_argument('--port', type=int, default=6081)
    a = p.parse_args()
    fd = os.open('/dev/net/tun', os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack('16sH', a.dev.encode(), IFF_TAP | IFF_NO_PI))
    family = socket.AF_INET6 if ':' in a.remote else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(('::' if family == socket.AF_INET6 else '0.0.0.0', a.port))
    # Version 0, no options, no O/C flags; VNI in the top 24 bits of the last word.
    header = struct.pack('!BBHI', 0, 0, GENEVE_TEB, a.vni << 8)
    remote = (a.remote, a.port)
    sys.stdout.write('ready\n')
    sys.stdout.flush()
    while True:
        readable, _, _ = select.select([fd, sock], [], [])
        if fd in readable:
            frame = os.read(fd, 65535)
            try:
                sock.sendto(header + frame, remote)
            except OSError:
                # No route to the remote yet, or a full socket buffer: the frame is lost, as on a wire.
                pass
        if sock in readable:
            data, peer = sock.recvfrom(65535)
            if peer[0] != a.remote or len(data) < 8 or data[0] >> 6 != 0:
                continue
            opt_len = (data[0] & 0x3F) * 4
            proto, vni_word = struct.unpack('!HI', data[2:8])
            if proto != GENEVE_TEB or vni_word >> 8 != a.vni or len(data) < 8 + opt_len + 14:
                continue
            try:
                os.write(fd, data[8 + opt_len:])
            except OSError:
                pass


if __name__ == '__main__':
    main()
