import { pino, type DestinationStream, type LevelWithSilent, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/** The least level a coordinator's log keeps; `silent` keeps nothing. */
export type LogThreshold = Exclude<LevelWithSilent, 'fatal'>;

/** Where a log goes: a stream, and whether a person reads it there (a terminal). */
export interface LogOutput extends DestinationStream {
  isTTY?: boolean;
}

/**
 * The coordinator's log: one JSON line per event (`level` by name, `time` in ISO 8601, the event's
 * ids beside `msg`), or readable lines when `output` is a terminal. Written synchronously, so the
 * lines before a crash or a `process.exit` are not lost.
 * @example
 * const log = createLogger('info');
 * log.info({ jobId: 'job_1', from: 'PENDING', to: 'RUNNING' }, 'job state changed');
 */
export function createLogger(level: LogThreshold, output: LogOutput = process.stdout): Logger {
  if (level === 'silent') return SILENT_LOG;
  if (output.isTTY) {
    const destination = pretty({ destination: output, sync: true, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
    return pino({ level }, destination);
  }
  return pino({ level, formatters: { level: (label) => ({ level: label }) }, timestamp: pino.stdTimeFunctions.isoTime }, output);
}

/** Logs nothing: the default where no log is asked for (a unit test, an embedded coordinator). */
export const SILENT_LOG: Logger = pino({ level: 'silent' }, { write: () => undefined });
