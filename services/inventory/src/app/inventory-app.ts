import type { FulfillmentQuery } from '../domain/atp';
import type { Actor, Channel, LocationStatus, MovementReason } from '../domain/types';
import { adjustStock, type AdjustCommand } from './adjust-stock';
import { applyPosBatch, type PosBatchCommand } from './apply-pos-batch';
import { commitReservation } from './commit-reservation';
import type { InventoryContext } from './context';
import { countStock, type CountCommand } from './count-stock';
import { expireDueReservations } from './expire-reservations';
import {
  createLocation,
  deleteLocation,
  setLocationStatus,
  updateLocation,
  type LocationInput,
  type LocationPatch,
} from './manage-locations';
import { AvailabilityPublisher } from './publish-availability';
import { getAvailability } from './queries/availability-query';
import { findFulfillmentLocations } from './queries/fulfillment-query';
import {
  getLocation,
  getPosState,
  getTransfer,
  listLocations,
  type LocationListQuery,
} from './queries/read-models';
import {
  getLevel,
  getReservation,
  listLevels,
  listMovements,
  listStockExceptions,
  type StoreScopedQuery,
} from './queries/stock-query';
import { receiveInbound, type InboundReceiptCommand } from './receive-inbound';
import { receiveTransfer } from './receive-transfer';
import { reconcileLedger } from './reconcile-ledger';
import { releaseReservation, type ReleaseCommand } from './release-reservation';
import { requestTransfer, type RequestTransferCommand } from './request-transfer';
import { reserveStock, type ReserveCommand } from './reserve-stock';
import { setStockSettings, type StockSettingsCommand } from './set-stock-settings';
import { shipTransfer } from './ship-transfer';
import {
  cancelPurchaseOrderIn,
  createPurchaseOrderIn,
  getPurchaseOrder,
  listPurchaseOrders,
  placePurchaseOrderIn,
  type CreatePurchaseOrderCommand,
  type PurchaseOrderQuery,
} from './purchasing/purchase-orders';
import { returnToSupplier, type SupplierReturnCommand } from './purchasing/return-to-supplier';
import {
  getSupplier,
  getSupplierPerformance,
  listSuppliers,
  putSupplier,
  type SupplierInput,
} from './purchasing/suppliers';
import {
  dismissSuggestion,
  getSuggestion,
  listSuggestions,
  suggestionToPurchaseOrder,
  suggestionToTransfer,
  type ActOptions,
} from './restock/act-on-suggestion';
import { replenishByRules } from './restock/replenish-by-rules';
import { deleteRule, listRules, putRule, type RuleInput } from './restock/replenishment-rules';
import { inTransaction } from './transaction';
import { stockReport } from './queries/report-query';
import type { ReportPeriod } from '../domain/reports';

type Who = { actor: Actor; ip?: string; requestId?: string };
type PageArgs = { limit: number; cursor?: string };

/**
 * The inventory's use cases bound to one context: what HTTP routes, gRPC handlers, the seed helper,
 * the runtime and tests call.
 */
