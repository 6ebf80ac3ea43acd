import { withCursor } from '@omni/kit';
import type { StoreSaleDoc } from '../../store/collections';
import type { CustomersContext } from '../context';

export interface StoreSaleView {
  saleId: string;
  storeId: string;
  clientOpId: string;
  kind: StoreSaleDoc['kind'];
  status: StoreSaleDoc['status'];
  customerId?: string;
  member?: StoreSaleDoc['member'];
  lines: StoreSaleDoc['lines'];
  total?: StoreSaleDoc['total'];
  points: number;
  returnOf?: string;
  occurredAt: string;
  recordedAt: string;
}

function view(d: StoreSaleDoc): StoreSaleView {
  return {
    saleId: d._id,
    storeId: d.storeId,
    clientOpId: d.clientOpId,
    kind: d.kind,
    status: d.status,
    ...(d.customerId ? { customerId: d.customerId } : {}),
    ...(d.member ? { member: d.member } : {}),
    lines: d.lines,
    ...(d.total ? { total: d.total } : {}),
    points: d.points,
    ...(d.returnOf ? { returnOf: d.returnOf } : {}),
    occurredAt: d.occurredAt,
    recordedAt: d.recordedAt,
  };
}

/** Till sales and returns as customers handled them, newest first; by status (e.g. the flagged `unknown-member`). */
export async function listStoreSales(
  ctx: Pick<CustomersContext, 'collections'>,
  q: { status?: StoreSaleDoc['status']; limit: number; cursor?: string },
): Promise<{ items: StoreSaleView[]; nextCursor: string | null }> {
  const page = await withCursor(() =>
    ctx.collections.storeSales.page(q.status ? { status: q.status } : {}, {
      limit: q.limit,
      cursor: q.cursor ?? null,
      sortField: 'recordedAt',
      direction: -1,
    }),
  );
  return { items: page.items.map(view), nextCursor: page.nextCursor };
}
