/**
 * The logging surface this library needs. pino loggers satisfy it as they are
 * (`logger.info({ topic }, 'message')`); tests and scripts can pass `silentLogger`.
 */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const noop = (): void => {};

export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/** Error → plain object for structured logs (pino serialises `err` the same way). */
export function errorFields(err: unknown): { name: string; message: string; stack?: string } {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: 'NonError', message: String(err) };
}

/**
 * A logger whose destination can be set once after construction (an adapter is created before the
 * service whose logger it should use): everything holding it logs to the adopted logger from then on.
 */
export class AdoptableLogger implements Logger {
  private target: Logger;
  private readonly fixed: boolean;

  constructor(initial: Logger | undefined) {
    this.target = initial ?? silentLogger;
    this.fixed = initial !== undefined;
  }

  /** Switches to `logger` unless one was given at construction. */
  adopt(logger: Logger): void {
    if (!this.fixed) this.target = logger;
  }

  debug(obj: object, msg?: string): void {
    this.target.debug(obj, msg);
  }
  info(obj: object, msg?: string): void {
    this.target.info(obj, msg);
  }
  warn(obj: object, msg?: string): void {
    this.target.warn(obj, msg);
  }
  error(obj: object, msg?: string): void {
    this.target.error(obj, msg);
  }
}
