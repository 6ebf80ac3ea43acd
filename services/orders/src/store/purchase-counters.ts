import { isDuplicateKeyError, type Collection, type Session } from '@omni/store';
import { claimField, counterId, periodKey, type LimitedLine, type PurchaseLimit } from '../domain/purchase-limits';

/** Units of one SKU a customer bought in one period (orders placed here, till sales seen through customers). */
export interface PurchaseCounterDoc {
  /** `<customerId>|<sku>|<period key>` */
  _id: string;
  customerId: string;
  sku: string;
  period: string;
  count: number;
  /** Per claim (hashed order or sale id): its units, so claiming and releasing are idempotent. */
  claims: Record<string, number>;
  updatedAt: string;
  [k: string]: unknown;
}

export type ClaimResult = { ok: true } | { ok: false; sku: string; limit: PurchaseLimit; bought: number };

/**
 * Purchase-limit counters. A claim is one conditional update — `count ≤ limit − qty` and this claim
 * not yet on the counter → `$inc count` and record the claim — so concurrent orders of one customer
 * can never together pass the limit, and a retried claim (saga resumed after a crash) counts once.
 */
export class PurchaseCounters {
  constructor(
    private readonly col: Collection<PurchaseCounterDoc>,
    private readonly clock: () => Date,
  ) {}

  /** Claims every line for `claimId`, or none: a line over its limit releases those claimed before it. */
  async claim(customerId: string, claimId: string, placedAt: string, lines: LimitedLine[]): Promise<ClaimResult> {
    const done: LimitedLine[] = [];
    for (const line of lines) {
      const id = counterId(customerId, line.sku, periodKey(line.limit.period, placedAt));
      await this.ensure(id, customerId, line.sku, periodKey(line.limit.period, placedAt));
      const field = claimField(claimId);
      const claimed = await this.col.findOneAndUpdate(
        { _id: id, count: { $lte: line.limit.qty - line.qty }, [field]: { $exists: false } },
        { $inc: { count: line.qty }, $set: { [field]: line.qty, updatedAt: this.now() } },
      );
      if (!claimed) {
        const current = await this.col.findById(id);
        if (current && Object.hasOwn(current.claims, field.slice('claims.'.length))) {
          done.push(line); // claimed by an earlier attempt of this same order
          continue;
        }
        await this.release(customerId, claimId, placedAt, done);
        return { ok: false, sku: line.sku, limit: line.limit, bought: current?.count ?? 0 };
      }
      done.push(line);
    }
    return { ok: true };
  }

  /** Gives a claim's units back (cancelled or never placed); a claim not on the counter changes nothing. */
  async release(customerId: string, claimId: string, placedAt: string, lines: LimitedLine[]): Promise<void> {
    const field = claimField(claimId);
    for (const line of lines) {
      const id = counterId(customerId, line.sku, periodKey(line.limit.period, placedAt));
      const current = await this.col.findOne({ _id: id, [field]: { $exists: true } });
      if (!current) continue;
      const qty = current.claims[field.slice('claims.'.length)] ?? 0;
      await this.col.updateOne(
        { _id: id, [field]: { $exists: true } },
        { $inc: { count: -qty }, $unset: { [field]: '' }, $set: { updatedAt: this.now() } },
      );
    }
  }

  /**
   * A till sale of a known member: the units were bought, whatever the limit (the till cannot be
   * refused after the fact); counted in every period kind, since orders does not know which one a
   * SKU's limit uses until an order names it. Once per sale (the claim field).
   */
  async recordBought(
    customerId: string,
    claimId: string,
    at: string,
    lines: Array<{ sku: string; qty: number }>,
    session?: Session,
  ): Promise<void> {
    const field = claimField(claimId);
    for (const line of lines) {
      for (const period of ['day', 'week'] as const) {
        const key = periodKey(period, at);
        const id = counterId(customerId, line.sku, key);
        await this.ensure(id, customerId, line.sku, key, session);
        await this.col.updateOne(
          { _id: id, [field]: { $exists: false } },
          { $inc: { count: line.qty }, $set: { [field]: line.qty, updatedAt: this.now() } },
          { session },
        );
      }
    }
  }

  private async ensure(id: string, customerId: string, sku: string, period: string, session?: Session): Promise<void> {
    if (await this.col.findById(id, { session })) return;
    if (session) {
      // In the caller's transaction a duplicate key aborts it; the upsert cannot collide.
      await this.col.updateOne(
        { _id: id },
        { $setOnInsert: { customerId, sku, period, count: 0, claims: {}, updatedAt: this.now() } },
        { session, upsert: true },
      );
      return;
    }
    try {
      await this.col.insertOne({ _id: id, customerId, sku, period, count: 0, claims: {}, updatedAt: this.now() });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err; // a concurrent claim created it
    }
  }

  private now(): string {
    return this.clock().toISOString();
  }
}
