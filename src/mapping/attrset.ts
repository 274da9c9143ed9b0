import type ICAL from 'ical.js';

/**
 * WCAP `attrset`: how much of each item a fetch returns (docs/wcap-protocol.md#attrset; Sun's
 * definition: https://docs.oracle.com/cd/E19566-01/819-4655/fxyzy/index.html).
 * 0 → uid, dtstart, dtend, summary; 1 → also rrule, class, location and alarms; 2 → everything.
 */
export type Attrset = 0 | 1 | 2;

// RECURRENCE-ID identifies an instance or exception, so it stays at every level; DUE and DURATION
// are a task's and an event's other way of giving the end. Level 1 keeps all recurrence
// properties, not just RRULE: a rule without its EXDATEs would show deleted instances again.
const LEVEL_0 = ['uid', 'recurrence-id', 'dtstart', 'dtend', 'due', 'duration', 'summary'];
const LEVEL_1 = [...LEVEL_0, 'rrule', 'rdate', 'exrule', 'exdate', 'class', 'location'];

/** Removes what the level leaves out (level 1 keeps VALARMs, level 0 no subcomponent). */
export function applyAttrset(item: ICAL.Component, attrset: Attrset): void {
  if (attrset === 2) return;
  const keep = new Set(attrset === 0 ? LEVEL_0 : LEVEL_1);
  for (const property of [...item.getAllProperties()]) {
    if (!keep.has(property.name)) item.removeProperty(property);
  }
  for (const child of [...item.getAllSubcomponents()]) {
    if (attrset === 0 || child.name !== 'valarm') item.removeSubcomponent(child);
  }
}
