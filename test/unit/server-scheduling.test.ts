import { describe, expect, it } from 'vitest';
import { schedulingFromDavClasses } from '../../src/scheduling/server-scheduling.js';

const credentials = { user: 'frank', password: 'pw' };

describe('schedulingFromDavClasses', () => {
  it('a server listing calendar-auto-schedule schedules; the answer is asked for once', async () => {
    let asked = 0;
    const scheduling = schedulingFromDavClasses(async () => {
      asked += 1;
      return { status: 200, classes: ['1', '2', '3', 'calendar-access', 'Calendar-Auto-Schedule'] };
    });
    expect(await scheduling.schedulesItself(credentials)).toBe(true);
    expect(await scheduling.schedulesItself(credentials)).toBe(true);
    expect(asked).toBe(1);
  });

  it('calendar-access alone does not schedule (Radicale)', async () => {
    const scheduling = schedulingFromDavClasses(async () => ({ status: 200, classes: ['1', '2', '3', 'calendar-access', 'addressbook'] }));
    expect(await scheduling.schedulesItself(credentials)).toBe(false);
  });

  it('a failed or refused question counts as "does not schedule" for now and is asked again next time', async () => {
    const answers = [new Error('connect ECONNREFUSED'), { status: 401, classes: [] }, { status: 200, classes: ['calendar-auto-schedule'] }];
    const reasons: string[] = [];
    const scheduling = schedulingFromDavClasses(async () => {
      const next = answers.shift()!;
      if (next instanceof Error) throw next;
      return next;
    }, (reason) => reasons.push(reason));
    expect(await scheduling.schedulesItself(credentials)).toBe(false);
    expect(await scheduling.schedulesItself(credentials)).toBe(false);
    expect(await scheduling.schedulesItself(credentials)).toBe(true);
    expect(reasons).toEqual(['connect ECONNREFUSED', 'OPTIONS answered 401']);
  });
});
