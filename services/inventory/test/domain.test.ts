import { describe, expect, it } from 'vitest';
import { onlineAvailable, rankFulfillmentLocations } from '../src/domain/atp';
import { haversineKm } from '../src/domain/geo';
import { compareWithLedger, foldMovements } from '../src/domain/ledger';
import { availabilityLevel, levelFlags, levelId, reservedShortfall } from '../src/domain/levels';
import { normaliseLines, sameLines, subtractLines } from '../src/domain/lines';
import { suggestReplenishment } from '../src/domain/replenishment';
import {
  assertCommittable,
  assertSameReserveRequest,
  coverShortfall,
  planRelease,
} from '../src/domain/reservation';
import { addRange, planSequence, removeFromRanges } from '../src/domain/sequence';
import type { LocationDoc, ReservationDoc, StockLevelDoc } from '../src/domain/types';

const reservation = (over: Partial<ReservationDoc> = {}): ReservationDoc => ({
  _id: 'r1',
  locationId: 'S1',
  channel: 'online',
  requested: [
    { sku: 'A', qty: 2 },
    { sku: 'B', qty: 1 },
  ],
  lines: [
    { sku: 'A', qty: 2 },
    { sku: 'B', qty: 1 },
  ],
  status: 'active',
  version: 1,
  expiresAt: '2025-03-01T10:15:00.000Z',
  createdAt: '2025-03-01T10:00:00.000Z',
  createdSeq: '01',
  updatedAt: '2025-03-01T10:00:00.000Z',
  releaseOps: [],
  ...over,
});

const level = (
  sku: string,
  locationId: string,
  onHand: number,
  reserved = 0,
  safetyStock = 0,
): StockLevelDoc => ({
  _id: levelId(sku, locationId),
  sku,
  locationId,
  onHand,
  reserved,
  safetyStock,
  reorderPoint: 0,
  available: onHand - reserved - safetyStock,
  lowStockAlerted: false,
  version: 1,
  updatedAt: '',
});

const location = (id: string, over: Partial<LocationDoc> = {}): LocationDoc => ({
  _id: id,
  name: id,
  type: 'store',
  address: { lines: ['x'], city: 'x', postalCode: '1', country: 'DE' },
  geo: { lat: 52.52, lng: 13.405 },
  openingHours: [],
  capabilities: ['pickup'],
  status: 'active',
  createdAt: '',
  updatedAt: '',
  version: 1,
  ...over,
});

describe('lines', () => {
  it('merges repeated SKUs and orders by SKU, so retries in another order are the same request', () => {
    expect(
      normaliseLines([
        { sku: 'B', qty: 1 },
        { sku: 'A', qty: 2 },
        { sku: 'B', qty: 3 },
      ]),
    ).toEqual([
      { sku: 'A', qty: 2 },
      { sku: 'B', qty: 4 },
    ]);
    expect(
      sameLines(
        [
          { sku: 'A', qty: 1 },
          { sku: 'B', qty: 1 },
        ],
        [
          { sku: 'B', qty: 1 },
          { sku: 'A', qty: 1 },
        ],
      ),
    ).toBe(true);
    expect(sameLines([{ sku: 'A', qty: 1 }], [{ sku: 'A', qty: 2 }])).toBe(false);
  });

  it('subtracts per SKU and refuses to go below zero', () => {
    expect(
      subtractLines(
        [
          { sku: 'A', qty: 2 },
          { sku: 'B', qty: 1 },
        ],
        [{ sku: 'A', qty: 2 }],
      ),
    ).toEqual([{ sku: 'B', qty: 1 }]);
    expect(subtractLines([{ sku: 'A', qty: 2 }], [{ sku: 'A', qty: 3 }])).toBeNull();
    expect(subtractLines([{ sku: 'A', qty: 2 }], [{ sku: 'C', qty: 1 }])).toBeNull();
  });
});

