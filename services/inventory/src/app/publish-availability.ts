import type { Logger } from 'pino';
import { AvailabilityChanged } from '@omni/contracts';
import type { EventData } from '@omni/events';
import { onlineAvailable } from '../domain/atp';
import { availabilityLevel, levelId } from '../domain/levels';
import type { InventoryContext } from './context';
import { storeAvailable, storeLowThreshold } from './queries/availability-query';

type AvailabilityPayload = Omit<EventData<typeof AvailabilityChanged>, 'version'>;

/**
 * AvailabilityChanged, debounced per SKU. Stock changes only mark their SKUs dirty (in memory,
 * after commit); a timer publishes at most once per `availabilityDebounceMs`, computing each dirty
 * SKU's channel availability at that moment, so a burst of reservations becomes one event with the
 * latest numbers. Each publication is its own transaction that bumps the SKU's version (monotonic,
 * consumers drop older ones) and is skipped when nothing visible changed. Dirty marks live in
 * memory; on start every SKU is re-checked against what was last published, so a crash between a
 * change and its publication costs at most a late event, never a lost one.
 */
export class AvailabilityPublisher {
  private readonly dirty = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private running = false;

  constructor(
    private readonly ctx: InventoryContext,
    private readonly log: Logger,
  ) {}

  markDirty(skus: Iterable<string>): void {
    for (const sku of skus) this.dirty.add(sku);
    this.schedule();
  }

  get pending(): number {
    return this.dirty.size;
  }

  async start(): Promise<void> {
    this.running = true;
    const levels = await this.ctx.collections.levels.find({}, { projection: { sku: 1 } });
    this.markDirty(levels.map((l) => l.sku));
  }

  /** Publishes what is still dirty, then stops the timer (before the outbox relay's final flush). */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
  }

  private schedule(): void {
    if (!this.running || this.timer || this.dirty.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush()
        .catch((err: unknown) => this.log.warn({ err }, 'availability publication failed; will retry'))
        .finally(() => this.schedule());
    }, this.ctx.settings.availabilityDebounceMs);
    this.timer.unref();
  }

  /** Publishes every dirty SKU now (the timer calls it; tests may too). Returns how many events. */
  flush(): Promise<number> {
    const run = this.chain.then(() => this.publishDirty());
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async publishDirty(): Promise<number> {
    const skus = [...this.dirty];
    this.dirty.clear();
    let published = 0;
    for (const [i, sku] of skus.entries()) {
      try {
        if (await this.publishOne(sku)) published++;
      } catch (err) {
        for (const left of skus.slice(i)) this.dirty.add(left);
        throw err;
      }
    }
    return published;
  }

  private async publishOne(sku: string): Promise<boolean> {
    const { store, collections: cols } = this.ctx;
    return store.withTransaction(async (session) => {
      const [locations, levels, state] = await Promise.all([
        cols.locations.find({}, { session }),
        cols.levels.find({ sku }, { session }),
        cols.availability.findById(sku, { session }),
      ]);
      const byId = new Map(levels.map((l) => [l._id, l]));
      const online = onlineAvailable(sku, locations, byId);
      const payload: AvailabilityPayload = {
        sku,
        online: { available: online, level: availabilityLevel(online, this.ctx.settings.onlineLowThreshold) },
        stores: locations
          .filter((loc) => loc.type === 'store' && byId.has(levelId(sku, loc._id)))
          .map((loc) => {
            const level = byId.get(levelId(sku, loc._id));
            const available = storeAvailable(loc, level);
            return {
              locationId: loc._id,
              available,
              level: availabilityLevel(available, storeLowThreshold(this.ctx, level)),
            };
          }),
      };
      const fingerprint = JSON.stringify(payload);
      if (state?.fingerprint === fingerprint) return false;
      const version = (state?.version ?? 0) + 1;
      const now = this.ctx.clock().toISOString();
      await cols.availability.replaceOne(
        { _id: sku },
        { _id: sku, version, fingerprint, publishedAt: now },
        { session, upsert: true },
      );
      await this.ctx.events.publish(session, AvailabilityChanged, {
        subject: sku,
        data: { ...payload, version },
      });
      return true;
    });
  }
}
