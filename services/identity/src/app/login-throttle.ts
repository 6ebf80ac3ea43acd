import { randomUUID } from 'node:crypto';
import { isDuplicateKeyError, type Collection } from '@omni/store';
import { AppError } from '@omni/kit';
import { penaltyAfter, type BackoffPolicy } from '../domain/backoff';
import type { ThrottleDoc } from '../store/collections';

/** One counter an attempt goes through: the sign-in name (or client id) and the client IP. */
export interface ThrottleGate {
  key: string;
  policy: BackoffPolicy;
  kind: 'account' | 'ip';
}

/** How long one attempt beyond the free budget may hold the gate while its password is checked. */
const HOLD_MS = 15_000;

interface Acquired {
  gate: ThrottleGate;
  /** This attempt's ordinal among the current failures (counted in advance). */
  n: number;
  holdId?: string;
}

/**
 * Failed-attempt counters with backoff and lockout, safe under concurrency: every attempt is
 * counted as a failure *before* the password is checked (one atomic increment), so a burst of
 * parallel guesses cannot all slip through before the first failure is recorded. The first
 * `freeFailures` attempts may run in parallel; beyond them only one attempt at a time holds the
 * gate until the backoff it earns is set. A success resets the account counter; an attempt that
 * turned out not to be a failure (e.g. the TOTP code was not sent yet) is taken back.
 */
export class LoginThrottle {
  constructor(
    private readonly col: Collection<ThrottleDoc>,
    private readonly clock: () => Date,
  ) {}

  /** Throws 423 (account locked) or 429 (backing off) with Retry-After when the attempt must wait. */
  async begin(gates: ThrottleGate[]): Promise<LoginAttempt> {
    const acquired: Acquired[] = [];
    try {
      for (const gate of gates) acquired.push(await this.acquire(gate));
    } catch (err) {
      await new LoginAttempt(this.col, this.clock, acquired).release();
      throw err;
    }
    return new LoginAttempt(this.col, this.clock, acquired);
  }

  /** Ops unlock: forgets the failures of a key. */
  async clear(key: string): Promise<void> {
    await this.col.deleteOne({ _id: key });
  }

  async state(key: string): Promise<ThrottleDoc | null> {
    return this.col.findById(key);
  }

  private async acquire(gate: ThrottleGate): Promise<Acquired> {
    const { key, policy } = gate;
    for (let tries = 0; tries < 4; tries++) {
      const now = this.clock().getTime();
      const doc = await this.col.findById(key);
      if (doc && doc.blockedUntil > now) throw refusal(gate, doc, now);
      if (!doc) {
        try {
          await this.col.insertOne({
            _id: key,
            failures: 1,
            lastFailureAt: now,
            blockedUntil: 0,
            locked: false,
          });
          return { gate, n: 1 };
        } catch (err) {
          if (!isDuplicateKeyError(err)) throw err;
          continue;
        }
      }
      if (doc.failures > 0 && doc.lastFailureAt < now - policy.resetAfterMs) {
        // Old failures are forgotten (only if nobody counted a new one meanwhile).
        await this.col.updateOne(
          { _id: key, lastFailureAt: doc.lastFailureAt, blockedUntil: { $lte: now } },
          { $set: { failures: 0, locked: false } },
        );
      }
      const free = await this.col.findOneAndUpdate(
        { _id: key, failures: { $lt: policy.freeFailures }, blockedUntil: { $lte: now } },
        { $inc: { failures: 1 }, $set: { lastFailureAt: now } },
      );
      if (free) return { gate, n: free.failures };
      const holdId = randomUUID();
      const held = await this.col.findOneAndUpdate(
        { _id: key, failures: { $gte: policy.freeFailures }, blockedUntil: { $lte: now } },
        { $inc: { failures: 1 }, $set: { lastFailureAt: now, blockedUntil: now + HOLD_MS, holdId } },
      );
      if (held) return { gate, n: held.failures, holdId };
    }
    const now = this.clock().getTime();
    const doc = await this.col.findById(key);
    throw refusal(
      gate,
      doc ?? { _id: key, failures: 0, lastFailureAt: now, blockedUntil: now + 1000, locked: false },
      now,
    );
  }
}

function refusal(gate: ThrottleGate, doc: ThrottleDoc, now: number): AppError {
  const retryAfter = String(Math.max(1, Math.ceil((doc.blockedUntil - now) / 1000)));
  if (gate.kind === 'account' && doc.locked) {
    return new AppError(423, 'account_locked', 'Locked', {
      detail: 'Too many failed sign-in attempts: the account is locked for a while',
      extensions: { error: 'account_locked' },
      headers: { 'retry-after': retryAfter },
    });
  }
  return new AppError(429, 'too_many_attempts', 'Too many requests', {
    detail: 'Too many failed sign-in attempts: wait before trying again',
    extensions: { error: 'too_many_attempts' },
    headers: { 'retry-after': retryAfter },
  });
}

/** The outcome of one attempt must be reported exactly once: fail, succeed or release. */
export class LoginAttempt {
  private settled = false;

  constructor(
    private readonly col: Collection<ThrottleDoc>,
    private readonly clock: () => Date,
    private readonly acquired: Acquired[],
  ) {}

  /** Wrong credentials: the counted failure stands and earns its backoff. Returns whether an account got locked. */
  async fail(): Promise<{ locked: boolean }> {
    if (this.settled) return { locked: false };
    this.settled = true;
    const now = this.clock().getTime();
    let locked = false;
    for (const { gate, n, holdId } of this.acquired) {
      const penalty = penaltyAfter(n, gate.policy);
      if (penalty.kind === 'none') {
        if (holdId)
          await this.col.updateOne(
            { _id: gate.key, holdId },
            { $set: { blockedUntil: 0 }, $unset: { holdId: '' } },
          );
        continue;
      }
      const until = now + penalty.ms;
      const isLock = penalty.kind === 'locked';
      if (isLock && gate.kind === 'account') locked = true;
      if (holdId) {
        await this.col.updateOne(
          { _id: gate.key, holdId },
          { $set: { blockedUntil: until, locked: isLock }, $unset: { holdId: '' } },
        );
      } else {
        await this.col.updateOne(
          { _id: gate.key },
          { $max: { blockedUntil: until }, ...(isLock ? { $set: { locked: true } } : {}) },
        );
      }
    }
    return { locked };
  }

  /** Signed in: the account's failures are forgotten; the IP's count for this attempt is taken back. */
  async succeed(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    for (const a of this.acquired) {
      if (a.gate.kind === 'account') {
        await this.col.updateOne(
          { _id: a.gate.key },
          { $set: { failures: 0, blockedUntil: 0, locked: false }, $unset: { holdId: '' } },
        );
      } else await this.takeBack(a);
    }
  }

  /** Neither success nor failure (second factor still to come, account disabled): taken back. */
  async release(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    for (const a of this.acquired) await this.takeBack(a);
  }

  private async takeBack({ gate, holdId }: Acquired): Promise<void> {
    await this.col.updateOne({ _id: gate.key, failures: { $gt: 0 } }, { $inc: { failures: -1 } });
    if (holdId)
      await this.col.updateOne(
        { _id: gate.key, holdId },
        { $set: { blockedUntil: 0 }, $unset: { holdId: '' } },
      );
  }
}
