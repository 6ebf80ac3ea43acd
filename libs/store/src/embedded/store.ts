// The embedded DocumentStore: collections, durability, the writers' lock and transactions.
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  StoreClosedError,
  StoreNotInitialisedError,
  StoreUnavailableError,
  TransientTransactionError,
} from '../errors';
import { FaultSwitch, type FaultOptions } from '../faults';
import { retryBudget, RetrySeries } from '../retry';
import type {
  Collection,
  CollectionSpec,
  Doc,
  DocumentStore,
  IndexSpec,
  Session,
  TransactionOptions,
} from '../port';
import { Mutex } from './lock';
import { Persistence, type CapturedState, type JournalOp } from './persistence';
import { CollectionState } from './collection-state';
import { EmbeddedSession } from './session';
import { type View, readCommitted, SessionView, CommittedView } from './view';
import { EmbeddedCollection } from './collection';

export interface EmbeddedStoreOptions {
  /** Data directory; absent = memory only (tests). */
  dir?: string;
  /** fsync every journal batch: survive power loss, not just kill -9. Default false. */
  fsync?: boolean;
  /** Journal size that triggers a snapshot + new journal. Default 64 MiB. */
  snapshotThresholdBytes?: number;
  /**
   * Fault injection (tests, replica test bed): a share of transactions lose a write conflict at
   * commit, or the store is down for a while (every call fails with StoreUnavailableError). Also
   * switchable at run time through `store.faults`. See faults.ts.
   */
  faults?: FaultOptions;
  /**
   * Fail fast on a write without `{ session }` inside a transaction (it would wait for the
   * transaction forever) and on a nested transaction. Default true. Tracking the running
   * transaction needs an AsyncLocalStorage, which on Node 20 switches on promise hooks for the
   * whole process (3–4 % of the all-in-one runtime's CPU, infra/bench/PROFILE.md); the runtime
   * turns it off, every service's own tests keep it on.
   */
  guardSessions?: boolean;
}

const DEFAULT_SNAPSHOT_THRESHOLD = 64 * 1024 * 1024;
export class EmbeddedStore implements DocumentStore {
  readonly kind = 'embedded' as const;
  private readonly states = new Map<string, CollectionState>();
  private readonly specs = new Map<string, IndexSpec[]>();
  private readonly handles = new Map<string, EmbeddedCollection<Doc>>();
  private readonly listeners = new Map<string, Set<() => void>>();
  /** Writers' lock: held by a transaction for its whole run, taken briefly by single writes meanwhile. */
  private readonly lock = new Mutex();
  /** The transaction whose callback is running in the current async context (deadlock detection). */
  private readonly currentTx: AsyncLocalStorage<EmbeddedSession> | null;
  private persistence: Persistence | null = null;
  private initialising: Promise<void> | null = null;
  private ready = false;
  private closed = false;
  private failure: Error | null = null;
  /** Fault switches (off by default): `store.faults.down(5_000)`, `store.faults.conflictRate = 0.2`. */
  readonly faults: FaultSwitch;

  constructor(private readonly opts: EmbeddedStoreOptions = {}) {
    this.faults = new FaultSwitch(opts.faults);
    this.currentTx = opts.guardSessions === false ? null : new AsyncLocalStorage<EmbeddedSession>();
  }

  collection<T extends Doc = Doc>(spec: CollectionSpec | string): Collection<T> {
    const { name, indexes = [] } = typeof spec === 'string' ? { name: spec } : spec;
    if (this.ready) for (const index of indexes) this.stateOf(name).ensureIndex(index);
    this.specs.set(name, [...(this.specs.get(name) ?? []), ...indexes]);
    let handle = this.handles.get(name);
    if (!handle) {
      handle = new EmbeddedCollection<Doc>(this, name);
      this.handles.set(name, handle);
    }
    return handle as unknown as Collection<T>;
  }

  init(): Promise<void> {
    this.initialising ??= this.recover();
    return this.initialising;
  }

