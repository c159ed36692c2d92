/** Errors the domain raises; DomainExceptionFilter maps each to its HTTP status. */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  /** Fields added to the JSON error body beside statusCode, error and message. */
  readonly details: Record<string, unknown> = {};
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

export class ForbiddenError extends DomainError {
  readonly status = 403;
}

/** A service Tally depends on (the Telegram Bot API) could not answer. */
export class UpstreamUnavailableError extends DomainError {
  readonly status = 503;
}

export class TooManyRequestsError extends DomainError {
  readonly status = 429;
}

/** An edit would make the expense identical to another live one (docs/API.md §7). */
export class DuplicateExpenseError extends DomainError {
  readonly status = 409;
  constructor(
    message: string,
    readonly existingId: string,
    readonly existingNumber: number,
  ) {
    super(message);
    this.details.existingId = existingId;
  }
}

/** If-Match named a version that is no longer current. */
export class PreconditionFailedError extends DomainError {
  readonly status = 412;
}

export class PayloadTooLargeError extends DomainError {
  readonly status = 413;
}

export class UnsupportedMediaTypeError extends DomainError {
  readonly status = 415;
}
