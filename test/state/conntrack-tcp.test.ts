import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultConnTrackTimeouts } from '../../src/state/conntrack-config.js';
import { FirewallDrop } from '../../src/state/firewall-drop.js';
import { ACK, CLIENT, FIN, PSH, RST, SERVER, SYN, TENANT, TcpConversation, URG, tcpSegment, tracker } from './conntrack-fixture.js';

const D = FirewallDrop.code;

describe('ConnTrack TCP: opening (RFC 9293 §3.5)', () => {
  it('three-way handshake: SYN_SENT, SYN_RECV, ESTABLISHED, then assured', () => {
    const { ct } = tracker();
    const c = new TcpConversation(ct);
    assert.equal(c.out({ seq: 1000, flags: SYN }), 0);
    assert.equal(c.state(), 'SYN_SENT');
    assert.equal(ct.isAssured(c.id()), false);
    assert.equal(c.in({ seq: 5000, ack: 1001, flags: SYN | ACK }), 0);
    assert.equal(c.state(), 'SYN_RECV');
    assert.equal(c.out({ seq: 1001, ack: 5001, flags: ACK }), 0);
    assert.equal(c.state(), 'ESTABLISHED');
    assert.equal(ct.isAssured(c.id()), true);
    assert.equal(ct.connectionCount, 1);
    assert.equal(ct.drops.total(), 0);
  });

  it('data both ways, with PSH and URG, stays ESTABLISHED', () => {
    const { ct } = tracker();
    const c = new TcpConversation(ct);
    c.handshake();
    assert.equal(c.out({ seq: 1001, ack: 5001, flags: ACK | PSH, payload: 100 }), 0);
    assert.equal(c.in({ seq: 5001, ack: 1101, flags: ACK, payload: 1400 }), 0);
    assert.equal(c.in({ seq: 6401, ack: 1101, flags: ACK | PSH, payload: 1400 }), 0);
    assert.equal(c.out({ seq: 1101, ack: 7801, flags: ACK | URG, payload: 1 }), 0);
    assert.equal(c.in({ seq: 7801, ack: 1102, flags: ACK }), 0, 'pure ACK');
    assert.equal(c.state(), 'ESTABLISHED');
    assert.equal(ct.drops.total(), 0);
  });

  it('simultaneous open (RFC 9293 §3.5 figure 7): SYN crossing SYN ends ESTABLISHED', () => {
    const { ct } = tracker();
    const c = new TcpConversation(ct);
    assert.equal(c.out({ seq: 1000, flags: SYN }), 0);
    assert.equal(c.in({ seq: 5000, flags: SYN }), 0);
    assert.equal(c.state(), 'SYN_SENT2');
    assert.equal(c.out({ seq: 1000, ack: 5001, flags: SYN | ACK }), 0);
    assert.equal(c.state(), 'SYN_RECV');
    assert.equal(c.in({ seq: 5000, ack: 1001, flags: SYN | ACK }), 0);
    assert.equal(c.out({ seq: 1001, ack: 5001, flags: ACK }), 0);
    assert.equal(c.in({ seq: 5001, ack: 1001, flags: ACK }), 0);
    assert.equal(c.state(), 'ESTABLISHED');
    assert.equal(ct.drops.total(), 0);
  });

  it('a refused connection (RST/ACK answering the SYN) is accepted and forgotten at once', () => {
    const { ct } = tracker();
    const c = new TcpConversation(ct);
    c.out({ seq: 1000, flags: SYN });
    assert.equal(c.in({ seq: 0, ack: 1001, flags: RST | ACK, win: 0 }), 0);
    assert.equal(ct.connectionCount, 0);
    assert.equal(c.in({ seq: 0, ack: 1001, flags: RST | ACK, win: 0 }), D.unknownMidFlow, 'a second RST finds nothing');
  });

  it('a retransmitted SYN and SYN/ACK are accepted', () => {
    const { ct } = tracker();
    const c = new TcpConversation(ct);
    assert.equal(c.out({ seq: 1000, flags: SYN }), 0);
    assert.equal(c.out({ seq: 1000, flags: SYN }), 0);
    assert.equal(c.in({ seq: 5000, ack: 1001, flags: SYN | ACK }), 0);
    assert.equal(c.in({ seq: 5000, ack: 1001, flags: SYN | ACK }), 0);
    assert.equal(c.out({ seq: 1001, ack: 5001, flags: ACK }), 0);
    assert.equal(c.state(), 'ESTABLISHED');
  });
});

