import { parseWcapDate, type WcapDate } from './datetime.js';
import { Errno } from './errno.js';
import { lenientDecode, safeDecode, splitQuotedRaw, type RawParams, type RawValue } from './raw-params.js';
import { WcapError } from './wcap-error.js';

/**
 * The parameter DSL. A command declares `params: { dtstart: p.date(), uid: p.list(), … }` and gets
 * a typed object. Leniency follows WCAP servers and clients: unknown parameters are ignored, `0`
 * is an open date, an empty value or the literal `null` clears a store field
 * (docs/lightning.md#store-request-layout), unknown `component-type` means all. Errors carry the
 * command's failure errno and name the parameter, never echo its value.
 */
export interface ParamSpec<T> {
  /**
   * What values the spec accepts, declared for tools: the fuzz suite (proof/fuzz-values.ts)
   * generates valid and malformed values of every command's parameters from it.
   */
  shape?: ParamShape;
  parse(value: RawValue | undefined, name: string, failsWith: number): T;
  /**
   * Only for specs that combine several parameters (uid + rid + mod): when present, parseParams
   * calls this with the whole request instead of `parse`, and `name` is the schema key.
   */
  parseAll?(raw: RawParams, name: string, failsWith: number): T;
  /** The parameter a client knows, when it is not the schema key (`uid` for the uid/rid/mod lists). */
  sentAs?: string;
}

/** The kinds of values the DSL reads (see {@link ParamSpec.shape}). */
export type ParamShape =
  | { kind: 'text' | 'flag' | 'date' | 'dates' | 'list' | 'quotedList' | 'raw' | 'xProperties' }
  | { kind: 'int'; min: number; max: number }
  | { kind: 'oneOf'; values: readonly string[] }
  | { kind: 'instanceTargets'; withMod: boolean };

export type ParamSchema = Record<string, ParamSpec<unknown>>;
export type ParamsOf<S extends ParamSchema> = { [K in keyof S]: S[K] extends ParamSpec<infer T> ? T : never };

/**
 * Parses every declared parameter. A list longer than `maxListItems` (WCAP_MAX_LIST_ITEMS) is
 * refused: each item of a uid list is a CalDAV request, each date an instance to compute.
 */
export function parseParams<S extends ParamSchema>(schema: S, raw: RawParams, failsWith: number, maxListItems = Number.POSITIVE_INFINITY): ParamsOf<S> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(schema)) {
    const value = spec.parseAll ? spec.parseAll(raw, name, failsWith) : spec.parse(raw.get(name), name, failsWith);
    if (Array.isArray(value) && value.length > maxListItems) {
      throw new WcapError(failsWith, `Parameter ${spec.sentAs ?? name} has more than ${maxListItems} items (WCAP_MAX_LIST_ITEMS)`);
    }
    out[name] = value;
  }
  return out as ParamsOf<S>;
}

function bad(failsWith: number, name: string, expected: string): never {
  throw new WcapError(failsWith, `Invalid value for parameter ${name}: expected ${expected}`);
}

/**
 * The decoded text of a value; broken percent-encoding is an error, not a guess. So is a control
 * character other than tab and line breaks: iCalendar text cannot carry one (RFC 5545 §3.3.11), so
 * storing it would hand other CalDAV clients invalid data and WCAP clients something else.
 */
export function decoded(value: RawValue, name: string, failsWith: number): string {
  const text = value.encoded ? safeDecode(value.text) : value.text;
  if (text === undefined) bad(failsWith, name, 'valid percent-encoding');
  return withoutControls(text, name, failsWith);
}

const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

function withoutControls(text: string, name: string, failsWith: number): string {
  const control = CONTROL.exec(text);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw new WcapError(failsWith, `Invalid value for parameter ${name}: control character U+${code} (only tab and line breaks are allowed)`);
  }
  return text;
}

/** Splits on the raw separator first, then decodes each piece (`%3B` stays inside an item). */
export function decodedList(value: RawValue, name: string, failsWith: number, separator = ';'): string[] {
  if (value.text === '') return [];
  return value.text.split(separator).map((piece) => decoded({ text: piece, encoded: value.encoded }, name, failsWith));
}

/** Options of list specs. */
export interface ListOptions {
  /** Decode with lenientDecode (a stray `%` is text, never an error): for Lightning's raw `categories`. */
  lenient?: boolean;
}

function decodedAs(options: ListOptions, value: RawValue, name: string, failsWith: number): string {
  return options.lenient && value.encoded ? withoutControls(lenientDecode(value.text), name, failsWith) : decoded(value, name, failsWith);
}

/** WCAP `mod`: 1 the instance at rid, 2 it and all later ones, 3 it and all earlier ones, 4 all. */
export type InstanceMod = 1 | 2 | 3 | 4;

/** One uid/rid pair; rid null (`0`, empty or absent) means the whole item. */
export interface InstanceRef {
  uid: string;
  rid: WcapDate | null;
}

