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
      formatters: { level: (label) => ({ level: label }) },
    },
    opts.destination,
  );
}
