import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/** At most this many X-Forwarded-For entries are looked at (from the right): the header is bounded only by the request line limit. */
const MAX_FORWARDED_HOPS = 32;

/**
 * The proxies whose X-Forwarded-For the gateway believes (WCAP_TRUSTED_PROXIES): addresses and
 * CIDR ranges, IPv4 and IPv6.
 */
export class TrustedProxies {
  private readonly list = new BlockList();
  readonly size: number;

  /** @throws RangeError naming an entry that is neither an address nor a CIDR range. */
  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const problem = proxyEntryProblem(entry);
      if (problem) throw new RangeError(problem);
      const [address, bits] = entry.split('/') as [string, string | undefined];
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.list.addAddress(address, family);
      else this.list.addSubnet(address, Number(bits), family);
    }
    this.size = entries.length;
  }

  has(address: string): boolean {
    const family = isIP(address);
    return family !== 0 && this.list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }
}

/** Why `entry` is not an address or a CIDR range, or undefined when it is one. */
export function proxyEntryProblem(entry: string): string | undefined {
  const [address = '', bits, extra] = entry.split('/');
  const family = isIP(address);
  const maxBits = family === 6 ? 128 : 32;
  if (family === 0 || extra !== undefined || (bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits))) {
    return `"${entry.slice(0, 60)}" is not an IP address or CIDR range`;
  }
  return undefined;
}

/**
 * The address a request comes from: the socket's peer, unless the peer is a trusted proxy; then
 * X-Forwarded-For is read from the right (each proxy appends the address it saw), skipping trusted
 * proxies, and the first other address is the client. An entry that is not an address ends the
 * walk at the proxy that passed it on, since only a client can have written it.
 */
export function clientAddressOf(peer: string | undefined, forwardedFor: string | undefined, trusted: TrustedProxies): string {
  let client = plainAddress(peer ?? '');
  if (client === '') return 'unknown';
  if (!forwardedFor || trusted.size === 0) return client;
  const hops = forwardedFor.slice(-64 * MAX_FORWARDED_HOPS).split(',').slice(-MAX_FORWARDED_HOPS).reverse();
  for (const hop of hops) {
    if (!trusted.has(client)) break;
    const address = plainAddress(hop.trim());
    if (isIP(address) === 0) break;
    client = address;
  }
  return client;
}

/**
 * The socket peer of a request served by @hono/node-server, whose `c.env` is `{ incoming, outgoing }`
 * (the Node request and response); undefined elsewhere (in-process `app.request` in tests).
 */
export function peerAddressOf(env: unknown): string | undefined {
  const incoming = (env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress;
}

/** `::ffff:192.0.2.1` (an IPv4 client on a dual-stack socket) as `192.0.2.1`; IPv6 lower-cased. */
function plainAddress(address: string): string {
  const lower = address.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  return mapped ? mapped[1]! : lower;
}

/**
 * What the per-address login limit counts: an IPv4 address as is, an IPv6 address by its /64
 * network, because one IPv6 subscriber usually holds a whole /64 (RFC 6177) and could otherwise
 * change address for every guess. Anything else (`unknown`) as is.
 */
export function addressGroupOf(address: string): string {
  if (isIP(address) !== 6) return address;
  const groups = expandIPv6(address);
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address, in hex (an embedded IPv4 tail converted). */
function expandIPv6(address: string): string[] {
  let text = address.toLowerCase().split('%')[0]!;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right];
}
