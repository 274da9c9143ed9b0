import { decoded } from '../../wcap/params.js';
import type { RawValue } from '../../wcap/raw-params.js';
import { WcapError } from '../../wcap/wcap-error.js';

const RULE_PART = /^(FREQ|UNTIL|COUNT|INTERVAL|BYSECOND|BYMINUTE|BYHOUR|BYDAY|BYMONTHDAY|BYYEARDAY|BYWEEKNO|BYMONTH|BYSETPOS|WKST)=[A-Z0-9,+\-:]+$/;
const FREQUENCIES = new Set(['SECONDLY', 'MINUTELY', 'HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY']);

/**
 * `rrules` / `exrules`: a `;` list of quoted, percent-encoded rules, any case
 * (`"count%3D10%3Bfreq%3Ddaily";"freq%3Dweekly"`, seed 001). Lightning wraps each encoded rule in
 * literal quotes, which may arrive as `%22`. An unquoted value is one rule whose `;` are its own
 * separators. Returns the rules upper-cased and checked; [] for an empty value (clear).
 */
export function parseRules(raw: RawValue, name: string, failsWith: number): string[] {
  const text = decoded(raw, name, failsWith).trim();
  if (text === '') return [];
  const quoted = [...text.matchAll(/"([^"]*)"/g)].map((m) => m[1]!.trim());
  const rules = (quoted.length > 0 ? quoted : [text]).filter((r) => r !== '').map((r) => r.replace(/^RRULE:|^EXRULE:/i, '').toUpperCase());
  for (const rule of rules) checkRule(rule, name, failsWith);
  return rules;
}

function checkRule(rule: string, name: string, failsWith: number): void {
  const parts = rule.split(';').filter((part) => part !== '');
  const keys = parts.map((part) => part.split('=')[0]);
  const freq = parts.find((part) => part.startsWith('FREQ='))?.slice(5);
  const bad =
    parts.some((part) => !RULE_PART.test(part)) ||
    new Set(keys).size !== keys.length ||
    !freq ||
    !FREQUENCIES.has(freq) ||
    (keys.includes('COUNT') && keys.includes('UNTIL'));
  if (bad) throw new WcapError(failsWith, `Invalid value for parameter ${name}: not an RFC 5545 recurrence rule`);
}
