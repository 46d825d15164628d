import type { LogFields, Logger, LogLevel } from '../../src/log/logger.ts';

export interface LogEntry {
  level: LogLevel;
  msg: string;
  fields: LogFields;
}

/** A Logger that appends every entry (with its child fields) to entries. */
export function recordingLogger(entries: LogEntry[], base: LogFields = {}): Logger {
  const log =
    (level: LogLevel) =>
    (msg: string, fields?: LogFields): void => {
      entries.push({ level, msg, fields: { ...base, ...fields } });
    };
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (more) => recordingLogger(entries, { ...base, ...more }),
  };
}