describe('reservation lifecycle', () => {
  it('treats a retry with the same lines as the same reservation and other lines as a conflict', () => {
    expect(() =>
      assertSameReserveRequest(reservation(), 'S1', [
        { sku: 'B', qty: 1 },
        { sku: 'A', qty: 2 },
      ]),
    ).not.toThrow();
    expect(() => assertSameReserveRequest(reservation(), 'S1', [{ sku: 'A', qty: 3 }])).toThrow(
      /other lines/,
    );
    expect(() => assertSameReserveRequest(reservation(), 'S2', reservation().requested)).toThrow(
      /other lines/,
    );
  });

  it('plans full, partial, repeated and illegal releases', () => {
    expect(planRelease(reservation(), undefined, 'all')).toEqual({
      kind: 'release',
      released: reservation().lines,
      remaining: [],
      partial: false,
    });
    expect(planRelease(reservation(), [{ sku: 'A', qty: 1 }], 'op1')).toEqual({
      kind: 'release',
      released: [{ sku: 'A', qty: 1 }],
      remaining: [
        { sku: 'A', qty: 1 },
        { sku: 'B', qty: 1 },
      ],
      partial: true,
    });
    expect(planRelease(reservation({ releaseOps: ['op1'] }), [{ sku: 'A', qty: 1 }], 'op1')).toEqual({
      kind: 'noop',
    });
    expect(planRelease(reservation({ status: 'expired', lines: [] }), undefined, 'all')).toEqual({
      kind: 'noop',
    });
    expect(() => planRelease(reservation({ status: 'committed' }), undefined, 'all')).toThrow(/committed/);
    expect(() => planRelease(reservation(), [{ sku: 'A', qty: 5 }], 'op2')).toThrow(
      /more than is still reserved/,
    );
    expect(() =>
      planRelease(reservation({ status: 'released', lines: [] }), [{ sku: 'A', qty: 1 }], 'op3'),
    ).toThrow(/released/);
  });

  it('commits only active reservations before their expiry; a repeated commit is recognised', () => {
    const now = new Date('2025-03-01T10:05:00.000Z');
    expect(assertCommittable(reservation(), now)).toBe('commit');
    expect(assertCommittable(reservation({ status: 'committed' }), now)).toBe('already-committed');
    expect(() => assertCommittable(reservation({ status: 'expired' }), now)).toThrow(/expired/);
    expect(() => assertCommittable(reservation(), new Date('2025-03-01T10:15:00.000Z'))).toThrow(
      /expired at/,
    );
  });

  it('names reservations at risk newest first until the shortfall is covered', () => {
    const newestFirst = [
      { reservationId: 'r3', qty: 2 },
      { reservationId: 'r2', qty: 5 },
      { reservationId: 'r1', qty: 4 },
    ];
    expect(coverShortfall(4, newestFirst)).toEqual([
      { reservationId: 'r3', qty: 2 },
      { reservationId: 'r2', qty: 2 },
    ]);
    expect(coverShortfall(0, newestFirst)).toEqual([]);
    expect(coverShortfall(100, newestFirst).map((h) => h.reservationId)).toEqual(['r3', 'r2', 'r1']);
  });
});

describe('POS sequencing', () => {
  const cursor = { lastSeq: 3, skipped: [] };

  it('applies in sequence order and holds ops after a gap, reporting the gap', () => {
    const plan = planSequence(
      cursor,
      [],
      [
        { id: 'e', seq: 5 },
        { id: 'd', seq: 4 },
        { id: 'g', seq: 7 },
      ],
      false,
    );
    expect(plan.apply).toEqual(['d', 'e']);
    expect(plan.held).toEqual(['g']);
    expect(plan.gaps).toEqual([{ from: 6, to: 6 }]);
    expect(plan.lastSeq).toBe(5);
  });

  it('releases held ops when the gap is filled', () => {
    const plan = planSequence(
      { lastSeq: 5, skipped: [] },
      [{ id: 'g', seq: 7 }],
      [{ id: 'f', seq: 6 }],
      false,
    );
    expect(plan.apply).toEqual(['f', 'g']);
    expect(plan.gaps).toEqual([]);
    expect(plan.lastSeq).toBe(7);
  });

  it('forces past gaps, remembers them, and still applies a late op for a skipped number', () => {
    const forced = planSequence(cursor, [{ id: 'h', seq: 9 }], [{ id: 'f', seq: 6 }], true);
    expect(forced.apply).toEqual(['f', 'h']);
    expect(forced.skipped).toEqual([
      { from: 4, to: 5 },
      { from: 7, to: 8 },
    ]);
    expect(forced.lastSeq).toBe(9);
    const late = planSequence(
      { lastSeq: 9, skipped: forced.skipped },
      [],
      [
        { id: 'd', seq: 4 },
        { id: 'x', seq: 6 },
      ],
      false,
    );
    expect(late.apply).toEqual(['d']);
    expect(late.rejected.get('x')).toBe('seq-already-used');
    expect(late.skipped).toEqual([
      { from: 5, to: 5 },
      { from: 7, to: 8 },
    ]);
  });

  it('rejects a second op for a sequence number that is taken', () => {
    const plan = planSequence(
      cursor,
      [{ id: 'held7', seq: 7 }],
      [
        { id: 'other7', seq: 7 },
        { id: 'a', seq: 8 },
        { id: 'b', seq: 8 },
      ],
      false,
    );
    expect(plan.rejected.get('other7')).toBe('seq-conflict');
    expect(plan.rejected.get('b')).toBe('seq-conflict');
    expect(plan.held).toEqual(['held7', 'a']);
  });

  it('keeps ranges consistent', () => {
    expect(removeFromRanges([{ from: 1, to: 3 }], 2)).toEqual([
      { from: 1, to: 1 },
      { from: 3, to: 3 },
    ]);
    expect(removeFromRanges([{ from: 1, to: 1 }], 1)).toEqual([]);
    expect(addRange([{ from: 5, to: 6 }], { from: 1, to: 2 })).toEqual([
      { from: 1, to: 2 },
      { from: 5, to: 6 },
    ]);
    expect(addRange([], { from: 3, to: 2 })).toEqual([]);
  });
});

