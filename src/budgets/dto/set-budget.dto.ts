import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsOptional, IsString, Validate } from 'class-validator';
import { IsAmountInput } from '../../expenses/dto/create-expense.dto';

/** Body of PUT /budgets/:category. */
export class SetBudgetDto {
  @ApiProperty({
    description: "Monthly limit: plain decimal, > 0, at most the currency's minor digits",
    example: '300.00',
    oneOf: [{ type: 'string' }, { type: 'number' }],
  })
  @IsDefined({ message: 'amount is required' })
  @Validate(IsAmountInput)
  amount!: string | number;

  @ApiPropertyOptional({ description: "ISO 4217 code; defaults to the ledger's currency", example: 'EUR' })
  @IsOptional()
  @IsString({ message: 'currency must be a string such as "USD"' })
  currency?: string;
}

export class BudgetCurrencyQuery {
  @ApiPropertyOptional({
    description: "Only the budget in this currency; without it, the category's budgets in every currency",
  })
  @IsOptional()
  @IsString({ message: 'currency must be given once, as text' })
  currency?: string;
}
