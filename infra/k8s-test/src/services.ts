/**
 * The Omni services as deployed: ports, the synchronous calls between them and their own settings.
 * One table feeds the generated Kustomize base (k8s/base/services/*.yaml) and the checks of
 * docker-compose.yml, so ports and allowed calls cannot drift between the two.
 */

export interface DeployedService {
  name: string;
  /** REST, /docs, /livez, /readyz, /metrics (the standalone default of the service's config). */
  httpPort: number;
  /** gRPC server port, for the services that serve gRPC. */
  grpcPort?: number;
  /** Services this one calls over gRPC (the design's "caller needs the answer now" calls). */
  grpcCalls: string[];
  /** Plain settings of this service only (shared ones live in the omni-config ConfigMap). */
  env: Record<string, string>;
}

export const SERVICES: DeployedService[] = [
  { name: 'identity', httpPort: 8087, grpcCalls: [], env: {} },
  { name: 'catalog', httpPort: 8081, grpcPort: 50051, grpcCalls: [], env: {} },
  { name: 'inventory', httpPort: 8082, grpcPort: 50052, grpcCalls: [], env: {} },
  { name: 'customers', httpPort: 8083, grpcPort: 50053, grpcCalls: [], env: {} },
  {
    // Orders serves no gRPC of its own; it is the gRPC client of the three above.
    name: 'orders',
    httpPort: 8084,
    grpcCalls: ['catalog', 'inventory', 'customers'],
    env: {
      ORDERS_CATALOG_ADDR: 'catalog:50051',
      ORDERS_INVENTORY_ADDR: 'inventory:50052',
      ORDERS_CUSTOMERS_ADDR: 'customers:50053',
    },
  },
  { name: 'pickup', httpPort: 8085, grpcCalls: [], env: {} },
  { name: 'dispatch', httpPort: 8086, grpcCalls: [], env: {} },
  {
    // Goods vouchers sell from the redeeming store's stock: Reserve + Commit at inventory.
    name: 'vouchers',
    httpPort: 8088,
    grpcCalls: ['inventory'],
    env: {
      VOUCHERS_INVENTORY_ADDR: 'inventory:50052',
      VOUCHERS_STORES: 'S01,S02,S03,S04,S05,S06,S07,S08,S09,S10,S11,S12',
    },
  },
];

/** Every service verifies tokens with identity's JWKS and gets its own token from identity over HTTP. */
export const IDENTITY = 'identity';

export function serviceByName(name: string): DeployedService {
  const svc = SERVICES.find((s) => s.name === name);
  if (!svc) throw new Error(`unknown service ${name}`);
  return svc;
}

/** Services that call `target` over gRPC. */
export function grpcCallersOf(target: string): string[] {
  return SERVICES.filter((s) => s.grpcCalls.includes(target)).map((s) => s.name);
}
