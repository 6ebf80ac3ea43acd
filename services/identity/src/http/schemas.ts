import { Type } from 'typebox';
import { idSchema, STORE_ID_PATTERN } from '@omni/kit';
import { USERNAME_PATTERN } from '../domain/login-name';

export const Id = idSchema('A-Za-z0-9_-', 100);
/** Store, rider and customer ids as other services mint them (no dots: they become field names). */
export const ExternalId = idSchema('A-Za-z0-9_:-', 100);
export const StoreRoleSchema = Type.Union([Type.Literal('clerk'), Type.Literal('manager')]);
/** Store ids as keys: the kit's store id pattern, so `constructor` or `__proto__` is never a store. */
export const StoresSchema = Type.Record(
  Type.String({ pattern: STORE_ID_PATTERN }),
  StoreRoleSchema,
  // Keys that do not match are refused, not ignored.
  { maxProperties: 200, additionalProperties: false },
);
export const KindSchema = Type.Union([
  Type.Literal('ops'),
  Type.Literal('store_staff'),
  Type.Literal('rider'),
  Type.Literal('customer'),
  Type.Literal('service'),
]);
export const PasswordSchema = Type.String({ minLength: 1, maxLength: 256 });
export const ScopesSchema = Type.Array(Type.String({ minLength: 1, maxLength: 60 }), { maxItems: 50 });
export const Username = Type.String({ maxLength: 120, pattern: USERNAME_PATTERN });
export const Phone = Type.String({ maxLength: 30, pattern: '^\\+?[0-9 ().-]{6,30}$' });
export const TotpCode = Type.String({ maxLength: 6, pattern: '^[0-9]{6}$' });

export const TokenRequest = Type.Object(
  {
    grant_type: Type.Union([
      Type.Literal('password'),
      Type.Literal('refresh_token'),
      Type.Literal('client_credentials'),
    ]),
    username: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    password: Type.Optional(PasswordSchema),
    totp: Type.Optional(TotpCode),
    refresh_token: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    client_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    client_secret: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    scope: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);

export const TokenResponseSchema = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
  refresh_token: Type.Optional(Type.String()),
  scope: Type.Optional(Type.String()),
  pwd_expired: Type.Optional(Type.Boolean()),
  mfa_enrolment_required: Type.Optional(Type.Boolean()),
});

export const CreateAccountBody = Type.Object(
  {
    kind: KindSchema,
    username: Username,
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    phone: Type.Optional(Phone),
    password: Type.Optional(PasswordSchema),
    mustChangePassword: Type.Optional(Type.Boolean()),
    stores: Type.Optional(StoresSchema),
    riderId: Type.Optional(ExternalId),
    customerId: Type.Optional(ExternalId),
    scopes: Type.Optional(ScopesSchema),
  },
  { additionalProperties: false },
);

export const UpdateAccountBody = Type.Object(
  {
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    stores: Type.Optional(StoresSchema),
    scopes: Type.Optional(ScopesSchema),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const AccountViewSchema = Type.Object({
  id: Type.String(),
  username: Type.String(),
  phone: Type.Optional(Type.String()),
  kind: KindSchema,
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  displayName: Type.Optional(Type.String()),
  stores: Type.Optional(Type.Record(Type.String(), StoreRoleSchema)),
  riderId: Type.Optional(Type.String()),
  customerId: Type.Optional(Type.String()),
  scopes: Type.Optional(Type.Array(Type.String())),
  mfa: Type.Object({ required: Type.Boolean(), enrolled: Type.Boolean() }),
  passwordChangedAt: Type.Optional(Type.String()),
  mustChangePassword: Type.Optional(Type.Boolean()),
  createdAt: Type.String(),
  createdBy: Type.String(),
  updatedAt: Type.String(),
});

export const Paging = {
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Type.String({ maxLength: 500 })),
};

export const IdParams = Type.Object({ id: Id });
