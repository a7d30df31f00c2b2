#!/usr/bin/python3
"""Two-direction conversations for `natmesh replay` with stateful NAT (scapy).

Each capture holds what both ends send, in order: the inside client's packets as they reach the
gateway (IPv6 for NAT64, private IPv4 for NAT44) and the IPv4 server's answers addressed to the
client's pool address and port, which a static BIB entry in the matching config fixes. A TCP
connection (handshake, a request, a response, FIN both ways) and a UDP request/response.

Run: /usr/bin/python3 test/golden/stateful/generate.py (writes nat64.pcap and nat44.pcap here).
"""
import os
from scapy.all import IP, IPv6, TCP, UDP, Raw, wrpcap

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER4 = '198.51.100.10'
POOL4 = '203.0.113.1'
REQUEST = b'GET /index.html HTTP/1.0\r\nHost: server\r\n\r\n'
RESPONSE = b'HTTP/1.0 200 OK\r\nContent-Length: 13\r\n\r\nhello, world\n'
QUERY = b'what time is it?'
ANSWER = b'time to translate'


def conversation(client_ip, server_ip_from_client):
    """Packets in wire order; `c` builds a client packet, `s` a server packet."""
    def c(l4):
        return client_ip(server_ip_from_client) / l4

    def s(l4):
        return IP(src=SERVER4, dst=POOL4, ttl=60) / l4

    cs, ss = 1000, 5000  # initial sequence numbers
    pkts = [
        c(TCP(sport=40000, dport=80, flags='S', seq=cs, window=64240, options=[('MSS', 1460)])),
        s(TCP(sport=80, dport=40000, flags='SA', seq=ss, ack=cs + 1, window=65160, options=[('MSS', 1460)])),
        c(TCP(sport=40000, dport=80, flags='A', seq=cs + 1, ack=ss + 1, window=64240)),
        c(TCP(sport=40000, dport=80, flags='PA', seq=cs + 1, ack=ss + 1, window=64240) / Raw(REQUEST)),
        s(TCP(sport=80, dport=40000, flags='A', seq=ss + 1, ack=cs + 1 + len(REQUEST), window=65160)),
        s(TCP(sport=80, dport=40000, flags='PA', seq=ss + 1, ack=cs + 1 + len(REQUEST), window=65160) / Raw(RESPONSE)),
        c(TCP(sport=40000, dport=80, flags='A', seq=cs + 1 + len(REQUEST), ack=ss + 1 + len(RESPONSE), window=64240)),
        s(TCP(sport=80, dport=40000, flags='FA', seq=ss + 1 + len(RESPONSE), ack=cs + 1 + len(REQUEST), window=65160)),
        c(TCP(sport=40000, dport=80, flags='FA', seq=cs + 1 + len(REQUEST), ack=ss + 2 + len(RESPONSE), window=64240)),
        s(TCP(sport=80, dport=40000, flags='A', seq=ss + 2 + len(RESPONSE), ack=cs + 2 + len(REQUEST), window=65160)),
        c(UDP(sport=45000, dport=47000) / Raw(QUERY)),
        s(UDP(sport=47000, dport=45000) / Raw(ANSWER)),
    ]
    for i, p in enumerate(pkts):
        p.time = 1700000000 + i * 0.25
    return pkts


def held_syn():
    """RFC 5382 REQ-4: an unsolicited SYN to a pool port nobody mapped, then, 7 s later, an
    unrelated packet from the inside whose arrival moves the gateway's clock past the 6 s hold."""
    syn = IP(src='192.0.2.99', dst=POOL4, ttl=50) / TCP(sport=1234, dport=50000, flags='S', seq=77)
    syn.time = 1700000000
    later = IP(src='10.0.0.10', dst=SERVER4, ttl=64) / UDP(sport=45000, dport=47000) / Raw(QUERY)
    later.time = 1700000007
    return [syn, later]


def main():
    nat64 = conversation(lambda dst: IPv6(src='2001:db8:1::10', dst=dst, hlim=64), '2001:db8:64::c633:640a')
    wrpcap(os.path.join(HERE, 'nat64.pcap'), nat64, linktype=101)
    nat44 = conversation(lambda dst: IP(src='10.0.0.10', dst=dst, ttl=64), SERVER4)
    wrpcap(os.path.join(HERE, 'nat44.pcap'), nat44, linktype=101)
    wrpcap(os.path.join(HERE, 'held-syn.pcap'), held_syn(), linktype=101)


if __name__ == '__main__':
    main()
