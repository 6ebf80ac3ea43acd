import type { Counter } from 'prom-client';
import type { Metrics } from '@omni/kit';

/** What ops watch on vouchers (Prometheus, via the service's /metrics). */
export interface VouchersMetrics {
  issued: Counter<'kind'>;
  redemptions: Counter<'outcome' | 'offline'>;
  codeFailures: Counter<'reason'>;
  lockouts: Counter<'scope'>;
  conflicts: Counter<'kind'>;
  expired: Counter<'refunded'>;
}

export function vouchersMetrics(m: Metrics): VouchersMetrics {
  return {
    issued: m.counter('vouchers_issued_total', 'Voucher units issued, by offer kind', ['kind']),
    redemptions: m.counter('vouchers_redemptions_total', 'Redemption attempts by outcome', [
      'outcome',
      'offline',
    ]),
    codeFailures: m.counter('vouchers_code_failures_total', 'Unknown codes and unusable QR payloads', [
      'reason',
    ]),
    lockouts: m.counter('vouchers_lockouts_total', 'Look-ups refused by the brute-force brake', ['scope']),
    conflicts: m.counter('vouchers_conflicts_total', 'Conflicts kept for ops, by kind', ['kind']),
    expired: m.counter('vouchers_expired_total', 'Vouchers expired with value left', ['refunded']),
  };
}
