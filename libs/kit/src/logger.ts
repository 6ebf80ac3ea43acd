import pino, { type Logger, type LevelWithSilent } from 'pino';
import { currentTraceIds } from './tracing';

export type { Logger };

/**
 * Paths never written to logs. Tokens, passwords, one-time codes and pickup codes are secrets; a test
 * greps captured logs for them.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'password',
  '*.password',
  'newPassword',
  '*.newPassword',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
  'secret',
  '*.secret',
  'totp',
  '*.totp',
  'otp',
  '*.otp',
  'pickupCode',
  '*.pickupCode',
  'passwordHash',
  '*.passwordHash',
];

/** Query parameters whose values are credentials (`access_token`, `code`, `client_secret`, ...). */
const SECRET_PARAM =
  /token|code|secret|password|passwd|otp|totp|signature|^sig$|^key$|api_?key|session|jwt|auth/i;

/**
 * A URL as it may be logged: the values of token-like query parameters replaced. Browsers cannot
 * set headers on a WebSocket, so riders send `?access_token=`; such URLs must never reach a log.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash < 0 ? undefined : hash);
  const redacted = query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // A malformed name is still matched as written.
      }
      return eq >= 0 && SECRET_PARAM.test(decoded) ? `${name}=[redacted]` : pair;
    })
    .join('&');
  return `${url.slice(0, q)}?${redacted}${hash < 0 ? '' : url.slice(hash)}`;
}

/** Every `url` a log line carries (its own or a serialised request's) goes through redactUrl. */
function redactLoggedUrls(obj: Record<string, unknown>): Record<string, unknown> {
  const req = obj.req as { url?: unknown } | undefined;
  if (typeof obj.url !== 'string' && typeof req?.url !== 'string') return obj;
  const out = { ...obj };
  if (typeof obj.url === 'string') out.url = redactUrl(obj.url);
  if (req && typeof req.url === 'string') out.req = { ...req, url: redactUrl(req.url) };
  return out;
}

export interface LoggerOptions {
  service: string;
  level?: LevelWithSilent;
  /** Destination stream; stdout by default. Tests pass a stream to capture lines. */
  destination?: pino.DestinationStream;
}

export function createLogger(opts: LoggerOptions): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      base: { service: opts.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // Every line carries the active trace: logs and traces join on trace_id.
      mixin: () => currentTraceIds() ?? {},
      formatters: { level: (label) => ({ level: label }), log: redactLoggedUrls },
    },
    opts.destination,
  );
}
