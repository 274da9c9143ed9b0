import { describe, expect, it } from 'vitest';
import type { MigrationReport, UserReport } from '../../src/migrate/migration-report.js';
import { hasProblems } from '../../src/migrate/migration-report.js';
import { reportText } from '../../src/migrate/report-text.js';

const user = (report: Partial<UserReport>): UserReport => ({ user: 'jdoe', calendars: [], ...report });

describe('migrate report: subscriptions and preferences', () => {
  it('prints one line for each, naming what was added, kept and skipped', () => {
    const report: MigrationReport = {
      dryRun: false,
      users: [
        user({
          subscriptions: { added: ['jdoe:personal', 'boss'], already: 1, skipped: [{ calid: 'a/b', reason: 'names no calendar on the new server' }] },
          preferences: { added: ['ceBgcolor'], already: ['icsTimezone'], skipped: [{ name: 'ceLong', reason: 'a value longer than 1024 characters' }] },
        }),
      ],
    };
    const text = reportText(report);
    expect(text).toContain(
      "jdoe: subscriptions: 2 added (jdoe:personal, boss), 1 already there, 1 skipped (a/b: names no calendar on the new server); other users' calendars are listed without checking access: one the user cannot read yet answers errno 28 in the client until it is shared on the new server\n",
    );
    expect(text).toContain("jdoe: preferences: 1 added (ceBgcolor), 1 already there and kept (icsTimezone), 1 skipped (ceLong: a value longer than 1024 characters)\n");
    expect(hasProblems(report)).toBe(false);
  });

  it('says "to add" in a dry run and says nothing about access when only own calendars are added', () => {
    const text = reportText({ dryRun: true, users: [user({ subscriptions: { added: ['jdoe'], already: 0, skipped: [] }, preferences: { added: [], already: [], skipped: [] } })] });
    expect(text).toContain('jdoe: subscriptions: 1 to add (jdoe), 0 already there, 0 skipped\n');
    expect(text).toContain("jdoe: preferences: 0 to add, 0 already there and kept, 0 skipped\n");
  });

  it('reports a list that could not be written as a problem of the run', () => {
    const report: MigrationReport = { dryRun: false, users: [user({ subscriptions: { added: [], already: 0, skipped: [], failure: 'new server: refused' } })] };
    expect(reportText(report)).toContain('jdoe: subscriptions: FAILED: new server: refused\n');
    expect(hasProblems(report)).toBe(true);
  });
});
