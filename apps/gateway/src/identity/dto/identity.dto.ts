import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
} from 'class-validator';
import type { Role } from '@yugong/shared/auth';
import { ROLES } from '../user.entity';

export class RegisterDto {
  @ApiProperty({ example: 'li.wei@example.com' })
  @IsEmail({}, { message: 'must be an email address' })
  @MaxLength(254)
  email!: string;

  @ApiProperty({ minLength: 10, example: 'correct horse battery' })
  @IsString()
  @MinLength(10, { message: 'must be at least 10 characters' })
  @MaxLength(256)
  password!: string;

  @ApiProperty({ example: '李伟' })
  @IsString()
  @MinLength(1, { message: 'is required' })
  @MaxLength(100)
  name!: string;
}

export class LoginDto {
  @ApiProperty({ example: 'consumer@example.com' })
  @IsEmail({}, { message: 'must be an email address' })
  @MaxLength(254)
  email!: string;

  @ApiProperty()
  @IsString()
  @MinLength(1, { message: 'is required' })
  @MaxLength(256)
  password!: string;
}

export class CreateAccountDto extends RegisterDto {
  @ApiProperty({ enum: ROLES, example: 'producer_staff' })
  @IsIn(ROLES, { message: `must be one of ${ROLES.join(', ')}` })
  role!: Role;

  @ApiPropertyOptional({ type: [String], description: 'Producers a producer_staff account acts for' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true, message: 'each must be a UUID' })
  producerIds?: string[];
}

export class ChangeAccountDto {
  @ApiPropertyOptional({ description: 'true: the account may not sign in and its tokens stop working' })
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;

  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional()
  @IsIn(ROLES, { message: `must be one of ${ROLES.join(', ')}` })
  role?: Role;

  @ApiPropertyOptional({
    type: [String],
    description: 'Replaces the producers a producer_staff account acts for',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true, message: 'each must be a UUID' })
  producerIds?: string[];
}

/** The answer to a sign-up, the same whether the email was new or not. */
export class SignUpView {
  @ApiProperty() email!: string;
  @ApiProperty() message!: string;
}

export class UserView {
  @ApiProperty() id!: string;
  @ApiProperty() email!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ type: [String] }) producerIds!: string[];
  @ApiProperty() createdAt!: string;
  @ApiProperty() disabled!: boolean;
}
