import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DomainError } from './domain-errors';
import { isDatabaseUnavailable } from '../database/database-errors';

/** The one JSON error shape: {statusCode, error, message}. Never a stack trace. */
export function errorBody(statusCode: number, message: string) {
  const error = (HttpStatus[statusCode] ?? 'Error')
    .toLowerCase()
    .split('_')
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join(' ');
  return { statusCode, error, message };
}

/**
 * Catch-all: HttpExceptions keep their status with the message flattened to
 * one string; anything unknown becomes a bare 500 and is logged here only.
 * Registered before DomainExceptionFilter, which Nest then tries first.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Exceptions');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const message =
        typeof response === 'string'
          ? response
          : ((response as { message?: string | string[] }).message ?? exception.message);
      reply.status(status).send(errorBody(status, Array.isArray(message) ? message.join('; ') : message));
      return;
    }
    if (isDatabaseUnavailable(exception)) {
      // Nothing was acknowledged; the client may retry. The pool reconnects by itself once the server is back.
      this.logger.warn(`database unavailable: ${(exception as Error).message}`);
      reply.status(503).header('Retry-After', '5').send(errorBody(503, 'the database is unavailable; retry shortly'));
      return;
    }
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    reply.status(500).send(errorBody(500, 'Internal server error'));
  }
}

@Catch(DomainError)
export class DomainExceptionFilter implements ExceptionFilter {
  catch(exception: DomainError, host: ArgumentsHost): void {
    host
      .switchToHttp()
      .getResponse<FastifyReply>()
      .status(exception.status)
      .send({ ...errorBody(exception.status, exception.message), ...exception.details });
  }
}
