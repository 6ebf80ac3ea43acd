import { describe, expect, it } from 'vitest';
import {
  asapSlotFrom,
  asapWindow,
  pickupWindow,
  shipWindow,
  slotStartMs,
  upcomingSlots,
} from '../src/domain/promise';

const at = (iso: string) => Date.parse(iso);
const times = { prepMinutes: 15, asapMarginMinutes: 15 };

describe('the promise model (pure)', () => {
  it('ASAP: by now + prep + trip + margin, rounded up to the minute; it uses the slot it ends in', () => {
    const w = asapWindow(at('2030-01-01T10:50:20Z'), 12.4, times);
    expect(w).toEqual({ kind: 'asap', from: '2030-01-01T10:50:20.000Z', to: '2030-01-01T11:33:00.000Z' });
    expect(asapSlotFrom(w, 60)).toBe('2030-01-01T11:00:00.000Z');
    // ending exactly on a slot boundary belongs to the slot before it
    expect(asapSlotFrom({ ...w, to: '2030-01-01T12:00:00.000Z' }, 60)).toBe('2030-01-01T11:00:00.000Z');
  });

  it('slots start on their length from midnight UTC, after the goods can arrive, within the horizon', () => {
    expect(slotStartMs(at('2030-01-01T10:44:00Z'), 30)).toBe(at('2030-01-01T10:30:00Z'));
    const slots = upcomingSlots(at('2030-01-01T10:50:00Z'), 10, 60, 4, times);
    // earliest arrival 11:15 → the first slot starts at 12:00; the horizon ends at 14:50
    expect(slots.map((s) => s.from)).toEqual([
      '2030-01-01T12:00:00.000Z',
      '2030-01-01T13:00:00.000Z',
      '2030-01-01T14:00:00.000Z',
    ]);
    expect(slots[0]).toEqual({
      kind: 'slot',
      from: '2030-01-01T12:00:00.000Z',
      to: '2030-01-01T13:00:00.000Z',
    });
  });

  it('pickup: ready after the store time; ship: by the end of the next day (UTC)', () => {
    expect(pickupWindow(at('2030-01-01T23:50:00Z'), 30).to).toBe('2030-01-02T00:20:00.000Z');
    expect(shipWindow(at('2030-01-31T23:50:00Z'), 1)).toEqual({
      kind: 'ship',
      from: '2030-01-31T23:50:00.000Z',
      to: '2030-02-01T23:59:59.000Z',
    });
  });
});
