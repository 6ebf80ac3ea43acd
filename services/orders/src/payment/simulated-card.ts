import type { Money } from '../domain/types';
import { PaymentDeclinedError, PaymentUnavailableError, type PaymentProvider } from './port';

export interface SimulatedCardOptions {
  /** Added to every call. */
  latencyMs?: number;
  /** Probability (0..1) that a call fails transiently (before doing anything). */
  failureRate?: number;
  /** Card tokens that are declined. Default ["tok_decline"]. */
  declineTokens?: string[];
  /** Card tokens whose authorisation never answers (until the caller gives up). Default ["tok_hang"]. */
  hangTokens?: string[];
  /** Every call hangs (simulates a provider outage without errors). */
  hangAll?: boolean;
  /** Amounts above this are declined (insufficient funds). */
  limitMinor?: number;
  /** Random source for failures, for reproducible tests. */
  random?: () => number;
}

interface Authorization {
  id: string;
  amount: Money;
  status: 'authorized' | 'captured' | 'voided';
  captured: number;
  refunded: number;
}

/**
 * A card provider simulator with the semantics of a real one (idempotency keys, auth → capture /
 * void, refunds bounded by the captured amount) and configurable latency, transient failures, declines
 * and hangs. Its state is in memory — it plays the external provider, so tests keep one instance across
 * orders-service restarts.
 */
export class SimulatedCardProvider implements PaymentProvider {
  readonly name = 'simulated-card';
  private readonly auths = new Map<string, Authorization>();
  private readonly captures = new Map<string, Money>();
  private readonly refunds = new Map<string, Money>();
  private seq = 0;
  /** Calls by operation (diagnostics and tests). */
  readonly calls = { authorize: 0, capture: 0, void: 0, refund: 0 };

  constructor(private options: SimulatedCardOptions = {}) {}

  configure(patch: Partial<SimulatedCardOptions>): void {
    this.options = { ...this.options, ...patch };
  }

  /** The authorisation made with `key`, if any (tests). */
  authorization(key: string): Readonly<Authorization> | undefined {
    return this.auths.get(key);
  }

  /** Authorised money not yet captured nor voided, over all authorisations (leak checks). */
  openAuthorizations(): Array<{ key: string; amount: Money }> {
    return [...this.auths]
      .filter(([, a]) => a.status === 'authorized')
      .map(([key, a]) => ({ key, amount: a.amount }));
  }

  async authorize(
    req: { key: string; orderId: string; amount: Money; cardToken: string },
    signal: AbortSignal,
  ): Promise<{ authorizationId: string }> {
    this.calls.authorize++;
    const hangs = (this.options.hangTokens ?? ['tok_hang']).includes(req.cardToken);
    await this.preamble(signal, hangs);
    const existing = this.auths.get(req.key);
    if (existing) return { authorizationId: existing.id };
    if ((this.options.declineTokens ?? ['tok_decline']).includes(req.cardToken)) {
      throw new PaymentDeclinedError('card-declined', 'the card was declined by the issuer');
    }
    if (this.options.limitMinor !== undefined && req.amount.amountMinor > this.options.limitMinor) {
      throw new PaymentDeclinedError('insufficient-funds', 'insufficient funds on the card');
    }
    const auth: Authorization = {
      id: `auth_${++this.seq}`,
      amount: req.amount,
      status: 'authorized',
      captured: 0,
      refunded: 0,
    };
    this.auths.set(req.key, auth);
    return { authorizationId: auth.id };
  }

  async capture(
    req: { key: string; authorizationKey: string; amount: Money },
    signal: AbortSignal,
  ): Promise<{ captured: Money }> {
    this.calls.capture++;
    await this.preamble(signal);
    const done = this.captures.get(req.key);
    if (done) return { captured: done };
    const auth = this.auths.get(req.authorizationKey);
    if (!auth) throw new PaymentDeclinedError('no-authorization', `no authorisation ${req.authorizationKey}`);
    if (auth.status !== 'authorized')
      throw new PaymentDeclinedError('not-capturable', `authorisation is ${auth.status}`);
    if (req.amount.amountMinor > auth.amount.amountMinor)
      throw new PaymentDeclinedError('over-capture', 'capture exceeds the authorisation');
    auth.status = 'captured';
    auth.captured = req.amount.amountMinor;
    this.captures.set(req.key, req.amount);
    return { captured: req.amount };
  }

  async void(req: { authorizationKey: string }, signal: AbortSignal): Promise<void> {
    this.calls.void++;
    await this.preamble(signal);
    const auth = this.auths.get(req.authorizationKey);
    if (auth && auth.status === 'authorized') auth.status = 'voided';
  }

  async refund(
    req: { key: string; authorizationKey: string; amount: Money },
    signal: AbortSignal,
  ): Promise<{ refunded: Money }> {
    this.calls.refund++;
    await this.preamble(signal);
    const done = this.refunds.get(req.key);
    if (done) return { refunded: done };
    const auth = this.auths.get(req.authorizationKey);
    if (!auth || auth.status !== 'captured')
      throw new PaymentDeclinedError('not-refundable', 'nothing captured to refund');
    if (auth.refunded + req.amount.amountMinor > auth.captured)
      throw new PaymentDeclinedError('over-refund', 'refund exceeds the captured amount');
    auth.refunded += req.amount.amountMinor;
    this.refunds.set(req.key, req.amount);
    return { refunded: req.amount };
  }

  private async preamble(signal: AbortSignal, hangs = false): Promise<void> {
    if (hangs || this.options.hangAll) await waitForAbort(signal);
    if (this.options.latencyMs) await sleep(this.options.latencyMs, signal);
    const rate = this.options.failureRate ?? 0;
    if (rate > 0 && (this.options.random ?? Math.random)() < rate) {
      throw new PaymentUnavailableError('payment provider temporarily unavailable');
    }
  }
}

function waitForAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) return reject(new PaymentUnavailableError('payment call aborted'));
    signal.addEventListener('abort', () => reject(new PaymentUnavailableError('payment call aborted')), {
      once: true,
    });
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new PaymentUnavailableError('payment call aborted'));
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new PaymentUnavailableError('payment call aborted'));
      },
      { once: true },
    );
  });
}
