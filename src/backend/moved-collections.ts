/**
 * Permanent same-origin redirects of collections (301, 308), remembered per user so that later
 * requests go straight to where the server sent them. Cyrus answers every request for another
 * user's calendar, and for each object in it, with a 301 to the requester's view of that calendar
 * (docs/caldav-servers.md#cyrus): without this, each of them would cost two requests. Keyed by user,
 * because the target depends on who asks; bounded, the oldest entries are dropped first.
 */
export class MovedCollections {
  private readonly moves = new Map<string, string>();

  constructor(private readonly limit = 10_000) {}

  /** Where `url` is for `user`: under the collection it moved to, or unchanged. */
  resolve(user: string, url: string): string {
    const own = this.moves.get(keyOf(user, url));
    if (own !== undefined) return own;
    const parent = parentOf(url);
    const moved = parent === undefined ? undefined : this.moves.get(keyOf(user, parent));
    return moved === undefined ? url : `${moved}${url.slice(parent!.length)}`;
  }

  /** Records a permanent redirect; only collections (URLs ending in '/') are remembered. */
  remember(user: string, from: string, to: string): void {
    if (!from.endsWith('/') || !to.endsWith('/') || from === to) return;
    const key = keyOf(user, from);
    this.moves.delete(key);
    this.moves.set(key, to);
    if (this.moves.size > this.limit) {
      const oldest = this.moves.keys().next();
      if (!oldest.done) this.moves.delete(oldest.value);
    }
  }

  /** Forgets where `url` moved (its target answered as missing: the move may be stale). */
  forget(user: string, url: string): void {
    this.moves.delete(keyOf(user, url));
    const parent = parentOf(url);
    if (parent !== undefined) this.moves.delete(keyOf(user, parent));
  }
}

function keyOf(user: string, url: string): string {
  return `${user}\n${url}`;
}

/** The collection holding `url` (ends with '/'), or undefined for a collection URL. */
function parentOf(url: string): string | undefined {
  if (url.endsWith('/')) return undefined;
  const cut = url.lastIndexOf('/');
  return cut < 0 ? undefined : url.slice(0, cut + 1);
}
