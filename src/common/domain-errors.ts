/** Errors the domain raises; DomainExceptionFilter maps each to its HTTP status. */
export abstract class DomainError extends Error {
  abstract readonly status: number;
}

/** Input that breaks a rule; the message starts with the field's name. */
export class InvalidInputError extends DomainError {
  readonly status = 400;
}

export class NotFoundError extends DomainError {
  readonly status = 404;
}

export class UnauthorizedError extends DomainError {
  readonly status = 401;
}

/** The same Idempotency-Key with a different request. */
export class IdempotencyMismatchError extends DomainError {
  readonly status = 422;
}

/** The same Idempotency-Key while its first request still runs. */
export class IdempotencyInFlightError extends DomainError {
  readonly status = 409;
}

export class TooManyRequestsError extends DomainError {
  readonly status = 429;
}
