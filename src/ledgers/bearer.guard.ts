import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TooManyRequestsError, UnauthorizedError } from '../common/domain-errors';
import { FailedAuthLimiter } from './failed-auth-limiter';
import type { Ledger } from './ledger.entity';
import { TokensService } from './tokens.service';
import { MiniAppAuth } from './mini-app-auth';

export type AuthenticatedRequest = FastifyRequest & { ledger: Ledger };

/**
 * Requires `Authorization: Bearer TOKEN` (an API token) or `Authorization: tma
 * INIT_DATA` (the Telegram Mini App) and puts the ledger it opens on the request.
 */
@Injectable()
export class BearerGuard implements CanActivate {
  private readonly limiter = new FailedAuthLimiter();

  constructor(
    private readonly tokens: TokensService,
    private readonly miniApp: MiniAppAuth,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization ?? '';
    const tma = /^tma +(\S+) *$/i.exec(header);
    if (tma) return this.withMiniApp(context, request, tma[1]);
    const match = /^Bearer +(\S+) *$/i.exec(header);
    if (!match)
      throw new UnauthorizedError(
        'Authorization header must be "Bearer TOKEN" (or "tma INIT_DATA" from the Telegram Mini App)',
      );
    const ledger = await this.tokens.resolve(match[1]);
    if (ledger) {
      // A valid token always gets in, so a guessing neighbour behind the same address hurts no one.
      request.ledger = ledger;
      return true;
    }
    this.refuse(context, request);
    throw new UnauthorizedError('Authorization token is not valid');
  }

  private async withMiniApp(
    context: ExecutionContext,
    request: AuthenticatedRequest,
    initData: string,
  ): Promise<boolean> {
    try {
      request.ledger = await this.miniApp.resolve(initData);
      return true;
    } catch (error) {
      if (error instanceof UnauthorizedError) this.refuse(context, request);
      throw error;
    }
  }

  /** Counts a failed attempt; too many from one address in a row answer 429 instead of 401. */
  private refuse(context: ExecutionContext, request: AuthenticatedRequest): void {
    const client = request.ip;
    this.limiter.recordFailure(client);
    if (this.limiter.isBlocked(client)) {
      context
        .switchToHttp()
        .getResponse<FastifyReply>()
        .header('Retry-After', String(this.limiter.retryAfter(client)));
      throw new TooManyRequestsError('Authorization: too many failed attempts from this address; try again later');
    }
  }
}

/** The ledger BearerGuard resolved for this request. */
export const CurrentLedger = createParamDecorator(
  (_data: unknown, context: ExecutionContext) => context.switchToHttp().getRequest<AuthenticatedRequest>().ledger,
);
