import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { answerIn } from '../../src/output/file-answer.js';
import { icalFormatter } from '../../src/output/ical-formatter.js';
import { refold } from '../../src/output/line-folding.js';
import { textStream } from '../../src/output/text-stream.js';
import { xmlFormatter } from '../../src/output/xml-formatter.js';
import type { WcapResult } from '../../src/wcap/result.js';

function event(uid: string, summary: string): ICAL.Component {
  const component = new ICAL.Component('vevent');
  component.addPropertyWithValue('uid', uid);
  component.addPropertyWithValue('dtstart', ICAL.Time.fromDateTimeString('2026-03-16T09:00:00Z'));
  component.addPropertyWithValue('summary', summary);
  return component;
}

async function* produce(components: ICAL.Component[], failAfter = Infinity): AsyncGenerator<ICAL.Component> {
  let n = 0;
  for (const component of components) {
    if (n++ >= failAfter) throw new Error('CalDAV server went away');
    yield component;
  }
}

const items = Array.from({ length: 300 }, (_, i) => event(`uid-${i}`, `Item ${i} ${'long text '.repeat(i % 20)}`));
const properties = [{ name: 'X-NSCP-CALPROPS-RELATIVE-CALID', value: 'alice' }];

describe('streamed answers (export)', () => {
  it.each([icalFormatter, xmlFormatter])('$name: the streamed body is exactly the body rendered whole', async (formatter) => {
    const whole: WcapResult = { blocks: [{ properties, components: items, errno: 0 }] };
    const streamed: WcapResult = { blocks: [{ properties, components: [], errno: 0, streamed: produce(items) }] };
    const answer = answerIn(formatter, streamed);
    expect(answer.contentType).toBe(formatter.render(whole).contentType);
    expect(answer.body).toBeInstanceOf(ReadableStream);
    expect(await new Response(answer.body as ReadableStream).text()).toBe(formatter.render(whole).body);
  });

  it('names the file to save when the result asks for it', () => {
    const result: WcapResult = { saveAs: 'export', blocks: [{ properties, components: [], errno: 0 }] };
    expect(answerIn(icalFormatter, result).headers).toEqual({ 'Content-Disposition': 'attachment; filename="export.ics"' });
    expect(answerIn(xmlFormatter, result).headers).toEqual({ 'Content-Disposition': 'attachment; filename="export.xml"' });
  });

  it('a failure while streaming errors the stream: the body ends without END:VCALENDAR', async () => {
    const result: WcapResult = { blocks: [{ properties, components: [], errno: 0, streamed: produce(items, 200) }] };
    const reader = (answerIn(icalFormatter, result).body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    await expect(
      (async () => {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          text += new TextDecoder().decode(value);
        }
      })(),
    ).rejects.toThrow('CalDAV server went away');
    expect(text).toContain('UID:uid-0');
    expect(text).not.toContain('END:VCALENDAR');
  });

  it('a client that goes away ends the producer', async () => {
    let finished = false;
    async function* endless(): AsyncGenerator<string> {
      try {
        for (;;) yield 'x'.repeat(1000);
      } finally {
        finished = true;
      }
    }
    const reader = textStream(endless()).getReader();
    await reader.read();
    await reader.cancel();
    expect(finished).toBe(true);
  });
});

describe('line folding', () => {
  it('folds every physical line to at most 75 octets, continuation lines included, never inside a character', () => {
    const long = `ATTACH;X-S1CS-ATTACH-ID=/alice/${'ä€😀x'.repeat(60)}:${'QUJD'.repeat(100)}`;
    const folded = refold(`BEGIN:VEVENT\r\n${long}\r\nEND:VEVENT`);
    for (const line of folded.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    expect(folded.replace(/\r\n /g, '')).toBe(`BEGIN:VEVENT\r\n${long}\r\nEND:VEVENT`);
    expect(folded).not.toContain('\uFFFD');
  });
});
