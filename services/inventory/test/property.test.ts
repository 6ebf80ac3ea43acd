import { AppError } from '@omni/kit';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReservationDoc, StockLevelDoc } from '../src';
import { seedDemo, startInventory, type Harness } from './harness';

/** mulberry32: a small seeded PRNG, so a failing interleaving can be replayed from its seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    chance: (p: number) => next() < p,
  };
}

const SKUS = ['P1', 'P2'] as const;
const LOCS = ['WH1', 'S1', 'S2'] as const;
const STORES = ['S1', 'S2'] as const;
const actor = { sub: 'prop', role: 'ops' };
const key = (sku: string, loc: string) => `${sku}|${loc}`;

interface ModelReservation {
  id: string;
  loc: string;
  lines: Map<string, number>;
  expiresAt: number;
}

/** What the levels must be, computed independently of the service from the operations it accepted. */
class Model {
  onHand = new Map<string, number>();
  reserved = new Map<string, number>();
  active = new Map<string, ModelReservation>();
  /** Levels a store sale was allowed to take below zero. */
  negativeBySale = new Set<string>();
  get = (m: Map<string, number>, k: string) => m.get(k) ?? 0;
  available = (sku: string, loc: string) =>
    this.get(this.onHand, key(sku, loc)) - this.get(this.reserved, key(sku, loc));
  add(m: Map<string, number>, k: string, d: number) {
    m.set(k, this.get(m, k) + d);
  }
}

async function refusedWith(p: Promise<unknown>): Promise<string | null> {
  try {
    await p;
    return null;
  } catch (err) {
    if (err instanceof AppError) return err.slug;
    throw err;
  }
}

async function checkInvariants(h: Harness, model: Model, step: string) {
  const levels = (await h.svc.store.collection('stock_levels').find({})) as StockLevelDoc[];
  const active = (await h.svc.store
    .collection('reservations')
    .find({ status: 'active' })) as ReservationDoc[];
  for (const level of levels) {
    const k = key(level.sku, level.locationId);
    const where = `${step}: ${k}`;
    expect({ where, onHand: level.onHand, reserved: level.reserved }).toEqual({
      where,
      onHand: model.get(model.onHand, k),
      reserved: model.get(model.reserved, k),
    });
    expect({ where, available: level.available }).toEqual({
      where,
      available: level.onHand - level.reserved - level.safetyStock,
    });
    expect(level.reserved).toBeGreaterThanOrEqual(0);
    if (level.onHand < 0)
      expect({ where, negativeBySale: model.negativeBySale.has(k) }).toEqual({ where, negativeBySale: true });
    // Units reserved without stock are always named on active reservations (never hidden).
    const shortfall = level.reserved - Math.max(level.onHand, 0);
    if (shortfall > 0) {
      const named = active
        .filter((r) => r.locationId === level.locationId)
        .reduce((sum, r) => sum + (r.atRisk?.shortLines.find((l) => l.sku === level.sku)?.qty ?? 0), 0);
      expect({ where, namedAtRisk: named >= shortfall }).toEqual({ where, namedAtRisk: true });
    }
  }
  expect(active.map((r) => r._id).sort()).toEqual([...model.active.keys()].sort());
}

