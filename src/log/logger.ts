/**
 * Structured logging: one JSON object per line (or a readable line with
 * --log-format=Console). Loggers are values passed down, never globals; a
 * child adds fields such as the controller or the object being reconciled.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  readonly format: 'JSON' | 'Console';
  readonly debug: boolean;
  /** Where lines go; defaults to stderr. */
  readonly write?: (line: string) => void;
  /** Wall-clock time for the `ts` field; injected so tests are stable. */
  readonly now?: () => Date;
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export function createLogger(opts: LoggerOptions, fields: LogFields = {}): Logger {
  const write = opts.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = opts.now ?? (() => new Date());
  const min = opts.debug ? ORDER.debug : ORDER.info;
  const log = (level: LogLevel, msg: string, extra?: LogFields): void => {
    if (ORDER[level] < min) return;
    const all: LogFields = { ...fields, ...extra };
    if (opts.format === 'Console') {
      const kv = Object.entries(all)
        .map(([k, v]) => `${k}=${formatValue(v)}`)
        .join(' ');
      write(`${now().toISOString()} ${level.toUpperCase().padEnd(5)} ${msg}${kv === '' ? '' : ` ${kv}`}`);
      return;
    }
    write(JSON.stringify({ ts: now().toISOString(), level, msg, ...serializable(all) }));
  };
  return {
    debug: (m, f) => {
      log('debug', m, f);
    },
    info: (m, f) => {
      log('info', m, f);
    },
    warn: (m, f) => {
      log('warn', m, f);
    },
    error: (m, f) => {
      log('error', m, f);
    },
    child: (more) => createLogger(opts, { ...fields, ...more }),
  };
}

/** A logger that drops everything (tests, benchmarks). */
export const nopLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => nopLogger,
};

/** Errors become their message chain, so causes show in one line. */
export function errorChain(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 8; depth++) {
    parts.push(e instanceof Error ? e.message : typeof e === 'string' ? e : JSON.stringify(e));
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join(': ');
}

function serializable(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) out[k] = v instanceof Error ? errorChain(v) : v;
  return out;
}

function formatValue(v: unknown): string {
  if (v instanceof Error) return JSON.stringify(errorChain(v));
  return typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? 'undefined');
}
