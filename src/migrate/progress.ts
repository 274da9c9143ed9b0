/**
 * Progress of a migration on stderr: a bar redrawn in place on a terminal, plain lines otherwise
 * (every `every` items and once per calendar), so logs of unattended runs stay readable.
 * Only user names, calids and counts are shown.
 */
export interface Progress {
  calendarStarted(user: string, calid: string, items: number, via: string): void;
  item(): void;
  calendarDone(line: string): void;
  note(line: string): void;
}

const BAR_WIDTH = 30;

export function createProgress(write: (s: string) => void, options: { isTTY: boolean; every: number }): Progress {
  let label = '';
  let total = 0;
  let done = 0;
  let drawn = false;
  const clear = () => {
    if (drawn) write('\r\x1b[2K');
    drawn = false;
  };
  const draw = () => {
    const filled = total === 0 ? BAR_WIDTH : Math.round((done / total) * BAR_WIDTH);
    write(`\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${done}/${total} ${label}`);
    drawn = true;
  };
  return {
    calendarStarted(user, calid, items, via) {
      label = `${user} ${calid}`;
      total = items;
      done = 0;
      if (options.isTTY) draw();
      else write(`${label}: ${items} item${items === 1 ? '' : 's'} read from the old server (${via})\n`);
    },
    item() {
      done += 1;
      if (options.isTTY) draw();
      else if (done % options.every === 0 && done < total) write(`${label}: ${done}/${total} done\n`);
    },
    calendarDone(line) {
      clear();
      write(`${line}\n`);
    },
    note(line) {
      clear();
      write(`${line}\n`);
    },
  };
}
