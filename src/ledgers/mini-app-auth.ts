import { Inject, Injectable } from '@nestjs/common';
import { validate } from '@telegram-apps/init-data-node';
import { Clock } from '../common/clock';
import { ForbiddenError, UnauthorizedError, UpstreamUnavailableError } from '../common/domain-errors';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { ledgerName } from './chat-ledger';
import type { Ledger } from './ledger.entity';
import { LedgersService } from './ledgers.service';
import { chatOfRef } from './mini-app-ref';

/** A member's answer is kept this long: Telegram is asked at most once a minute per user and group. */
const MEMBERSHIP_TTL_MS = 60_000;
const MEMBERSHIP_CACHE_MAX = 10_000;
/** auth_date may be this far ahead of our clock (clocks differ a little). */
const FUTURE_SKEW_SECONDS = 60;
const MEMBER_STATUSES = new Set(['creator', 'administrator', 'member']);

/** The fields of verified init data Tally uses. */
function readInitData(initData: string): { authDate: number; userId?: number; startParam?: string } {
  const params = new URLSearchParams(initData);
  let userId: number | undefined;
  try {
    const id = (JSON.parse(params.get('user') ?? 'null') as { id?: unknown } | null)?.id;
    if (typeof id === 'number' && Number.isSafeInteger(id)) userId = id;
  } catch {
    userId = undefined;
  }
  return { authDate: Number(params.get('auth_date')), userId, startParam: params.get('start_param') || undefined };
}

/**
 * `Authorization: tma INIT_DATA`: the Telegram Mini App's launch data, signed
 * by Telegram with the bot's token. It opens the user's private-chat ledger,
 * or with a `start_param` the bot handed out, a group's ledger while the user
 * is a member of that group.
 */
@Injectable()
export class MiniAppAuth {
  private readonly members = new Map<string, { member: boolean; until: number }>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly ledgers: LedgersService,
    private readonly clock: Clock,
  ) {}

  async resolve(initData: string): Promise<Ledger> {
    const telegram = this.config.telegram;
    if (!telegram?.miniApp)
      throw new UnauthorizedError('the Telegram Mini App is not enabled on this server (TALLY_PUBLIC_URL)');
    try {
      // The library checks the HMAC (in constant time) and that auth_date is present; the age is checked below against our clock.
      validate(initData, telegram.token, { expiresIn: 0 });
    } catch {
      throw new UnauthorizedError('Authorization: the Mini App init data is not signed by Telegram for this bot');
    }
    // Read by hand: the library's parser also demands the newer Ed25519 "signature" field, which the HMAC check does not need.
    const data = readInitData(initData);
    const age = this.clock.now().getTime() / 1000 - data.authDate;
    if (age > telegram.miniApp.maxAgeSeconds || age < -FUTURE_SKEW_SECONDS) {
      throw new UnauthorizedError('Authorization: the Mini App init data is too old; open the Mini App again');
    }
    const user = data.userId;
    if (user === undefined) throw new UnauthorizedError('Authorization: the Mini App init data names no user');
    if (!data.startParam) return this.ledgers.findOrCreate(ledgerName(user));

    const chatId = chatOfRef(data.startParam, telegram.token);
    if (chatId === undefined) throw new UnauthorizedError('Authorization: this Mini App link was not made by this bot');
    if (!(await this.isMember(chatId, user))) throw new ForbiddenError('you are not a member of this group (any more)');
    return this.ledgers.findOrCreate(ledgerName(chatId));
  }
  private async isMember(chatId: number, userId: number): Promise<boolean> {
    const key = `${chatId}:${userId}`;
    const now = Date.now();
    const known = this.members.get(key);
    if (known && known.until > now) return known.member;
    const member = await this.askTelegram(chatId, userId);
    if (this.members.size >= MEMBERSHIP_CACHE_MAX) this.members.clear();
    this.members.set(key, { member, until: now + MEMBERSHIP_TTL_MS });
    return member;
  }

  private async askTelegram(chatId: number, userId: number): Promise<boolean> {
    const telegram = this.config.telegram!;
    let body: { ok?: boolean; result?: { status?: string; is_member?: boolean }; description?: string };
    try {
      const response = await fetch(`${telegram.apiRoot}/bot${telegram.token}/getChatMember`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chat_id: chatId, user_id: userId }),
        signal: AbortSignal.timeout(8_000),
      });
      body = (await response.json()) as typeof body;
    } catch (error) {
      throw new UpstreamUnavailableError(
        `could not ask Telegram whether you are in this group (${(error as Error).message}); try again`,
      );
    }
    // Telegram answers 400 "user not found" / "chat not found" for people it does not know there.
    if (!body.ok) return false;
    const status = body.result?.status ?? '';
    return MEMBER_STATUSES.has(status) || (status === 'restricted' && body.result?.is_member === true);
  }
}