describe('ConnTrack TCP: policy', () => {
  it('only a SYN from the inside opens a connection; an unsolicited inbound SYN is dropped and counted', () => {
    const { ct } = tracker();
    const c = new TcpConversation(ct);
    assert.equal(c.in({ seq: 5000, flags: SYN }), D.unsolicitedInbound);
    assert.equal(ct.drops.get('unsolicitedInbound'), 1);
    assert.equal(ct.connectionCount, 0);
  });

  it('a mid-flow segment of an unknown connection creates nothing, in either direction (no grace period)', () => {
    const { ct } = tracker();
    const c = new TcpConversation(ct);
    assert.equal(c.out({ seq: 1001, ack: 5001, flags: ACK, payload: 10 }), D.unknownMidFlow);
    assert.equal(c.in({ seq: 5001, ack: 1001, flags: ACK }), D.unknownMidFlow);
    assert.equal(c.in({ seq: 5001, ack: 1001, flags: FIN | ACK }), D.unknownMidFlow);
    assert.equal(c.out({ seq: 5001, ack: 1001, flags: RST }), D.unknownMidFlow);
    assert.equal(ct.drops.get('unknownMidFlow'), 4);
    assert.equal(ct.connectionCount, 0);
    assert.equal(ct.stats.pickedUp, 0);
  });

  it('a packet carrying the inside host\'s tuple from the outside is a spoof (directionMismatch)', () => {
    const { ct } = tracker();
    const c = new TcpConversation(ct);
    c.handshake();
    const b = tcpSegment({ seq: 1001, ack: 5001, flags: ACK });
    assert.equal(ct.check(TENANT, false, 6, CLIENT, 40000, SERVER, 443, false, b, 0, b.length), D.directionMismatch);
    assert.equal(ct.drops.get('directionMismatch'), 1);
  });

  it('tenants are separate: the same tuple of another tenant is another (unknown) connection', () => {
    const { ct } = tracker();
    new TcpConversation(ct).handshake();
    const other = new TcpConversation(ct, CLIENT, 40000, SERVER, 443, TENANT + 1);
    assert.equal(other.in({ seq: 5001, ack: 1001, flags: ACK }), D.unknownMidFlow);
  });
});

describe('ConnTrack TCP: invalid segments', () => {
  const cases: [string, number][] = [
    ['SYN+FIN', SYN | FIN],
    ['SYN+RST', SYN | RST],
    ['SYN+RST+ACK', SYN | RST | ACK],
    ['FIN without ACK', FIN],
    ['no flags (null scan)', 0],
    ['PSH alone', PSH],
    ['FIN+PSH+URG (Xmas scan)', FIN | PSH | URG],
    ['URG alone', URG],
  ];
  for (const [name, flags] of cases) {
    it(`drops ${name} as tcpInvalidFlags, outbound and inbound, before any state is made`, () => {
      const { ct } = tracker();
      const c = new TcpConversation(ct);
      assert.equal(c.out({ seq: 1000, flags }), D.tcpInvalidFlags);
      c.handshake();
      assert.equal(c.in({ seq: 5001, ack: 1001, flags }), D.tcpInvalidFlags);
      assert.equal(ct.drops.get('tcpInvalidFlags'), 2);
      assert.equal(c.state(), 'ESTABLISHED');
    });
  }

  it('a header shorter than 20 bytes or a data offset past the segment is tcpTruncated', () => {
    const { ct } = tracker();
    const b = tcpSegment({ seq: 1, flags: SYN });
    assert.equal(ct.check(TENANT, true, 6, CLIENT, 1, SERVER, 2, false, b, 0, 19), D.tcpTruncated);
    b[12] = 0x60; // 24-byte header in a 20-byte segment
    assert.equal(ct.check(TENANT, true, 6, CLIENT, 1, SERVER, 2, false, b, 0, 20), D.tcpTruncated);
    b[12] = 0x40; // 16-byte header
    assert.equal(ct.check(TENANT, true, 6, CLIENT, 1, SERVER, 2, false, b, 0, 20), D.tcpTruncated);
    assert.equal(ct.drops.get('tcpTruncated'), 3);
  });

  it('the state machine refuses what the state does not allow: data from the opener before the SYN/ACK, a SYN/ACK from the opener', () => {
    const { ct } = tracker();
    const c = new TcpConversation(ct);
    c.out({ seq: 1000, flags: SYN });
    assert.equal(c.out({ seq: 1001, ack: 1, flags: ACK, payload: 10 }), D.tcpInvalidTransition);
    assert.equal(c.out({ seq: 1000, ack: 1, flags: SYN | ACK }), D.tcpInvalidTransition);
    assert.equal(ct.drops.get('tcpInvalidTransition'), 2);
    assert.equal(c.state(), 'SYN_SENT');
  });

  it('an inbound SYN on an established connection is refused', () => {
    const { ct } = tracker();
    const c = new TcpConversation(ct);
    c.handshake();
    assert.equal(c.in({ seq: 9000, flags: SYN }), D.tcpInvalidTransition);
  });
});

