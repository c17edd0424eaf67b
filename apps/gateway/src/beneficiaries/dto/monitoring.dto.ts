import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { PageQuery } from '../../catalog/dto/catalog.dto';

export const CASE_STATUSES = ['open', 'visited', 'closed'] as const;
const uuid = { message: 'must be a UUID' };

export class ListCasesQuery extends PageQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('all', uuid)
  townId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('all', uuid)
  villageId?: string;

  @ApiPropertyOptional({ enum: CASE_STATUSES })
  @IsOptional()
  @IsIn(CASE_STATUSES, { message: `must be one of ${CASE_STATUSES.join(', ')}` })
  status?: (typeof CASE_STATUSES)[number];

  @ApiPropertyOptional({
    enum: ['json', 'csv'],
    default: 'json',
    description: 'csv: every matching case, pages ignored',
  })
  @IsOptional()
  @IsIn(['json', 'csv'], { message: 'must be json or csv' })
  format?: 'json' | 'csv';
}

export class RefreshCasesDto {
  @ApiPropertyOptional({
    format: 'date-time',
    description: 'where the two windows end; default the configured MONITORING_AS_OF, else now',
    example: '2021-01-01T00:00:00+08:00',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'must be an ISO 8601 date or instant' })
  asOf?: string;
}

export class VisitCaseDto {
  @ApiPropertyOptional({ description: 'What the visit found (required; encrypted at rest)', maxLength: 2000 })
  @IsString({ message: 'must be a string' })
  @MinLength(1, { message: 'is required for a visit' })
  @MaxLength(2000, { message: 'must be at most 2000 characters' })
  note!: string;
}

export class CloseCaseDto {
  @ApiPropertyOptional({ description: 'Why the case is closed (encrypted at rest)', maxLength: 2000 })
  @IsOptional()
  @IsString({ message: 'must be a string' })
  @MaxLength(2000, { message: 'must be at most 2000 characters' })
  note?: string;
}
