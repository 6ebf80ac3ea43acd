import { withAttention } from '../../domain/order-changes';
import type { Outcome } from '../../domain/outcome';
import type { Failure, OrderDoc, WorkflowParams } from '../../domain/types';

/** A forward-only workflow that failed permanently: nothing to undo, ops must look at it. */
export function needsOps(what: string) {
  return (o: OrderDoc, _p: WorkflowParams, f: Failure, now: string): Outcome => ({
    order: withAttention(o, `${what}-failed`, `${f.step}: ${f.reason}`, now),
  });
}
