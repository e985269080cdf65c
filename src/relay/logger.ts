/**
 * The relay's logger: one line per event, `key=value` fields, a level filter. Callers pass
 * metadata only (peer ids, counts, reasons): never envelope bytes, payloads or keys.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LogFields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

/** A logger that drops everything (tests). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function formatValue(value: string | number | boolean): string {
  const text = String(value);
  return /^[\w./:@+-]*$/.test(text) && text.length > 0 ? text : JSON.stringify(text);
}

/** `2026-01-01T00:00:00.000Z INFO message key=value …` */
export function formatLogLine(
  level: LogLevel,
  message: string,
  fields: LogFields = {},
  now = new Date(),
): string {
  const parts = [now.toISOString(), level.toUpperCase(), message];
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) parts.push(`${key}=${formatValue(value)}`);
  }
  return parts.join(' ');
}

/**
 * @example const log = createLogger('info', (line) => process.stderr.write(`${line}\n`))
 */
export function createLogger(level: LogLevel, write: (line: string) => void): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  if (threshold < 0) throw new RangeError(`"level" expected one of ${LOG_LEVELS.join(', ')}`);
  const at =
    (lineLevel: LogLevel) =>
    (message: string, fields?: LogFields): void => {
      if (LOG_LEVELS.indexOf(lineLevel) >= threshold) write(formatLogLine(lineLevel, message, fields));
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
