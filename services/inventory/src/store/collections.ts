import type { Collection, DocumentStore } from '@omni/store';
import type { BinDoc, PickListDoc, PickOrderDoc } from '../domain/picking';
import type {
  LocationDoc,
  MovementDoc,
  PosCursorDoc,
  PosOpDoc,
  ReservationDoc,
  StockLevelDoc,
  TransferDoc,
} from '../domain/types';
import type {
  PurchaseOrderDoc,
  ReplenishmentBudgetDoc,
  ReplenishmentRuleDoc,
  SkuSupplierDoc,
  SuggestionDoc,
  SupplierDoc,
} from '../domain/purchasing';

/** What was last published as AvailabilityChanged for a SKU (version is monotonic per SKU). */
export type AvailabilityStateDoc = {
  _id: string;
  version: number;
  /** JSON of the last published payload minus the version: unchanged availability is not republished. */
  fingerprint: string;
  publishedAt: string;
};

/** Idempotency records of operations that are not reservations or POS ops (receipts, counts, adjustments). */
export type OperationDoc = {
  /** `${kind}|${locationId}|${clientId}`. */
  _id: string;
  kind: 'receipt' | 'count' | 'adjustment' | 'return' | 'supplier-return';
  locationId: string;
  hash: string;
  result: Record<string, unknown>;
  actor: { sub: string; role: string };
  at: string;
};

/** A SKU that catalog has announced (projection of omni.catalog.product events), keyed by SKU. */
export type CatalogSkuDoc = {
  _id: string;
  productId: string;
  at: string;
};

export interface InventoryCollections {
  locations: Collection<LocationDoc>;
  levels: Collection<StockLevelDoc>;
  movements: Collection<MovementDoc>;
  reservations: Collection<ReservationDoc>;
  transfers: Collection<TransferDoc>;
  posOps: Collection<PosOpDoc>;
  posCursors: Collection<PosCursorDoc>;
  availability: Collection<AvailabilityStateDoc>;
  operations: Collection<OperationDoc>;
  catalogSkus: Collection<CatalogSkuDoc>;
  bins: Collection<BinDoc>;
  pickLists: Collection<PickListDoc>;
  pickOrders: Collection<PickOrderDoc>;
  suggestions: Collection<SuggestionDoc>;
  suppliers: Collection<SupplierDoc>;
  skuSuppliers: Collection<SkuSupplierDoc>;
  purchaseOrders: Collection<PurchaseOrderDoc>;
  replenishmentRules: Collection<ReplenishmentRuleDoc>;
  replenishmentBudget: Collection<ReplenishmentBudgetDoc>;
}

/**
 * Collections and the indexes their queries need. Stock levels are keyed by `sku|locationId`, so the
 * reserve path touches them by `_id` only; their secondary indexes serve ATP (by sku) and per-location
 * listings.
 */
export function inventoryCollections(store: DocumentStore): InventoryCollections {
  return {
    locations: store.collection<LocationDoc>({ name: 'locations', indexes: [{ keys: { status: 1 } }] }),
    levels: store.collection<StockLevelDoc>({
      name: 'stock_levels',
      indexes: [{ keys: { sku: 1 } }, { keys: { locationId: 1, sku: 1 } }],
    }),
    movements: store.collection<MovementDoc>({
      name: 'stock_movements',
      indexes: [
        { keys: { opId: 1 }, unique: true },
        { keys: { locationId: 1, sku: 1 } },
        { keys: { sku: 1 } },
      ],
    }),
    reservations: store.collection<ReservationDoc>({
      name: 'reservations',
      indexes: [
        { keys: { status: 1, expiresAt: 1 } },
        { keys: { locationId: 1, status: 1 } },
        { keys: { orderId: 1 } },
      ],
    }),
    transfers: store.collection<TransferDoc>({
      name: 'transfers',
      indexes: [{ keys: { fromLocationId: 1 } }, { keys: { toLocationId: 1 } }],
    }),
    posOps: store.collection<PosOpDoc>({
      name: 'pos_ops',
      indexes: [{ keys: { storeId: 1, seq: 1 }, unique: true }, { keys: { storeId: 1, status: 1 } }],
    }),
    posCursors: store.collection<PosCursorDoc>({ name: 'pos_cursors' }),
    availability: store.collection<AvailabilityStateDoc>({ name: 'availability_state' }),
    operations: store.collection<OperationDoc>({ name: 'stock_operations' }),
    catalogSkus: store.collection<CatalogSkuDoc>({ name: 'catalog_skus' }),
    bins: store.collection<BinDoc>({ name: 'bin_locations', indexes: [{ keys: { locationId: 1, sku: 1 } }] }),
    pickLists: store.collection<PickListDoc>({
      name: 'pick_lists',
      indexes: [{ keys: { locationId: 1, createdAt: -1 } }],
    }),
    // _id = reservation id: one pick list per reservation
    pickOrders: store.collection<PickOrderDoc>({
      name: 'pick_orders',
      indexes: [{ keys: { pickListId: 1 } }, { keys: { locationId: 1, status: 1 } }],
    }),
    // One open suggestion per SKU and location: the unique openKey (see SuggestionDoc).
    suggestions: store.collection<SuggestionDoc>({
      name: 'restock_suggestions',
      indexes: [{ keys: { openKey: 1 }, unique: true }, { keys: { locationId: 1, status: 1 } }],
    }),
    suppliers: store.collection<SupplierDoc>({ name: 'suppliers' }),
    skuSuppliers: store.collection<SkuSupplierDoc>({
      name: 'sku_suppliers',
      indexes: [{ keys: { supplierId: 1 } }],
    }),
    purchaseOrders: store.collection<PurchaseOrderDoc>({
      name: 'purchase_orders',
      indexes: [{ keys: { supplierId: 1 } }, { keys: { locationId: 1, status: 1 } }],
    }),
    replenishmentRules: store.collection<ReplenishmentRuleDoc>({
      name: 'replenishment_rules',
      indexes: [{ keys: { enabled: 1 } }, { keys: { locationId: 1 } }],
    }),
    replenishmentBudget: store.collection<ReplenishmentBudgetDoc>({ name: 'replenishment_budget' }),
  };
}
