import { Ajv, type ErrorObject, type Options as AjvOptions, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

// Ajv 8 (the version Fastify and ajv-formats are built for) is a declared dependency of the kit; the
// root's hoisted `ajv` is ESLint's 6.
type ValidateFn = ValidateFunction;
type AjvError = ErrorObject;

/** At most this many validation errors are listed in a problem document; the total is given too. */
export const MAX_LISTED_ERRORS = 20;

function newAjv(opts: AjvOptions): Ajv {
  const ajv = new Ajv({ useDefaults: true, removeAdditional: false, addUsedSchema: false, ...opts });
  ajvFormats(ajv);
  return ajv;
}

/**
 * Fastify's validator compiler for every service, one Ajv pair per kind of input:
 * - JSON bodies are never type-coerced: `"qty":"1"`, `null` for a number or `["x"]` for a string are
 *   wrong types, not values to be guessed at.
 * - Query strings, path parameters and headers are strings on the wire, so they are coerced.
 * Each schema is checked fail-fast first (the common, valid case costs one pass). Only an invalid
 * input is checked again with every error listed, unless the first error is an array that is too
 * long: then that alone is reported, so a huge array of bad items costs nothing to refuse.
 */
export function strictValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const parts = {
    strict: { fast: newAjv({ coerceTypes: false }), full: newAjv({ coerceTypes: false, allErrors: true }) },
    coercing: {
      fast: newAjv({ coerceTypes: 'array' }),
      full: newAjv({ coerceTypes: 'array', allErrors: true }),
    },
  };
  return ({ schema, httpPart }) => {
    const pair = httpPart === 'body' ? parts.strict : parts.coercing;
    const fast = pair.fast.compile(schema as object);
    let full: ValidateFn | undefined;
    const validate = (data: unknown): boolean => {
      validate.errors = null;
      if (fast(data)) return true;
      const first = fast.errors ?? [];
      if (first.some((e) => e.keyword === 'maxItems')) {
        validate.errors = first;
        return false;
      }
      full ??= pair.full.compile(schema as object);
      full(data);
      validate.errors = full.errors?.length ? full.errors : first;
      return false;
    };
    validate.errors = null as AjvError[] | null;
    return validate;
  };
}
