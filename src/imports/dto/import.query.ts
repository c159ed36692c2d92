import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';

/** Query of POST /expenses/import: how to read the CSV. The values are checked by importOptions(). */
export class ImportQuery {
  @ApiPropertyOptional({ enum: ['.', ','], default: '.', description: 'The decimal mark of amounts' })
  @IsOptional()
  @IsString({ message: 'decimal must be given once' })
  decimal?: string;

  @ApiPropertyOptional({ enum: ['YYYY-MM-DD', 'DD.MM.YYYY', 'MM/DD/YYYY', 'DD/MM/YYYY'], default: 'YYYY-MM-DD' })
  @IsOptional()
  @IsString({ message: 'dateFormat must be given once' })
  dateFormat?: string;

  @ApiPropertyOptional({ enum: [',', ';', 'tab'], default: ',' })
  @IsOptional()
  @IsString({ message: 'delimiter must be given once' })
  delimiter?: string;
}
