import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsIn, IsInt, IsOptional, IsString, Validate } from 'class-validator';
import { IsAmountInput } from '../../expenses/dto/create-expense.dto';
import { EVERY } from '../schedule';

/** Body of POST /recurring. Types are checked here; the rules live in RecurringService. */
export class CreateRecurringDto {
  @ApiProperty({ example: '9.99', oneOf: [{ type: 'string' }, { type: 'number' }] })
  @IsDefined({ message: 'amount is required' })
  @Validate(IsAmountInput)
  amount!: string | number;

  @ApiPropertyOptional({ description: "ISO 4217 code; defaults to the ledger's currency", example: 'USD' })
  @IsOptional()
  @IsString({ message: 'currency must be a string such as "USD"' })
  currency?: string;

  @ApiProperty({ example: 'subscriptions' })
  @IsString({ message: 'category must be a string' })
  category!: string;

  @ApiPropertyOptional({ example: 'netflix' })
  @IsOptional()
  @IsString({ message: 'description must be a string' })
  description?: string;

  @ApiProperty({ enum: EVERY })
  @IsIn(EVERY as string[], { message: `every must be one of ${EVERY.join(', ')}` })
  every!: string;

  @ApiPropertyOptional({
    description:
      "month: day of the month 1-31 (past its end, the last day); week: ISO weekday 1 (Monday)-7. Default: the start's.",
  })
  @IsOptional()
  @IsInt({ message: 'day must be a whole number' })
  day?: number;

  @ApiPropertyOptional({
    description: 'First date it may fall on, YYYY-MM-DD; default today. Dates since a past start are posted at once.',
  })
  @IsOptional()
  @IsString({ message: 'start must be a date written YYYY-MM-DD' })
  start?: string;
}
