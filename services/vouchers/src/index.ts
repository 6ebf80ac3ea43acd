export {
  buildVouchersService,
  type VouchersService,
  type VouchersServiceDeps,
  type VouchersJobs,
} from './service';
export { VouchersEnv } from './config';
export {
  VoucherCodes,
  normaliseCode,
  displayCode,
  CODE_ALPHABET,
  CODE_LENGTH,
  type QrCheck,
  type QrClaims,
} from './domain/codes';
export type { Offer, OfferKind } from './domain/offer';
export type { StockPort } from './inventory/port';
export { OutOfStockError } from './inventory/port';
export { grpcStock } from './inventory/grpc-stock';