describe('ConnTrack TCP: sequence window (Rooij, as netfilter)', () => {
  it('drops data beyond the receiver\'s advertised window (bound I) and counts tcpOutOfWindow', () => {
    const { ct } = tracker();
    const c = new TcpConversation(ct);
    c.handshake(1000, 5000, { win: 8192 });
    // The client's ACK advertised 65535 (the default): the server may send up to 5001 + 65535.
    assert.equal(c.in({ seq: 5001 + 65535 - 100, ack: 1001, flags: ACK, payload: 100 }), 0);
    assert.equal(c.in({ seq: 5001 + 200_000, ack: 1001, flags: ACK, payload: 100 }), D.tcpOutOfWindow);
    assert.equal(ct.drops.get('tcpOutOfWindow'), 1);
  });

  it('drops a segment older than one window (bound II)', () => {
    const { ct } = tracker();
    const c = new TcpConversation(ct);
    c.handshake();
    assert.equal(c.out({ seq: 1001 - 200_000, ack: 5001, flags: ACK, payload: 10 }), D.tcpOutOfWindow);
  });

  it('drops an ACK of data never sent (bound III) and an ancient ACK (bound IV)', () => {
    const { ct } = tracker();
    const c = new TcpConversation(ct);
    c.handshake();
    c.out({ seq: 1001, ack: 5001, flags: ACK, payload: 100 });
    assert.equal(c.in({ seq: 5001, ack: 1101 + 1, flags: ACK }), D.tcpOutOfWindow, 'acknowledges a byte not yet sent');
    assert.equal(c.in({ seq: 5001, ack: 1101 - 200_000, flags: ACK }), D.tcpOutOfWindow);
    assert.equal(c.in({ seq: 5001, ack: 1101, flags: ACK }), 0);
    assert.equal(ct.drops.get('tcpOutOfWindow'), 2);
  });

  it('window scaling (RFC 7323 §2): read from both SYNs, applied to later windows, never to the SYNs\' own', () => {
    const scaled = tracker().ct;
    const a = new TcpConversation(scaled);
    // Both offer shift 7; the client's ACK advertises 1024 << 7 = 131072 bytes.
    a.out({ seq: 1000, flags: SYN, win: 1024, wscale: 7 });
    a.in({ seq: 5000, ack: 1001, flags: SYN | ACK, win: 1024, wscale: 7 });
    a.out({ seq: 1001, ack: 5001, flags: ACK, win: 1024 });
    assert.equal(a.in({ seq: 5001 + 100_000, ack: 1001, flags: ACK, payload: 1000 }), 0);

    // Only the client offers: scaling is off both ways (RFC 7323 §2.2), the window is 1024 bytes.
    const plain = tracker().ct;
    const b = new TcpConversation(plain);
    b.out({ seq: 1000, flags: SYN, win: 1024, wscale: 7 });
    b.in({ seq: 5000, ack: 1001, flags: SYN | ACK, win: 1024 });
    b.out({ seq: 1001, ack: 5001, flags: ACK, win: 1024 });
    assert.equal(b.in({ seq: 5001 + 100_000, ack: 1001, flags: ACK, payload: 1000 }), D.tcpOutOfWindow);
    assert.equal(b.in({ seq: 5001, ack: 1001, flags: ACK, payload: 1000 }), 0);
  });

  it('SACK blocks (RFC 2018) count as acknowledgment only when SACK was permitted', () => {
    const { ct } = tracker();
    const c = new TcpConversation(ct);
    c.handshake(1000, 5000, { sackPermitted: true });
    c.out({ seq: 1001, ack: 5001, flags: ACK, payload: 3000 });
    // SACK of the last 1000 bytes, cumulative ACK at the start: in window.
    assert.equal(c.in({ seq: 5001, ack: 1001, flags: ACK, sack: [[3001, 4001]] }), 0);
    // SACK of bytes never sent: the highest edge is checked like an ACK.
    assert.equal(c.in({ seq: 5001, ack: 1001, flags: ACK, sack: [[4001, 9001]] }), D.tcpOutOfWindow);
  });
});

