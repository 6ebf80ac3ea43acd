import { BadRequestError } from '@omni/kit';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The caller's expected version: `version` in the body and/or `If-Match: "<version>"`. Both absent =
 * unconditional write (still atomic). Both present must agree.
 */
export function expectedVersion(req: FastifyRequest, bodyVersion: number | undefined): number | undefined {
  const header = req.headers['if-match'];
  let fromHeader: number | undefined;
  if (typeof header === 'string' && header.trim() !== '*') {
    const m = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(header);
    if (!m) throw new BadRequestError('If-Match must be a product version, e.g. "3"', [{ field: 'header.if-match', message: 'is not a version' }]);
    fromHeader = Number(m[1]);
  }
  if (fromHeader !== undefined && bodyVersion !== undefined && fromHeader !== bodyVersion) {
    throw new BadRequestError('If-Match and body version disagree', [{ field: 'body/version', message: `differs from If-Match ${fromHeader}` }]);
  }
  return bodyVersion ?? fromHeader;
}

export function setEtag(reply: FastifyReply, version: number): FastifyReply {
  return reply.header('etag', `"${version}"`);
}

/**
 * For routes whose body is optional (publish, delete): an absent body validates as `{}` against the
 * route's object schema, while a present one is still checked (Fastify validates `undefined` too).
 */
export async function emptyBodyAsObject(req: FastifyRequest): Promise<void> {
  if (req.body === undefined || req.body === null) req.body = {};
}