export function createInventoryApp(ctx: InventoryContext, availability: AvailabilityPublisher) {
  return {
    // locations
    createLocation: (input: LocationInput, who: Who) => createLocation(ctx, input, who),
    updateLocation: (id: string, patch: LocationPatch, who: Who) => updateLocation(ctx, id, patch, who),
    setLocationStatus: (id: string, status: LocationStatus, reason: string | undefined, who: Who) =>
      setLocationStatus(ctx, id, status, reason, who),
    deleteLocation: (id: string, who: Who) => deleteLocation(ctx, id, who),
    getLocation: (id: string) => getLocation(ctx, id),
    listLocations: (q: LocationListQuery, page: PageArgs) => listLocations(ctx, q, page),
    // reservations
    reserve: (cmd: ReserveCommand) => reserveStock(ctx, cmd),
    commit: (reservationId: string, actor: Actor) => commitReservation(ctx, reservationId, actor),
    release: (cmd: ReleaseCommand) => releaseReservation(ctx, cmd),
    getReservation: (id: string) => getReservation(ctx, id),
    /** Expires reservations past their TTL at `now` (the timer calls it with the clock). */
    expireDue: (now: Date = ctx.clock(), stillOwner?: () => boolean) =>
      expireDueReservations(ctx, now, stillOwner),
    // stock
    adjust: (cmd: AdjustCommand) => adjustStock(ctx, cmd),
    count: (cmd: CountCommand) => countStock(ctx, cmd),
    receiveInbound: (cmd: InboundReceiptCommand) => receiveInbound(ctx, cmd),
    setStockSettings: (cmd: StockSettingsCommand) => setStockSettings(ctx, cmd),
    getLevel: (sku: string, locationId: string) => getLevel(ctx, sku, locationId),
    listLevels: (q: StoreScopedQuery & { locationId?: string; sku?: string }, page: PageArgs) =>
      listLevels(ctx, q, page),
    listStockExceptions: (page: PageArgs) => listStockExceptions(ctx, page),
    listMovements: (
      q: StoreScopedQuery & { locationId?: string; sku?: string; reason?: MovementReason },
      page: PageArgs,
    ) => listMovements(ctx, q, page),
    // POS
    syncPos: (cmd: PosBatchCommand) => applyPosBatch(ctx, cmd),
    getPosState: (storeId: string) => getPosState(ctx, storeId),
    // transfers
    requestTransfer: (cmd: RequestTransferCommand) => requestTransfer(ctx, cmd),
    shipTransfer: (id: string, who: Who) => shipTransfer(ctx, id, who),
    receiveTransfer: (id: string, lines: Array<{ sku: string; receivedQty: number }> | undefined, who: Who) =>
      receiveTransfer(ctx, id, lines, who),
    getTransfer: (id: string) => getTransfer(ctx, id),
    // restock inbox
    getSuggestion: (id: string) => getSuggestion(ctx, id),
    listSuggestions: (q: Parameters<typeof listSuggestions>[1], page: PageArgs) =>
      listSuggestions(ctx, q, page),
    suggestionToTransfer: (id: string, opts: ActOptions) => suggestionToTransfer(ctx, id, opts),
    suggestionToPurchaseOrder: (id: string, opts: ActOptions) => suggestionToPurchaseOrder(ctx, id, opts),
    dismissSuggestion: (id: string, reason: string, who: Who) => dismissSuggestion(ctx, id, reason, who),
    // replenishment rules (the job calls replenish)
    putRule: (sku: string, locationId: string, input: RuleInput, who: Who) =>
      putRule(ctx, sku, locationId, input, who),
    deleteRule: (sku: string, locationId: string, who: Who) => deleteRule(ctx, sku, locationId, who),
    listRules: (locationId: string, page: PageArgs) => listRules(ctx, locationId, page),
    replenish: (stillOwner?: () => boolean) => replenishByRules(ctx, stillOwner),
    // suppliers and purchase orders
    putSupplier: (id: string, input: SupplierInput, who: Who) => putSupplier(ctx, id, input, who),
    getSupplier: (id: string) => getSupplier(ctx, id),
    listSuppliers: (page: PageArgs) => listSuppliers(ctx, page),
    supplierPerformance: (id: string) => getSupplierPerformance(ctx, id),
    createPurchaseOrder: (cmd: CreatePurchaseOrderCommand) =>
      inTransaction(ctx, (tx) => createPurchaseOrderIn(tx, cmd)),
    placePurchaseOrder: (id: string, expectedAt: string | undefined, who: Who) =>
      inTransaction(ctx, (tx) => placePurchaseOrderIn(tx, id, expectedAt, who)),
    cancelPurchaseOrder: (id: string, reason: string | undefined, who: Who) =>
      inTransaction(ctx, (tx) => cancelPurchaseOrderIn(tx, id, reason, who)),
    getPurchaseOrder: (id: string) => getPurchaseOrder(ctx, id),
    listPurchaseOrders: (q: PurchaseOrderQuery, page: PageArgs) => listPurchaseOrders(ctx, q, page),
    returnToSupplier: (cmd: SupplierReturnCommand) => returnToSupplier(ctx, cmd),
    // reports
    stockReport: (locationId: string, period: ReportPeriod, range: { from?: string; to?: string }) =>
      stockReport(ctx, locationId, period, range),
    // ATP
    getAvailability: (skus: string[], channel: Channel, storeId?: string) =>
      getAvailability(ctx, skus, channel, storeId),
    findFulfillmentLocations: (q: FulfillmentQuery) => findFulfillmentLocations(ctx, q),
    /** Publishes pending AvailabilityChanged events now instead of at the next debounce tick. */
    flushAvailability: () => availability.flush(),
    // ops
    /** Replays the ledger against the levels; `ok` is false when any level differs. */
    reconcile: () => reconcileLedger(ctx),
  };
}

export type InventoryApp = ReturnType<typeof createInventoryApp>;
