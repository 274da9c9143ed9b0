import { describe, expect, it } from 'vitest';
import { addressGroupOf, clientAddressOf, peerAddressOf, proxyEntryProblem, TrustedProxies } from '../../src/http/client-address.js';

const proxies = new TrustedProxies(['10.0.0.1', '192.168.0.0/16', 'fd00::/8']);

describe('clientAddressOf', () => {
  it('is the socket peer when no proxy is trusted, whatever X-Forwarded-For claims', () => {
    expect(clientAddressOf('203.0.113.5', '198.51.100.1', new TrustedProxies([]))).toBe('203.0.113.5');
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', () => {
    expect(clientAddressOf('203.0.113.5', '198.51.100.1', proxies)).toBe('203.0.113.5');
  });

  it('takes the address a trusted proxy appended', () => {
    expect(clientAddressOf('10.0.0.1', '198.51.100.1', proxies)).toBe('198.51.100.1');
  });

  it('walks from the right past trusted proxies, never trusting what the client wrote further left', () => {
    // The client wrote "1.2.3.4"; proxy 192.168.3.3 saw 198.51.100.1; 10.0.0.1 saw 192.168.3.3.
    expect(clientAddressOf('10.0.0.1', '1.2.3.4, 198.51.100.1, 192.168.3.3', proxies)).toBe('198.51.100.1');
  });

  it('stops at the proxy that passed on something that is not an address', () => {
    expect(clientAddressOf('10.0.0.1', 'evil, not-an-ip', proxies)).toBe('10.0.0.1');
    expect(clientAddressOf('10.0.0.1', '', proxies)).toBe('10.0.0.1');
  });

  it('matches IPv6 ranges and unwraps IPv4 clients of a dual-stack socket', () => {
    expect(clientAddressOf('FD00::7', '2001:DB8::1', proxies)).toBe('2001:db8::1');
    expect(clientAddressOf('::ffff:10.0.0.1', '::ffff:198.51.100.9', proxies)).toBe('198.51.100.9');
  });

  it('reads only the last hops of a huge header', () => {
    const header = `${'198.51.100.1, '.repeat(50_000)}192.168.0.9`;
    expect(clientAddressOf('10.0.0.1', header, proxies)).toBe('198.51.100.1');
  });

  it('is "unknown" without a peer (in-process requests)', () => {
    expect(clientAddressOf(undefined, '198.51.100.1', proxies)).toBe('unknown');
    expect(peerAddressOf(undefined)).toBeUndefined();
    expect(peerAddressOf({ incoming: { socket: { remoteAddress: '127.0.0.1' } } })).toBe('127.0.0.1');
  });
});

describe('proxyEntryProblem', () => {
  it.each(['10.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8', '0.0.0.0/0'])('accepts %s', (entry) => {
    expect(proxyEntryProblem(entry)).toBeUndefined();
  });
  it.each(['10.0.0.0/33', '::/129', 'proxy.local', '10.0.0.1/8/1', '10.0.0.0/x', ''])('refuses %s', (entry) => {
    expect(proxyEntryProblem(entry)).toMatch(/is not an IP address or CIDR range/);
  });
});

describe('addressGroupOf', () => {
  it.each([
    ['198.51.100.7', '198.51.100.7'],
    ['2001:db8:aa:bb:1:2:3:4', '2001:db8:aa:bb::/64'],
    ['2001:db8:aa:bb::ffff', '2001:db8:aa:bb::/64'],
    ['2001:0DB8:00aa::1', '2001:db8:aa:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['64:ff9b::198.51.100.7', '64:ff9b:0:0::/64'],
    ['unknown', 'unknown'],
  ])('%s is counted as %s', (address, group) => {
    expect(addressGroupOf(address)).toBe(group);
  });

  it('puts every address of one /64 in one group, and neighbouring /64s in others', () => {
    expect(addressGroupOf('2001:db8:1:2:aaaa::1')).toBe(addressGroupOf('2001:db8:1:2:ffff:ffff:ffff:ffff'));
    expect(addressGroupOf('2001:db8:1:2::1')).not.toBe(addressGroupOf('2001:db8:1:3::1'));
  });
});
