import type { ProductEvent } from '@vsp/schemas';

/**
 * Event times the version encoding can order: from about 1200 BC to the year 33658. The ingress
 * refuses far narrower; a record from another producer outside this is refused as invalid.
 */
export const MIN_EVENT_TIME = -1e14;
export const MAX_EVENT_TIME = 1e15 - 1;

/**
 * An event's version: event time, then event id, as one string whose plain string order is that
 * order, so both sinks compare versions with `<` and PostgreSQL could too. Times at or after 1970
 * are 15 zero-padded digits (the format rows already hold); earlier times start with '-', which
 * sorts before every digit, followed by 14 digits of `time - MIN_EVENT_TIME`, so that among them
 * too a later time is a larger string.
 */
export function versionAt(occurredAt: number, eventId: string): string {
  if (!Number.isInteger(occurredAt) || occurredAt < MIN_EVENT_TIME || occurredAt > MAX_EVENT_TIME) {
    throw new RangeError(`event time ${occurredAt} is outside the range versions can order`);
  }
  const time =
    occurredAt >= 0
      ? String(occurredAt).padStart(15, '0')
      : `-${String(occurredAt - MIN_EVENT_TIME).padStart(14, '0')}`;
  return `${time}|${eventId}`;
}

export function versionOf(event: ProductEvent): string {
  return versionAt(event.occurred_at, event.event_id);
}
