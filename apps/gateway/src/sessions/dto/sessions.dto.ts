import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

export class RefreshDto {
  @ApiProperty({ description: 'the refresh token of the last sign-in or refresh; single use' })
  @IsString()
  @MinLength(1, { message: 'is required' })
  @MaxLength(256)
  refreshToken!: string;
}

export class SessionView {
  @ApiProperty() accessToken!: string;
  @ApiProperty({ example: 'Bearer' }) tokenType!: 'Bearer';
  @ApiProperty({ description: 'seconds until the access token expires' }) expiresIn!: number;
  @ApiProperty({ description: 'exchange it once at POST /auth/refresh for the next pair' })
  refreshToken!: string;
  @ApiProperty({ description: 'seconds until the refresh token expires' }) refreshExpiresIn!: number;
}
