import { createService, serviceOptionsFrom, type Service, type ServiceDeps } from '@omni/kit';
import { VoucherExpired, VoucherIssued, VoucherRedeemed, VoucherRefundRequested } from '@omni/contracts';
import { DEFAULT_THROTTLE, type ThrottleSettings, type VouchersContext } from './app/context';
import { vouchersMetrics } from './app/metrics';
import { expireVouchers } from './app/refund';
import { dropOldWindows } from './app/throttle';
import { VoucherCodes } from './domain/codes';
import { onOrderCancelled } from './events/on-order-cancelled';
import { onOrderConfirmed } from './events/on-order-confirmed';
import { registerCustomerRoutes } from './http/customer-routes';
import { registerOfferRoutes } from './http/offer-routes';
import { registerOpsRoutes } from './http/ops-routes';
import { registerRedemptionRoutes } from './http/redemption-routes';
import type { StockPort } from './inventory/port';
import { vouchersCollections } from './store/collections';

export interface VouchersServiceDeps extends ServiceDeps {
  /** Deployment secret for voucher codes, code hashes and the QR signing key (≥ 16 bytes; use 32+). */
  codeSecret: string | Buffer;
  /** Store ids where vouchers are redeemed (inventory's store locations); any other is 404. */
  stores: readonly string[];
  /** Inventory, for goods vouchers. Without it, goods vouchers redeem without moving stock (tests only). */
  stock?: StockPort & { close?(): void };
  throttle?: Partial<ThrottleSettings>;
  timings?: { sweepIntervalMs?: number };
}

export interface VouchersJobs {
  /** Vouchers past their validity → expired (refunded when the offer says so). Returns how many. */
  expireDue(now?: Date): Promise<number>;
  readonly codes: VoucherCodes;
}

export type VouchersService = Service & VouchersJobs;

export function buildVouchersService(deps: VouchersServiceDeps): VouchersService {
  const svc = createService({
    ...serviceOptionsFrom(deps),
    name: 'vouchers',
    description:
      'Vouchers bought online, redeemed in store: offers, codes and signed QRs, counter redemption (online and offline), limits, expiry, refunds, settlement per store.',
    grpc: false,
  });
  const clock = deps.clock ?? (() => new Date());
  const codes = new VoucherCodes(deps.codeSecret);
  const ctx: VouchersContext = {
    store: deps.store,
    collections: vouchersCollections(deps.store),
    events: svc.events,
    audit: svc.audit,
    codes,
    stock: deps.stock,
    clock,
    log: svc.log,
    metrics: vouchersMetrics(svc.metrics),
    throttle: { ...DEFAULT_THROTTLE, ...deps.throttle },
    stores: new Set(deps.stores),
  };

  svc.events.registry.produces(VoucherIssued, VoucherRedeemed, VoucherExpired, VoucherRefundRequested);
  onOrderConfirmed(svc, ctx);
  onOrderCancelled(svc, ctx);

  registerOfferRoutes(svc.app, ctx);
  registerRedemptionRoutes(svc.app, ctx);
  registerCustomerRoutes(svc.app, ctx);
  registerOpsRoutes(svc.app, ctx);

  const jobs: VouchersJobs = {
    codes,
    expireDue: (now = clock()) => expireVouchers(ctx, now),
  };
  // One replica (the lease holder) sweeps; each voucher is claimed by a conditional update anyway.
  svc.jobs.every({
    name: 'vouchers-expiry',
    everyMs: deps.timings?.sweepIntervalMs ?? 60_000,
    owner: 'lease',
    run: async () => {
      const now = clock();
      while ((await expireVouchers(ctx, now)) > 0);
      await dropOldWindows(ctx, now);
    },
  });
  svc.onStop(async () => {
    deps.stock?.close?.();
  });
  return Object.assign(svc, jobs);
}
