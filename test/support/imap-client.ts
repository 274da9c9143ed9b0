import { connect } from 'node:net';

/** A minimal IMAP client for test set-up on loopback (LOGIN, a few commands, LOGOUT). */
export interface ImapSession {
  /** Sends one tagged command; rejects unless the server answers OK. */
  command(text: string): Promise<string>;
  close(): Promise<void>;
}

const ANSWER_TIMEOUT_MS = 10_000;

export async function imapSession(port: number, user: string, password: string): Promise<ImapSession> {
  const socket = connect(port, '127.0.0.1');
  let buffer = '';
  let waiter: (() => void) | undefined;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    waiter?.();
  });
  socket.on('error', () => waiter?.());
  let tag = 0;

  /** Resolves with the text up to and including the first line matching `done`. */
  const readUntil = (done: RegExp): Promise<string> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`IMAP: no answer within ${ANSWER_TIMEOUT_MS} ms`)), ANSWER_TIMEOUT_MS);
      const check = () => {
        const lines = buffer.split('\r\n');
        const index = lines.findIndex((line) => done.test(line));
        if (index >= 0) {
          clearTimeout(timer);
          waiter = undefined;
          const taken = lines.slice(0, index + 1).join('\r\n');
          buffer = lines.slice(index + 1).join('\r\n');
          resolve(taken);
        } else if (socket.destroyed) {
          clearTimeout(timer);
          reject(new Error('IMAP: connection closed'));
        }
      };
      waiter = check;
      check();
    });

  const command = async (text: string): Promise<string> => {
    const t = `t${++tag}`;
    socket.write(`${t} ${text}\r\n`);
    const answer = await readUntil(new RegExp(`^${t} `));
    const last = answer.split('\r\n').at(-1) ?? '';
    if (!last.startsWith(`${t} OK`)) throw new Error(`IMAP ${text.split(' ')[0]} failed: ${last}`);
    return answer;
  };

  await readUntil(/^\* OK/);
  await command(`LOGIN "${user}" "${password}"`);
  return {
    command,
    async close() {
      await command('LOGOUT').catch(() => undefined);
      socket.destroy();
    },
  };
}