describe('ConnTrack TCP: RST (RFC 9293 §3.10.7.4, RFC 5961 §3)', () => {
  it('an in-window RST closes the connection (CLOSE, 10 s timer)', () => {
    const { ct, clock } = tracker();
    const c = new TcpConversation(ct);
    c.handshake();
    assert.equal(c.in({ seq: 5001, flags: RST }), 0);
    assert.equal(c.state(), 'CLOSE');
    clock.advance(9_000);
    assert.equal(ct.expire(), 0);
    clock.advance(2_000);
    assert.equal(ct.expire(), 1);
    assert.equal(ct.connectionCount, 0);
  });

  it('an RST outside the window is dropped as tcpRstOutOfWindow and the connection lives on', () => {
    const { ct } = tracker();
    const c = new TcpConversation(ct);
    c.handshake();
    assert.equal(c.in({ seq: 5001 + 1_000_000, flags: RST }), D.tcpRstOutOfWindow);
    assert.equal(c.in({ seq: 5001 - 1_000_000, flags: RST | ACK, ack: 1001 }), D.tcpRstOutOfWindow);
    assert.equal(ct.drops.get('tcpRstOutOfWindow'), 2);
    assert.equal(c.state(), 'ESTABLISHED');
  });

  it('an RST below what the peer already acknowledged is stale, even inside the window', () => {
    const { ct } = tracker();
    const c = new TcpConversation(ct);
    c.handshake();
    c.out({ seq: 1001, ack: 5001, flags: ACK, payload: 100 });
    c.in({ seq: 5001, ack: 1101, flags: ACK });
    assert.equal(c.out({ seq: 1050, flags: RST }), D.tcpRstOutOfWindow);
    assert.equal(c.out({ seq: 1101, flags: RST }), 0);
    assert.equal(c.state(), 'CLOSE');
  });
});

describe('ConnTrack TCP: closing (RFC 9293 §3.6)', () => {
  it('FIN from the client, FIN from the server: FIN_WAIT, CLOSE_WAIT, LAST_ACK, TIME_WAIT, then freed after 2 min', () => {
    const { ct, clock } = tracker();
    const c = new TcpConversation(ct);
    c.handshake();
    c.out({ seq: 1001, ack: 5001, flags: ACK, payload: 100 });
    c.in({ seq: 5001, ack: 1101, flags: ACK, payload: 500 });
    assert.equal(c.out({ seq: 1101, ack: 5501, flags: FIN | ACK }), 0);
    assert.equal(c.state(), 'FIN_WAIT');
    assert.equal(c.in({ seq: 5501, ack: 1102, flags: ACK }), 0);
    assert.equal(c.state(), 'CLOSE_WAIT');
    assert.equal(c.in({ seq: 5501, ack: 1102, flags: FIN | ACK }), 0);
    assert.equal(c.state(), 'LAST_ACK');
    assert.equal(c.out({ seq: 1102, ack: 5502, flags: ACK }), 0);
    assert.equal(c.state(), 'TIME_WAIT');
    // A late retransmission of the server's FIN still passes in TIME_WAIT.
    assert.equal(c.in({ seq: 5501, ack: 1102, flags: FIN | ACK }), 0);
    clock.advance(119_000);
    assert.equal(ct.expire(), 0);
    clock.advance(2_000);
    assert.equal(ct.expire(), 1);
    assert.equal(ct.connectionCount, 0);
    assert.equal(ct.stats.expired, 1);
  });

  it('a new SYN on a pair in TIME_WAIT reopens it as a new connection', () => {
    const { ct } = tracker();
    const c = new TcpConversation(ct);
    c.handshake();
    c.out({ seq: 1001, ack: 5001, flags: FIN | ACK });
    c.in({ seq: 5001, ack: 1002, flags: FIN | ACK });
    c.out({ seq: 1002, ack: 5002, flags: ACK });
    assert.equal(c.state(), 'TIME_WAIT');
    assert.equal(c.out({ seq: 900_000, flags: SYN }), 0);
    assert.equal(c.state(), 'SYN_SENT');
    assert.equal(ct.stats.reopened, 1);
    assert.equal(c.in({ seq: 70_000, ack: 900_001, flags: SYN | ACK }), 0);
    assert.equal(c.out({ seq: 900_001, ack: 70_001, flags: ACK }), 0);
    assert.equal(c.state(), 'ESTABLISHED');
  });

  it('a client that lost its connection and starts over (SYN while ESTABLISHED) is resynchronised by the server\'s SYN/ACK', () => {
    const { ct } = tracker();
    const c = new TcpConversation(ct);
    c.handshake();
    assert.equal(c.out({ seq: 90_000, flags: SYN }), 0, 'ignored: passed, state kept');
    assert.equal(c.state(), 'ESTABLISHED');
    assert.equal(c.in({ seq: 70_000, ack: 90_001, flags: SYN | ACK }), 0);
    assert.equal(c.state(), 'SYN_RECV');
    assert.equal(c.out({ seq: 90_001, ack: 70_001, flags: ACK, payload: 10 }), 0);
    assert.equal(c.state(), 'ESTABLISHED');
    // The old incarnation's sequence space is gone.
    assert.equal(c.out({ seq: 1001, ack: 5001, flags: ACK, payload: 10 }), D.tcpOutOfWindow);
  });

  it('a server that lost the connection refuses the client\'s new SYN with RST/ACK (seq 0): accepted, and the next SYN opens afresh', () => {
    const { ct } = tracker();
    const c = new TcpConversation(ct);
    c.handshake();
    assert.equal(c.out({ seq: 90_000, flags: SYN }), 0);
    assert.equal(c.in({ seq: 0, ack: 90_002, flags: RST | ACK, win: 0 }), D.tcpRstOutOfWindow, 'acknowledges something else');
    assert.equal(c.in({ seq: 0, ack: 90_001, flags: RST | ACK, win: 0 }), 0);
    assert.equal(c.state(), 'CLOSE');
    assert.equal(c.out({ seq: 91_000, flags: SYN }), 0);
    assert.equal(c.state(), 'SYN_SENT');
    assert.equal(c.in({ seq: 33_000, ack: 91_001, flags: SYN | ACK }), 0);
  });
});

