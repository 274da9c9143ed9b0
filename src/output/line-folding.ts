const MAX_OCTETS = 75;

/**
 * Folds content lines to at most 75 octets each, continuation lines included (RFC 5545 §3.1).
 * ical.js 2.2 folds after 75 octets of content and then adds the leading space, so its continuation
 * lines are 76 octets; long lines (inline attachments, long parameter lists) are therefore folded
 * again here. Never splits a UTF-8 sequence or a UTF-16 surrogate pair.
 */
export function refold(text: string): string {
  return text.replace(/[^\r\n]*(?:\r\n[ \t][^\r\n]*)+|[^\r\n]{76,}/g, (folded) => {
    const line = folded.replace(/\r\n[ \t]/g, '');
    const out: string[] = [];
    let start = 0;
    let octets = 0;
    let limit = MAX_OCTETS;
    for (let i = 0; i < line.length; ) {
      const cp = line.codePointAt(i)!;
      const width = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      const units = cp > 0xffff ? 2 : 1;
      if (octets + width > limit) {
        out.push(line.slice(start, i));
        start = i;
        octets = 0;
        // Continuation lines start with a space, which counts.
        limit = MAX_OCTETS - 1;
      }
      octets += width;
      i += units;
    }
    out.push(line.slice(start));
    return out.join('\r\n ');
  });
}
