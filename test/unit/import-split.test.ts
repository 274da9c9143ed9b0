import { describe, expect, it } from 'vitest';
import { IcalStructureError, splitIcalendar, type SplitComponent } from '../../src/mapping/ical-splitter.js';
import { xmlImportComponents } from '../../src/mapping/xml-import.js';

async function all(generator: AsyncGenerator<SplitComponent>): Promise<SplitComponent[]> {
  const out: SplitComponent[] = [];
  for await (const item of generator) out.push(item);
  return out;
}

async function* cut(text: string, size: number) {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

const ICS = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'BEGIN:VEVENT',
  'UID:a',
  'SUMMARY:folded line that goes',
  '  on and on',
  'BEGIN:VALARM',
  'ACTION:DISPLAY',
  'END:VALARM',
  'END:VEVENT',
  'BEGIN:VTODO',
  'UID:b',
  'END:VTODO',
  'END:VCALENDAR',
  'BEGIN:VCALENDAR',
  'BEGIN:VEVENT',
  'UID:c',
  'END:VEVENT',
  'END:VCALENDAR',
].join('\r\n');

describe('iCalendar splitter', () => {
  it('cuts every top-level component out of one or more VCALENDARs, whatever the chunking', async () => {
    const whole = await all(splitIcalendar(cut(ICS, ICS.length), { maxComponentChars: 10_000 }));
    expect(whole.map((c) => c.name)).toEqual(['VEVENT', 'VTODO', 'VEVENT']);
    expect(whole[0]).toEqual({ kind: 'component', name: 'VEVENT', text: ICS.slice(ICS.indexOf('BEGIN:VEVENT'), ICS.indexOf('END:VEVENT') + 10) });
    for (const size of [1, 2, 3, 7, 64]) expect(await all(splitIcalendar(cut(ICS, size), { maxComponentChars: 10_000 }))).toEqual(whole);
    expect(await all(splitIcalendar(cut(ICS.replace(/\r\n/g, '\n'), 5), { maxComponentChars: 10_000 }))).toHaveLength(3);
  });

  it('reports an oversized component by name and UID, without keeping it', async () => {
    const big = ICS.replace('SUMMARY:folded', `DESCRIPTION:${'z'.repeat(500)}\r\nSUMMARY:folded`);
    const parts = await all(splitIcalendar(cut(big, 13), { maxComponentChars: 200 }));
    expect(parts[0]).toEqual({ kind: 'oversized', name: 'VEVENT', uid: 'a' });
    expect(parts.slice(1).map((c) => c.kind)).toEqual(['component', 'component']);
    // One endless line counts against the bound too.
    const endless = `BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nX-A:${'q'.repeat(5000)}\r\nEND:VEVENT\r\nEND:VCALENDAR`;
    expect(await all(splitIcalendar(cut(endless, 100), { maxComponentChars: 300 }))).toEqual([{ kind: 'oversized', name: 'VEVENT', uid: 'x' }]);
  });

  it.each([
    ['text before BEGIN:VCALENDAR', `hello\r\n${ICS}`],
    ['a mismatched END', ICS.replace('END:VALARM', 'END:VTODO')],
    ['a missing END', ICS.replace(/END:VCALENDAR$/, '')],
    ['no VCALENDAR at all', ''],
  ])('refuses %s', async (_label, text) => {
    await expect(all(splitIcalendar(cut(text, 10), { maxComponentChars: 10_000 }))).rejects.toBeInstanceOf(IcalStructureError);
  });
});

describe('WCAP XML import reader', () => {
  const XML = `<?xml version="1.0" encoding="UTF-8"?>
<iCalendar>
 <iCal version="2.0" prodid="-//x//EN" METHOD="PUBLISH">
  <X-NSCP-CALPROPS-NAME>Team &amp; co</X-NSCP-CALPROPS-NAME>
  <!-- a comment with <EVENT> inside -->
  <EVENT>
   <UID>u1</UID>
   <START VALUE="DATE">20261201</START>
   <SUMMARY>A, b; c \\ d &lt;e&gt;</SUMMARY>
   <DESC>line 1
line 2</DESC>
   <CATEGORIES>Work,Fun</CATEGORIES>
   <ATTENDEE CN="Jane, R" PARTSTAT="ACCEPTED">mailto:jane@example.com</ATTENDEE>
   <ALARM><ACTION>DISPLAY</ACTION><TRIGGER>-PT15M</TRIGGER></ALARM>
  </EVENT>
  <X-NSCP-WCAP-ERRNO>0</X-NSCP-WCAP-ERRNO>
 </iCal>
</iCalendar>
`;
  it('turns each component element into the iCalendar it was written from, whatever the chunking', async () => {
    const whole = await all(xmlImportComponents(cut(XML, XML.length), { maxComponentChars: 10_000 }));
    expect(whole).toEqual([
      {
        kind: 'component',
        name: 'VEVENT',
        text: [
          'BEGIN:VEVENT',
          'UID:u1',
          'DTSTART;VALUE=DATE:20261201',
          'SUMMARY:A\\, b\\; c \\\\ d <e>',
          'DESCRIPTION:line 1\\nline 2',
          'CATEGORIES:Work,Fun',
          'ATTENDEE;CN="Jane, R";PARTSTAT=ACCEPTED:mailto:jane@example.com',
          'BEGIN:VALARM',
          'ACTION:DISPLAY',
          'TRIGGER:-PT15M',
          'END:VALARM',
          'END:VEVENT',
        ].join('\r\n'),
      },
    ]);
    for (const size of [1, 5, 17]) expect(await all(xmlImportComponents(cut(XML, size), { maxComponentChars: 10_000 }))).toEqual(whole);
  });

  it('refuses a document type declaration (no entity expansion) and a document that is not WCAP XML', async () => {
    const dtd = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><iCalendar/>`;
    await expect(all(xmlImportComponents(cut(dtd, 8), { maxComponentChars: 10_000 }))).rejects.toBeInstanceOf(IcalStructureError);
    await expect(all(xmlImportComponents(cut('<html><body/></html>', 8), { maxComponentChars: 10_000 }))).rejects.toBeInstanceOf(IcalStructureError);
    await expect(all(xmlImportComponents(cut(XML.replace('</iCalendar>', ''), 8), { maxComponentChars: 10_000 }))).rejects.toBeInstanceOf(IcalStructureError);
  });

  it('reports an oversized component element without keeping it', async () => {
    const big = XML.replace('<UID>u1</UID>', `<UID>u1</UID><DESC>${'x'.repeat(3000)}</DESC>`);
    expect(await all(xmlImportComponents(cut(big, 100), { maxComponentChars: 500 }))).toEqual([{ kind: 'oversized', name: 'VEVENT', uid: undefined }]);
  });
});
