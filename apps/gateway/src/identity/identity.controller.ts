import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import { Caller, Public, Roles, type CallerIdentity } from '@yugong/shared/auth';
import { AuthRateLimited } from '../common/rate-limit.util';
import { RequestId, uuidParam } from '../common/request-context.util';
import { CartMergeService } from '../orders/cart-merge.service';
import { CART_TOKEN_HEADER, cartTokenOf } from '../orders/order-headers.util';
import type { CartJson } from '../orders/orders.views';
import type { SessionView } from '../sessions/dto/sessions.dto';
import {
  ChangeAccountDto,
  CreateAccountDto,
  LoginDto,
  RegisterDto,
  SignUpView,
  UserView,
} from './dto/identity.dto';
import { SignInThrottled } from './identity.errors';
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
    disabled: Boolean(user.disabledAt),
  };
}

@ApiTags('identity')
@Controller()
export class IdentityController {
  constructor(
    private readonly identity: IdentityService,
    private readonly carts: CartMergeService,
  ) {}

  /**
   * The same answer whether the email was new (the account is made: sign in) or had an account
   * (nothing changes), so that sign-up tells nobody which emails are registered.
   */
  @Public()
  @AuthRateLimited()
  @Post('auth/register')
  @HttpCode(202)
  async register(@Body() body: RegisterDto): Promise<SignUpView> {
    await this.identity.register(body);
    return {
      email: body.email.trim().toLowerCase(),
      message: 'if this email is new, its account is ready: sign in; otherwise its owner is told',
    };
  }

  @Public()
  @AuthRateLimited()
  @Post('auth/login')
  @HttpCode(200)
  @ApiHeader({
    name: CART_TOKEN_HEADER,
    required: false,
    description: "an anonymous cart: a buyer's sign-in merges it into their own and answers `cart`",
  })
  async login(
    @Body() body: LoginDto,
    @Headers('cart-token') cartTokenHeader: string | undefined,
    @RequestId() requestId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SessionView & { user: UserView; cart?: CartJson | null }> {
    const cartToken = cartTokenOf(cartTokenHeader);
    const { user, ...session } = await this.identity.login(body).catch((error: unknown) => {
      if (error instanceof SignInThrottled) {
        void reply.header('retry-after', String(error.retryAfterSeconds));
      }
      throw error;
    });
    const view = { ...session, tokenType: 'Bearer' as const, user: toView(user) };
    if (!cartToken) {
      return view;
    }
    const caller = { userId: user.id, role: user.role, producerIds: user.producerIds };
    const cart = await this.carts.mergeOnSignIn(caller, cartToken, requestId);
    return cart === undefined ? view : { ...view, cart };
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

  /**
   * Disables or enables an account, or changes its role or producers: officers for the accounts
   * they may create, admins for any but their own. Its sessions follow within a minute.
   */
  @ApiBearerAuth()
  @Roles('relief_officer', 'admin')
  @Patch('users/:id')
  async changeAccount(
    @Caller() caller: CallerIdentity,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: ChangeAccountDto,
  ): Promise<UserView> {
    return toView(await this.identity.changeAccount(caller, id, body));
  }
}