export interface InstanceTarget extends InstanceRef {
  mod: InstanceMod;
}

export interface InstanceTargetOptions {
  /** mod of a pair whose mod is absent or empty, fixed or by its rid (delete: 4 for rid null, else 1). Default 1. */
  modDefault?: InstanceMod | ((rid: WcapDate | null) => InstanceMod);
}

/**
 * The parallel `uid`, `rid` and `mod` lists of the *_by_id commands, read together whatever the
 * schema key. uid is a `;` list, trimmed, empty entries dropped. rid and mod are parallel to it: a
 * single (or absent/empty) value applies to every uid (not with `withMod: false`: verify's lists are
 * strictly parallel); otherwise one entry per uid, counted either
 * as sent or without the dropped empty uids (their partners are dropped too). Returns one target
 * per uid in request order, duplicates kept: callers that answer a pair once must dedupe.
 * Throws errno 46 (INSUFFICIENT_PARAMETERS) when no uid is given or a list length fits neither
 * count; failsWith naming rid or mod when a rid is not `0` or a WCAP date, or a mod not 1–4.
 * `{ withMod: false }` (verify*_by_ids) reads uid and rid only and returns pairs without mod.
 * Standalone `parse(value)` reads `value` as the uid list with rid and mod absent.
 */
function instanceTargets(options: { withMod: false }): ParamSpec<InstanceRef[]>;
function instanceTargets(options?: InstanceTargetOptions & { withMod?: true }): ParamSpec<InstanceTarget[]>;
function instanceTargets(options: InstanceTargetOptions & { withMod?: boolean } = {}): ParamSpec<InstanceRef[] | InstanceTarget[]> {
  const read = (get: (name: string) => RawValue | undefined, failsWith: number): InstanceRef[] | InstanceTarget[] => {
    const listOf = (name: string) => {
      const value = get(name);
      return value === undefined ? [] : decodedList(value, name, failsWith).map((text) => text.trim());
    };
    const uids = listOf('uid');
    const kept = uids.flatMap((uid, index) => (uid === '' ? [] : [index]));
    if (kept.length === 0) throw new WcapError(Errno.INSUFFICIENT_PARAMETERS, 'Parameter uid is required');
    // verify*_by_ids documents strictly parallel lists; the fetch and delete commands also take
    // one rid or mod for every uid, as Lightning and the Sun servers did.
    const strict = options.withMod === false;
    const mismatch = strict ? 'The uid and rid lists differ in length' : 'The uid, rid and mod lists differ in length';
    const parallel = (name: 'rid' | 'mod'): string[] => {
      const value = get(name);
      const list = listOf(name);
      if (value === undefined || list.length === 0 || (list.length === 1 && !strict)) return kept.map(() => list[0] ?? '');
      if (list.length === uids.length) return kept.map((index) => list[index]!);
      if (list.length === kept.length) return list;
      throw new WcapError(Errno.INSUFFICIENT_PARAMETERS, mismatch);
    };
    const rids = parallel('rid');
    const mods = options.withMod === false ? undefined : parallel('mod');
    return kept.map((index, k) => {
      const rid = parseWcapDate(rids[k] || '0');
      if (rid === undefined) bad(failsWith, 'rid', 'a date or 0');
      const uid = uids[index]!;
      if (!mods) return { uid, rid };
      const fallback = typeof options.modDefault === 'function' ? options.modDefault(rid) : (options.modDefault ?? 1);
      const text = mods[k] || String(fallback);
      if (!/^[1-4]$/.test(text)) bad(failsWith, 'mod', '1, 2, 3 or 4');
      return { uid, rid, mod: Number(text) as InstanceMod };
    });
  };
  return {
    shape: { kind: 'instanceTargets', withMod: options.withMod !== false },
    parse: (value, _name, failsWith) => read((name) => (name === 'uid' ? value : undefined), failsWith),
    parseAll: (raw, _name, failsWith) => read((name) => raw.get(name), failsWith),
    sentAs: 'uid',
  };
}

const spec = <T>(shape: ParamShape, parse: ParamSpec<T>['parse']): ParamSpec<T> => ({ shape, parse });

