import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { imapSession } from './imap-client.js';
import { freePort } from './services.js';

/**
 * A throw-away Cyrus IMAP with CalDAV (Debian `cyrus-imapd cyrus-caldav sasl2-bin`) on free
 * loopback ports, for the `services` test project. Everything lives in one temporary directory:
 * imapd.conf, cyrus.conf, the partition, the config directory and a sasldb. The facts it is built
 * on are in docs/caldav-servers.md#cyrus.
 */

const CYRUS_BIN = '/usr/lib/cyrus/bin';
/** The IMAP administrator (may set ACLs on any mailbox); never a gateway user. */
export const CYRUS_ADMIN = { user: 'cyrusadmin', password: 'cyrusadmin-test-pw' };
const INSTALL_HINT = 'install them with: sudo apt-get install -y cyrus-imapd cyrus-caldav cyrus-admin sasl2-bin   (or run: npm run setup)';

export interface RunningCyrus {
  /** The HTTP server's root, ending in '/'. */
  url: string;
  imapPort: number;
  stop(): Promise<void>;
}

export interface CyrusOptions {
  /** User name → password; each gets an INBOX (and so a calendar home). */
  users: Record<string, string>;
  /** The mail domain of the gateway: Cyrus schedules only for addresses in it. */
  mailDomain: string;
}

export async function startCyrus(options: CyrusOptions): Promise<RunningCyrus> {
  const missing = ['master', 'httpd', 'imapd'].filter((bin) => !existsSync(join(CYRUS_BIN, bin)));
  if (!existsSync('/usr/sbin/saslpasswd2')) missing.push('saslpasswd2');
  if (missing.length > 0) throw new Error(`Cyrus: ${missing.join(', ')} not found; ${INSTALL_HINT}`);
  if (process.getuid?.() !== 0) {
    // master drops to the `cyrus` user and refuses to start as anyone else.
    throw new Error('Cyrus: the test server must be started as root (its master switches to the cyrus user)');
  }
  const dir = mkdtempSync(join(tmpdir(), 'wcap-cyrus-'));
  const [httpPort, imapPort] = [await freePort(), await freePort()];
  const conf = join(dir, 'imapd.conf');
  mkdirSync(join(dir, 'config'));
  mkdirSync(join(dir, 'spool'));
  writeFileSync(conf, imapdConf(dir, options.mailDomain));
  writeFileSync(join(dir, 'cyrus.conf'), cyrusConf(conf, httpPort, imapPort));
  const users = { ...options.users, [CYRUS_ADMIN.user]: CYRUS_ADMIN.password };
  for (const [user, password] of Object.entries(users)) {
    execFileSync('/usr/sbin/saslpasswd2', ['-p', '-c', '-f', join(dir, 'sasldb2'), '-u', SERVER_NAME, user], { input: password });
  }
  execFileSync('chown', ['-R', 'cyrus:mail', dir]);

  const output: string[] = [];
  const master = spawn(join(CYRUS_BIN, 'master'), ['-D', '-C', conf, '-M', join(dir, 'cyrus.conf'), '-p', join(dir, 'master.pid')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => void output.push(chunk.toString());
  master.stdout?.on('data', keep);
  master.stderr?.on('data', keep);
  const stop = async () => {
    await stopChild(master);
    rmSync(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${httpPort}/`;
  try {
    await waitUntil(async () => (await fetch(url, { method: 'OPTIONS' })).status < 500, master);
    // httpd does not create a user's INBOX, and without one there is no calendar home: one IMAP
    // LOGIN per user creates it (autocreate_quota).
    for (const [user, password] of Object.entries(options.users)) {
      const imap = await imapSession(imapPort, user, password);
      await imap.close();
    }
  } catch (err) {
    await stop();
    // Cyrus logs to syslog only; what master printed is all there is here.
    throw new Error(`Cyrus did not start (http ${url}, imap ${imapPort}): ${String(err)}\n--- master output ---\n${output.join('').slice(-4000)}`);
  }
  return { url, imapPort, stop };
}

/** Cyrus's SASL realm must equal servername. */
const SERVER_NAME = 'localhost';

function imapdConf(dir: string, mailDomain: string): string {
  return [
    `configdirectory: ${join(dir, 'config')}`,
    `partition-default: ${join(dir, 'spool')}`,
    `servername: ${SERVER_NAME}`,
    'sasl_pwcheck_method: auxprop',
    'sasl_auxprop_plugin: sasldb',
    `sasl_sasldb_path: ${join(dir, 'sasldb2')}`,
    'sasl_mech_list: PLAIN LOGIN',
    'allowplaintext: yes',
    `admins: ${CYRUS_ADMIN.user}`,
    'autocreate_quota: 0',
    'unixhierarchysep: no',
    // webdav: Cyrus 3.6 resolves a principal named in an ACL request through the user's WebDAV
    // drive, which only this module creates (at the user's first HTTP login); without it every
    // ACL naming a user is refused (403 recognized-principal). docs/caldav-servers.md#cyrus-imap-36
    'httpmodules: caldav webdav',
    'httpallowcompress: no',
    // Cyrus schedules (RFC 6638) only for calendar user addresses it owns: by default
    // `mailto:<u>@internal`, which no gateway ORGANIZER matches.
    `defaultdomain: ${mailDomain}`,
    `calendar_user_address_set: ${mailDomain}`,
    '',
  ].join('\n');
}

/** master does not pass its -C on: every command needs its own, or it reads /etc/imapd.conf. */
function cyrusConf(conf: string, httpPort: number, imapPort: number): string {
  return [
    'START {',
    `  recover cmd="${CYRUS_BIN}/ctl_cyrusdb -C ${conf} -r"`,
    '}',
    'SERVICES {',
    `  imap cmd="${CYRUS_BIN}/imapd -C ${conf}" listen="127.0.0.1:${imapPort}" prefork=0`,
    `  http cmd="${CYRUS_BIN}/httpd -C ${conf}" listen="127.0.0.1:${httpPort}" prefork=0`,
    '}',
    'EVENTS {',
    '}',
    '',
  ].join('\n');
}

async function waitUntil(check: () => Promise<boolean>, child: ChildProcess, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`master exited with ${child.exitCode}`);
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    await sleep(100);
  }
  throw new Error(`no answer within ${timeoutMs} ms (${String(last)})`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await Promise.race([once(child, 'exit'), sleep(5000, undefined, { ref: false })]);
}

/**
 * Grants `grantee` the IMAP rights `rights` on a user's calendar collection (the mailbox
 * `user.<owner>.#calendars.<calendar>`), as the Cyrus administrator. Rights '' removes the entry.
 */
export async function setCalendarAcl(imapPort: number, owner: string, calendar: string, grantee: string, rights: string): Promise<void> {
  const imap = await imapSession(imapPort, CYRUS_ADMIN.user, CYRUS_ADMIN.password);
  try {
    const mailbox = `user.${owner}.#calendars.${calendar}`;
    if (rights === '') await imap.command(`DELETEACL "${mailbox}" "${grantee}"`);
    else await imap.command(`SETACL "${mailbox}" "${grantee}" "${rights}"`);
  } finally {
    await imap.close();
  }
}
