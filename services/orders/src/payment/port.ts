import type { Money } from '../domain/types';

/**
 * The payment port. Every call is idempotent by its key, so the saga can retry after a timeout or a
 * crash without charging twice, and can void an authorisation whose answer it never received.
 */
export interface PaymentProvider {
  readonly name: string;
  authorize(
    req: { key: string; orderId: string; amount: Money; cardToken: string },
    signal: AbortSignal,
  ): Promise<{ authorizationId: string }>;
  /** Captures (part of) the authorisation found by `authorizationKey`. */
  capture(
    req: { key: string; authorizationKey: string; amount: Money },
    signal: AbortSignal,
  ): Promise<{ captured: Money }>;
  /** Releases the uncaptured authorisation found by its key; nothing to do when there is none. */
  void(req: { authorizationKey: string }, signal: AbortSignal): Promise<void>;
  refund(
    req: { key: string; authorizationKey: string; amount: Money },
    signal: AbortSignal,
  ): Promise<{ refunded: Money }>;
}

/** The issuer said no (declined card, insufficient funds): retrying will not help. */
export class PaymentDeclinedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PaymentDeclinedError';
  }
}

/** The provider could not answer (network, 5xx, timeout): retry with the same key. */
export class PaymentUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PaymentUnavailableError';
  }
}
