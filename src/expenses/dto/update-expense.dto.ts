import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Validate } from 'class-validator';
import { IsAmountInput } from './create-expense.dto';

/** Body of PATCH /expenses/:id: any of the expense's fields; the create rules apply to each one given. */
export class UpdateExpenseDto {
  @ApiPropertyOptional({
    description: "Plain decimal, > 0, at most the currency's minor digits",
    example: '13.50',
    oneOf: [{ type: 'string' }, { type: 'number' }],
  })
  @IsOptional()
  @Validate(IsAmountInput)
  amount?: string | number;

  @ApiPropertyOptional({ description: 'ISO 4217 code; the amount must fit its minor digits', example: 'EUR' })
  @IsOptional()
  @IsString({ message: 'currency must be a string such as "USD"' })
  currency?: string;

  @ApiPropertyOptional({ description: '1-64 characters; stored in lower case', example: 'food' })
  @IsOptional()
  @IsString({ message: 'category must be a string' })
  category?: string;

  @ApiPropertyOptional({ description: '0-500 characters', example: 'Dinner' })
  @IsOptional()
  @IsString({ message: 'description must be a string' })
  description?: string;

  @ApiPropertyOptional({ description: 'Calendar date YYYY-MM-DD', example: '2026-11-23' })
  @IsOptional()
  @IsString({ message: 'date must be a string written YYYY-MM-DD' })
  date?: string;

  @ApiPropertyOptional({ description: 'Let the edit make it identical to another live expense', default: false })
  @IsOptional()
  @IsBoolean({ message: 'allowDuplicate must be true or false' })
  allowDuplicate?: boolean;
}
