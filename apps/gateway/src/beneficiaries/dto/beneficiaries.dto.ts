import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { Transform } from 'class-transformer';
import { CursorQuery, PageQuery } from '../../catalog/dto/catalog.dto';
import { AGREEMENT_KINDS, HOUSEHOLD_STATUSES } from '../register-csv.util';

export { AGREEMENT_KINDS, HOUSEHOLD_STATUSES };

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const ARCHIVE_NUMBER = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;
const oneOf = (values: readonly string[]) => ({ message: `must be one of ${values.join(', ')}` });
const uuid = { message: 'must be a UUID' };
/** `true`/`false` in a query string. */
const queryBoolean = () =>
  Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value));
const IsQueryBoolean = () => IsIn([true, false], { message: 'must be true or false' });

export class ListVillagesQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Only villages of this town' })
  @IsOptional()
  @IsUUID('all', uuid)
  townId?: string;

  @ApiPropertyOptional({ description: 'Only registered poor villages (建档立卡贫困村)' })
  @IsOptional()
  @queryBoolean()
  @IsQueryBoolean()
  registeredPoorOnly?: boolean;
}

export class TownVillagesQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Only registered poor villages (建档立卡贫困村)' })
  @IsOptional()
  @queryBoolean()
  @IsQueryBoolean()
  registeredPoorOnly?: boolean;
}

export class ListHouseholdsQuery extends CursorQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('all', uuid)
  townId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('all', uuid)
  villageId?: string;

  @ApiPropertyOptional({ enum: HOUSEHOLD_STATUSES })
  @IsOptional()
  @IsIn(HOUSEHOLD_STATUSES, oneOf(HOUSEHOLD_STATUSES))
  status?: (typeof HOUSEHOLD_STATUSES)[number];

  @ApiPropertyOptional({
    description: 'Households linked by any agreement (current or past) to this producer',
  })
  @IsOptional()
  @IsUUID('all', uuid)
  producerId?: string;

  @ApiPropertyOptional({ description: 'Archive numbers starting with this', example: 'JY-0101' })
  @IsOptional()
  @IsString()
  @MaxLength(40, { message: 'must be at most 40 characters' })
  archiveNumber?: string;
}

export class ProducerHouseholdsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: HOUSEHOLD_STATUSES })
  @IsOptional()
  @IsIn(HOUSEHOLD_STATUSES, oneOf(HOUSEHOLD_STATUSES))
  status?: (typeof HOUSEHOLD_STATUSES)[number];
}

export class GetHouseholdQuery {
  @ApiPropertyOptional({
    description:
      'Relief office: why the unmasked record is read (required for it; recorded in the access log)',
    example: '核对2020年分红发放名单',
  })
  @IsOptional()
  @IsString()
  @MinLength(2, { message: 'must be at least 2 characters' })
  @MaxLength(200, { message: 'must be at most 200 characters' })
  purpose?: string;

  @ApiPropertyOptional({
    description: 'Relief office: the masked view (no purpose needed, nothing recorded)',
  })
  @IsOptional()
  @queryBoolean()
  @IsQueryBoolean()
  masked?: boolean;
}

export class CreateHouseholdDto {
  @ApiProperty({ description: 'Archive number (建档立卡编号), unique', example: 'JY-0101-0999' })
  @IsString()
  @Matches(ARCHIVE_NUMBER, { message: 'must be 1-40 letters, digits, - or _' })
  archiveNumber!: string;

  @ApiProperty({ description: "Head of household's name (encrypted at rest)", example: '王小波' })
  @IsString()
  @MinLength(1, { message: 'is required' })
  @MaxLength(50, { message: 'must be at most 50 characters' })
  headName!: string;

  @ApiProperty({ description: 'National ID, 18 characters, GB 11643 check character (encrypted at rest)' })
  @IsString()
  @Matches(/^\s*[1-9]\d{16}[\dXx]\s*$/, { message: 'must be 17 digits and a final digit or X' })
  nationalId!: string;

  @ApiProperty({ minimum: 1, maximum: 30, example: 4 })
  @IsInt({ message: 'must be an integer' })
  @Min(1, { message: 'must be at least 1' })
  @Max(30, { message: 'must be at most 30' })
  members!: number;

  @ApiProperty()
  @IsUUID('all', uuid)
  villageId!: string;

  @ApiPropertyOptional({ enum: HOUSEHOLD_STATUSES, default: 'registered' })
  @IsOptional()
  @IsIn(HOUSEHOLD_STATUSES, oneOf(HOUSEHOLD_STATUSES))
  status?: (typeof HOUSEHOLD_STATUSES)[number];

  @ApiPropertyOptional({ description: 'Year the household exited; required when exited', example: 2019 })
  @IsOptional()
  @IsInt({ message: 'must be an integer' })
  @Min(1980, { message: 'must be 1980 or later' })
  @Max(2100, { message: 'must be 2100 or earlier' })
  exitYear?: number;

  @ApiPropertyOptional({ description: 'Baseline net income a year, in fen', example: 3_800_000 })
  @IsOptional()
  @IsInt({ message: 'must be a whole number of fen' })
  @Min(0, { message: 'must not be negative' })
  @Max(Number.MAX_SAFE_INTEGER)
  baselineIncomeFen?: number;

