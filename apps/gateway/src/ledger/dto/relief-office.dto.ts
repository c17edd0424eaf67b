import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';

const HOUSEHOLD_STATUSES = ['registered', 'exited', 'monitored_edge', 'monitored_unstable'] as const;
export const RUN_POLICIES = ['equal', 'per_member', 'by_status'] as const;
export const RUN_STATES = ['proposed', 'approved', 'rejected', 'cancelled'] as const;

export class ReasonDto {
  @ApiProperty({ maxLength: 500 })
  @IsString({ message: 'must be a string' })
  @MinLength(1, { message: 'is required' })
  @MaxLength(500, { message: 'must be at most 500 characters' })
  reason!: string;
}

export class AllocationHouseholdDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'must be a UUID' })
  householdId!: string;

  @ApiPropertyOptional({ minimum: 1, description: 'omit on every household for equal shares' })
  @IsOptional()
  @IsInt({ message: 'must be an integer' })
  @Min(1, { message: 'must be positive' })
  @Max(1_000_000, { message: 'must be at most 1000000' })
  weight?: number;
}

export class AllocateDto extends ReasonDto {
  @ApiProperty({ type: [AllocationHouseholdDto] })
  @IsArray({ message: 'must be a list' })
  @ArrayMinSize(1, { message: 'name at least one household' })
  @ArrayMaxSize(1_000, { message: 'at most 1000 households' })
  @ValidateNested({ each: true })
  @Type(() => AllocationHouseholdDto)
  households!: AllocationHouseholdDto[];

  @ApiPropertyOptional({ minimum: 1, description: 'fen to allocate; omitted: all that waits' })
  @IsOptional()
  @IsInt({ message: 'must be a whole number of fen' })
  @Min(1, { message: 'must be positive' })
  amountFen?: number;
}

export class SettleSuspenseDto extends ReasonDto {
  @ApiProperty({
    enum: ['return', 'accept'],
    description: 'return: owed back to the payer; accept: a donation to the relief fund',
  })
  @IsIn(['return', 'accept'], { message: 'must be return or accept' })
  outcome!: 'return' | 'accept';
}

export class ProposeRunDto {
  @ApiProperty({ enum: RUN_POLICIES })
  @IsIn(RUN_POLICIES, { message: `must be one of ${RUN_POLICIES.join(', ')}` })
  policy!: (typeof RUN_POLICIES)[number];

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'must be a UUID' })
  townId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'must be a UUID' })
  villageId?: string;

  @ApiPropertyOptional({ enum: HOUSEHOLD_STATUSES })
  @IsOptional()
  @IsIn(HOUSEHOLD_STATUSES, { message: `must be one of ${HOUSEHOLD_STATUSES.join(', ')}` })
  status?: (typeof HOUSEHOLD_STATUSES)[number];

  @ApiPropertyOptional({ minimum: 1, description: 'fen to distribute; or allAvailable' })
  @IsOptional()
  @IsInt({ message: 'must be a whole number of fen' })
  @Min(1, { message: 'must be positive' })
  totalFen?: number;

  @ApiPropertyOptional({ description: 'distribute all the fund holds that no refund can take back' })
  @IsOptional()
  @IsBoolean({ message: 'must be true or false' })
  allAvailable?: boolean;

  @ApiPropertyOptional({
    description:
      'by_status: weight per status (defaults monitored_unstable 3, monitored_edge 2, registered 1, exited 1)',
    example: { monitored_unstable: 3, monitored_edge: 2 },
  })
  @IsOptional()
  @IsObject({ message: 'must be an object of status to weight' })
  statusWeights?: Record<string, number>;

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString({ message: 'must be a string' })
  @MaxLength(500, { message: 'must be at most 500 characters' })
  memo?: string;
}

export class ListRunsQuery {
  @ApiPropertyOptional({ enum: RUN_STATES })
  @IsOptional()
  @IsIn(RUN_STATES, { message: `must be one of ${RUN_STATES.join(', ')}` })
  state?: (typeof RUN_STATES)[number];
}