describe('ConnTrack TCP: timers', () => {
  it('an established connection idles 2 h 4 min (RFC 5382 REQ-5), each packet restarting the timer', () => {
    const { ct, clock } = tracker();
    const c = new TcpConversation(ct);
    c.handshake();
    clock.advance(7_000_000);
    assert.equal(c.in({ seq: 5001, ack: 1001, flags: ACK }), 0);
    clock.advance(7_000_000);
    ct.expire();
    assert.equal(ct.connectionCount, 1);
    clock.advance(500_000);
    assert.equal(ct.expire(), 1);
  });

  it('a SYN never answered is freed after 2 min', () => {
    const { ct, clock } = tracker();
    const c = new TcpConversation(ct);
    c.out({ seq: 1000, flags: SYN });
    clock.advance(119_000);
    assert.equal(ct.expire(), 0);
    clock.advance(2_000);
    assert.equal(ct.expire(), 1);
  });

  it('a connection past its timer is dead even before expire() sweeps it', () => {
    const { ct, clock } = tracker();
    const c = new TcpConversation(ct);
    c.handshake();
    clock.advance(7_440_000 + 1000);
    assert.equal(c.in({ seq: 5001, ack: 1001, flags: ACK }), D.unknownMidFlow);
    assert.equal(ct.connectionCount, 0);
    assert.equal(ct.stats.expired, 1);
  });

  it('timers are configurable', () => {
    const { ct, clock } = tracker({ timeouts: { ...defaultConnTrackTimeouts(), tcpSynSent: 5000 } });
    new TcpConversation(ct).out({ seq: 1, flags: SYN });
    clock.advance(5000);
    assert.equal(ct.expire(), 1);
  });
});

describe('ConnTrack: dumps', () => {
  it('lists connections with their original tuple, state and owner node', () => {
    const { ct } = tracker({ ownerNode: 0xc0ffee });
    const c = new TcpConversation(ct);
    c.handshake();
    const [conn, ...rest] = ct.connections();
    assert.equal(rest.length, 0);
    assert.deepEqual({ ...conn!, expiresAtMs: 0 }, {
      id: c.id(), tenant: TENANT, proto: 6, src: CLIENT, srcPort: 40000, dst: SERVER, dstPort: 443,
      originOutbound: true, state: 'ESTABLISHED', seenReply: true, assured: true, pickedUp: false, ownerNode: 0xc0ffee, expiresAtMs: 0,
    });
    assert.equal(conn!.expiresAtMs, 1_000_000 + 7_440_000);
    assert.equal(ct.ownerOf(c.id()), 0xc0ffee);
  });
});
