import { afterEach, describe, expect, it, vi } from 'vitest';
import { idTime, newId } from '../src/ids';

describe('newId', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('makes 26-char URL-safe ids that are unique and strictly increasing within the process', () => {
    const ids = Array.from({ length: 20_000 }, () => newId());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    const sorted = [...ids].sort();
    expect(sorted).toEqual(ids);
  });

  it('encodes the creation time and keeps ordering when the clock steps back', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2030-01-02T03:04:05.678Z'));
    const a = newId();
    expect(idTime(a)).toBe(Date.parse('2030-01-02T03:04:05.678Z'));
    vi.setSystemTime(new Date('2030-01-02T03:04:05.000Z'));
    const b = newId();
    expect(b > a).toBe(true);
    vi.setSystemTime(new Date('2030-01-02T03:04:06.000Z'));
    const c = newId();
    expect(c > b).toBe(true);
    expect(idTime(c)).toBe(Date.parse('2030-01-02T03:04:06.000Z'));
  });
});
