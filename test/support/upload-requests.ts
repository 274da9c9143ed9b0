import { randomUUID } from 'node:crypto';
import ICAL from 'ical.js';
import type { Harness } from './gateway-harness.js';

/** A file part or a plain field of a multipart/form-data body. */
export interface FormPart {
  name: string;
  value: string | Uint8Array;
  filename?: string;
  contentType?: string;
}

/** A multipart/form-data body as browsers and sync tools post it. */
export function multipartBody(parts: FormPart[], boundary = `----wcapTest${randomUUID().replace(/-/g, '')}`): { body: Uint8Array<ArrayBuffer>; contentType: string } {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"`;
    if (part.filename !== undefined) head += `; filename="${part.filename}"`;
    head += '\r\n';
    if (part.contentType) head += `Content-Type: ${part.contentType}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`), Buffer.from(part.value), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: new Uint8Array(Buffer.concat(chunks)), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** POSTs `body` to `<command>.wcap?<query>`. */
export function postWcap(h: Harness, command: string, query: string, body: string | Uint8Array<ArrayBuffer>, contentType: string): Promise<Response> {
  return fetch(`${h.gateway.url}${command}.wcap?${query}`, { method: 'POST', body, headers: { 'Content-Type': contentType } });
}

/** Creates an empty calendar collection straight on Radicale; returns its calid. */
export async function newCalendar(h: Harness, user: string, prefix: string): Promise<string> {
  const name = `${prefix}-${randomUUID().slice(0, 8)}`;
  const res = await h.radicale(user, `/${user}/${name}/`, { method: 'MKCALENDAR' });
  if (res.status !== 201) throw new Error(`MKCALENDAR ${name}: ${res.status}`);
  return `${user}:${name}`;
}

/** Every VEVENT and VTODO stored in a calendar, read straight from Radicale (GET of the collection). */
export async function storedComponents(h: Harness, calid: string): Promise<ICAL.Component[]> {
  const [user, name] = calid.split(':') as [string, string];
  const res = await h.radicale(user, `/${user}/${name}/`);
  if (res.status !== 200) throw new Error(`GET ${calid}: ${res.status}`);
  const text = await res.text();
  if (text.trim() === '') return [];
  const root = new ICAL.Component(ICAL.parse(text) as unknown[]);
  return root.getAllSubcomponents().filter((c) => c.name === 'vevent' || c.name === 'vtodo');
}
