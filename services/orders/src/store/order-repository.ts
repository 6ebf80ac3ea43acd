import { TransientTransactionError, type DocumentStore, type Session } from '@omni/store';
import type { Outcome, PendingEvent } from '../domain/outcome';
import type { OrderDoc } from '../domain/types';
import type { OrdersCollections } from './collections';

export type Publisher = (session: Session, event: PendingEvent, orderId: string) => Promise<void>;

/**
 * Every change of an order is read-modify-write in one transaction: load, compute the new document in
 * pure code, replace it guarded by `version` (optimistic concurrency: MongoDB can interleave two
 * transactions' reads; a lost race retries the whole transaction), and write its events to the outbox.
 */
export class OrderRepository {
  constructor(
    private readonly store: DocumentStore,
    private readonly cols: OrdersCollections,
    private readonly publish: Publisher,
    private readonly now: () => Date,
  ) {}

  get(id: string, session?: Session): Promise<OrderDoc | null> {
    return this.cols.orders.findById(id, session ? { session } : {});
  }

  /**
   * Inserts a new order with its events; throws DuplicateKeyError when the id exists already.
   * `alongside` runs in the same transaction (e.g. booking the order's delivery slot): if it throws,
   * nothing is written.
   */
  async insert(
    order: OrderDoc,
    events: PendingEvent[] = [],
    alongside?: (session: Session) => Promise<void>,
  ): Promise<void> {
    await this.store.withTransaction(async (session) => {
      if (alongside) await alongside(session);
      await this.cols.orders.insertOne(order, { session });
      for (const e of events) await this.publish(session, e, order._id);
    });
  }

  /**
   * Applies `change` to the current order. `change` returns null for "nothing to do"; it may run more
   * than once (transaction retries), so it must be pure. Returns the order as stored afterwards, or
   * null when there is no such order.
   */
  async update(
    id: string,
    change: (o: OrderDoc) => Outcome | null,
    session?: Session,
  ): Promise<OrderDoc | null> {
    if (session) return this.updateIn(session, id, change);
    return this.store.withTransaction((s) => this.updateIn(s, id, change));
  }

  private async updateIn(
    session: Session,
    id: string,
    change: (o: OrderDoc) => Outcome | null,
  ): Promise<OrderDoc | null> {
    const current = await this.cols.orders.findById(id, { session });
    if (!current) return null;
    const outcome = change(current);
    if (!outcome) return current;
    const next: OrderDoc = {
      ...outcome.order,
      _id: current._id,
      version: current.version + 1,
      updatedAt: this.now().toISOString(),
    };
    const res = await this.cols.orders.replaceOne({ _id: id, version: current.version }, next, { session });
    if (res.matchedCount === 0) throw new TransientTransactionError(`order ${id} changed concurrently`);
    for (const e of outcome.events ?? []) await this.publish(session, e, id);
    return next;
  }
}
