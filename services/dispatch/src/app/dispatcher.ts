import { iso, riderStateFromDoc } from '../store/collections';
import { nowMs, transact, type DispatchContext, type Effects } from './context';
import { checkSla } from './check-sla';
import { createDeliveryJob, type CreateOutcome, type OrderConfirmedData } from './create-delivery-job';
import { dispatchDue } from './dispatch-due';
import { dispatchJob, type DispatchOutcome } from './dispatch-job';
import { expireOffers } from './respond-to-offer';
import { expireStoreConfirmations } from './store-actions';

export interface TickReport {
  storeConfirmationsExpired: number;
  offersExpired: number;
  dispatched: DispatchOutcome[];
  lateReported: number;
}

/**
 * The time-driven side of dispatch. Every background job is a method taking `now`, so tests drive
 * time explicitly (`await dispatch.tick(t)`) and the service's timers call the same methods.
 */
export class Dispatcher {
  private ticking: Promise<TickReport> | null = null;
  private lastResync = 0;

  constructor(readonly ctx: DispatchContext) {}

  /** Runs every timer once: store-confirm timeouts, offer timeouts, due searches, SLA. */
  tick(now = nowMs(this.ctx)): Promise<TickReport> {
    // One tick at a time: a slow tick is not overlapped by the next timer firing.
    this.ticking ??= this.runTick(now).finally(() => (this.ticking = null));
    return this.ticking;
  }

  /** Resolves when no tick is running (shutdown waits for it). */
  async whenIdle(): Promise<void> {
    await this.ticking?.catch(() => undefined);
  }

  private async runTick(now: number): Promise<TickReport> {
    const storeConfirmationsExpired = await this.expireStoreConfirmations(now);
    const offersExpired = await this.expireOffers(now);
    const dispatched = await this.dispatchDue(now);
    const lateReported = await this.checkSla(now);
    return { storeConfirmationsExpired, offersExpired, dispatched, lateReported };
  }

  expireStoreConfirmations(now = nowMs(this.ctx)): Promise<number> {
    return expireStoreConfirmations(this.ctx, now);
  }
  expireOffers(now = nowMs(this.ctx)): Promise<number> {
    return expireOffers(this.ctx, now);
  }
  dispatchDue(now = nowMs(this.ctx)): Promise<DispatchOutcome[]> {
    return dispatchDue(this.ctx, now);
  }
  checkSla(now = nowMs(this.ctx)): Promise<number> {
    return checkSla(this.ctx, now);
  }
  dispatchJob(jobId: string, now = nowMs(this.ctx)): Promise<DispatchOutcome> {
    return dispatchJob(this.ctx, jobId, now);
  }

  /** Same as consuming `OrderConfirmed` (for load tests that drive the app layer directly). */
  async createJobFromOrder(data: OrderConfirmedData): Promise<CreateOutcome> {
    const { result } = await transact(this.ctx, (session, fx) =>
      createDeliveryJob(this.ctx, session, fx, data),
    );
    return result;
  }

  /** Loads every rider into the spatial board (at start). */
  async loadBoard(): Promise<number> {
    const started = nowMs(this.ctx);
    const riders = await this.ctx.collections.riders.find({});
    for (const doc of riders) this.ctx.board.upsert(riderStateFromDoc(doc));
    this.lastResync = started;
    return riders.length;
  }

  /**
   * Re-reads riders changed since the last pass (by another instance, or by a consumer whose
   * transaction committed after its effects were applied). Older copies never replace newer ones.
   */
  async resyncBoard(): Promise<number> {
    const from = iso(this.lastResync - 5_000);
    this.lastResync = nowMs(this.ctx);
    const changed = await this.ctx.collections.riders.find({ updatedAt: { $gte: from } });
    for (const doc of changed) this.ctx.board.upsert(riderStateFromDoc(doc));
    return changed.length;
  }

  /** Dispatches the jobs a committed transaction made searchable; failures are left to the timer. */
  async afterCommit(fx: Effects): Promise<void> {
    for (const jobId of fx.dispatch) {
      try {
        await dispatchJob(this.ctx, jobId);
      } catch (err) {
        this.ctx.log.warn({ err, jobId }, 'dispatch after commit failed; the timer retries');
      }
    }
  }
}
