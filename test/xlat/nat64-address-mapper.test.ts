import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatIpv4Bytes, parseIpv4 } from '../../src/addr/ipv4-address.js';
import { formatIpv6, parseIpv6 } from '../../src/addr/ipv6-address.js';
import { Ipv6Prefix } from '../../src/addr/ipv6-prefix.js';
import { Nat64AddressMapper } from '../../src/xlat/nat64-address-mapper.js';
import { Rfc6052Prefix } from '../../src/xlat/rfc6052.js';
import { MAP_CTX_ICMP_ERROR, MAP_CTX_INNER } from '../../src/xlat/siit-address-mapper.js';

function words(v6: Uint8Array): Uint32Array {
  const w = new Uint32Array(4);
  for (let i = 0; i < 4; i++) w[i] = ((v6[i * 4]! << 24) | (v6[i * 4 + 1]! << 16) | (v6[i * 4 + 2]! << 8) | v6[i * 4 + 3]!) >>> 0;
  return w;
}

function mapper(prefix = '64:ff9b::/96'): Nat64AddressMapper {
  const m = new Nat64AddressMapper(new Rfc6052Prefix(Ipv6Prefix.parse(prefix)));
  m.bind(words(parseIpv6('2001:db8:1::5')), parseIpv4('203.0.113.7'));
  return m;
}

describe('Nat64AddressMapper (RFC 6146 §3.4-§3.5)', () => {
  it("maps the session's inside address X' to its pool address T and back", () => {
    const m = mapper();
    const v4 = new Uint8Array(4);
    assert.equal(m.source6to4(parseIpv6('2001:db8:1::5'), 0, v4, 0), true);
    assert.equal(formatIpv4Bytes(v4), '203.0.113.7');
    const v6 = new Uint8Array(16);
    assert.equal(m.destination4to6(v4, 0, v6, 0), true);
    assert.equal(formatIpv6(v6), '2001:db8:1::5');
  });

  it('maps the remote through the RFC 6052 prefix both ways (Y\' = prefix + Z)', () => {
    const m = mapper('2001:db8:64::/64');
    const v4 = new Uint8Array(4);
    const y = new Uint8Array(16);
    assert.equal(m.source4to6(new Uint8Array([198, 51, 100, 9]), 0, y, 0), true);
    assert.equal(formatIpv6(y), '2001:db8:64:0:c6:3364:900:0');
    assert.equal(m.destination6to4(y, 0, v4, 0), true);
    assert.equal(formatIpv4Bytes(v4), '198.51.100.9');
  });

  it('refuses an IPv6 remote outside the prefix', () => {
    const m = mapper();
    assert.equal(m.destination6to4(parseIpv6('2001:db8:ffff::1'), 0, new Uint8Array(4), 0), false);
  });

  it('sources the IPv4 form of an ICMPv6 error from an inside router with T, but not inside the quote', () => {
    const m = mapper();
    const v4 = new Uint8Array(4);
    m.context = MAP_CTX_ICMP_ERROR;
    assert.equal(m.source6to4(parseIpv6('2001:db8:1::fe'), 0, v4, 0), true);
    assert.equal(formatIpv4Bytes(v4), '203.0.113.7');
    m.context = MAP_CTX_ICMP_ERROR | MAP_CTX_INNER;
    assert.equal(m.source6to4(parseIpv6('2001:db8:1::fe'), 0, v4, 0), false);
  });
});
