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
