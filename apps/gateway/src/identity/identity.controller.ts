import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Caller, Public, Roles, type CallerIdentity } from '@yugong/shared/auth';
import { AuthRateLimited } from '../common/rate-limit';
import { CreateAccountDto, LoginDto, RegisterDto, TokenView, UserView } from './dto/identity.dto';
import { IdentityService } from './identity.service';
import type { User } from './user.entity';

function toView(user: User): UserView {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    producerIds: user.producerIds,
    createdAt: user.createdAt.toISOString(),
  };
}

@ApiTags('identity')
@Controller()
export class IdentityController {
  constructor(private readonly identity: IdentityService) {}

  @Public()
  @AuthRateLimited()
  @Post('auth/register')
  async register(@Body() body: RegisterDto): Promise<UserView> {
    return toView(await this.identity.register(body));
  }

  @Public()
  @AuthRateLimited()
  @Post('auth/login')
  @HttpCode(200)
  async login(@Body() body: LoginDto): Promise<TokenView & { user: UserView }> {
    const { accessToken, expiresIn, user } = await this.identity.login(body);
    return { accessToken, tokenType: 'Bearer', expiresIn, user: toView(user) };
  }

  @ApiBearerAuth()
  @Get('me')
  async me(@Caller() caller: CallerIdentity): Promise<UserView> {
    return toView(await this.identity.me(caller));
  }

  /** Relief officers create producer staff (scoped to producers) and institution accounts; admins any. */
  @ApiBearerAuth()
  @Roles('relief_officer', 'admin')
  @Post('users')
  async createAccount(@Caller() caller: CallerIdentity, @Body() body: CreateAccountDto): Promise<UserView> {
    return toView(await this.identity.createAccount(caller, body));
  }
}
