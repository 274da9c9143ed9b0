import { readFileSync, writeFileSync } from 'node:fs';
import { setCalendarAcl } from './cyrus.js';
import type { TestServer } from './test-servers.js';

/**
 * Gives `reader` read access to `owner`'s calendar `calendar` directly on the server, the way its
 * administrator would, and takes it back. Radicale: a rule above the owner rules in its rights
 * file (re-read on every request). Cyrus: the IMAP ACL of the calendar's mailbox (`lrs9`: see,
 * read, keep seen state, read free/busy).
 */
export async function grantRead(server: TestServer, owner: string, calendar: string, reader: string): Promise<void> {
  if (server.kind === 'radicale') {
    const file = server.rightsFile!;
    const rule = [`[share-${reader}-${owner}]`, `user: ${reader}`, `collection: ${owner}/${calendar}`, 'permissions: r', ''].join('\n');
    writeFileSync(file, `${rule}\n${withoutShares(readFileSync(file, 'utf8'))}`);
    return;
  }
  if (server.kind !== 'cyrus') throw new Error(`${server.name} has no access rights to grant (limits.noOtherUsers)`);
  await setCalendarAcl(server.imapPort!, owner, calendar, reader, 'lrs9');
}

export async function revokeRead(server: TestServer, owner: string, calendar: string, reader: string): Promise<void> {
  if (server.kind === 'radicale') {
    const file = server.rightsFile!;
    writeFileSync(file, withoutShares(readFileSync(file, 'utf8')));
    return;
  }
  if (server.kind !== 'cyrus') throw new Error(`${server.name} has no access rights to revoke (limits.noOtherUsers)`);
  await setCalendarAcl(server.imapPort!, owner, calendar, reader, '');
}

/**
 * The rights file without the sections grantRead added (`[share-…]`); every other section stays,
 * the suite-wide sharing rules of services.ts (SHARING_RIGHTS) included, which other test files
 * rely on whatever order the files run in.
 */
function withoutShares(text: string): string {
  const sections = text.split(/\n(?=\[)/);
  return sections.filter((section) => !section.startsWith('[share-')).join('\n');
}
