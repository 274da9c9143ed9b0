import { describe, expect, it } from 'vitest';
import { calendarChangesOf, changesNothing } from '../../src/wcap/calprops-params.js';
import { WcapError } from '../../src/wcap/wcap-error.js';

const SET_CALPROPS_FAILED = 8;

describe('calendarChangesOf', () => {
  it('maps each parameter onto its property; absent ones stay undefined', () => {
    const request = calendarChangesOf(
      { name: ' Team ', description: 'D', tzid: 'Europe/Berlin', categories: ['a', ' b ', 'a', ''], owners: ['bob'], doublebooking: 0, fbinclude: 1, lang: 'de-CH', charset: 'UTF-8', master: 'mailto:x@example.com' },
      SET_CALPROPS_FAILED,
    );
    expect(request).toEqual({
      changes: {
        displayName: 'Team',
        description: 'D',
        timezone: 'Europe/Berlin',
        settings: { categories: ['a', 'b'], owners: ['bob'], doubleBooking: false, freeBusyInclude: true, language: 'de-CH', charset: 'UTF-8', calmaster: 'x@example.com' },
      },
    });
    expect(changesNothing(calendarChangesOf({}, SET_CALPROPS_FAILED))).toBe(true);
  });

  it('an empty value removes the property', () => {
    expect(calendarChangesOf({ name: '', tzid: '', categories: [], master: '' }, SET_CALPROPS_FAILED).changes).toEqual({
      displayName: null,
      timezone: null,
      settings: { categories: null, calmaster: null },
    });
  });

  it('desc (WCAP 7.0) stands for description; description wins when both are sent', () => {
    expect(calendarChangesOf({ desc: 'seven' }, SET_CALPROPS_FAILED).changes.description).toBe('seven');
    expect(calendarChangesOf({ desc: 'seven', description: 'six' }, SET_CALPROPS_FAILED).changes.description).toBe('six');
  });

  it('reads an ACL and refuses a bad one with the command errno', () => {
    expect(calendarChangesOf({ acl: '@^a^r^g' }, SET_CALPROPS_FAILED).acl).toEqual([{ principal: { kind: 'everyone' }, rights: ['read'], grant: true }]);
    const error = (() => {
      try {
        calendarChangesOf({ acl: '@^a^q^g' }, SET_CALPROPS_FAILED);
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(WcapError);
    expect((error as WcapError).errno).toBe(SET_CALPROPS_FAILED);
    expect((error as WcapError).message).toContain('parameter acl');
  });

  it.each([
    [{ read: '1' }, 'read and write'],
    [{ multiple: '2' }, 'multiple and cal'],
    [{ tzid: 'Nowhere/Land' }, 'tzid'],
    [{ owners: ['a b'] }, 'owners'],
    [{ categories: ['x'.repeat(101)] }, 'categories'],
    [{ description: 'd'.repeat(4097) }, 'description'],
    [{ charset: 'utf 8' }, 'charset'],
  ])('refuses %j', (params, named) => {
    expect(() => calendarChangesOf(params, SET_CALPROPS_FAILED)).toThrow(named);
  });
});
