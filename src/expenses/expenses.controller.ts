import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Req,
  Res,
  StreamableFile,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuthenticatedRequest, BearerGuard, CurrentLedger } from '../ledgers/bearer.guard';
import type { Ledger } from '../ledgers/ledger.entity';
import { IdempotentRequests } from '../idempotency/idempotent-requests';
import { expensesCsv } from './csv';
import { CreateExpenseDto } from './dto/create-expense.dto';
import { UpdateExpenseDto } from './dto/update-expense.dto';
import { InvalidInputError } from '../common/domain-errors';
import { EDITABLE_FIELDS, ExpenseChangeView } from './expense-history';
import { DateRangeQuery, FilterQuery, ListExpensesQuery } from './dto/list-expenses.query';
import { ExpensesService } from './expenses.service';
import type { ExpenseView } from './expense.view';

const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description: '1-255 printable ASCII characters; a retry with the same key replays the first response',
};

@ApiTags('expenses')
@ApiBearerAuth()
@UseGuards(BearerGuard)
@Controller('expenses')
export class ExpensesController {
  constructor(
    private readonly expenses: ExpensesService,
    private readonly idempotent: IdempotentRequests,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Record an expense (201), or return the identical one already recorded (200)' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiResponse({ status: 201, description: 'Recorded' })
  @ApiResponse({ status: 200, description: 'An identical expense already existed; it is returned' })
  async create(
    @CurrentLedger() ledger: Ledger,
    @Body() body: CreateExpenseDto,
    @Headers('x-tally-source') source: string | undefined,
    @Req() request: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ExpenseView> {
    return this.idempotent.run(request, reply, async () => {
      const result = await this.expenses.record(ledger, { ...body, source: source === 'web' ? 'web' : 'api' });
      reply.status(result.created ? 201 : 200);
      return result.expense;
    });
  }

  @Get()
  @ApiOperation({ summary: 'List expenses, newest first; count and total cover every match' })
  list(@CurrentLedger() ledger: Ledger, @Query() query: ListExpensesQuery) {
    return this.expenses.list(ledger, query);
  }

  @Get('summary')
  @ApiOperation({ summary: 'Totals per category and per currency for a date range' })
  summary(@CurrentLedger() ledger: Ledger, @Query() query: DateRangeQuery) {
    return this.expenses.summary(ledger, query);
  }

  @Get('export.csv')
  @ApiOperation({ summary: 'Every matching expense as CSV' })
  exportCsv(@CurrentLedger() ledger: Ledger, @Query() query: FilterQuery): StreamableFile {
    // Validate the filter before the first byte goes out; errors after that could not be a 400.
    const filter = { ...this.expenses.checkFilter(query), sort: query.sort };
    return new StreamableFile(expensesCsv(this.expenses.stream(ledger, filter)), {
      type: 'text/csv; charset=utf-8',
      disposition: 'attachment; filename="expenses.csv"',
    });
  }

  @Get(':id')
  @ApiOperation({ summary: 'One expense of this ledger, with its ETag for If-Match' })
  async get(
    @CurrentLedger() ledger: Ledger,
    @Param('id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ExpenseView> {
    const { expense, etag } = await this.expenses.getTagged(ledger, id);
    reply.header('ETag', etag);
    return expense;
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change any of amount, currency, category, description, date' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiHeader({
    name: 'If-Match',
    required: false,
    description: 'The ETag from GET /expenses/:id; a stale one → 412 and nothing changes',
  })
  @ApiResponse({ status: 200, description: 'The updated expense, with updatedAt' })
  @ApiResponse({
    status: 409,
    description: 'The change would make it identical to another expense (existingId); nothing changed',
  })
  @ApiResponse({ status: 412, description: 'If-Match no longer matches; nothing changed' })
  async edit(
    @CurrentLedger() ledger: Ledger,
    @Param('id') id: string,
    @Body() body: UpdateExpenseDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-tally-source') source: string | undefined,
    @Req() request: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ExpenseView> {
    return this.idempotent.run(request, reply, async () => {
      if (!EDITABLE_FIELDS.some((field) => body[field] !== undefined)) {
        throw new InvalidInputError(`body must change at least one of ${EDITABLE_FIELDS.join(', ')}`);
      }
      const result = await this.expenses.edit(ledger, id, {
        ...body,
        ifMatch,
        source: source === 'web' ? 'web' : 'api',
      });
      reply.header('ETag', result.etag);
      return result.expense;
    });
  }

  @Get(':id/history')
  @ApiOperation({ summary: 'Every edit of an expense, oldest first (kept after it is removed)' })
  async history(@CurrentLedger() ledger: Ledger, @Param('id') id: string): Promise<{ items: ExpenseChangeView[] }> {
    return { items: await this.expenses.history(ledger, id) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiOperation({ summary: 'Remove an expense from lists and totals (kept in the database)' })
  async remove(
    @CurrentLedger() ledger: Ledger,
    @Param('id') id: string,
    @Req() request: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    await this.idempotent.run(request, reply, () => this.expenses.remove(ledger, id));
  }
}
