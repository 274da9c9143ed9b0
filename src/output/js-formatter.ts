import ICAL from 'ical.js';
import type { Formatter, RenderContext, RenderedBody, WcapBlock, WcapProperty, WcapResult } from '../wcap/result.js';
import { blocksOf, assertBlockProperty } from './envelope.js';
import { icalFormatter } from './ical-formatter.js';
import { BRIEF_PROPERTIES, JS_CONSTRUCTORS, STATUS_TYPES, componentArguments, isLongEvent } from './js-components.js';
import { jsArray, jsString } from './js-string.js';
import { xmlFormatter } from './xml-formatter.js';

/** Content-Type of text/js answers: an HTML page, loaded by the client into a (hidden) frame. */
export const JS_CONTENT_TYPE = 'text/html; charset=UTF-8';

/**
 * fmt-out=text/js, the iPlanet 3.x page (docs/wcap-protocol.md#javascript-output): `<html><head><script>`,
 * the general variables `id`, `userid`, `calid`, the arrays `errno`, `layer_errno` and the 3.x
 * objects (`calprops[]` of `CP`, `event[]`/`eventD[]` of `E`, `todo[]` of `T`), then per block
 * (one per calendar) its calendar id in `layerid[]`, every X-token in `xprops[]` and the block as
 * iCalendar text in `data[]` (XML text with `content-out=text/xml`), then `size`, `todosize`,
 * `errno[0]` and the call of the parent frame's `Cal<command>Callback(window.name)`.
 * Every value from the result is written by {@link jsString}; the only names written unquoted are
 * the command's (checked to be `[A-Za-z0-9_]`).
 */
export const jsFormatter: Formatter = {
  name: 'text/js',
  render(result: WcapResult, context: RenderContext = {}): RenderedBody {
    return { contentType: JS_CONTENT_TYPE, body: `${pageLines(blocksOf(result), context).join('\n')}\n` };
  },
};

const COMMAND_NAME = /^[A-Za-z0-9_]+$/;

function pageLines(blocks: readonly WcapBlock[], context: RenderContext): string[] {
  const first = (name: string) => blocks.map((b) => propertyValue(b, name)).find((v) => v !== undefined);
  const userid = first('X-NSCP-WCAP-USER-ID') ?? context.session?.user ?? '';
  const lines = [
    '<html><head><script>',
    'function color(s) { if (s) document.bgColor=s }',
    `var id=${jsString(first('X-NSCP-WCAP-SESSION-ID') ?? context.session?.id ?? '0')}`,
    `var userid=${jsString(userid)}`,
    `var calid=${jsString(first('X-NSCP-WCAP-CALENDAR-ID') ?? first('X-NSCP-CALPROPS-RELATIVE-CALID') ?? userid)}`,
    'var errno=new Array()',
    `var errstr=${jsString(blocks[0]!.errnoMessage ?? '')}`,
    'var timezoneList=new Array()',
    'var calprops=new Array()',
    'var layer_errno=new Array()',
    'var layerid=new Array()',
    'var xprops=new Array()',
    'var data=new Array()',
    'var event=new Array()',
    'var eventD=new Array()',
    'var todo=new Array()',
    `var status_types=${jsArray(STATUS_TYPES)}`,
    ...JS_CONSTRUCTORS,
    'function CP (a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15) {',
    '  this.calid = a1; this.name = a2; this.parent = a3; this.tzid = a4; this.read = a5; this.write = a6; this.charset = a7; this.lang = a8',
    '  this.master = a9; this.desc = a10; this.lastMod = iso(a11); this.created = iso(a12); this.primaryOwner = a13; this.owners = a14; this.categories = a15 }',
    'function X (name, value, params) { this.name = name; this.value = value; this.params = params }',
  ];
  const counts = { event: 0, eventD: 0, todo: 0, zones: 0 };
  blocks.forEach((block, index) => lines.push(...blockLines(block, index, context, counts)));
  const version = first('X-NSCP-WCAPVERSION');
  if (version !== undefined) lines.push(`var wcapversion=${jsString(version)}`);
  const guids = blocks.flatMap((b) => b.properties.filter((p) => /^X-NSCP-GUID\d+$/i.test(p.name)).map((p) => p.value));
  if (guids.length > 0) lines.push('var guid=new Array()', ...guids.map((guid, i) => `guid[${i}]=${jsString(guid)}`));
  lines.push(`var size=${counts.event}`, `var sizeD=${counts.eventD}`, `var todosize=${counts.todo}`, `errno[0]=${blocks[0]!.errno}`);
  const command = context.command;
  // An unknown command gets no callback: its name is never written back (it is the client's input).
  if (command !== undefined && COMMAND_NAME.test(command)) {
    const callback = `Cal${command}Callback`;
    lines.push(`if (typeof parent == 'object' && parent && typeof parent.${callback} == 'function') parent.${callback}(window.name)`);
  }
  lines.push('</script></head></html>');
  return lines;
}

