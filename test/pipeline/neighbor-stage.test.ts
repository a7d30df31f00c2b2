import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIpv4 } from '../../src/addr/ipv4-address.js';
import { parseIpv6 } from '../../src/addr/ipv6-address.js';
import { NeighborDrop } from '../../src/pipeline/neighbor-stage.js';
import { NeighborState } from '../../src/pipeline/neighbor-table.js';
import { Verdict } from '../../src/pipeline/verdict.js';
import { golden, GW_IN_MAC, GW_OUT_MAC, hex, HOST_MAC, HOST_TUN, INSIDE, LinkFixture, OUTSIDE, toHex } from './link-fixture.js';

const HOST4 = parseIpv4('198.51.100.7');
const HOST6 = parseIpv6('2001:db8:1::7');

function macOf(f: LinkFixture, id: number): string {
  return toHex(f.neighbors.macs, f.neighbors.macOff(id), 6);
}

test('ARP request for the gateway\'s address is answered with the interface MAC (scapy bytes), sender learned', () => {
  const f = new LinkFixture();
  assert.equal(f.receive(hex(golden.arpRequestForGateway), OUTSIDE, 3), Verdict.Emit);
  assert.equal(f.ctx.frames.count, 1);
  assert.equal(f.frameHex(0), golden.arpReplyFromGateway);
  assert.equal(f.ctx.frames.ifaces[0], OUTSIDE);
  assert.equal(f.ctx.frames.peers[0], 3, 'back to the tunnel endpoint it came from');
  const id = f.neighbors.find4(OUTSIDE, HOST4);
  assert.ok(id >= 0);
  assert.equal(macOf(f, id), golden.macs.host);
  assert.equal(f.neighbors.peerOf(OUTSIDE, HOST_MAC, 0), 3, 'MAC → peer learned from the frame');
  assert.equal(f.neighbor.arpAnswered, 1);
});

test('ARP request for another address is ignored: no answer, no entry created', () => {
  const f = new LinkFixture();
  assert.equal(f.receive(hex(golden.arpRequestForOther), OUTSIDE), Verdict.Drop);
  assert.equal(NeighborDrop.names[f.ctx.reason], 'arpNotForUs');
  assert.equal(f.ctx.frames.count, 0);
  assert.equal(f.neighbors.find4(OUTSIDE, HOST4), -1);
});

test('ARP request for another address updates an entry the gateway already has (RFC 826 merge)', () => {
  const f = new LinkFixture();
  f.neighbors.confirm4(OUTSIDE, HOST4, Uint8Array.of(2, 0, 0, 0, 0, 0x99), 0, true);
  f.receive(hex(golden.arpRequestForOther), OUTSIDE);
  assert.equal(macOf(f, f.neighbors.find4(OUTSIDE, HOST4)), golden.macs.host);
  assert.equal(f.neighbors.changed, 1);
});

test('ARP request for the gateway\'s address on another interface is not answered', () => {
  const f = new LinkFixture();
  assert.equal(f.receive(hex(golden.arpRequestForGateway), INSIDE), Verdict.Drop);
  assert.equal(NeighborDrop.names[f.ctx.reason], 'arpNotForUs');
});

test('ARP reply to the gateway\'s request resolves the incomplete entry', () => {
  const f = new LinkFixture();
  f.neighbors.resolve4(OUTSIDE, HOST4);
  assert.equal(f.neighbors.state[f.neighbors.find4(OUTSIDE, HOST4)], NeighborState.Incomplete);
  assert.equal(f.receive(hex(golden.arpReplyFromHost), OUTSIDE), Verdict.Emit);
  assert.equal(f.ctx.frames.count, 0, 'a reply is taken, not answered');
  const id = f.neighbors.find4(OUTSIDE, HOST4);
  assert.equal(f.neighbors.state[id], NeighborState.Resolved);
  assert.equal(macOf(f, id), golden.macs.host);
  assert.equal(f.neighbor.arpLearned, 1);
});

test('ARP from a host claiming the gateway\'s address is refused', () => {
  const f = new LinkFixture();
  const frame = hex(golden.arpRequestForGateway);
  frame.set([198, 51, 100, 1], 14 + 14);
  assert.equal(f.receive(frame, OUTSIDE), Verdict.Drop);
  assert.equal(NeighborDrop.names[f.ctx.reason], 'arpAddressConflict');
});

test('truncated ARP is dropped as arpMalformed', () => {
  const f = new LinkFixture();
  assert.equal(f.receive(hex(golden.arpGarbage), OUTSIDE), Verdict.Drop);
  assert.equal(NeighborDrop.names[f.ctx.reason], 'arpMalformed');
});

test('NS for the gateway\'s address is answered with an NA whose ICMPv6 checksum matches scapy\'s', () => {
  const f = new LinkFixture();
  assert.equal(f.receive(hex(golden.nsForGateway), INSIDE, 1), Verdict.Emit);
  assert.equal(f.ctx.frames.count, 1);
  assert.equal(f.frameHex(0), golden.naFromGateway);
  assert.equal(f.ctx.frames.peers[0], 1);
  const id = f.neighbors.find6(INSIDE, HOST6, 0);
  assert.ok(id >= 0, 'the solicitation\'s source link-layer address was learned');
  assert.equal(macOf(f, id), golden.macs.host);
  assert.equal(f.neighbor.nsAnswered, 1);
});

