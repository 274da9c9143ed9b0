import { describe, expect, it } from 'vitest';
import { clientAddressOf, peerAddressOf, proxyEntryProblem, TrustedProxies } from '../../src/client-address.js';

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
