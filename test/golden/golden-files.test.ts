import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { childElements, elementsByTagName, parseXml } from '../support/parse-xml.js';

/**
 * The stored text/xml goldens are read back with the same strict parser the golden tests use on
 * live answers, so a golden edited by hand (or written from a broken answer) cannot sit there as
 * ill-formed XML: whole answers must be `<iCalendar>` documents whose every `<iCal>` has one errno.
 */
const dir = new URL('./__golden__/', import.meta.url);
const xmlGoldens = readdirSync(dir).filter((name) => name.endsWith('.xml'));

describe('XML golden files', () => {
  it('are there to check', () => {
    expect(xmlGoldens.length).toBeGreaterThan(50);
  });

  it.each(xmlGoldens)('%s is well-formed XML', (name) => {
    const doc = parseXml(readFileSync(new URL(name, dir), 'utf8'));
    if (name.startsWith('get_all_timezones.')) {
      expect(doc.root.name).toBe('TIMEZONE'); // one zone cut out of the answer, no declaration
      return;
    }
    expect(doc.declaration).toBe('<?xml version="1.0" encoding="UTF-8"?>');
    expect(doc.root.name).toBe('iCalendar');
    const icals = childElements(doc.root);
    expect(icals.length).toBeGreaterThan(0);
    for (const ical of icals) {
      expect(ical.name).toBe('iCal');
      expect(elementsByTagName(ical, 'X-NSCP-WCAP-ERRNO')).toHaveLength(1);
    }
  });
});
