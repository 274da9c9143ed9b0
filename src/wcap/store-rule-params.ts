import { WcapError } from './wcap-error.js';

const RULE_PART = /^(FREQ|UNTIL|COUNT|INTERVAL|BYSECOND|BYMINUTE|BYHOUR|BYDAY|BYMONTHDAY|BYYEARDAY|BYWEEKNO|BYMONTH|BYSETPOS|WKST)=[A-Z0-9,+\-:]+$/;
const FREQUENCIES = new Set(['SECONDLY', 'MINUTELY', 'HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY']);

/**
 * `rrules` / `exrules` as the quoted-list parameter gives them (`"count=10;freq=daily";"freq=weekly"`,
 * docs/wcap-protocol.md#lists-and-quoting; a bare unquoted value is one rule whose `;` are its
 * own separators): upper-cased, an `RRULE:`/`EXRULE:` prefix dropped, each checked against
 * RFC 5545 §3.3.10. [] for an empty value (clear).
 */
export function checkedRules(rules: readonly string[], name: string, failsWith: number): string[] {
  const upper = rules.map((r) => r.replace(/^RRULE:|^EXRULE:/i, '').toUpperCase());
  for (const rule of upper) checkRule(rule, name, failsWith);
  return upper;
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
