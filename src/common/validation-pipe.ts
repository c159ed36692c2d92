import { ArgumentMetadata, BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

const VALIDATOR_OPTIONS = { whitelist: true, forbidNonWhitelisted: true } as const;

/**
 * The quick road for valid input, on class-transformer's and class-validator's
 * public API only: the instance as plainToInstance builds it, accepted when
 * validateSync finds nothing wrong. Undefined means "let the full
 * ValidationPipe decide" (and write the messages). Tally's DTOs have no async
 * rules, which validateSync would skip; the spec runs every DTO both ways.
 */
export function quickRoad(target: new () => object, value: object): object | undefined {
  const entity = plainToInstance(target, value);
  return validateSync(entity, VALIDATOR_OPTIONS).length === 0 ? entity : undefined;
}

/**
 * Tally's global pipe: class-validator DTOs, unknown fields refused, values
 * turned into DTO instances, and a 400 whose message lists every problem
 * ("amount is required; currency must be a string such as \"USD\""). A valid
 * body or query takes the quick road above: the full road validates
 * asynchronously and builds error objects even when nothing is wrong.
 */
export class QuickValidationPipe extends ValidationPipe {
  constructor() {
    super({
      ...VALIDATOR_OPTIONS,
      transform: true,
      exceptionFactory: (errors) => new BadRequestException(messages(errors).join('; ')),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // Custom parameter decorators are not validated (validateCustomDecorators is off), nor are primitives.
    if (
      metadata.type !== 'custom' &&
      this.toValidate(metadata) &&
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value)
    ) {
      // As the full road does first: a "__proto__" key from JSON.parse never reaches the instance.
      this.stripProtoKeys(value);
      const entity = quickRoad(metadata.metatype as new () => object, value);
      if (entity) return entity;
    }
    return super.transform(value, metadata);
  }
}

/** Every message of every property, nested ones named by their path; an unknown field is named as such. */
function messages(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) =>
      message.startsWith('property ') ? `${path} is not a known field` : message,
    );
    return [...own, ...messages(error.children ?? [], path)];
  });
}
