import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { orders } from '@yugong/contracts';
import { enumName } from '../../catalog/catalog.views';
import { CursorQuery } from '../../catalog/dto/catalog.dto';

/** The statuses orders may be listed by: the generated enum's, as the REST API names them (`pending_payment`). */
export const ORDER_STATUSES: string[] = Object.values(orders.OrderStatus)
  .filter((s) => s !== orders.OrderStatus.ORDER_STATUS_UNSPECIFIED && s !== orders.OrderStatus.UNRECOGNIZED)
  .map((s) => enumName(s, 'ORDER_STATUS_'));

export class AddCartItemDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'must be a UUID' })
  productId!: string;

  @ApiProperty({ minimum: 1, maximum: 999 })
  @IsInt({ message: 'must be an integer' })
  @Min(1, { message: 'must be 1 or more' })
  @Max(999, { message: 'must be at most 999' })
  quantity!: number;
}

export class UpdateCartItemDto {
  @ApiProperty({ minimum: 0, maximum: 999, description: '0 removes the line' })
  @IsInt({ message: 'must be an integer' })
  @Min(0, { message: 'must not be negative' })
  @Max(999, { message: 'must be at most 999' })
  quantity!: number;
}

export class CheckoutDto {
  @ApiProperty({ enum: ['stripe', 'manual'] })
  @IsIn(['stripe', 'manual'], { message: 'must be stripe or manual' })
  paymentMethod!: 'stripe' | 'manual';

  @ApiPropertyOptional({ minimum: 0, maximum: 1_000_000, description: 'donation to the relief fund, fen' })
  @IsOptional()
  @IsInt({ message: 'must be a whole number of fen' })
  @Min(0, { message: 'must not be negative' })
  @Max(1_000_000, { message: 'must be at most 1000000' })
  donationFen?: number;

  @ApiPropertyOptional({ description: 'round the total up to the next yuan and donate the difference' })
  @IsOptional()
  @IsBoolean({ message: 'must be true or false' })
  roundUp?: boolean;
}

export class ManualPaymentDto {
  @ApiProperty({ minimum: 1, description: "must equal the order's total, fen" })
  @IsInt({ message: 'must be a whole number of fen' })
  @Min(1, { message: 'must be positive' })
  amountFen!: number;

  @ApiProperty({ maxLength: 128, description: 'bank transfer or receipt reference' })
  @IsString({ message: 'must be a string' })
  @MinLength(1, { message: 'is required' })
  @MaxLength(128, { message: 'must be at most 128 characters' })
  reference!: string;
}

export class ManualRefundDto {
  @ApiProperty({ maxLength: 128, description: 'bank transfer or receipt reference of the money paid back' })
  @IsString({ message: 'must be a string' })
  @MinLength(1, { message: 'is required' })
  @MaxLength(128, { message: 'must be at most 128 characters' })
  reference!: string;
}

export class BuyerAllowanceDto {
  @ApiProperty({ minimum: 1, maximum: 1_000, description: 'unpaid orders the buyer may have at once' })
  @IsInt({ message: 'must be an integer' })
  @Min(1, { message: 'must be 1 or more' })
  @Max(1_000, { message: 'must be at most 1000' })
  maxUnpaidOrders!: number;

  @ApiProperty({
    minimum: 1,
    maximum: 1_000_000,
    description: "units held for the buyer's unpaid orders at once",
  })
  @IsInt({ message: 'must be an integer' })
  @Min(1, { message: 'must be 1 or more' })
  @Max(1_000_000, { message: 'must be at most 1000000' })
  maxHeldUnits!: number;

  @ApiPropertyOptional({ format: 'date-time', description: 'in the future; absent: until changed' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'must be an ISO 8601 date-time' })
  expiresAt?: string;
}

export class ShipmentDto {
  @ApiPropertyOptional({ type: [String], description: 'default: every pending line of your producers' })
  @IsOptional()
  @IsArray({ message: 'must be a list' })
  @ArrayMaxSize(100, { message: 'at most 100 lines' })
  @IsUUID('all', { each: true, message: 'must be UUIDs' })
  lineIds?: string[];

  @ApiProperty({ maxLength: 64 })
  @IsString({ message: 'must be a string' })
  @MinLength(1, { message: 'is required' })
  @MaxLength(64, { message: 'must be at most 64 characters' })
  carrier!: string;

  @ApiProperty({ maxLength: 64 })
  @IsString({ message: 'must be a string' })
  @MinLength(1, { message: 'is required' })
  @MaxLength(64, { message: 'must be at most 64 characters' })
  trackingNumber!: string;
}

export class RefundLineDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'must be a UUID' })
  lineId!: string;

  @ApiProperty({ minimum: 1 })
  @IsInt({ message: 'must be an integer' })
  @Min(1, { message: 'must be 1 or more' })
  quantity!: number;
}

export class RefundDto {
  @ApiPropertyOptional({ type: [RefundLineDto], description: 'default: every line in full' })
  @IsOptional()
  @IsArray({ message: 'must be a list' })
  @ArrayMaxSize(100, { message: 'at most 100 lines' })
  @ValidateNested({ each: true })
  @Type(() => RefundLineDto)
  lines?: RefundLineDto[];

  @ApiProperty({ maxLength: 500 })
  @IsString({ message: 'must be a string' })
  @MinLength(1, { message: 'is required' })
  @MaxLength(500, { message: 'must be at most 500 characters' })
  reason!: string;

  @ApiPropertyOptional({ description: 'the buyer sent the goods back: the units return to stock' })
  @IsOptional()
  @IsBoolean({ message: 'must be true or false' })
  goodsReturned?: boolean;
}

export class ListOrdersQuery extends CursorQuery {
  @ApiPropertyOptional({ enum: ORDER_STATUSES })
  @IsOptional()
  @IsIn(ORDER_STATUSES, { message: `must be one of ${ORDER_STATUSES.join(', ')}` })
  status?: string;
}

export class OrderEventsQuery {
  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'must be an integer' })
  @Min(0, { message: 'must not be negative' })
  afterId?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'must be an integer' })
  @Min(1, { message: 'must be 1 or more' })
  @Max(500, { message: 'must be at most 500' })
  limit?: number;
}