export const p = {
  /** Decoded string; undefined when absent. */
  string: () => spec<string | undefined>({ kind: 'text' }, (v, n, f) => (v === undefined ? undefined : decoded(v, n, f))),

  /** A store text field: undefined = leave unchanged, null = clear (empty or the literal `null`). */
  text: () =>
    spec<string | null | undefined>({ kind: 'text' }, (v, n, f) => {
      if (v === undefined) return undefined;
      const text = decoded(v, n, f);
      return text === '' || text === 'null' ? null : text;
    }),

  /** Integer within bounds; absent → fallback. */
  int: (options: { min: number; max: number; fallback?: number }) =>
    spec<number | undefined>({ kind: 'int', min: options.min, max: options.max }, (v, n, f) => {
      if (v === undefined || v.text === '') return options.fallback;
      const text = decoded(v, n, f).trim();
      if (!/^[-+]?\d+$/.test(text)) bad(f, n, `an integer from ${options.min} to ${options.max}`);
      const value = Number(text);
      if (value < options.min || value > options.max) bad(f, n, `an integer from ${options.min} to ${options.max}`);
      return value;
    }),

  /** A store integer field where Lightning sends `null` for "unset": null/empty/non-numeric → null. */
  optionalInt: (options: { min: number; max: number }) =>
    spec<number | null | undefined>({ kind: 'int', min: options.min, max: options.max }, (v, n, f) => {
      if (v === undefined) return undefined;
      const text = decoded(v, n, f).trim();
      if (!/^[-+]?\d+$/.test(text)) return null;
      const value = Number(text);
      if (value < options.min || value > options.max) bad(f, n, `an integer from ${options.min} to ${options.max}`);
      return value;
    }),

  /** 0/1 flag (also true/false, yes/no); absent or empty → fallback. */
  flag: (fallback: boolean) =>
    spec<boolean>({ kind: 'flag' }, (v, n, f) => {
      if (v === undefined) return fallback;
      const text = decoded(v, n, f).trim().toLowerCase();
      if (text === '') return fallback;
      if (['1', 'true', 'yes'].includes(text)) return true;
      if (['0', 'false', 'no'].includes(text)) return false;
      return bad(f, n, '0 or 1');
    }),

  /** A WCAP date: undefined absent, null for `0` (or empty), WcapDate otherwise. */
  date: () =>
    spec<WcapDate | null | undefined>({ kind: 'date' }, (v, n, f) => {
      if (v === undefined) return undefined;
      const text = decoded(v, n, f).trim();
      if (text === '') return null;
      const date = parseWcapDate(text);
      if (date === undefined) bad(f, n, 'a date as YYYYMMDD, YYYYMMDDTHHMMSS or YYYYMMDDTHHMMSSZ, or 0');
      return date;
    }),

  /** `;`-separated list, split raw then decoded (leniently with `lenient`); undefined when absent, [] when empty. */
  list: (options: ListOptions = {}) =>
    spec<string[] | undefined>({ kind: 'list' }, (v, n, f) => {
      if (v === undefined) return undefined;
      if (v.text === '') return [];
      return v.text.split(';').map((piece) => decodedAs(options, { text: piece, encoded: v.encoded }, n, f));
    }),

  /**
   * A `;` list of items optionally in double quotes (relatedTos; rrules/exrules as
   * `"count%3D10%3Bfreq%3Ddaily";"freq%3Dweekly"`), split raw by splitQuotedRaw then decoded.
   * Items come back unquoted and trimmed, empty ones dropped; undefined when absent, [] when empty.
   * `unquotedIsOneItem`: a value without any quoted item is one item (a bare rule `FREQ=DAILY;COUNT=5`).
   */
  quotedList: (options: ListOptions & { unquotedIsOneItem?: boolean } = {}) =>
    spec<string[] | undefined>({ kind: 'quotedList' }, (v, n, f) => {
      if (v === undefined) return undefined;
      const items = splitQuotedRaw(v);
      const texts = options.unquotedIsOneItem && !items.some((item) => item.quoted) ? [v.text] : items.map((item) => item.text);
      return texts.map((text) => decodedAs(options, { text, encoded: v.encoded }, n, f).trim()).filter((text) => text !== '');
    }),

  /**
   * `;` list of dates (rdates, exdates): undefined absent, null when empty or only `0`s (clear),
   * else the dates, `0`s skipped. A date holds no `;`, so an encoded `%3B` separates too.
   */
  dates: () =>
    spec<WcapDate[] | null | undefined>({ kind: 'dates' }, (v, n, f) => {
      if (v === undefined) return undefined;
      const texts = decoded(v, n, f).split(';').map((text) => text.trim()).filter((text) => text !== '' && text !== '0');
      if (texts.length === 0) return null;
      return texts.map((text) => parseWcapDate(text) ?? bad(f, n, 'dates as YYYYMMDD[THHMMSS[Z]] separated by ;'));
    }),

  instanceTargets,

  /** One of a fixed set (case-insensitive); unknown values → `lenient` when given, else an error. */
  oneOf: <T extends string>(values: readonly T[], options: { fallback?: T; lenient?: T } = {}) =>
    spec<T | undefined>({ kind: 'oneOf', values }, (v, n, f) => {
      if (v === undefined || v.text === '') return options.fallback;
      const text = decoded(v, n, f).trim().toLowerCase();
      const match = values.find((value) => value.toLowerCase() === text);
      if (match !== undefined) return match;
      if (options.lenient !== undefined) return options.lenient;
      return bad(f, n, `one of ${values.join(', ')}`);
    }),

  /** Keeps the raw value for parsers that need the undecoded text (attendees, categories). */
  raw: () => spec<RawValue | undefined>({ kind: 'raw' }, (v) => v),
};
