/**
 * WCAP parameters as they arrived, before any decoding. Lists must be split on their raw separators
 * before percent-decoding (Lightning sends `attendees=…^CN=A%5EB^…;…` and raw `categories`), so the
 * raw text is kept and decoding happens in the parameter DSL (params.ts).
 */
export interface RawValue {
  /** The value as sent. */
  text: string;
  /** true when `text` is still percent-encoded (query string, urlencoded body). */
  encoded: boolean;
}

export class RawParams {
  private readonly exact = new Map<string, RawValue>();
  private readonly folded = new Map<string, RawValue>();
  private pairs = 0;

  /**
   * @param maxPairs parameters kept at most; past it, one more is counted (so {@link size} tells
   *   the limit was crossed) and the rest is not even looked at.
   */
  constructor(private readonly maxPairs = Number.POSITIVE_INFINITY) {}

  /** Parameters received (repeated names counted each time), at most one past the limit. */
  get size(): number {
    return this.pairs;
  }

  /** The first occurrence of a name wins, as in Sun's server. */
  add(name: string, value: RawValue): void {
    if (this.pairs > this.maxPairs) return;
    this.pairs++;
    if (this.pairs > this.maxPairs) return;
    if (!this.exact.has(name)) this.exact.set(name, value);
    const lower = name.toLowerCase();
    if (!this.folded.has(lower)) this.folded.set(lower, value);
  }

  /** Exact name first; WCAP clients disagree on case (`orgCalid`, `orgcalid`), so fall back. */
  get(name: string): RawValue | undefined {
    return this.exact.get(name) ?? this.folded.get(name.toLowerCase());
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  names(): string[] {
    return [...this.exact.keys()];
  }

  /**
   * Adds every `name=value` pair of an `a=b&c=d` string, keeping values encoded. In a URL query `+`
   * is a plus sign: WCAP clients encode spaces as %20, as Sun's storeevents page tells them to
   * (docs/wcap-protocol.md#parameter-encoding), and Lightning sends categories unencoded, so "C++"
   * must stay "C++". In an HTML form body (`formBody`) `+` means a space.
   */
  addQueryString(query: string, formBody = false): void {
    for (let start = 0; start <= query.length && this.pairs <= this.maxPairs; ) {
      const amp = query.indexOf('&', start);
      const end = amp < 0 ? query.length : amp;
      const pair = query.slice(start, end);
      start = end + 1;
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      const rawName = eq < 0 ? pair : pair.slice(0, eq);
      const value = eq < 0 ? '' : pair.slice(eq + 1);
      const text = formBody ? value.replace(/\+/g, '%20') : value;
      const name = safeDecode(rawName);
      if (name === undefined || name === '') continue;
      this.add(name, { text, encoded: true });
    }
  }
}

/** Percent-decoding; undefined for broken escapes. */
export function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Percent-decoding that never fails, for values some clients send unencoded (Lightning's raw
 * `categories`: `100%`, `50% off`). A `%` not followed by two hex digits is a literal `%`; a run of
 * `%XX` escapes is decoded as UTF-8 (RFC 3986 §2.5), and every byte that does not start a complete,
 * valid UTF-8 sequence (RFC 3629 §3: truncated, overlong, surrogate) keeps its `%XX` text as sent.
 */
export function lenientDecode(text: string): string {
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    const bytes = Uint8Array.from({ length: run.length / 3 }, (_, i) => parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16));
    let out = '';
    for (let i = 0; i < bytes.length; ) {
      const length = utf8Length(bytes[i]!);
      const char = length > 0 && i + length <= bytes.length ? utf8(bytes.subarray(i, i + length)) : undefined;
      out += char ?? run.slice(i * 3, i * 3 + 3);
      i += char === undefined ? 1 : length;
    }
    return out;
  });
}

/** Length of the UTF-8 sequence a lead byte announces; 0 for a byte that cannot start one. */
function utf8Length(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

function utf8(bytes: Uint8Array): string | undefined {
  try {
    return UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** One item of a quoted list, still raw; `quoted` when quotes enclosed all of it. */
export interface RawItem {
  text: string;
  quoted: boolean;
}

/**
 * Splits a `;` list whose items may be wrapped in double quotes (`"a;b";c`), before decoding. In an
 * encoded value a quote may arrive as `%22`, and after a closing quote the separator may be `%3B`
 * (clients that encode the whole list). A `;` inside quotes does not split; outside quotes only a
 * raw `;` does, so an encoded `%3B` stays inside an unquoted item. A quote counts only at the start
 * of an item (after blanks) and only when a closing quote ends the item; otherwise it is text.
 * Returns every item, empty ones included, with quotes removed from quoted items.
 */
export function splitQuotedRaw(value: RawValue): RawItem[] {
  const { text, encoded } = value;
  const blanks = encoded ? /(?:[ \t]|%20|%09)*/iy : /[ \t]*/y;
  const quote = encoded ? /"|%22/iy : /"/y;
  const separator = encoded ? /;|%3B/iy : /;/y;
  const at = (re: RegExp, index: number): number => {
    re.lastIndex = index;
    return re.exec(text)?.[0].length ?? -1;
  };
  const items: RawItem[] = [];
  for (let pos = 0; ; ) {
    const start = pos + at(blanks, pos);
    const open = at(quote, start);
    if (open > 0) {
      const closing = new RegExp(quote.source, 'gi');
      closing.lastIndex = start + open;
      const close = closing.exec(text);
      if (close) {
        const after = close.index + close[0].length;
        const end = after + at(blanks, after);
        const sep = end === text.length ? 0 : at(separator, end);
        if (sep >= 0) {
          items.push({ text: text.slice(start + open, close.index), quoted: true });
          if (sep === 0) return items;
          pos = end + sep;
          continue;
        }
      }
    }
    const semi = text.indexOf(';', pos);
    items.push({ text: text.slice(pos, semi < 0 ? undefined : semi), quoted: false });
    if (semi < 0) return items;
    pos = semi + 1;
  }
}

/** The raw query of a request URL (everything after the first `?`, without the fragment). */
export function rawQueryOf(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return '';
  const hash = url.indexOf('#', q);
  return url.slice(q + 1, hash < 0 ? undefined : hash);
}
