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

  /** The first occurrence of a name wins, as in Sun's server. */
  add(name: string, value: RawValue): void {
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
   * is a plus sign: WCAP clients encode spaces as %20 (seed 004: "use the code %20"), and Lightning
   * sends categories unencoded, so "C++" must stay "C++". In an HTML form body (`formBody`) `+`
   * means a space.
   */
  addQueryString(query: string, formBody = false): void {
    for (const pair of query.split('&')) {
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

/** The raw query of a request URL (everything after the first `?`, without the fragment). */
export function rawQueryOf(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return '';
  const hash = url.indexOf('#', q);
  return url.slice(q + 1, hash < 0 ? undefined : hash);
}
