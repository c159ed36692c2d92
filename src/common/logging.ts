import { randomUUID } from 'node:crypto';
import { ConsoleLogger, LoggerService, LogLevel as NestLevel } from '@nestjs/common';
import pino, { DestinationStream, Logger as Pino } from 'pino';
import type { AppConfig, LogLevel } from '../config/config';

const NEST_LEVELS: Record<LogLevel, NestLevel[]> = {
  debug: ['debug', 'log', 'warn', 'error', 'fatal'],
  info: ['log', 'warn', 'error', 'fatal'],
  warn: ['warn', 'error', 'fatal'],
  error: ['error', 'fatal'],
};

/** What one request's log line carries: never a token, secret, body or query string. */
export interface RequestFields {
  reqId: string;
  method: string;
  route: string;
  path: string;
  status: number;
  ms: number;
  ledgerId?: number;
}

/**
 * A pino destination that writes the lines logged in one event-loop turn
 * with one write(2): under load a batch's 30 answers log their 30 lines at
 * once, and a write per line cost about a tenth of a create's CPU on this
 * machine (the system call, not the formatting). A line waits at most until
 * the turn ends; what is left is written when the process exits.
 */
export function linesByTurn(fd: number): DestinationStream {
  const out = pino.destination({ dest: fd, sync: true });
  let pending = '';
  const flush = () => {
    if (!pending) return;
    const text = pending;
    pending = '';
    out.write(text);
  };
  process.on('exit', flush);
  return {
    write(line: string) {
      if (!pending) setImmediate(flush);
      pending += line;
    },
  };
}

/** One per process, however many loggers (and exit listeners) tests make. */
let stdout: DestinationStream | undefined;

/**
 * The one place that decides how Tally logs (docs/API.md §10): LOG_FORMAT=json
 * writes one JSON object per line through pino, pretty keeps Nest's coloured
 * console lines. Both carry the same facts.
 */
export class AppLogger implements LoggerService {
  private readonly pino?: Pino;
  private readonly console?: ConsoleLogger;

  /** `destination` is for tests; JSON lines go to standard output. */
  constructor(config: Pick<AppConfig, 'logLevel' | 'logFormat'>, destination?: DestinationStream) {
    if (config.logFormat === 'json') {
      this.pino = pino(
        { level: config.logLevel, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime },
        destination ?? (stdout ??= linesByTurn(1)),
      );
    } else {
      this.console = new ConsoleLogger();
      this.console.setLogLevels(NEST_LEVELS[config.logLevel]);
    }
  }

  log(message: unknown, context?: string): void {
    this.write('info', message, context);
  }
  error(message: unknown, stackOrContext?: string, context?: string): void {
    this.write('error', message, context ?? stackOrContext);
  }
  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  fatal(message: unknown, context?: string): void {
    this.write('fatal', message, context);
  }

  /** One line per answered request. */
  request(fields: RequestFields): void {
    const text = `${fields.method} ${fields.path} ${fields.status} ${fields.ms.toFixed(1)}ms`;
    if (this.pino) this.pino.info({ context: 'HTTP', ...fields, ms: Math.round(fields.ms * 10) / 10 }, text);
    else this.console!.log(`${text} [${fields.reqId}]`, 'HTTP');
  }

  private write(level: 'debug' | 'info' | 'warn' | 'error' | 'fatal', message: unknown, context?: string): void {
    if (this.pino) {
      this.pino[level]({ context }, typeof message === 'string' ? message : JSON.stringify(message));
      return;
    }
    const method = level === 'info' ? 'log' : level;
    this.console![method](message, ...(context ? [context] : []));
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** X-Request-Id from the client when it is a sane one, else a new one; echoed in the response. */
export function requestId(header: string | string[] | undefined): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}
