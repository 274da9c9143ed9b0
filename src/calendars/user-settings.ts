import type { CalendarBackend } from '../backend/calendar-backend.js';
import { GatewayError, isGatewayError } from '../model/errors.js';
import type { BackendCredentials } from '../model/session.js';

/**
 * A user's WCAP settings — the subscribed calendars and the preferences set through set_userprefs —
 * kept on the CalDAV server as two dead properties of the user's calendar home
 * (docs/wcap-protocol.md#subscriptions-and-preferences). Nothing is cached: every read asks the
 * server, so a change shows at once on every replica and survives restarts and a Redis loss.
 * Values are JSON text, which every server stores as given.
 */

/** Dead property holding the subscribed calids: a JSON array of strings. */
export const SUBSCRIPTIONS_PROPERTY = 'subscribed-calendars';
/** Dead property holding the preferences: a JSON object, name → array of values. */
export const PREFERENCES_PROPERTY = 'user-preferences';

/** Most calendars one user may subscribe to. */
export const MAX_SUBSCRIPTIONS = 500;
/** Most preferences one user may set, values of one preference, and the longest name and value. */
export const PREFERENCE_LIMITS = { count: 100, values: 20, nameLength: 64, valueLength: 1024 } as const;

/** Preferences by name; each has one or more values (LDAP's model, which Sun's preferences were). */
export type Preferences = Record<string, string[]>;

export interface StoredSettings {
  /** The subscribed calids; undefined when the user never changed subscriptions. */
  subscriptions?: string[];
  preferences: Preferences;
}

export class UserSettings {
  constructor(
    private readonly backend: CalendarBackend,
    private readonly credentials: BackendCredentials,
    private readonly homeUrl: string,
  ) {}

  /** Both properties in one Depth 0 PROPFIND of the home. Values that are not what this code writes are ignored. */
  async read(): Promise<StoredSettings> {
    const found = await this.backend.readGatewayProperties(this.credentials, this.homeUrl, [SUBSCRIPTIONS_PROPERTY, PREFERENCES_PROPERTY]);
    const subscriptions = parseSubscriptions(found[SUBSCRIPTIONS_PROPERTY]);
    return { ...(subscriptions ? { subscriptions } : {}), preferences: parsePreferences(found[PREFERENCES_PROPERTY]) };
  }

  /** One PROPPATCH of the subscription list. Throws GatewayError 'invalid' beyond {@link MAX_SUBSCRIPTIONS}. */
  async writeSubscriptions(calids: readonly string[]): Promise<void> {
    if (calids.length > MAX_SUBSCRIPTIONS) throw new GatewayError('invalid', `At most ${MAX_SUBSCRIPTIONS} calendars can be subscribed`);
    await this.write({ [SUBSCRIPTIONS_PROPERTY]: JSON.stringify(calids) });
  }

  /** One PROPPATCH of the preferences (removed when empty). Throws GatewayError 'invalid' beyond the limits. */
  async writePreferences(preferences: Preferences): Promise<void> {
    checkPreferences(preferences);
    const value = Object.keys(preferences).length === 0 ? null : JSON.stringify(preferences);
    await this.write({ [PREFERENCES_PROPERTY]: value });
  }

  /**
   * A refusal here is about the home, not a calendar: it becomes 'invalid' with a message saying so,
   * which the command answers with its own errno (73, 74, 26) instead of a calendar's 28.
   */
  private async write(values: Record<string, string | null>): Promise<void> {
    try {
      await this.backend.writeGatewayProperties(this.credentials, this.homeUrl, values);
    } catch (err) {
      if (!isGatewayError(err, 'forbidden')) throw err;
      throw new GatewayError('invalid', "The CalDAV server does not let the gateway keep settings on the user's calendar home", { cause: err });
    }
  }
}

function checkPreferences(preferences: Preferences): void {
  const names = Object.keys(preferences);
  if (names.length > PREFERENCE_LIMITS.count) throw new GatewayError('invalid', `At most ${PREFERENCE_LIMITS.count} preferences can be set`);
  for (const name of names) {
    const values = preferences[name]!;
    if (name.length > PREFERENCE_LIMITS.nameLength) throw new GatewayError('invalid', `A preference name is longer than ${PREFERENCE_LIMITS.nameLength} characters`);
    if (values.length > PREFERENCE_LIMITS.values) throw new GatewayError('invalid', `Preference ${name} has more than ${PREFERENCE_LIMITS.values} values`);
    if (values.some((v) => v.length > PREFERENCE_LIMITS.valueLength)) {
      throw new GatewayError('invalid', `A value of preference ${name} is longer than ${PREFERENCE_LIMITS.valueLength} characters`);
    }
  }
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined || text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function parseSubscriptions(text: string | undefined): string[] | undefined {
  const value = parseJson(text);
  if (!Array.isArray(value)) return undefined;
  return value.filter((v): v is string => typeof v === 'string').slice(0, MAX_SUBSCRIPTIONS);
}

function parsePreferences(text: string | undefined): Preferences {
  const value = parseJson(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const preferences: Preferences = {};
  for (const [name, values] of Object.entries(value).slice(0, PREFERENCE_LIMITS.count)) {
    if (!Array.isArray(values)) continue;
    const strings = values.filter((v): v is string => typeof v === 'string').slice(0, PREFERENCE_LIMITS.values);
    if (strings.length > 0) preferences[name] = strings;
  }
  return preferences;
}
