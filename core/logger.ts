/**
 * The seeds' logging system (`config.logs`): leveled log entries routed to a pluggable
 * `LogHandler`, with a default handler that prints to the console, and optional action logs.
 */

/** Possible levels for the logger, from the quietest to the most verbose. */
export const levels = {
  SILENT: 'silent',
  ERROR: 'error',
  WARN: 'warn',
  INFO: 'info',
  DEBUG: 'debug',
} as const;

/** One of the {@link levels}. */
export type LogLevel = (typeof levels)[keyof typeof levels];

/** The levels in that order: a level's index is its rank. */
const ranked: readonly string[] = Object.values(levels);

/** True when `value` is a known log level name (case-insensitive). */
export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && ranked.includes(value.toLowerCase());
}

/** What a log entry is about. */
export interface LogTarget {
  /** The kind of subject, e.g. `'client'`, `'call'`, `'connection'`. */
  type: string;
  /** The subject's id, when it has one (a call id, a conversation id). */
  id?: string;
}

/** The data the SDK compiles when it logs something (the seeds' `LogEntry`). */
export interface LogEntry {
  /** When the entry was created, in milliseconds since the UNIX epoch. */
  timestamp: number;
  /** The log function that was used: `'debug' | 'info' | 'warn' | 'error'`. */
  method: 'debug' | 'info' | 'warn' | 'error';
  /** The severity of the entry. */
  level: Exclude<LogLevel, 'silent'>;
  /** The subject the entry is about. */
  target: LogTarget;
  /** The logged information, as given to the logger method. */
  messages: unknown[];
}

/** A function that receives every log entry at or above the configured level. */
export type LogHandler = (entry: LogEntry) => void;

/** Options for action logs: one entry per state-changing action the SDK performs. */
export interface LogActionsOptions {
  /** Receives action log entries; defaults to the console handler. */
  handler?: LogHandler;
  /** Only output the action itself, not the state it happened in. */
  actionOnly?: boolean;
  /** Collapse the output where the console supports groups (kept for seed compatibility). */
  collapsed?: boolean;
  /** Include a diff of what changed in the state. */
  diff?: boolean;
  /** The level action logs are written at. */
  level?: LogLevel;
  /** Include action payloads, which may contain sensitive data. */
  exposePayloads?: boolean;
}

/** `config.logs` as in the seeds. */
export interface LogsConfig {
  /** The lowest level that is passed to the handler. Default `'debug'`. */
  logLevel?: LogLevel;
  /** Receives log entries; defaults to {@link defaultLogHandler}. */
  handler?: LogHandler;
  /** Action logs: `false` turns them off; an object turns them on with those options. */
  logActions?: LogActionsOptions | boolean;
}

/** The default handler: a thin wrapper over `console`, as in the seeds. */
export const defaultLogHandler: LogHandler = (entry) => {
  const { timestamp, level, target, method } = entry;
  const [first, ...extra] = entry.messages;
  const subject = target.id ? `${target.type}:${target.id}` : target.type;
  console[method](
    `${new Date(timestamp).toISOString()} - ${subject} - ${level} - ${String(first)}`,
    ...extra,
  );
};

/** A logger bound to one target. Cheap to create; reads the live configuration on every call. */
export interface Logger {
  debug(...messages: unknown[]): void;
  info(...messages: unknown[]): void;
  warn(...messages: unknown[]): void;
  error(...messages: unknown[]): void;
  /** Logs an action (a state change) when action logs are on. */
  action(name: string, payload?: unknown): void;
}

/**
 * Creates a logger for `target` that reads its settings through `getConfig`, so a later
 * `updateConfig({logs})` takes effect at once. `now` is injectable for tests.
 */
export function createLogger(
  target: LogTarget,
  getConfig: () => LogsConfig,
  now: () => number = Date.now,
): Logger {
  const emit = (level: Exclude<LogLevel, 'silent'>, messages: unknown[], handler?: LogHandler) => {
    const config = getConfig();
    if (ranked.indexOf(level) > ranked.indexOf(normaliseLevel(config.logLevel))) return;
    const entry: LogEntry = { timestamp: now(), method: level, level, target, messages };
    try {
      (handler ?? config.handler ?? defaultLogHandler)(entry);
    } catch {
      // A failing log handler must never break the SDK.
    }
  };
  return {
    debug: (...m) => emit('debug', m),
    info: (...m) => emit('info', m),
    warn: (...m) => emit('warn', m),
    error: (...m) => emit('error', m),
    action(name, payload) {
      const { logActions } = getConfig();
      if (!logActions) return;
      const options: LogActionsOptions = logActions === true ? {} : logActions;
      const level = normaliseLevel(options.level ?? 'debug');
      if (level === 'silent') return;
      const messages: unknown[] = [`action: ${name}`];
      if (!options.actionOnly && options.exposePayloads !== false && payload !== undefined) {
        messages.push(payload);
      }
      emit(level, messages, options.handler);
    },
  };
}

function normaliseLevel(level: string | undefined): LogLevel {
  const lower = (level ?? 'debug').toLowerCase();
  return isLogLevel(lower) ? lower : 'debug';
}