  private async recover(): Promise<void> {
    if (this.opts.dir) {
      const { persistence, state } = await Persistence.open(
        this.opts.dir,
        {
          fsync: this.opts.fsync ?? false,
          snapshotThresholdBytes: this.opts.snapshotThresholdBytes ?? DEFAULT_SNAPSHOT_THRESHOLD,
        },
        () => this.capture(),
      );
      this.persistence = persistence;
      for (const [name, docs] of state) this.states.set(name, new CollectionState(name, docs));
    }
    for (const [name, indexes] of this.specs) {
      const state = this.stateOf(name, true);
      for (const index of indexes) state.ensureIndex(index);
    }
    this.ready = true;
  }

  private capture(): CapturedState {
    return Array.from(this.states, ([name, state]) => [name, Array.from(state.docs.values())]);
  }

  /** @internal */
  stateOf(name: string, initialising = false): CollectionState {
    if (!initialising) this.assertUsable();
    let state = this.states.get(name);
    if (!state) {
      state = new CollectionState(name);
      this.states.set(name, state);
    }
    return state;
  }

  private assertUsable(): void {
    if (this.closed) throw new StoreClosedError();
    if (this.failure) throw this.failure;
    if (this.faults.isDown) throw new StoreUnavailableError('embedded store is down (injected outage)');
    if (!this.ready) throw new StoreNotInitialisedError();
  }

  private sessionOf(session: Session): EmbeddedSession {
    if (!(session instanceof EmbeddedSession) || session.store !== this) {
      throw new TypeError('session does not belong to this store');
    }
    if (session.state !== 'active') {
      throw new Error(
        session.state === 'aborted'
          ? `transaction ${session.id} was aborted by an earlier error: ${String(session.abortReason)}`
          : `transaction ${session.id} has already committed`,
      );
    }
    return session;
  }

  /** @internal */
  readView(session: Session | undefined): View {
    this.assertUsable();
    return session ? new SessionView(this.sessionOf(session)) : readCommitted;
  }

  /**
   * Runs a write. With a session: into its overlay, synchronously (an error aborts the transaction,
   * as in MongoDB). Without: applied to committed data in one synchronous step — atomic whatever
   * the concurrency — after waiting for a running transaction, then journaled before resolving.
   * @internal
   */
  write<R>(session: Session | undefined, apply: (view: View) => R): Promise<R> {
    if (session) {
      this.assertUsable();
      const tx = this.sessionOf(session);
      try {
        // Injected conflict: the write fails as MongoDB's would (WriteConflict, labelled
        // TransientTransactionError) and aborts the transaction; withTransaction retries it.
        if (this.faults.conflict()) throw new TransientTransactionError('write conflict (injected)');
        return Promise.resolve(apply(new SessionView(tx)));
      } catch (err) {
        tx.state = 'aborted';
        tx.abortReason = err;
        return Promise.reject(err);
      }
    }
    if (this.lock.held) return this.writeAfterLock(apply);
    return this.writeNow(apply);
  }

  private async writeAfterLock<R>(apply: (view: View) => R): Promise<R> {
    this.assertUsable();
    const tx = this.currentTx?.getStore();
    if (tx && tx.store === this && tx.state === 'active') {
      throw new Error(
        'a write without { session } inside withTransaction would wait for the transaction forever: pass the session',
      );
    }
    await this.lock.acquire();
    let released = false;
    try {
      const result = this.writeNow(apply);
      this.lock.release();
      released = true;
      return await result;
    } finally {
      if (!released) this.lock.release();
    }
  }

  private writeNow<R>(apply: (view: View) => R): Promise<R> {
    this.assertUsable();
    const view = new CommittedView();
    let result: R;
    try {
      result = apply(view);
    } catch (err) {
      // Ordered multi-writes keep what was applied before the error, as MongoDB does.
      return view.ops.length > 0 ? this.persist(view).then(() => Promise.reject(err)) : Promise.reject(err);
    }
    if (view.ops.length === 0) return Promise.resolve(result);
    return this.persist(view).then(() => result);
  }

