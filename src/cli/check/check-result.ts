/** The outcome of one check: a line of `wcap-gateway check`, plus indented detail lines. */
export interface CheckResult {
  name: string;
  /** `skip`: not applicable to this configuration; neither passes nor fails. */
  status: 'ok' | 'FAIL' | 'skip';
  /** Why, in one line. Never a password or a session id. */
  reason: string;
  details?: string[];
}

const NAME_WIDTH = 8;

export function formatResult(result: CheckResult): string {
  const head = `${result.status.padEnd(5)} ${result.name.padEnd(NAME_WIDTH)} ${result.reason}\n`;
  return head + (result.details ?? []).map((line) => `${' '.repeat(6 + NAME_WIDTH + 1)}${line}\n`).join('');
}

export function formatSummary(results: readonly CheckResult[]): string {
  const ok = results.filter((r) => r.status === 'ok').length;
  const failed = results.filter((r) => r.status === 'FAIL').length;
  const skipped = results.length - ok - failed;
  const skip = skipped > 0 ? `, ${skipped} skipped` : '';
  if (failed === 0) return `all ${ok} checks passed${skip}\n`;
  return `${failed} of ${results.length} checks failed (${ok} ok${skip})\n`;
}

/** A URL for display: user name and password removed. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      parsed.username = '***';
      parsed.password = '';
    }
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
