import { Type, type Static } from 'typebox';
import { idSchema, StoreId } from '@omni/kit';

/** Request and response schemas of the customers REST API (bounded everywhere; bodies closed). */

export const Id = idSchema('A-Za-z0-9._:-', 128);
export const IdentityKindSchema = Type.Union([
  Type.Literal('email'),
  Type.Literal('phone'),
  Type.Literal('member_card'),
  Type.Literal('messaging'),
]);
export const IsoTime = Type.String({ format: 'date-time' });

export const IdentityIn = Type.Object(
  {
    kind: IdentityKindSchema,
    value: Type.String({ minLength: 1, maxLength: 254 }),
    verified: Type.Optional(Type.Boolean({ description: 'Proven (OTP, in-store check). Only trusted callers may set it.' })),
  },
  { additionalProperties: false },
);

export const GeoPointSchema = Type.Object(
  { lat: Type.Number({ minimum: -90, maximum: 90 }), lng: Type.Number({ minimum: -180, maximum: 180 }) },
  { additionalProperties: false },
);

export const AddressIn = Type.Object(
  {
    label: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    lines: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 4 }),
    city: Type.String({ minLength: 1, maxLength: 100 }),
    postalCode: Type.String({ maxLength: 20 }),
    country: Type.String({ maxLength: 2, pattern: '^[A-Z]{2}$' }),
    geo: Type.Optional(GeoPointSchema),
  },
  { additionalProperties: false },
);
export type AddressIn = Static<typeof AddressIn>;

export const ConsentsIn = Type.Object(
  { marketingEmail: Type.Optional(Type.Boolean()), marketingSms: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);

export const Name = Type.String({ maxLength: 200 });

export const CreateCustomerBody = Type.Object(
  {
    name: Type.Optional(Name),
    identities: Type.Array(IdentityIn, { minItems: 1, maxItems: 8 }),
    addresses: Type.Optional(Type.Array(AddressIn, { maxItems: 5 })),
    consents: Type.Optional(ConsentsIn),
    channel: Type.Optional(Type.Union([Type.Literal('online'), Type.Literal('phone'), Type.Literal('ops')], { default: 'online' })),
  },
  { additionalProperties: false },
);

export const WalkInMemberBody = Type.Object(
  {
    memberCard: Type.String({ minLength: 1, maxLength: 64 }),
    name: Type.Optional(Name),
    phone: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    /** The clerk checked the phone (code sent by SMS and read back at the counter). */
    phoneVerified: Type.Optional(Type.Boolean()),
    email: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
    consents: Type.Optional(ConsentsIn),
  },
  { additionalProperties: false },
);

export const UpdateProfileBody = Type.Object(
  { name: Type.Optional(Name), consents: Type.Optional(ConsentsIn) },
  { additionalProperties: false, minProperties: 1 },
);

export const MergeBody = Type.Object(
  {
    customerIds: Type.Array(Id, { minItems: 2, maxItems: 2 }),
    survivorId: Type.Optional(Id),
    reason: Type.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
);

export const EraseBody = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false });

export const AdjustPointsBody = Type.Object(
  {
    delta: Type.Integer({ minimum: -1_000_000, maximum: 1_000_000, description: 'Non-zero: positive credits, negative debits.' }),
    note: Type.String({ minLength: 1, maxLength: 500 }),
    operationId: Type.String({ minLength: 1, maxLength: 128 }),
  },
  { additionalProperties: false },
);

export const IdParams = Type.Object({ id: Id });
export const AddressParams = Type.Object({ id: Id, addressId: Id });
export const StoreParams = Type.Object({ storeId: StoreId });
export const IdentityParams = Type.Object({ id: Id, kind: IdentityKindSchema, value: Type.String({ minLength: 1, maxLength: 254 }) });
export const MyIdentityParams = Type.Object({ kind: IdentityKindSchema, value: Type.String({ minLength: 1, maxLength: 254 }) });

export const LookupQuery = Type.Object(
  { kind: IdentityKindSchema, value: Type.String({ minLength: 1, maxLength: 254 }) },
  { additionalProperties: false },
);

export const PageQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  },
  { additionalProperties: false },
);

export const ListQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('merged'), Type.Literal('erased')])),
  },
  { additionalProperties: false },
);

const ConsentFlag = Type.Object({ granted: Type.Boolean(), updatedAt: IsoTime });
const AddressOut = Type.Object({
  id: Type.String(),
  label: Type.Optional(Type.String()),
  lines: Type.Array(Type.String()),
  city: Type.String(),
  postalCode: Type.String(),
  country: Type.String(),
  geo: Type.Optional(Type.Object({ lat: Type.Number(), lng: Type.Number() })),
});

export const CustomerOut = Type.Object({
  id: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('merged'), Type.Literal('erased')]),
  name: Type.String(),
  identities: Type.Array(
    Type.Object({ kind: IdentityKindSchema, value: Type.String(), verified: Type.Boolean(), addedAt: IsoTime, verifiedAt: Type.Optional(IsoTime) }),
  ),
  addresses: Type.Array(AddressOut),
  consents: Type.Object({ marketingEmail: ConsentFlag, marketingSms: ConsentFlag }),
  level: Type.String(),
  points: Type.Integer(),
  lifetimePoints: Type.Integer(),
  origin: Type.Object({ channel: Type.String(), storeId: Type.Optional(Type.String()) }),
  createdAt: IsoTime,
  updatedAt: IsoTime,
  resolvedFrom: Type.Optional(Type.String({ description: 'The requested id, when it was merged into this customer.' })),
  erasedAt: Type.Optional(IsoTime),
});

export const MergeOut = Type.Object({
  mergeId: Type.String(),
  survivorId: Type.String(),
  mergedId: Type.String(),
  alreadyMerged: Type.Boolean(),
});

/** A customer plus what an identity change or creation caused (merges, take-overs). */
export const CustomerWithOutcome = Type.Object({
  customer: CustomerOut,
  result: Type.Optional(Type.String()),
  merges: Type.Array(MergeOut),
});

export const PointsBalanceOut = Type.Object({ customerId: Type.String(), points: Type.Integer() });

const MoneyOut = Type.Object({ amountMinor: Type.Integer(), currency: Type.String() });

export const StoreSalePageOut = Type.Object({
  items: Type.Array(
    Type.Object({
      saleId: Type.String(),
      storeId: Type.String(),
      clientOpId: Type.String(),
      kind: Type.Union([Type.Literal('sale'), Type.Literal('return')]),
      status: Type.Union([Type.Literal('matched'), Type.Literal('unknown-member')]),
      customerId: Type.Optional(Type.String()),
      /** What the till typed, kept only when nobody holds it (so ops can find the member). */
      member: Type.Optional(Type.Object({ card: Type.Optional(Type.String()), phone: Type.Optional(Type.String()) })),
      lines: Type.Array(Type.Object({ sku: Type.String(), qty: Type.Integer(), unitPrice: Type.Optional(MoneyOut) })),
      total: Type.Optional(MoneyOut),
      points: Type.Integer(),
      returnOf: Type.Optional(Type.String()),
      occurredAt: Type.String(),
      recordedAt: Type.String(),
    }),
  ),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
