import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkNaptConfig, defaultNaptConfig, MAX_PORT_BLOCKS, type NaptConfig } from '../../src/state/napt-config.js';
import { NaptConfigError } from '../../src/state/napt-config-error.js';

function refused(change: (c: NaptConfig) => void, path: string, message?: RegExp, prefix = ''): void {
  const c = defaultNaptConfig();
  change(c);
  assert.throws(() => checkNaptConfig(c, prefix), (e: unknown) => {
    assert.ok(e instanceof NaptConfigError);
    assert.equal(e.code, 'ERR_NAPT_CONFIG');
    assert.equal(e.path, path);
    if (message) assert.match(e.message, message);
    return true;
  });
}

describe('checkNaptConfig', () => {
  it('accepts the defaults', () => {
    checkNaptConfig(defaultNaptConfig());
  });

  it('defaults are the RFC timers: UDP 5 min, ICMP 60 s, TCP 2 h 4 min / 4 min, incoming SYN 6 s', () => {
    const c = defaultNaptConfig();
    assert.equal(c.udpTimeoutMs, 300_000);
    assert.equal(c.icmpTimeoutMs, 60_000);
    assert.equal(c.tcpEstablishedTimeoutMs, 7_440_000);
    assert.equal(c.tcpTransitoryTimeoutMs, 240_000);
    assert.equal(c.tcpIncomingSynTimeoutMs, 6_000);
  });

  const cases: [string, (c: NaptConfig) => void, string, RegExp][] = [
    ['RFC 4787 REQ-5: UDP timer under 2 min', (c) => { c.udpTimeoutMs = 119_999; }, 'udpTimeoutMs', /REQ-5/],
    ['RFC 5508 REQ-2: ICMP timer under 60 s', (c) => { c.icmpTimeoutMs = 59_999; }, 'icmpTimeoutMs', /REQ-2/],
    ['RFC 5382 REQ-5: established timer under 2 h 4 min', (c) => { c.tcpEstablishedTimeoutMs = 7_439_999; }, 'tcpEstablishedTimeoutMs', /2 hours 4 minutes/],
    ['RFC 5382 REQ-5: transitory timer under 4 min', (c) => { c.tcpTransitoryTimeoutMs = 239_999; }, 'tcpTransitoryTimeoutMs', /4 minutes/],
    ['RFC 5382 REQ-4: incoming SYN hold under 6 s', (c) => { c.tcpIncomingSynTimeoutMs = 5_999; }, 'tcpIncomingSynTimeoutMs', /6 seconds/],
    ['NAT ID 0 is reserved', (c) => { c.natId = 0; }, 'natId', /reserved/],
    ['block size not a power of two', (c) => { c.portBlockSize = 48; }, 'portBlockSize', /power of two/],
    ['block size above 1024', (c) => { c.portBlockSize = 2048; }, 'portBlockSize', /power of two/],
    ['port range upside down', (c) => { c.portMin = 2000; c.portMax = 1999; }, 'portMax', /at least portMin/],
    ['empty pool', (c) => { c.pool = []; }, 'pool', /one or more/],
    ['pool address twice', (c) => { c.pool = [1, 2, 1]; }, 'pool[2]', /twice/],
    ['pool address not a u32', (c) => { c.pool = [-1]; }, 'pool[0]', /32-bit/],
    ['too many port blocks', (c) => { c.portBlockSize = 4; c.pool = Array.from({ length: 129 }, (_, i) => i + 1); }, 'pool', new RegExp(String(MAX_PORT_BLOCKS))],
    ['per-host cap above the table', (c) => { c.maxSessionsPerHost = c.maxSessions + 1; }, 'maxSessionsPerHost', /at most maxSessions/],
    ['unknown filtering', (c) => { (c as { filtering: string }).filtering = 'full-cone'; }, 'filtering', /endpoint-independent/],
    ['unknown SYN policy', (c) => { (c as { unsolicitedSyn: string }).unsolicitedSyn = 'reset'; }, 'unsolicitedSyn', /hold/],
    ['block owner 0', (c) => { c.blockOwners = [1, 0]; }, 'blockOwners[1]', /NAT ID/],
    ['static entry with a bad protocol', (c) => {
      c.staticBib = [{ tenant: 1, protocol: 47, inside: new Uint32Array(4), insidePort: 1, outside: 1, outsidePort: 1 }];
    }, 'staticBib[0].protocol', /6 \(TCP\)/],
    ['static entry inside address not 4 words', (c) => {
      c.staticBib = [{ tenant: 1, protocol: 6, inside: new Uint32Array(1), insidePort: 1, outside: 1, outsidePort: 1 }];
    }, 'staticBib[0].inside', /4 address words/],
    ['RFC 4787 REQ-1: an inside endpoint mapped twice', (c) => {
      const inside = Uint32Array.of(0, 0, 0xffff, 0x0a000001);
      c.staticBib = [
        { tenant: 1, protocol: 6, inside, insidePort: 80, outside: 5, outsidePort: 8080 },
        { tenant: 1, protocol: 6, inside, insidePort: 80, outside: 5, outsidePort: 8081 },
      ];
    }, 'staticBib[1]', /REQ-1/],
    ['RFC 4787 REQ-3: a pool endpoint used twice, even across tenants', (c) => {
      c.staticBib = [
        { tenant: 1, protocol: 17, inside: Uint32Array.of(0, 0, 0xffff, 1), insidePort: 80, outside: 5, outsidePort: 8080 },
        { tenant: 2, protocol: 17, inside: Uint32Array.of(0, 0, 0xffff, 2), insidePort: 80, outside: 5, outsidePort: 8080 },
      ];
    }, 'staticBib[1]', /REQ-3/],
  ];
  for (const [name, change, path, message] of cases) {
    it('refuses: ' + name, () => refused(change, path, message));
  }

  it('prefixes field paths with the caller\'s', () => {
    refused((c) => { c.udpTimeoutMs = 1; }, 'tenants[3].nat.udpTimeoutMs', undefined, 'tenants[3].nat');
  });

  it('allows the same pool port for different protocols in static entries (RFC 6146 §3.5.1.1)', () => {
    const c = defaultNaptConfig();
    const inside = Uint32Array.of(0, 0, 0xffff, 0x0a000001);
    c.staticBib = [
      { tenant: 1, protocol: 6, inside, insidePort: 53, outside: 5, outsidePort: 53 },
      { tenant: 1, protocol: 17, inside, insidePort: 53, outside: 5, outsidePort: 53 },
    ];
    checkNaptConfig(c);
  });
});
