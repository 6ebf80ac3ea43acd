import { Type, type Static, type TObject, type TProperties } from 'typebox';
import { Value } from 'typebox/value';

/**
 * Configuration comes from the environment and is validated once at start. A bad or missing
 * variable stops the process with a message naming it — never a crash later at first use.
 */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Variables every service reads. Service schemas extend it with `Type.Object({...BaseEnv.properties, ...})`. */
export const BaseEnv = Type.Object({
  OMNI_LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  OMNI_HTTP_HOST: Type.String({ default: '0.0.0.0' }),
  OMNI_HTTP_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  OMNI_GRPC_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 50051 }),
  /** Where the identity service publishes its keys; services verify tokens locally with it. */
  OMNI_JWKS_URL: Type.Optional(Type.String({ format: 'uri' })),
  OMNI_JWT_ISSUER: Type.String({ default: 'omni-identity' }),
  OMNI_JWT_AUDIENCE: Type.String({ default: 'omni' }),
  OMNI_BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, maximum: 64 * 1024 * 1024, default: 1024 * 1024 }),
  OMNI_DATA_DIR: Type.Optional(Type.String()),
  MONGO_URL: Type.Optional(Type.String()),
  KAFKA_BROKERS: Type.Optional(Type.String()),
  OTEL_EXPORTER_OTLP_ENDPOINT: Type.Optional(Type.String()),
  OMNI_SHUTDOWN_TIMEOUT_MS: Type.Integer({ minimum: 0, default: 15_000 }),
});
export type BaseEnv = Static<typeof BaseEnv>;

export function loadConfig<P extends TProperties>(
  schema: TObject<P>,
  env: Record<string, string | undefined> = process.env,
): Static<TObject<P>> {
  // Only the declared variables are read; empty strings count as unset.
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) {
    const v = env[key];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  const withDefaults = Value.Default(schema, raw) as Record<string, unknown>;
  const converted = Value.Convert(schema, withDefaults) as Record<string, unknown>;
  // Checked variable by variable so every bad one is named, with what was given and what is allowed.
  const problems: string[] = [];
  for (const [key, propSchema] of Object.entries(schema.properties)) {
    const value = converted[key];
    if (value === undefined) {
      if (((schema.required ?? []) as string[]).includes(key)) problems.push(`${key}: is required`);
      continue;
    }
    if (Value.Check(propSchema, value)) continue;
    const given = env[key] !== undefined ? ` (got ${JSON.stringify(env[key])})` : '';
    const literals = (propSchema as { anyOf?: Array<{ const?: unknown }> }).anyOf?.map((s) => s.const);
    const expected =
      literals && literals.every((l) => l !== undefined)
        ? `must be one of ${literals.join(', ')}`
        : ([...Value.Errors(propSchema, value)][0]?.message ?? 'is invalid');
    problems.push(`${key}: ${expected}${given}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return converted as Static<TObject<P>>;
}