  /** Journals the applied ops (synchronously queued, so journal order = apply order), then notifies. */
  private persist(view: { ops: JournalOp[]; inserted: Set<string> }): Promise<void> {
    const durable = this.persistence?.append({ ops: view.ops });
    if (!durable) {
      this.notifyInserts(view.inserted);
      return Promise.resolve();
    }
    return durable.then(
      () => this.notifyInserts(view.inserted),
      (err: Error) => {
        // The write is applied in memory but not durable: stop accepting work (fail-stop).
        this.failure ??= err;
        throw err;
      },
    );
  }

  private notifyInserts(collections: Set<string>): void {
    for (const name of collections) {
      for (const listener of this.listeners.get(name) ?? []) {
        try {
          listener();
        } catch (err) {
          console.error(`store onInsert listener for ${name} failed`, err);
        }
      }
    }
  }

  /**
   * Transactions hold the writers' lock from start to commit: they are serialisable, there are no
   * lost updates and no write conflicts to retry (so TransientTransactionError only comes from `fn`
   * itself, or from the conflict-injecting fault switch, which fails a share of the writes made in
   * transactions the way a contended MongoDB does). Holding it from the start rather than the first write is what makes
   * read-then-write inside a transaction safe; it is cheap because everything inside is in-memory
   * work. Transient conflicts are retried with the same budget as the MongoDB adapter (retry.ts).
   */
  async withTransaction<R>(fn: (session: Session) => Promise<R>, opts?: TransactionOptions): Promise<R> {
    const series = new RetrySeries(retryBudget(opts));
    for (;;) {
      this.assertUsable();
      const outer = this.currentTx?.getStore();
      if (outer && outer.store === this && outer.state === 'active') {
        throw new Error('withTransaction cannot be nested on the same store: use the outer session');
      }
      await this.lock.acquire();
      const session = new EmbeddedSession(this);
      let result: R;
      let committed: Promise<void>;
      try {
        this.assertUsable();
        result = await (this.currentTx ? this.currentTx.run(session, () => fn(session)) : fn(session));
        if (session.state === 'aborted') throw session.abortReason;
        committed = this.commit(session);
      } catch (err) {
        if (session.state === 'active') session.state = 'aborted';
        this.lock.release();
        if (err instanceof TransientTransactionError && (await series.next())) continue;
        throw err;
      }
      this.lock.release();
      await committed;
      return result;
    }
  }

  /** Applies the overlay to committed data in one synchronous step and journals it as one record. */
  private commit(session: EmbeddedSession): Promise<void> {
    const view = { ops: [] as JournalOp[], inserted: new Set<string>() };
    for (const [name, overlay] of session.overlays) {
      const state = this.stateOf(name);
      for (const [id, doc] of overlay.docs) {
        const before = state.docs.get(id);
        if (!doc && !before) continue;
        state.apply(id, before, doc);
        view.ops.push(doc ? { c: name, id, d: doc } : { c: name, id });
      }
      if (overlay.inserted) view.inserted.add(name);
    }
    session.state = 'committed';
    return view.ops.length > 0 ? this.persist(view) : Promise.resolve();
  }

  /** Documents examined by queries on `collection` so far (diagnostics: proves index use). */
  docsExamined(collection: string): number {
    return this.states.get(collection)?.examined ?? 0;
  }

  async ping(): Promise<void> {
    this.assertUsable();
    this.persistence?.check();
  }

  onInsert(collection: string, listener: () => void): () => void {
    let set = this.listeners.get(collection);
    if (!set) {
      set = new Set();
      this.listeners.set(collection, set);
    }
    const own = set;
    const wrapped = (): void => listener();
    own.add(wrapped);
    return () => {
      own.delete(wrapped);
    };
  }

  /** Waits for a running transaction, then flushes the journal and writes a final snapshot. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.lock.acquire();
    this.closed = true;
    this.lock.release();
    await this.persistence?.close();
  }
}

export function createEmbeddedStore(opts: EmbeddedStoreOptions = {}): EmbeddedStore {
  return new EmbeddedStore(opts);
}