describe('levels and ledger', () => {
  it('flags explained exceptional states and measures the reserved shortfall', () => {
    expect(levelFlags({ onHand: 5, reserved: 2 })).toEqual([]);
    expect(levelFlags({ onHand: 1, reserved: 3 })).toEqual(['reserved-exceeds-on-hand']);
    expect(levelFlags({ onHand: -2, reserved: 1 })).toEqual(['negative-on-hand', 'reserved-exceeds-on-hand']);
    expect(reservedShortfall({ onHand: -2, reserved: 3 })).toBe(3);
    expect(reservedShortfall({ onHand: 1, reserved: 3 })).toBe(2);
  });

  it('reports every level that differs from the replayed ledger', () => {
    const movements = [
      { sku: 'A', locationId: 'S1', onHandDelta: 10, reservedDelta: 0 },
      { sku: 'A', locationId: 'S1', onHandDelta: 0, reservedDelta: 3 },
      { sku: 'A', locationId: 'S1', onHandDelta: -3, reservedDelta: -3 },
      { sku: 'B', locationId: 'S1', onHandDelta: 4, reservedDelta: 0 },
    ];
    const totals = foldMovements(movements);
    expect(compareWithLedger([level('A', 'S1', 7), level('B', 'S1', 4)], totals)).toEqual([]);
    const drifted = { ...level('A', 'S1', 7, 1), available: 7 };
    expect(compareWithLedger([drifted], totals)).toEqual([
      { sku: 'A', locationId: 'S1', field: 'reserved', expected: 0, actual: 1 },
      { sku: 'A', locationId: 'S1', field: 'available', expected: 6, actual: 7 },
      { sku: 'B', locationId: 'S1', field: 'level-missing', expected: 4, actual: 0 },
    ]);
  });

  it('words availability for storefronts', () => {
    expect(availabilityLevel(0, 5)).toBe('out');
    expect(availabilityLevel(-3, 5)).toBe('out');
    expect(availabilityLevel(5, 5)).toBe('low');
    expect(availabilityLevel(6, 5)).toBe('in_stock');
  });

  it('suggests replenishment from the location with the largest surplus', () => {
    const s = suggestReplenishment({ locationId: 'S1', available: 2, reorderPoint: 5 }, [
      { locationId: 'S1', available: 2, reorderPoint: 5 },
      { locationId: 'S2', available: 9, reorderPoint: 5 },
      { locationId: 'WH1', available: 100, reorderPoint: 20 },
    ]);
    expect(s).toEqual({ suggestedQty: 8, suggestedSourceLocationId: 'WH1' });
    expect(suggestReplenishment({ locationId: 'S1', available: 0, reorderPoint: 0 }, [])).toEqual({
      suggestedQty: 1,
    });
  });
});

describe('ATP and fulfilment ranking', () => {
  const locations = [
    location('WH1', { type: 'warehouse', capabilities: ['ships'], geo: { lat: 52.4, lng: 13.6 } }),
    location('S1', { capabilities: ['pickup', 'local-delivery'], geo: { lat: 52.52, lng: 13.405 } }),
    location('S2', { capabilities: ['local-delivery'], geo: { lat: 52.4986, lng: 13.4033 } }),
    location('S3', { capabilities: ['pickup'], geo: { lat: 53.55, lng: 9.99 }, status: 'paused' }),
  ];
  const levels = new Map(
    [
      level('A', 'WH1', 10),
      level('A', 'S1', 3, 1),
      level('A', 'S2', 5),
      level('A', 'S3', 50),
      level('B', 'S2', 1),
      level('B', 'S1', 0, 0),
    ].map((l) => [l._id, l]),
  );

  it('online counts active locations that ship or offer pickup', () => {
    // WH1 ships (10) + S1 pickup (2); S2 only delivers locally; S3 is paused.
    expect(onlineAvailable('A', locations, levels)).toBe(12);
  });

  it('ranks by distance within the radius, with per-line availability and coverage', () => {
    const near = { lat: 52.5, lng: 13.4 };
    const ranked = rankFulfillmentLocations(
      {
        lines: [
          { sku: 'A', qty: 2 },
          { sku: 'B', qty: 1 },
        ],
        capability: 'local-delivery',
        near,
        radiusKm: 10,
        limit: 10,
      },
      locations,
      levels,
    );
    expect(ranked.map((c) => [c.location._id, c.coversAll])).toEqual([
      ['S2', true],
      ['S1', false],
    ]);
    expect(ranked[1]!.available).toEqual([
      { sku: 'A', qty: 2 },
      { sku: 'B', qty: 0 },
    ]);
    const excluded = rankFulfillmentLocations(
      {
        lines: [{ sku: 'A', qty: 1 }],
        capability: 'local-delivery',
        near,
        radiusKm: 3,
        excludeLocationIds: ['S2'],
        limit: 10,
      },
      locations,
      levels,
    );
    expect(excluded.map((c) => c.location._id)).toEqual(['S1']);
  });

  it('measures great-circle distances', () => {
    expect(haversineKm({ lat: 52.52, lng: 13.405 }, { lat: 53.55, lng: 9.99 })).toBeCloseTo(255, -1);
    expect(haversineKm({ lat: 0, lng: 0 }, { lat: 0, lng: 0 })).toBe(0);
  });
});
