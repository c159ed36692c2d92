import { ArgumentMetadata, BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import { TransformationType } from 'class-transformer';
import { getMetadataStorage, ValidationArguments, ValidationTypes, ValidatorConstraintInterface } from 'class-validator';

/** The checks class-validator keeps for one decorator on one property (the fields read here). */
interface RuleMetadata {
  type: string;
  propertyName: string;
  constraints: any[];
  constraintCls: Function;
  each?: boolean;
  validateIf?: (object: object, value: unknown) => boolean;
}

/** What class-transformer knows of a class; its index does not export the storage, whose methods include ancestors. */
interface TransformerMetadata {
  findTypeMetadata(target: Function, property: string): TypeMetadata | undefined;
  findTransformMetadatas(target: Function, property: string, type: TransformationType): unknown[];
  getExposedMetadatas(target: Function): unknown[];
  getExcludedMetadatas(target: Function): unknown[];
  getStrategy(target: Function): string;
}
/** A @Type decorator: the class (or primitive) a property's value becomes. */
interface TypeMetadata {
  typeFunction?: (options: { newObject: object; object: object; property: string }) => unknown;
  reflectedType?: unknown;
  options?: { discriminator?: unknown };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const transformerMetadata = (require('class-transformer/cjs/storage') as { defaultMetadataStorage: TransformerMetadata }).defaultMetadataStorage;

interface PropertyRules {
  name: string;
  /** @IsOptional and @ValidateIf: when one says no, the property's other rules are skipped. */
  conditions: RuleMetadata[];
  /** @IsDefined, and every other rule (@IsString, @IsIn, custom constraints…), each with its constraint objects. */
  rules: Array<{ rule: RuleMetadata; constraints: ValidatorConstraintInterface[] }>;
  /** @Type: the value becomes this type, which the quick road follows for String, Number and Boolean only. */
  type?: TypeMetadata;
  /** @Transform changes this property's value: only the full road runs it. */
  transformed: boolean;
}

/** The @Type targets the quick road follows: class-transformer makes String(value), Number(value) or Boolean(value) of a primitive (null stays null). */
const PRIMITIVE_TYPES = new Set<unknown>([String, Number, Boolean]);

/** Builds a DTO instance from a body or query, or says undefined: "let the full ValidationPipe decide". */
export type QuickCheck = (value: Record<string, unknown>) => object | undefined;

const KNOWN_RULE_TYPES = new Set<string>([
  ValidationTypes.IS_DEFINED,
  ValidationTypes.CONDITIONAL_VALIDATION,
  ValidationTypes.CUSTOM_VALIDATION,
  ValidationTypes.WHITELIST,
]);

/**
 * The quick road for a DTO, read from its class-validator and
 * class-transformer decorators, so the rules stay written once. It accepts
 * only what the full ValidationPipe (whitelist, forbidNonWhitelisted,
 * transform) would accept, and builds the same instance: a plain object whose
 * keys are all declared and whose values are all strings, numbers, booleans
 * or null, converted as class-transformer would (only @Type to String, Number
 * or Boolean is modelled), and every rule passing, run in class-validator's
 * order. Anything else, including every input with an error, goes the full
 * road, which writes the messages. Undefined for a class using what this does
 * not model (nested DTOs, `each`, async rules, discriminators, class-level
 * @Expose/@Exclude).
 */
export function quickCheck(target: Function): QuickCheck | undefined {
  const properties = readRules(target);
  if (!properties) return undefined;
  return (value) => {
    if (!isPlainData(value)) return undefined;
    const entity = buildEntity(target, properties, value);
    return entity && passesRules(target, properties, entity) ? entity : undefined;
  };
}

/** Each declared property's rules, or undefined when the class uses what the quick road does not model. */
function readRules(target: Function): Map<string, PropertyRules> | undefined {
  const storage = getMetadataStorage();
  // As class-validator's executor asks: no schema, groups or `always` (Tally's pipe sets none).
  const metadatas = storage.getTargetValidationMetadatas(target, undefined as unknown as string, false, false) as unknown as RuleMetadata[];
  if (metadatas.length === 0) return undefined;
  if (transformerMetadata.getStrategy(target) !== 'none') return undefined;
  if (transformerMetadata.getExposedMetadatas(target).length > 0 || transformerMetadata.getExcludedMetadatas(target).length > 0) return undefined;

  const properties = new Map<string, PropertyRules>();
  for (const metadata of metadatas) {
    if (!KNOWN_RULE_TYPES.has(metadata.type) || metadata.each) return undefined;
    let property = properties.get(metadata.propertyName);
    if (!property) {
      const name = metadata.propertyName;
      const type = transformerMetadata.findTypeMetadata(target, name);
      if (type?.options?.discriminator) return undefined;
      const transformed = transformerMetadata.findTransformMetadatas(target, name, TransformationType.PLAIN_TO_CLASS).length > 0;
      properties.set(name, (property = { name, conditions: [], rules: [], type, transformed }));
    }
    if (metadata.type === ValidationTypes.CONDITIONAL_VALIDATION) property.conditions.push(metadata);
    if (metadata.type === ValidationTypes.IS_DEFINED || metadata.type === ValidationTypes.CUSTOM_VALIDATION) {
      const constraints = storage.getTargetValidatorConstraints(metadata.constraintCls);
      if (constraints.some((constraint) => constraint.async)) return undefined;
      property.rules.push({ rule: metadata, constraints: constraints.map((constraint) => constraint.instance) });
    }
  }
  return properties;
}

/** The instance class-transformer would make of `value`, or undefined when only the full road can make it. */
function buildEntity(target: Function, properties: Map<string, PropertyRules>, value: Record<string, unknown>): Record<string, unknown> | undefined {
  const entity = new (target as new () => object)() as Record<string, unknown>;
  for (const key of Object.keys(value)) {
    const property = properties.get(key);
    if (!property || property.transformed) return undefined;
    let field = value[key];
    if ((typeof field === 'object' && field !== null) || typeof field === 'function') return undefined;
    if (property.type && field !== null && field !== undefined) {
      // Asked per input, as class-transformer does: a type function may look at the object.
      const type = property.type.typeFunction ? property.type.typeFunction({ newObject: entity, object: value, property: key }) : property.type.reflectedType;
      if (!PRIMITIVE_TYPES.has(type)) return undefined;
      field = (type as (input: unknown) => unknown)(field);
    }
    entity[key] = field;
  }
  return entity;
}

/** True when class-validator would find nothing wrong with `entity`; false also for a rule answering with a promise. */
function passesRules(target: Function, properties: Map<string, PropertyRules>, entity: Record<string, unknown>): boolean {
  for (const property of properties.values()) {
    const field = entity[property.name];
    if (!property.conditions.every((condition) => condition.constraints[0](entity, field))) continue;
    for (const { rule, constraints } of property.rules) {
      if (rule.validateIf && !rule.validateIf(entity, field)) continue;
      const args: ValidationArguments = { targetName: target.name, property: property.name, object: entity, value: field, constraints: rule.constraints };
      if (!constraints.every((constraint) => constraint.validate(field, args) === true)) return false;
    }
  }
  return true;
}

/**
 * An object that is only its own fields: a JSON body (Object.prototype), or a
 * query, whose parser (fast-querystring) makes objects whose prototype is an
 * empty object without one. Not a Date, Buffer, Map or class instance.
 */
function isPlainData(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  if (prototype === null || prototype === Object.prototype) return true;
  return Object.getPrototypeOf(prototype) === null && Reflect.ownKeys(prototype).length === 0;
}

/**
 * Tally's global pipe: class-validator DTOs, unknown fields refused, values
 * turned into DTO instances, and a 400 whose message lists every problem
 * ("amount is required; currency must be a string such as \"USD\""). A valid
 * body or query takes the quick road above, which on POST /expenses saved
 * about an eighth of a create's CPU: the full road builds error objects,
 * groups and copies even when nothing is wrong. Every other input takes the
 * full road.
 */
export class QuickValidationPipe extends ValidationPipe {
  private readonly checks = new Map<Function, QuickCheck | undefined>();

  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) => new BadRequestException(messages(errors).join('; ')),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const target = metadata.metatype;
    // Custom parameter decorators are not validated (validateCustomDecorators is off).
    if (target && metadata.type !== 'custom' && typeof value === 'object' && value !== null) {
      let check = this.checks.get(target);
      if (check === undefined && !this.checks.has(target)) this.checks.set(target, (check = quickCheck(target)));
      const entity = check?.(value as Record<string, unknown>);
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
