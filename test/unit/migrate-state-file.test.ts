import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyState, loadState, saveState, StateSaver, writtenUids } from '../../src/migrate/state-file.js';

const FROM = 'http://old.test/';
const TO = 'http://new.test/';

describe('migrate state file', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wcap-state-'));
    path = join(dir, 'state.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts empty when there is no file, and reads back what was saved', async () => {
    const state = await loadState(path, FROM, TO);
    expect(state).toEqual(emptyState(FROM, TO));
    const written = writtenUids(state, 'alice', 'alice:work');
    written.add('uid-1');
    written.add('uid-2');
    written.add('uid-1');
    await saveState(path, state);
    const again = await loadState(path, FROM, TO);
    expect(again.users.alice!.calendars['alice:work']!.written).toEqual(['uid-1', 'uid-2']);
    const reread = writtenUids(again, 'alice', 'alice:work');
    expect([reread.has('uid-2'), reread.has('uid-3'), reread.size]).toEqual([true, false, 2]);
  });

  it('writes through a temporary file and leaves no temporary file behind', async () => {
    writeFileSync(path, JSON.stringify(emptyState(FROM, TO)));
    const state = await loadState(path, FROM, TO);
    writtenUids(state, 'bob', 'bob').add('x');
    await saveState(path, state);
    expect(readdirSync(dir)).toEqual(['state.json']);
    expect(JSON.parse(readFileSync(path, 'utf8')).users.bob.calendars.bob.written).toEqual(['x']);
  });

  it('refuses a file that is not a state, or belongs to another pair of servers', async () => {
    writeFileSync(path, '{"version":1');
    await expect(loadState(path, FROM, TO)).rejects.toThrow('is not JSON');
    writeFileSync(path, JSON.stringify({ version: 2, from: FROM, to: TO, users: {} }));
    await expect(loadState(path, FROM, TO)).rejects.toThrow('is not a migration state');
    writeFileSync(path, JSON.stringify({ version: 1, from: FROM, to: TO, users: { a: { calendars: { a: { written: [1] } } } } }));
    await expect(loadState(path, FROM, TO)).rejects.toThrow('is not a migration state');
    writeFileSync(path, JSON.stringify(emptyState('http://other.test/', TO)));
    await expect(loadState(path, FROM, TO)).rejects.toThrow('belongs to a migration from http://other.test/');
  });

  it('saver: saves every n writes and on flush, never in a dry run', async () => {
    const state = emptyState(FROM, TO);
    const written = writtenUids(state, 'alice', 'alice');
    const saver = new StateSaver(path, state, 2, true);
    written.add('a');
    await saver.noteWrite();
    await expect(loadState(path, FROM, TO)).resolves.toEqual(emptyState(FROM, TO));
    written.add('b');
    await saver.noteWrite();
    expect((await loadState(path, FROM, TO)).users.alice!.calendars.alice!.written).toEqual(['a', 'b']);
    written.add('c');
    await saver.noteWrite();
    await saver.flush();
    expect((await loadState(path, FROM, TO)).users.alice!.calendars.alice!.written).toEqual(['a', 'b', 'c']);

    const dryPath = join(dir, 'dry.json');
    const dry = new StateSaver(dryPath, state, 1, false);
    await dry.noteWrite();
    await dry.flush();
    expect(readdirSync(dir)).not.toContain('dry.json');
  });
});