test('NS for the interface\'s link-local address (modified EUI-64 of its MAC) is answered', () => {
  const f = new LinkFixture();
  assert.equal(toHex(f.interfaces.linkLocal, 0, 16), toHex(parseIpv6(golden.gwLinkLocal)));
  assert.equal(f.receive(hex(golden.nsForGatewayLinkLocal), INSIDE), Verdict.Emit);
  assert.equal(f.frameHex(0), golden.naFromGatewayLinkLocal);
});

test('DAD probe for the gateway\'s address is defended to all nodes with Solicited clear', () => {
  const f = new LinkFixture();
  assert.equal(f.receive(hex(golden.nsDad), INSIDE), Verdict.Emit);
  assert.equal(f.frameHex(0), golden.naDad);
  assert.equal(f.neighbors.size, 0, 'the unspecified source is not learned');
});

test('NA from the host resolves the gateway\'s pending solicitation', () => {
  const f = new LinkFixture();
  f.neighbors.resolve6(INSIDE, HOST6, 0);
  assert.equal(f.receive(hex(golden.naFromHost), INSIDE), Verdict.Emit);
  const id = f.neighbors.find6(INSIDE, HOST6, 0);
  assert.equal(f.neighbors.state[id], NeighborState.Resolved);
  assert.equal(macOf(f, id), golden.macs.host);
});

const ndpDrops: { name: string; frame: string; iface: number; reason: keyof typeof NeighborDrop.code }[] = [
  { name: 'NS for another address', frame: 'nsForOther', iface: INSIDE, reason: 'nsNotForUs' },
  { name: 'NS with hop limit 64', frame: 'nsHopLimit64', iface: INSIDE, reason: 'ndpHopLimit' },
  { name: 'NS with a bad ICMPv6 checksum', frame: 'nsBadChecksum', iface: INSIDE, reason: 'ndpMalformed' },
  { name: 'unsolicited NA for an unknown neighbor', frame: 'naUnsolicitedFromOther', iface: INSIDE, reason: 'naNoEntry' },
  { name: 'Router Solicitation', frame: 'rsFromHost', iface: INSIDE, reason: 'ndpOther' },
];
for (const c of ndpDrops) {
  test('NDP drop ' + c.reason + ': ' + c.name, () => {
    const f = new LinkFixture();
    assert.equal(f.receive(hex(golden[c.frame]!), c.iface), Verdict.Drop);
    assert.equal(NeighborDrop.names[f.ctx.reason], c.reason);
    assert.equal(f.ctx.frames.count, 0);
  });
}

function ipv6Frame(dstMac: Uint8Array): Uint8Array {
  const ip = hex('6000000000083a40' + '20010db8000100000000000000000007' + '0064ff9b0000000000000000c0000201' + '8000000000010001');
  const frame = new Uint8Array(14 + ip.length);
  frame.set(dstMac, 0);
  frame.set(HOST_MAC, 6);
  frame.set([0x86, 0xdd], 12);
  frame.set(ip, 14);
  return frame;
}

test('IP frames to the interface\'s MAC go on; to another MAC or a group MAC they are dropped', () => {
  const f = new LinkFixture();
  assert.equal(f.receive(ipv6Frame(GW_IN_MAC), INSIDE), Verdict.Continue);
  assert.equal(f.receive(ipv6Frame(GW_OUT_MAC), INSIDE), Verdict.Drop);
  assert.equal(NeighborDrop.names[f.ctx.reason], 'notOurMac');
  assert.equal(f.receive(ipv6Frame(Uint8Array.of(0x33, 0x33, 0, 0, 0, 1)), INSIDE), Verdict.Drop);
  assert.equal(NeighborDrop.names[f.ctx.reason], 'groupAddressed');
});

test('TUN interfaces pass straight through: no MAC check, nothing learned', () => {
  const f = new LinkFixture();
  const ip = ipv6Frame(GW_IN_MAC).subarray(14);
  assert.equal(f.receive(ip, HOST_TUN, -1), Verdict.Continue);
  assert.equal(f.neighbors.peerCount, 0);
});

test('MAC → peer learning follows a MAC that moves to another tunnel endpoint', () => {
  const f = new LinkFixture();
  f.receive(ipv6Frame(GW_IN_MAC), INSIDE, 0);
  assert.equal(f.neighbors.peerOf(INSIDE, HOST_MAC, 0), 0);
  f.receive(ipv6Frame(GW_IN_MAC), INSIDE, 2);
  assert.equal(f.neighbors.peerOf(INSIDE, HOST_MAC, 0), 2);
  assert.equal(f.neighbors.peersMoved, 1);
  assert.equal(f.neighbors.peerOf(OUTSIDE, HOST_MAC, 0), -1, 'per interface');
});
