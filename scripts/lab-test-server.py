#!/usr/bin/python3
"""The lab's IPv4 server: what the end-to-end tests and `natmesh lab` talk to through natmesh.

  HTTP (--http-port, default 80):
    GET /<file>     a file of --dir (the small page, the 100 MB file)
    GET /whoami     the client's address and port as the server saw them (after NAT)
    POST /sha256    the SHA-256 of the request body (uploads that cross the path MTU)
  UDP echo (--echo-port, default 7): answers "echo <payload>" to each datagram
  TCP echo (--echo-port): echoes each line back, for connections held across a restart

Prints "ready" on stdout once every socket is bound. Standard library only.
"""
import argparse
import hashlib
import http.server
import os
import socket
import socketserver
import sys
import threading


class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        if self.path == '/whoami':
            body = ('%s %d\n' % (self.client_address[0], self.client_address[1])).encode()
            self.send_response(200)
            self.send_header('Content-Type', 'text/plain')
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def do_POST(self):
        length = int(self.headers.get('Content-Length', '0'))
        h = hashlib.sha256()
        left = length
        while left > 0:
            chunk = self.rfile.read(min(left, 1 << 20))
            if not chunk:
                break
            h.update(chunk)
            left -= len(chunk)
        body = (h.hexdigest() + '\n').encode()
        self.send_response(200)
        self.send_header('Content-Type', 'text/plain')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class HttpServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class EchoLines(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            self.wfile.write(line)
            self.wfile.flush()


class TcpEchoServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def udp_echo(sock):
    while True:
        data, peer = sock.recvfrom(65535)
        sock.sendto(b'echo ' + data, peer)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--dir', required=True)
    p.add_argument('--http-port', type=int, default=80)
    p.add_argument('--echo-port', type=int, default=7)
    a = p.parse_args()
    os.chdir(a.dir)
    http_server = HttpServer(('0.0.0.0', a.http_port), Handler)
    tcp_echo = TcpEchoServer(('0.0.0.0', a.echo_port), EchoLines)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(('0.0.0.0', a.echo_port))
    threading.Thread(target=udp_echo, args=(udp,), daemon=True).start()
    threading.Thread(target=tcp_echo.serve_forever, daemon=True).start()
    sys.stdout.write('ready\n')
    sys.stdout.flush()
    http_server.serve_forever()


if __name__ == '__main__':
    main()
