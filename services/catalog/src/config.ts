import { BaseEnv } from '@omni/kit';
import { Type, type Static } from 'typebox';

/** Catalog settings: the base ones with the catalog's standalone ports (8081 / gRPC 50051). */
export const CatalogEnv = Type.Object({
  ...BaseEnv.properties,
  OMNI_HTTP_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8081 }),
  OMNI_GRPC_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 50051 }),
  /** Same price and range online and in store; `off` lets catalog writers open gaps freely. */
  OMNI_CATALOG_PARITY: Type.Union([Type.Literal('on'), Type.Literal('off')], { default: 'on' }),
});
export type CatalogEnv = Static<typeof CatalogEnv>;
