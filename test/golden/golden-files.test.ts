import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { xmlAsJson } from '../support/golden-formats.js';
import { parseIcs } from '../support/golden-gateway.js';
import { loadJsAnswer } from '../support/js-answer.js';
import { childElements, elementsByTagName, parseXml } from '../support/parse-xml.js';

/**
 * The stored text/xml goldens are read back with the same strict parser the golden tests use on
 * live answers, so a golden edited by hand (or written from a broken answer) cannot sit there as
 * ill-formed XML: whole answers must be `<iCalendar>` documents whose every `<iCal>` has one errno.
 */
const dir = new URL('./__golden__/', import.meta.url);
const xmlGoldens = readdirSync(dir).filter((name) => name.endsWith('.xml'));
const jsGoldens = readdirSync(dir).filter((name) => name.endsWith('.js'));
const jsonGoldens = readdirSync(dir).filter((name) => name.endsWith('.json'));
const read = (name: string) => readFileSync(new URL(name, dir), 'utf8');

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

/**
 * The text/js goldens run in node:vm like a browser frame runs them, and agree with the text/calendar
 * golden of the same case: the same errnos, `data[]` parsing as those VCALENDARs, and the callback
 * of the command named in the file (unknown commands get none).
 */
describe('text/js golden files', () => {
  it('are there to check', () => {
    expect(jsGoldens.length).toBeGreaterThan(50);
  });

  it.each(jsGoldens)('%s runs and matches its .ics twin', (name) => {
    const { vars, callbacks } = loadJsAnswer(read(name));
    const ics = read(name.replace(/\.js$/, '.ics'));
    expect((vars.data as string[]).join('')).toBe(ics);
    const errnos = parseIcs(ics).map((c) => Number(c.getFirstPropertyValue('x-nscp-wcap-errno')));
    expect(vars.layer_errno).toEqual(errnos);
    expect((vars.errno as number[])[0]).toBe(errnos[0]);
    const command = /^[a-z_]+/.exec(name)![0];
    if (name.startsWith('errno-52.')) expect(callbacks).toEqual([]);
    else if (!name.startsWith('errno-')) expect(callbacks).toEqual([[`Cal${command}Callback`, 'wcap-frame']]);
    else expect(callbacks).toHaveLength(1);
  });
});

/** The text/json goldens are the XML goldens of the same case, element for element. */
describe('text/json golden files', () => {
  it('are there to check', () => {
    expect(jsonGoldens.length).toBeGreaterThan(50);
  });

  it.each(jsonGoldens)('%s equals its .xml twin', (name) => {
    expect(JSON.parse(read(name))).toEqual(xmlAsJson(read(name.replace(/\.json$/, '.xml'))));
  });
});
