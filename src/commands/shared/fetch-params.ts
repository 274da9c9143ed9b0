import { p } from '../../wcap/params.js';

/** Output-shaping parameters every fetch accepts (wcap-protocol.md §2 "all fetch params"). */
export const fetchOutputParams = {
  calid: p.list(),
  emailorcalid: p.flag(false),
  /** Accepted; the gateway always returns master plus exceptions until expansion exists. */
  recurring: p.flag(true),
  compressed: p.flag(true),
  relativealarm: p.flag(true),
  tzid: p.string(),
};

export type ComponentTypeFilter = 'event' | 'todo' | 'all';

/** `component-type`: event, todo or all; anything else means all (wcap-protocol.md §2). */
export const componentTypeParam = p.oneOf(['event', 'todo', 'all'] as const, { fallback: 'all', lenient: 'all' });

export function typesOf(filter: ComponentTypeFilter | undefined): Array<'VEVENT' | 'VTODO'> {
  if (filter === 'event') return ['VEVENT'];
  if (filter === 'todo') return ['VTODO'];
  return ['VEVENT', 'VTODO'];
}
