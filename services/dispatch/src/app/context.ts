import type { DocumentStore, Session } from '@omni/store';
import type { AuditLog, ServiceEvents } from '@omni/kit';
import type { Logger } from 'pino';
import type { Counter, Histogram } from 'prom-client';
import { RiderBoard } from '../domain/assignment';
import { ZoneMap } from '../domain/zone';
import type { DispatchSettings } from '../settings';
import { riderStateFromDoc, zoneFromDoc, type Collections, type RiderDoc } from '../store/collections';
import type { ServerMessage } from '../http/ws-protocol';

/** Pushes messages to a rider's open WebSocket connections (no-op when none are open). */
export interface RiderPush {
  send(riderId: string, message: ServerMessage): void;
}

export interface DispatchMetrics {
  offers: Counter<'outcome'>;
  noRider: Counter<string>;
  deliveries: Counter<'outcome'>;
  late: Counter<string>;
  storeRejections: Counter<'timedOut'>;
  rankSeconds: Histogram<string>;
}

/** Everything a use case needs. Built once per service instance. */
export interface DispatchContext {
  store: DocumentStore;
  collections: Collections;
  events: Pick<ServiceEvents, 'publish'>;
  audit: AuditLog;
  board: RiderBoard;
  zones: ZoneCache;
  push: RiderPush;
  settings: DispatchSettings;
  clock: () => Date;
  log: Logger;
  metrics: DispatchMetrics;
  /** Runs what a committed transaction left to do outside it (dispatching jobs it made searchable). */
  afterCommit(fx: Effects): Promise<void>;
}

/** Zones are few and read on every job: kept in memory, reloaded after each change. */
export class ZoneCache {
  private map = new ZoneMap([]);
  private loaded: Promise<void> | null = null;
  constructor(private readonly col: Collections) {}
  get current(): ZoneMap {
    return this.map;
  }
  /** Loads once (consumers may start before the service's start hooks run). */
  ensureLoaded(): Promise<void> {
    this.loaded ??= this.reload();
    return this.loaded;
  }
  async reload(): Promise<void> {
    const docs = await this.col.zones.find({ active: true });
    this.map = new ZoneMap(docs.map(zoneFromDoc));
  }
}

/**
 * What a transaction does outside the store once it has committed: refresh riders in the spatial
 * board, push messages to riders, dispatch jobs that became searchable. Collected while the
 * transaction runs (it may be retried, so nothing is applied inside it).
 */
export class Effects {
  readonly riders = new Map<string, RiderDoc>();
  readonly pushes: Array<{ riderId: string; message: ServerMessage }> = [];
  readonly dispatch = new Set<string>();

  rider(doc: RiderDoc | null): void {
    if (doc) this.riders.set(doc._id, doc);
  }
  pushTo(riderId: string, message: ServerMessage): void {
    this.pushes.push({ riderId, message });
  }
  dispatchJob(jobId: string): void {
    this.dispatch.add(jobId);
  }
  reset(): void {
    this.riders.clear();
    this.pushes.length = 0;
    this.dispatch.clear();
  }
  apply(ctx: DispatchContext): void {
    for (const doc of this.riders.values()) ctx.board.upsert(riderStateFromDoc(doc));
    for (const { riderId, message } of this.pushes) ctx.push.send(riderId, message);
  }
}

/** Runs `fn` in a transaction, then applies its effects. */
export async function transact<R>(
  ctx: DispatchContext,
  fn: (session: Session, fx: Effects) => Promise<R>,
): Promise<{ result: R; fx: Effects }> {
  const fx = new Effects();
  const result = await ctx.store.withTransaction(async (session) => {
    fx.reset();
    return fn(session, fx);
  });
  fx.apply(ctx);
  return { result, fx };
}

export const nowMs = (ctx: DispatchContext): number => ctx.clock().getTime();
