import type { WorkflowName } from '../../domain/types';
import type { OrdersPolicy } from '../../settings';
import type { Workflow } from '../types';
import { cancelWorkflow } from './cancel';
import { cancelLines } from './cancel-lines';
import { collect } from './collect';
import { compensateLateWorkflow } from './compensate-late';
import { deliver } from './deliver';
import { handToRider } from './hand-to-rider';
import { place } from './place';
import { refundReturn } from './refund-return';
import { refundVoucher } from './refund-voucher';
import { reroute } from './reroute';
import { ship } from './ship';

/** Every workflow the runner knows, by the name queued on the order (one file each, beside this one). */
export function buildWorkflows(policy: OrdersPolicy): Record<WorkflowName, Workflow> {
  return {
    place,
    reroute,
    cancel: cancelWorkflow(policy),
    collect,
    hand_to_rider: handToRider,
    deliver,
    ship,
    compensate_late: compensateLateWorkflow(policy),
    refund_return: refundReturn,
    refund_voucher: refundVoucher,
    cancel_lines: cancelLines,
  };
}
