import { parseWcapDate, type WcapDate } from './datetime.js';
import { safeDecode, type RawParams, type RawValue } from './raw-params.js';
import { WcapError } from './wcap-error.js';

/**
 * The parameter DSL. A command declares `params: { dtstart: p.date(), uid: p.list(), … }` and gets
 * a typed object. Leniency follows WCAP servers and clients: unknown parameters are ignored, `0`
 * is an open date, an empty value or the literal `null` clears a store field (lightning-client.md
 * §6.2), unknown `component-type` means all. Errors carry the command's failure errno and name the
 * parameter, never echo its value.
 */
export interface ParamSpec<T> {
  parse(value: RawValue | undefined, name: string, failsWith: number): T;
}

export type ParamSchema = Record<string, ParamSpec<unknown>>;
export type ParamsOf<S extends ParamSchema> = { [K in keyof S]: S[K] extends ParamSpec<infer T> ? T : never };

export function parseParams<S extends ParamSchema>(schema: S, raw: RawParams, failsWith: number): ParamsOf<S> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(schema)) out[name] = spec.parse(raw.get(name), name, failsWith);
  return out as ParamsOf<S>;
}

function bad(failsWith: number, name: string, expected: string): never {
  throw new WcapError(failsWith, `Invalid value for parameter ${name}: expected ${expected}`);
}

/** The decoded text of a value; broken percent-encoding is an error, not a guess. */
export function decoded(value: RawValue, name: string, failsWith: number): string {
  if (!value.encoded) return value.text;
  const text = safeDecode(value.text);
  if (text === undefined) bad(failsWith, name, 'valid percent-encoding');
  return text;
}

/** Splits on the raw separator first, then decodes each piece (`%3B` stays inside an item). */
export function decodedList(value: RawValue, name: string, failsWith: number, separator = ';'): string[] {
  if (value.text === '') return [];
  return value.text.split(separator).map((piece) => decoded({ text: piece, encoded: value.encoded }, name, failsWith));
}

const spec = <T>(parse: ParamSpec<T>['parse']): ParamSpec<T> => ({ parse });

export const p = {
  /** Decoded string; undefined when absent. */
  string: () => spec<string | undefined>((v, n, f) => (v === undefined ? undefined : decoded(v, n, f))),

  /** A store text field: undefined = leave unchanged, null = clear (empty or the literal `null`). */
  text: () =>
    spec<string | null | undefined>((v, n, f) => {
      if (v === undefined) return undefined;
      const text = decoded(v, n, f);
      return text === '' || text === 'null' ? null : text;
    }),

  /** Integer within bounds; absent → fallback. */
  int: (options: { min: number; max: number; fallback?: number }) =>
    spec<number | undefined>((v, n, f) => {
      if (v === undefined || v.text === '') return options.fallback;
      const text = decoded(v, n, f).trim();
      if (!/^[-+]?\d+$/.test(text)) bad(f, n, `an integer from ${options.min} to ${options.max}`);
      const value = Number(text);
      if (value < options.min || value > options.max) bad(f, n, `an integer from ${options.min} to ${options.max}`);
      return value;
    }),

  /** A store integer field where Lightning sends `null` for "unset": null/empty/non-numeric → null. */
  optionalInt: (options: { min: number; max: number }) =>
    spec<number | null | undefined>((v, n, f) => {
      if (v === undefined) return undefined;
      const text = decoded(v, n, f).trim();
      if (!/^[-+]?\d+$/.test(text)) return null;
      const value = Number(text);
      if (value < options.min || value > options.max) bad(f, n, `an integer from ${options.min} to ${options.max}`);
      return value;
    }),

  /** 0/1 flag (also true/false, yes/no); absent or empty → fallback. */
  flag: (fallback: boolean) =>
    spec<boolean>((v, n, f) => {
      if (v === undefined) return fallback;
      const text = decoded(v, n, f).trim().toLowerCase();
      if (text === '') return fallback;
      if (['1', 'true', 'yes'].includes(text)) return true;
      if (['0', 'false', 'no'].includes(text)) return false;
      return bad(f, n, '0 or 1');
    }),

  /** A WCAP date: undefined absent, null for `0` (or empty), WcapDate otherwise. */
  date: () =>
    spec<WcapDate | null | undefined>((v, n, f) => {
      if (v === undefined) return undefined;
      const text = decoded(v, n, f).trim();
      if (text === '') return null;
      const date = parseWcapDate(text);
      if (date === undefined) bad(f, n, 'a date as YYYYMMDD, YYYYMMDDTHHMMSS or YYYYMMDDTHHMMSSZ, or 0');
      return date;
    }),

  /** `;`-separated list, split raw then decoded; undefined when absent, [] when empty. */
  list: () => spec<string[] | undefined>((v, n, f) => (v === undefined ? undefined : decodedList(v, n, f))),

  /** One of a fixed set (case-insensitive); unknown values → `lenient` when given, else an error. */
  oneOf: <T extends string>(values: readonly T[], options: { fallback?: T; lenient?: T } = {}) =>
    spec<T | undefined>((v, n, f) => {
      if (v === undefined || v.text === '') return options.fallback;
      const text = decoded(v, n, f).trim().toLowerCase();
      const match = values.find((value) => value.toLowerCase() === text);
      if (match !== undefined) return match;
      if (options.lenient !== undefined) return options.lenient;
      return bad(f, n, `one of ${values.join(', ')}`);
    }),

  /** Keeps the raw value for parsers that need the undecoded text (attendees, categories). */
  raw: () => spec<RawValue | undefined>((v) => v),
};