function blockLines(block: WcapBlock, index: number, context: RenderContext, counts: { event: number; eventD: number; todo: number; zones: number }): string[] {
  const calid = propertyValue(block, 'X-NSCP-CALPROPS-RELATIVE-CALID');
  const lines = [`layerid[${index}]=${jsString(calid ?? '')}`];
  if (calid !== undefined) lines.push(`calprops[${index}]=${calpropsObject(block, calid)}`);
  lines.push(`xprops[${index}]=new Array(${block.properties.map(xObject).join(', ')})`);
  const components = context.brief ? block.components.map(briefCopy) : block.components;
  const shown: WcapBlock = { ...block, components };
  const formatter = context.dataAsXml ? xmlFormatter : icalFormatter;
  lines.push(`data[${index}]=${jsString(formatter.render({ blocks: [shown] }).body)}`);
  for (const component of components) {
    if (component.name === 'vtimezone') {
      lines.push(`timezoneList[${counts.zones++}]=${jsString(String(component.getFirstPropertyValue('tzid') ?? ''))}`);
    } else if (component.name === 'vevent') {
      const list = isLongEvent(component) ? 'eventD' : 'event';
      lines.push(`${list}[${counts[list]++}]=new E(${componentArguments(component, calid ?? '', context.brief === true)})`);
    } else if (component.name === 'vtodo') {
      lines.push(`todo[${counts.todo++}]=new T(${componentArguments(component, calid ?? '', context.brief === true)})`);
    }
  }
  lines.push(`layer_errno[${index}]=${block.errno}`);
  return lines;
}

/** `new CP(…)` from the block's calendar properties; only the calid when it has none (a failed calendar). */
function calpropsObject(block: WcapBlock, calid: string): string {
  const value = (name: string) => jsString(propertyValue(block, `X-NSCP-CALPROPS-${name}`) ?? '');
  const values = (name: string) => jsArray(block.properties.filter((p) => p.name.toUpperCase() === `X-NSCP-CALPROPS-${name}`).map((p) => p.value));
  if (propertyValue(block, 'X-NSCP-CALPROPS-NAME') === undefined) return `new CP(${jsString(calid)})`;
  return `new CP(${[
    jsString(calid),
    value('NAME'),
    jsString(''),
    value('TZID'),
    value('READ'),
    value('WRITE'),
    jsString(''),
    value('LANGUAGE'),
    jsString(''),
    value('DESCRIPTION'),
    value('LAST-MODIFIED'),
    value('CREATED'),
    value('PRIMARY-OWNER'),
    values('OWNERS'),
    values('CATEGORIES'),
  ].join(', ')})`;
}

function xObject(property: WcapProperty): string {
  assertBlockProperty(property);
  const params = Object.entries(property.params ?? {}).map(([name, value]) => `${jsString(name.toUpperCase())}: ${jsString(value)}`);
  return `new X(${jsString(property.name)}, ${jsString(property.value)}, {${params.join(', ')}})`;
}

function propertyValue(block: WcapBlock, name: string): string | undefined {
  return block.properties.find((p) => p.name.toUpperCase() === name)?.value;
}

/** A copy with only the brief properties (time zones stay whole: the times refer to them). */
function briefCopy(component: ICAL.Component): ICAL.Component {
  if (component.name === 'vtimezone') return component;
  const [name, properties] = component.toJSON() as [string, unknown[][], unknown[][]];
  return new ICAL.Component([name, properties.filter((p) => BRIEF_PROPERTIES.has(String(p[0]))), []]);
}