describe('random interleavings keep the invariants and the ledger', () => {
  let h: Harness;
  afterEach(async () => h?.stop());

  for (const seed of [7, 1234, 99_001]) {
    it(`seed ${seed}: reserve/commit/release/expire/pos-sale/transfer`, async () => {
      h = await startInventory();
      const rnd = prng(seed);
      const model = new Model();
      const sku = (s: string) => `${s}-${seed}`;
      const stock = LOCS.flatMap((loc) =>
        SKUS.map((s) => ({ sku: sku(s), locationId: loc, onHand: rnd.int(5, 25) })),
      );
      await seedDemo(h, stock);
      for (const s of stock) model.onHand.set(key(s.sku, s.locationId), s.onHand);
      const posSeq = new Map<string, number>(STORES.map((s) => [s, 0]));
      let counter = 0;

      for (let step = 0; step < 250; step++) {
        const roll = rnd.int(1, 100);
        const label = `seed ${seed} step ${step}`;
        if (roll <= 35) {
          // reserve 1-2 lines at one location
          const loc = rnd.pick(LOCS);
          const lines = new Map<string, number>();
          for (const s of rnd.chance(0.3) ? SKUS : [rnd.pick(SKUS)]) lines.set(sku(s), rnd.int(1, 4));
          const id = `r-${seed}-${++counter}`;
          const ttl = rnd.int(30, 300);
          const fits = [...lines].every(([s, q]) => model.available(s, loc) >= q);
          const refusal = await refusedWith(
            h.svc.inventory.reserve({
              reservationId: id,
              locationId: loc,
              lines: [...lines].map(([s, qty]) => ({ sku: s, qty })),
              ttlSeconds: ttl,
              actor,
            }),
          );
          expect({ label, refusal }).toEqual({ label, refusal: fits ? null : 'insufficient-stock' });
          if (fits) {
            for (const [s, q] of lines) model.add(model.reserved, key(s, loc), q);
            model.active.set(id, { id, loc, lines, expiresAt: h.clock.current.getTime() + ttl * 1000 });
          }
        } else if (roll <= 50 && model.active.size > 0) {
          const r = rnd.pick([...model.active.values()]);
          const live = r.expiresAt > h.clock.current.getTime();
          // The goods leave at commit: it books them even when a store sale took the units (negative on hand).
          const refusal = await refusedWith(h.svc.inventory.commit(r.id, actor));
          expect({ label, refusal }).toEqual({ label, refusal: !live ? 'reservation-expired' : null });
          if (live) {
            for (const [s, q] of r.lines) {
              model.add(model.onHand, key(s, r.loc), -q);
              if (model.get(model.onHand, key(s, r.loc)) < 0) model.negativeBySale.add(key(s, r.loc));
              model.add(model.reserved, key(s, r.loc), -q);
            }
            model.active.delete(r.id);
          }
        } else if (roll <= 62 && model.active.size > 0) {
          const r = rnd.pick([...model.active.values()]);
          const [s, q] = rnd.pick([...r.lines]);
          const partial = rnd.chance(0.5) ? Math.max(1, Math.floor(q / 2)) : 0;
          await h.svc.inventory.release({
            reservationId: r.id,
            ...(partial ? { lines: [{ sku: s, qty: partial }], operationId: `op-${++counter}` } : {}),
            actor,
          });
          const released = partial ? new Map([[s, partial]]) : r.lines;
          for (const [rs, rq] of released) model.add(model.reserved, key(rs, r.loc), -rq);
          if (partial) {
            if (q - partial === 0) r.lines.delete(s);
            else r.lines.set(s, q - partial);
            if (r.lines.size === 0) model.active.delete(r.id);
          } else model.active.delete(r.id);
        } else if (roll <= 72) {
          const now = h.clock.advance(rnd.int(0, 120) * 1000);
          const due = [...model.active.values()].filter((r) => r.expiresAt <= now.getTime());
          expect({ label, expired: await h.svc.inventory.expireDue(now) }).toEqual({
            label,
            expired: due.length,
          });
          for (const r of due) {
            for (const [s, q] of r.lines) model.add(model.reserved, key(s, r.loc), -q);
            model.active.delete(r.id);
          }
        } else if (roll <= 88) {
          // an offline store sale (never refused) or a store receipt
          const store = rnd.pick(STORES);
          const s = sku(rnd.pick(SKUS));
          const sale = rnd.chance(0.8);
          const qty = rnd.int(1, sale ? 6 : 10);
          const seq = posSeq.get(store)! + 1;
          posSeq.set(store, seq);
          const res = await h.svc.inventory.syncPos({
            storeId: store,
            ops: [
              {
                clientOpId: `pos-${seed}-${store}-${seq}`,
                seq,
                type: sale ? 'sale' : 'receipt',
                lines: [{ sku: s, qty }],
              },
            ],
            actor,
          });
          expect(res.results[0]!.status).toBe('applied');
          model.add(model.onHand, key(s, store), sale ? -qty : qty);
          if (model.get(model.onHand, key(s, store)) < 0) model.negativeBySale.add(key(s, store));
        } else {
          // transfer: request + ship (guarded by available) + usually receive, sometimes short
          const from = rnd.pick(LOCS);
          const to = rnd.pick(LOCS.filter((l) => l !== from));
          const s = sku(rnd.pick(SKUS));
          const qty = rnd.int(1, 6);
          const id = `t-${seed}-${++counter}`;
          await h.svc.inventory.requestTransfer({
            transferId: id,
            fromLocationId: from,
            toLocationId: to,
            lines: [{ sku: s, qty }],
            actor,
          });
          const fits = model.available(s, from) >= qty;
          const refusal = await refusedWith(h.svc.inventory.shipTransfer(id, { actor }));
          expect({ label, refusal }).toEqual({ label, refusal: fits ? null : 'insufficient-stock' });
          if (fits) {
            model.add(model.onHand, key(s, from), -qty);
            if (rnd.chance(0.8)) {
              const receivedQty = rnd.chance(0.2) ? qty - 1 : qty;
              await h.svc.inventory.receiveTransfer(id, [{ sku: s, receivedQty }], { actor });
              model.add(model.onHand, key(s, to), receivedQty);
            }
          }
        }
        await checkInvariants(h, model, label);
        if (step % 50 === 49) expect((await h.svc.inventory.reconcile()).differences).toEqual([]);
      }
      const report = await h.svc.inventory.reconcile();
      expect(report.differences).toEqual([]);
      expect(report.ok).toBe(true);
    });
  }
});
