import type { Formatter } from '../wcap/result.js';
import { icalFormatter } from './ical-formatter.js';
import { jsFormatter } from './js-formatter.js';
import { jsonFormatter } from './json-formatter.js';
import { xmlFormatter } from './xml-formatter.js';

/**
 * The fmt-out registry. Adding a format = one formatter file in output/ plus one entry in
 * {@link FORMATTERS}; nothing else looks at fmt-out values.
 */

/** fmt-out used when the request has none (or an empty one): text/calendar, as in WCAP 6.x. */
export const DEFAULT_FMT_OUT = 'text/calendar';

/** Every supported format, keyed by its lower-case fmt-out value (`Formatter.name`). */
const FORMATTERS: ReadonlyMap<string, Formatter> = new Map(
  [icalFormatter, xmlFormatter, jsonFormatter, jsFormatter].map((formatter) => [formatter.name.toLowerCase(), formatter]),
);

/** Files and streamed results in any format (file-answer.ts); the pipeline renders through it. */
export { answerIn } from './file-answer.js';

/**
 * The formatter for a fmt-out value: undefined or blank → text/calendar; otherwise matched
 * case-insensitively after trimming surrounding whitespace. Returns undefined for an unsupported
 * value: the caller answers errno 58 (WCAP_NO_SUCH_FORMAT) in the default format and must not echo
 * the value back.
 */
export function formatterFor(fmtOut: string | undefined): Formatter | undefined {
  const key = (fmtOut ?? '').trim().toLowerCase();
  return FORMATTERS.get(key === '' ? DEFAULT_FMT_OUT : key);
}

/** The supported fmt-out values, for diagnostics and tests. */
export function supportedFormats(): string[] {
  return [...FORMATTERS.keys()];
}
