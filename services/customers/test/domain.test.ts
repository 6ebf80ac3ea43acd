import { describe, expect, it } from 'vitest';
import { identityKey, InvalidIdentityError, normaliseIdentity, resolveClash } from '../src/domain/identity';
import {
  consumeFifo,
  currencyFractionDigits,
  levelFor,
  maxLevel,
  parseLevels,
  pointsForOrder,
  DEFAULT_LEVELS,
  type Lot,
} from '../src/domain/points';
import { chooseSurvivor, mergeAddresses, mergeConsents, type CustomerAddress, type CustomerDoc } from '../src/domain/customer';

describe('identity normalisation', () => {
  it('lower-cases and trims emails, rejects non-addresses', () => {
    expect(normaliseIdentity('email', '  Ann.Lee@Example.COM ')).toBe('ann.lee@example.com');
    for (const bad of ['ann', 'ann@', '@example.com', 'ann@example', 'a b@example.com']) {
      expect(() => normaliseIdentity('email', bad)).toThrow(InvalidIdentityError);
    }
  });

  it('turns phones into + and digits, with 00 prefixes and a default country code for national numbers', () => {
    expect(normaliseIdentity('phone', '+44 (20) 7946-0958')).toBe('+442079460958');
    expect(normaliseIdentity('phone', '0044 20 7946 0958')).toBe('+442079460958');
    expect(normaliseIdentity('phone', '020 7946 0958', { defaultCountryCode: '44' })).toBe('+442079460958');
    expect(() => normaliseIdentity('phone', '020 7946 0958')).toThrow(/country code/);
    expect(() => normaliseIdentity('phone', '+44 12')).toThrow(InvalidIdentityError);
    expect(() => normaliseIdentity('phone', '+44 20 7946 0958 ext 2')).toThrow(InvalidIdentityError);
    expect(() => normaliseIdentity('phone', '+1234567890123456')).toThrow(InvalidIdentityError);
  });

  it('normalises member cards and messaging ids', () => {
    expect(normaliseIdentity('member_card', ' mc-0042 1337 ')).toBe('MC00421337');
    expect(() => normaliseIdentity('member_card', 'x!')).toThrow(InvalidIdentityError);
    expect(normaliseIdentity('messaging', 'LINE:U4af49806Ab')).toBe('line:U4af49806Ab');
    expect(() => normaliseIdentity('messaging', 'U4af49806')).toThrow(InvalidIdentityError);
    expect(identityKey('phone', '+442079460958')).toBe('phone:+442079460958');
  });

  it('decides clashes: verified phones merge, verified beats unverified, everything else conflicts', () => {
    expect(resolveClash('phone', true, true)).toBe('merge');
    expect(resolveClash('email', true, true)).toBe('conflict');
    expect(resolveClash('phone', true, false)).toBe('take_over');
    expect(resolveClash('member_card', true, false)).toBe('take_over');
    expect(resolveClash('phone', false, true)).toBe('conflict');
    expect(resolveClash('phone', false, false)).toBe('conflict');
  });
});

describe('points and levels', () => {
  it('earns per whole currency unit, by the currency minor unit', () => {
    expect(currencyFractionDigits('EUR')).toBe(2);
    expect(currencyFractionDigits('JPY')).toBe(0);
    expect(currencyFractionDigits('KWD')).toBe(3);
    expect(pointsForOrder({ amountMinor: 1299, currency: 'EUR' }, 1)).toBe(12);
    expect(pointsForOrder({ amountMinor: 500, currency: 'JPY' }, 1)).toBe(500);
    expect(pointsForOrder({ amountMinor: 1999, currency: 'KWD' }, 2)).toBe(3);
    expect(pointsForOrder({ amountMinor: -500, currency: 'EUR' }, 1)).toBe(0);
  });

  it('parses and applies level thresholds; the level of a merge is the higher one', () => {
    const levels = parseLevels('gold:5000, basic:0,silver:1000');
    expect(levels.map((l) => l.name)).toEqual(['basic', 'silver', 'gold']);
    expect(levelFor(levels, 0)).toBe('basic');
    expect(levelFor(levels, 999)).toBe('basic');
    expect(levelFor(levels, 1000)).toBe('silver');
    expect(levelFor(levels, 10_000)).toBe('gold');
    expect(maxLevel(DEFAULT_LEVELS, 'silver', 'gold')).toBe('gold');
    expect(maxLevel(DEFAULT_LEVELS, 'gold', 'basic')).toBe('gold');
    expect(() => parseLevels('silver:10')).toThrow(/start at 0/);
    expect(() => parseLevels('basic:0,silver:x')).toThrow(/name:minLifetimePoints/);
    expect(() => parseLevels('basic:0,silver:10,gold:10')).toThrow(/increase/);
  });

  it('consumes lots first-in-first-out by expiry and refuses to overdraw', () => {
    const lots: Lot[] = [
      { _id: 'c', remaining: 50, earnedAt: '2025-03-01T00:00:00.000Z', expiresAt: '2026-03-01T00:00:00.000Z' },
      { _id: 'a', remaining: 30, earnedAt: '2025-01-01T00:00:00.000Z', expiresAt: '2026-01-01T00:00:00.000Z' },
      { _id: 'b', remaining: 0, earnedAt: '2025-02-01T00:00:00.000Z', expiresAt: '2026-02-01T00:00:00.000Z' },
    ];
    expect(consumeFifo(lots, 40)).toEqual([
      { lotId: 'a', take: 30 },
      { lotId: 'c', take: 10 },
    ]);
    expect(consumeFifo(lots, 30)).toEqual([{ lotId: 'a', take: 30 }]);
    expect(() => consumeFifo(lots, 81)).toThrow(/cover 80 of 81/);
  });
});

describe('merging records', () => {
  const t1 = '2025-01-01T00:00:00.000Z';
  const t2 = '2025-06-01T00:00:00.000Z';

  it('keeps a consent only if both records granted it (most restrictive wins)', () => {
    const merged = mergeConsents(
      { marketingEmail: { granted: true, updatedAt: t1 }, marketingSms: { granted: true, updatedAt: t1 } },
      { marketingEmail: { granted: false, updatedAt: t2 }, marketingSms: { granted: true, updatedAt: t2 } },
    );
    expect(merged.marketingEmail).toEqual({ granted: false, updatedAt: t2 });
    expect(merged.marketingSms).toEqual({ granted: true, updatedAt: t2 });
  });

  it('adds the merged record addresses that the survivor does not have', () => {
    const home: CustomerAddress = { id: '1', lines: ['1 High St'], city: 'London', postalCode: 'N1 1AA', country: 'GB' };
    const sameHome: CustomerAddress = { id: '2', label: 'home', lines: ['1  high st'], city: 'london', postalCode: 'n1 1aa', country: 'GB' };
    const work: CustomerAddress = { id: '3', lines: ['9 Low Rd'], city: 'London', postalCode: 'E1 6AN', country: 'GB' };
    expect(mergeAddresses([home], [sameHome, work]).map((a) => a.id)).toEqual(['1', '3']);
  });

  it('lets the older record survive unless told otherwise', () => {
    const rec = (id: string, createdAt: string) => ({ _id: id, createdAt }) as CustomerDoc;
    const old = rec('B', t1);
    const young = rec('A', t2);
    expect(chooseSurvivor(young, old).survivor._id).toBe('B');
    expect(chooseSurvivor(old, young).survivor._id).toBe('B');
    expect(chooseSurvivor(old, young, 'A').survivor._id).toBe('A');
    expect(chooseSurvivor(rec('Y', t1), rec('X', t1)).survivor._id).toBe('X');
  });
});
