import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TooManyRequestsError, UnauthorizedError } from '../common/domain-errors';
import { FailedAuthLimiter } from './failed-auth-limiter';
import type { Ledger } from './ledger.entity';
import { TokensService } from './tokens.service';

export type AuthenticatedRequest = FastifyRequest & { ledger: Ledger };

/** Requires `Authorization: Bearer TOKEN` and puts the token's ledger on the request. */
@Injectable()
export class BearerGuard implements CanActivate {
  private readonly limiter = new FailedAuthLimiter();

  constructor(private readonly tokens: TokensService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const match = /^Bearer +(\S+) *$/i.exec(request.headers.authorization ?? '');
    if (!match) throw new UnauthorizedError('Authorization header must be "Bearer TOKEN"');
    const ledger = await this.tokens.resolve(match[1]);
    if (ledger) {
      // A valid token always gets in, so a guessing neighbour behind the same address hurts no one.
      request.ledger = ledger;
      return true;
    }
    const client = request.ip;
    this.limiter.recordFailure(client);
    if (this.limiter.isBlocked(client)) {
      context.switchToHttp().getResponse<FastifyReply>().header('Retry-After', String(this.limiter.retryAfter(client)));
      throw new TooManyRequestsError('Authorization: too many failed attempts from this address; try again later');
    }
    throw new UnauthorizedError('Authorization token is not valid');
  }
}

/** The ledger BearerGuard resolved for this request. */
export const CurrentLedger = createParamDecorator(
  (_data: unknown, context: ExecutionContext) => context.switchToHttp().getRequest<AuthenticatedRequest>().ledger,
);
