import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/model/errors.js';
import { schedulingOfServer } from '../../src/scheduling/server-scheduling.js';

const credentials = { user: 'frank', password: 'pw' };

describe('schedulingOfServer', () => {
  it("passes on the server's answer", async () => {
    expect(await schedulingOfServer(async () => true).schedulesItself(credentials)).toBe(true);
    expect(await schedulingOfServer(async () => false).schedulesItself(credentials)).toBe(false);
  });

  it('a failed question counts as "does not schedule" for now, is reported, and is asked again next time', async () => {
    const answers: Array<boolean | Error> = [new GatewayError('unavailable', 'connect ECONNREFUSED'), true];
    const reasons: string[] = [];
    const scheduling = schedulingOfServer(async () => {
      const next = answers.shift()!;
      if (next instanceof Error) throw next;
      return next;
    }, (reason) => reasons.push(reason));
    expect(await scheduling.schedulesItself(credentials)).toBe(false);
    expect(await scheduling.schedulesItself(credentials)).toBe(true);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toContain('ECONNREFUSED');
  });
});