  @ApiPropertyOptional({ description: 'Payout bank account, 8-32 digits (encrypted, shown masked)' })
  @IsOptional()
  @IsString()
  @Matches(/^\d{8,32}$/, { message: 'must be 8-32 digits' })
  payoutAccount?: string;
}

export class UpdateHouseholdStatusDto {
  @ApiProperty({ enum: HOUSEHOLD_STATUSES })
  @IsIn(HOUSEHOLD_STATUSES, oneOf(HOUSEHOLD_STATUSES))
  status!: (typeof HOUSEHOLD_STATUSES)[number];

  @ApiPropertyOptional({ description: 'Required when status is exited', example: 2019 })
  @IsOptional()
  @IsInt({ message: 'must be an integer' })
  @Min(1980, { message: 'must be 1980 or later' })
  @Max(2100, { message: 'must be 2100 or earlier' })
  exitYear?: number;
}

/** Sent in a body, never a URL, so the ID stays out of access logs. */
export class FindHouseholdDto {
  @ApiProperty({ description: 'National ID of the head of household' })
  @IsString()
  @Matches(/^\s*[1-9]\d{16}[\dXx]\s*$/, { message: 'must be 17 digits and a final digit or X' })
  nationalId!: string;

  @ApiProperty({ description: 'Why the record is read (recorded in the access log)' })
  @IsString()
  @MinLength(2, { message: 'must be at least 2 characters' })
  @MaxLength(200, { message: 'must be at most 200 characters' })
  purpose!: string;
}

export class CreateAgreementDto {
  @ApiProperty()
  @IsUUID('all', uuid)
  producerId!: string;

  @ApiProperty()
  @IsUUID('all', uuid)
  householdId!: string;

  @ApiProperty({ enum: AGREEMENT_KINDS })
  @IsIn(AGREEMENT_KINDS, oneOf(AGREEMENT_KINDS))
  kind!: (typeof AGREEMENT_KINDS)[number];

  @ApiProperty({ description: 'Positive integer; shares split by weight', example: 1 })
  @IsInt({ message: 'must be an integer' })
  @Min(1, { message: 'must be a positive integer' })
  @Max(1_000_000, { message: 'must be at most 1000000' })
  weight!: number;

  @ApiProperty({ description: 'First day, inclusive (YYYY-MM-DD)', example: '2020-01-01' })
  @Matches(DATE, { message: 'must be a date YYYY-MM-DD' })
  effectiveFrom!: string;

  @ApiPropertyOptional({ description: 'End day, exclusive (YYYY-MM-DD); open-ended when absent' })
  @IsOptional()
  @Matches(DATE, { message: 'must be a date YYYY-MM-DD' })
  effectiveTo?: string;
}

export class EndAgreementDto {
  @ApiProperty({ description: 'End day, exclusive (YYYY-MM-DD); after effectiveFrom', example: '2021-01-01' })
  @Matches(DATE, { message: 'must be a date YYYY-MM-DD' })
  effectiveTo!: string;
}

class AsOfQuery extends PageQuery {
  @ApiPropertyOptional({
    description: 'Only agreements valid at this instant (its date in China decides)',
    example: '2020-05-16T12:00:00+08:00',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'must be an ISO 8601 date or instant' })
  asOf?: string;
}

export class ListAgreementsQuery extends AsOfQuery {
  @ApiPropertyOptional({ description: 'One of householdId or producerId is required' })
  @IsOptional()
  @IsUUID('all', uuid)
  householdId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('all', uuid)
  producerId?: string;
}

export class HouseholdAgreementsQuery extends AsOfQuery {}

export class BenefitSharesQuery {
  @ApiPropertyOptional({
    description: 'The instant (now when absent); its date in China decides',
    example: '2020-05-16T12:00:00+08:00',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'must be an ISO 8601 date or instant' })
  asOf?: string;
}

export class AccessLogQuery extends PageQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('all', uuid)
  householdId?: string;

  @ApiPropertyOptional({ description: 'The user who read' })
  @IsOptional()
  @IsUUID('all', uuid)
  userId?: string;
}

export class ImportQuery {
  @ApiPropertyOptional({
    description: 'Commit the good rows and report the bad ones (otherwise any bad row writes nothing)',
    default: false,
  })
  @IsOptional()
  @queryBoolean()
  @IsQueryBoolean()
  partial?: boolean;

  @ApiPropertyOptional({ description: 'Validate and report, write nothing', default: false })
  @IsOptional()
  @queryBoolean()
  @IsQueryBoolean()
  dryRun?: boolean;

  @ApiProperty({
    description:
      'Why the file is imported. Every row whose national ID matches a registered household is ' +
      'recorded in the access log with it, dry runs included',
    example: '2020年动态调整入户核查',
  })
  @IsString({ message: 'is required: say why the register file is imported' })
  @MinLength(2, { message: 'must be at least 2 characters' })
  @MaxLength(200, { message: 'must be at most 200 characters' })
  purpose!: string;
}
