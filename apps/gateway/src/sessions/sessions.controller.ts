import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentToken, Public, type VerifiedToken } from '@yugong/shared/auth';
import { Unauthenticated } from '@yugong/shared/errors';
import { AuthRateLimited } from '../common/rate-limit.util';
import { RefreshDto, SessionView } from './dto/sessions.dto';
import { SessionService } from './session.service';

/** Refreshing and ending a sign-in; signing in is the identity controller's. */
@ApiTags('identity')
@Controller('auth')
export class SessionsController {
  constructor(private readonly sessions: SessionService) {}

  /** A new access token and the next refresh token; the one sent is used up. */
  @Public()
  @AuthRateLimited()
  @Post('refresh')
  @HttpCode(200)
  async refresh(@Body() body: RefreshDto): Promise<SessionView> {
    return { ...(await this.sessions.refresh(body.refreshToken)), tokenType: 'Bearer' };
  }

  /** Ends the session of the bearer token: it and its refresh token stop working at once. */
  @ApiBearerAuth()
  @Post('logout')
  @HttpCode(204)
  async logout(@CurrentToken() token: VerifiedToken | undefined): Promise<void> {
    if (!token) {
      throw new Unauthenticated();
    }
    await this.sessions.end(token);
  }
}
