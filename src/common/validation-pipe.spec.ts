import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArgumentMetadata, HttpException, ValidationPipe } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsString } from 'class-validator';
import { BudgetCurrencyQuery, SetBudgetDto } from '../budgets/dto/set-budget.dto';
import { CreateExpenseDto } from '../expenses/dto/create-expense.dto';
import { DateRangeQuery, FilterQuery, ListExpensesQuery } from '../expenses/dto/list-expenses.query';
import { UpdateExpenseDto } from '../expenses/dto/update-expense.dto';
import { ImportQuery } from '../imports/dto/import.query';
import { CreateRecurringDto } from '../recurring/dto/create-recurring.dto';
import { quickRoad, QuickValidationPipe } from './validation-pipe';

/** Every DTO a route validates, with the kind of input it arrives as and a valid value for each of its fields. */
const DTOS: Array<[new () => object, ArgumentMetadata['type'], Record<string, unknown>]> = [
  [
    CreateExpenseDto,
    'body',
    {
      amount: '12.50',
      category: 'food',
      description: 'lunch',
      date: '2026-11-24',
      currency: 'USD',
      allowDuplicate: true,
    },
  ],
  [
    UpdateExpenseDto,
    'body',
    { amount: 3, category: 'food', description: '', date: '2026-11-24', currency: 'EUR', allowDuplicate: false },
  ],
  [SetBudgetDto, 'body', { amount: '300', currency: 'USD' }],
  [
    CreateRecurringDto,
    'body',
    {
      amount: '9.99',
      currency: 'USD',
      category: 'subscriptions',
      description: 'tv',
      every: 'month',
      day: 15,
      start: '2026-12-01',
    },
  ],
  [
    ListExpensesQuery,
    'query',
    { from: '2026-11-01', to: '2026-11-30', category: 'food', sort: 'date_asc', limit: '5', cursor: 'abc' },
  ],
  [FilterQuery, 'query', { from: '2026-11-01', to: '2026-11-30', category: 'food', sort: 'date_desc' }],
  [DateRangeQuery, 'query', { from: '2026-11-01', to: '2026-11-30' }],
  [BudgetCurrencyQuery, 'query', { currency: 'USD' }],
  [ImportQuery, 'query', { decimal: ',', dateFormat: 'DD.MM.YYYY', delimiter: ';' }],
];

/** A DTO whose field class-transformer changes: only the full road may build it. */
class TrimmedName {
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  name!: string;
}

/** What fast-querystring (Fastify's query parser) makes: an object whose prototype is empty and has none. */
const QueryObject = function () {} as unknown as new () => object;
QueryObject.prototype = Object.create(null);

const ABSENT = Symbol('absent');
/** Values of every kind a JSON body or a query string can carry, valid and not. */
const VALUES: unknown[] = [
  ABSENT,
  ABSENT,
  null,
  '12.50',
  '',
  'food',
  '2026-11-24',
  'USD',
  'date_desc',
  'month',
  '5',
  12.5,
  0,
  7,
  -1,
  2.5,
  true,
  false,
  [],
  ['a'],
  {},
  { a: 1 },
];
const EXTRA_KEYS = ['note', 'constructor', '__proto__'];

/** A small seeded generator, so a failure names an input that can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** Inputs mixing each field's valid value, its absence, and values of every other kind. */
function inputs(valid: Record<string, unknown>, count: number, seed: number): Array<Record<string, unknown>> {
  const next = random(seed);
  const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)];
  return Array.from({ length: count }, () => {
    const entries: Array<[string, unknown]> = [];
    for (const [property, validValue] of Object.entries(valid)) {
      const value = next() < 0.6 ? pick([validValue, ABSENT]) : pick(VALUES);
      if (value !== ABSENT) entries.push([property, value]);
    }
    if (next() < 0.15) entries.push([pick(EXTRA_KEYS), pick(VALUES.slice(2))]);
    // Bodies come from JSON.parse (an own "__proto__" key stays a key); queries as Fastify's parser makes them.
    const object =
      next() < 0.5
        ? JSON.parse(JSON.stringify(Object.fromEntries(entries)))
        : Object.assign(new QueryObject(), Object.fromEntries(entries));
    return object as Record<string, unknown>;
  });
}

/** What a pipe made of an input: the instance (its class and own fields), or the error's status and message. */
async function outcome(run: () => Promise<unknown>) {
  try {
    const value = (await run()) as object;
    return { class: Object.getPrototypeOf(value)?.constructor?.name, fields: { ...value } };
  } catch (error) {
    if (!(error instanceof HttpException)) throw error;
    return { status: error.getStatus(), message: (error.getResponse() as { message: unknown }).message };
  }
}

const copy = (value: Record<string, unknown>) =>
  Object.assign(Object.create(Object.getPrototypeOf(value)), value) as Record<string, unknown>;

describe('QuickValidationPipe', () => {
  const pipe = new QuickValidationPipe();
  /** The same pipe without its quick road: Nest's ValidationPipe with Tally's options and messages. */
  const fullRoad = (value: unknown, metadata: ArgumentMetadata) =>
    ValidationPipe.prototype.transform.call(pipe, value, metadata);

  it.each(DTOS.map(([dto, type, valid]) => [dto.name, dto, type, valid] as const))(
    'answers %s exactly as the full ValidationPipe does, for valid and invalid input alike',
    async (_name, dto, type, valid) => {
      const metadata: ArgumentMetadata = { type, metatype: dto as ArgumentMetadata['metatype'], data: undefined };
      let quick = 0;
      for (const input of inputs(valid, 600, Object.keys(valid).length)) {
        if (!Object.hasOwn(input, '__proto__') && quickRoad(dto, copy(input))) quick++;
        const ours = await outcome(() => pipe.transform(copy(input), metadata));
        const reference = await outcome(() => fullRoad(copy(input), metadata));
        expect({ input, outcome: ours }).toEqual({ input, outcome: reference });
      }
      // The comparison covered the quick road, not only the full one.
      expect(quick).toBeGreaterThan(15);
    },
  );

  it('takes the quick road for a valid create body and a list query, converting limit as @Type(() => Number) does', () => {
    const entity = quickRoad(CreateExpenseDto, { amount: '12.50', category: 'food', description: 'lunch' });
    expect(entity).toBeInstanceOf(CreateExpenseDto);
    expect({ ...entity }).toEqual({ amount: '12.50', category: 'food', description: 'lunch' });
    const query = quickRoad(ListExpensesQuery, Object.assign(new QueryObject(), { category: 'food', limit: '5' }));
    expect(query).toBeInstanceOf(ListExpensesQuery);
    expect({ ...query }).toEqual({ category: 'food', limit: 5 });
  });

  it('builds a field @Transform changes as the full road does', async () => {
    const metadata: ArgumentMetadata = { type: 'body', metatype: TrimmedName, data: undefined };
    expect({ ...quickRoad(TrimmedName, { name: ' Ann ' }) }).toEqual({ name: 'Ann' });
    expect({ ...((await pipe.transform({ name: ' Ann ' }, metadata)) as object) }).toEqual({ name: 'Ann' });
  });

  it('reads no private file of class-transformer or class-validator', () => {
    const source = readFileSync(join(__dirname, 'validation-pipe.ts'), 'utf8');
    expect(source).not.toMatch(/class-(transformer|validator)\/(cjs|esm|types)/);
  });
});
