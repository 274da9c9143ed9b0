import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, localService, onPath, type LocalService } from './services.js';

/**
 * Xandikos (Debian `xandikos`, 0.2.8 in bookworm) for the `services` test project: the second
 * CalDAV server the backend contract runs against. It has no authentication and one principal
 * (`/user/`) with one home (`/user/calendars/`) for every request (docs/caldav-servers.md#xandikos-028).
 */

const INSTALL_HINT = 'install it with: sudo apt-get install -y xandikos   (or run: npm run setup)';

/** A Xandikos serving `dir/xandikos` on a free loopback port, answering; `--defaults` creates the home. */
export async function startLocalXandikos(dir: string): Promise<LocalService> {
  if (!onPath('xandikos')) throw new Error(`xandikos not found on PATH; ${INSTALL_HINT}`);
  const port = await freePort();
  const data = join(dir, 'xandikos');
  mkdirSync(data, { recursive: true });
  const url = `http://127.0.0.1:${port}/`;
  return localService('xandikos', ['-d', data, '--defaults', '-l', '127.0.0.1', '-p', String(port)], url, async () => {
    // The home exists once --defaults has run: before that PROPFIND answers 404.
    const res = await fetch(new URL('user/calendars/', url), { method: 'PROPFIND', headers: { Depth: '0' } });
    await res.text();
    return res.status === 207;
  });
}

export function xandikosVersion(): string {
  try {
    return execFileSync('xandikos', ['--version']).toString().trim();
  } catch {
    return 'unknown version';
  }
}
