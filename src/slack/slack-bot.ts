import { ChatCore, ChatTurn } from '../chat/chat-core';
import { startsWithAmount } from '../chat/parse';
import type { Clock } from '../common/clock';
import { newId } from '../common/new-id';
import type { Ledger } from '../ledgers/ledger.entity';
import { slackLedgerName } from '../ledgers/chat-ledger';
import type { TokensService } from '../ledgers/tokens.service';
import { duplicatesAnswered } from '../metrics/metrics';
import type { SlackApi, SlackReply } from './slack-api';
import { SLACK_HELP, slackWords } from './slack-words';
import { budgetCommand, budgetsOverview } from '../chat/budget-replies';
import type { BudgetsService } from '../budgets/budgets.service';
import type { ChartsService } from '../charts/charts.service';
import { chartReply } from '../chat/chart-replies';
import type { ChatAnswer } from '../chat/format';

/** The fields of a slash command Tally reads (Slack posts them form-encoded). */
export interface SlashCommand {
  team_id?: string;
  channel_id?: string;
  channel_name?: string;
  user_id?: string;
  user_name?: string;
  command?: string;
  text?: string;
  response_url?: string;
  trigger_id?: string;
}

/** A message as the Events API carries it (`message`, `app_mention`, and inside `message_changed`). */
interface SlackMessage {
  type?: string;
  subtype?: string;
  channel?: string;
  channel_type?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts?: string;
  thread_ts?: string;
  edited?: { ts?: string };
  message?: SlackMessage;
}

/** An Events API envelope (`event_callback`). */
export interface EventCallback {
  type: string;
  team_id?: string;
  event_id?: string;
  event_time?: number;
  event?: SlackMessage;
}

/** A Block Kit interaction (form field `payload`, JSON). */
export interface BlockActions {
  type?: string;
  team?: { id?: string };
  user?: { id?: string; name?: string; username?: string };
  channel?: { id?: string; name?: string };
  response_url?: string;
  actions?: Array<{ action_id?: string; value?: string }>;
}

/** The button under "already recorded"; its value is `EXPENSE_ID:NONCE`, the nonce naming this one button. */
export const RECORD_AGAIN_ACTION = 'record_again';
/** Rows in one /tally list answer; Slack has no "More" button here: a narrower filter shows older ones. */
const LIST_PAGE = 20;

/**
 * Slack as a chat front door: slash commands, messages and button presses
 * become ChatCore calls under claims (event id, message, button), and their
 * results become replies. Every handler resolves once the work committed and
 * the reply went out (or failed and was logged): the receiver decides how long
 * Slack waits for the acknowledgement.
 */
export class SlackBot {
  constructor(
    private readonly chat: ChatCore,
    private readonly budgets: BudgetsService,
    private readonly charts: ChartsService,
    private readonly tokens: TokensService,
    private readonly api: SlackApi,
    private readonly clock: Clock,
    private readonly log: { warn(message: string): void; error(message: string): void },
  ) {}

  /** `/tally …`: the Telegram grammar behind one command. */
  async command(command: SlashCommand): Promise<void> {
    const team = command.team_id ?? '';
    const channel = command.channel_id ?? '';
    const user = command.user_id ?? '';
    const direct = isDirect(channel, command.channel_name);
    const keys = command.trigger_id ? [`command:${command.trigger_id}`] : [];
    const turn = slackTurn(user, command.user_name, this.clock.now());
    const done = await this.chat.once('slack', keys, slackLedgerName(team, channel, user, direct), (ledger) =>
      this.dispatch(ledger, (command.text ?? '').trim(), turn, direct),
    );
    if (!done) return this.repeated();
    await this.reply(done.value, { channel, responseUrl: command.response_url });
  }

  /** One Events API delivery: adds, commands by mention or direct message, and edits. */
  async event(callback: EventCallback): Promise<void> {
    const event = callback.event;
    if (callback.type !== 'event_callback' || !event || !event.channel) return;
    const team = callback.team_id ?? '';
    if (event.type === 'message' && event.subtype === 'message_changed') return this.edited(callback, team, event);
    // Our own replies, joins, topic changes, files and other subtypes are not expenses.
    if (event.bot_id || event.subtype || !event.user || !event.ts) return;
    const direct = event.channel_type === 'im';
    // In a channel only a mention is for us; the same message may also come as a plain `message` event.
    if (event.type === 'message' && !direct) return;
    if (event.type !== 'message' && event.type !== 'app_mention') return;

    const text = withoutMentions(event.text ?? '');
    const turn = messageTurn(event.user, event.ts);
    // The event id stops Slack's retries; the message key stops the app_mention/message twin.
    const keys = [`event:${callback.event_id ?? event.ts}`, `message:${team}:${event.channel}:${event.ts}`];
    const done = await this.chat.once(
      'slack',
      keys,
      slackLedgerName(team, event.channel, event.user, direct),
      (ledger) => this.dispatch(ledger, text, turn, direct, true),
    );
    if (!done) return this.repeated();
    await this.reply(done.value, {
      channel: event.channel,
      threadTs: direct ? undefined : (event.thread_ts ?? event.ts),
    });
  }

  /** A "Record again" press. */
  async interaction(payload: BlockActions): Promise<void> {
    const action = payload.actions?.find((candidate) => candidate.action_id === RECORD_AGAIN_ACTION);
    const [expenseId, nonce] = (action?.value ?? '').split(':');
    if (payload.type !== 'block_actions' || !action || !expenseId || !nonce) return;
    const team = payload.team?.id ?? '';
    const channel = payload.channel?.id ?? '';
    const user = payload.user?.id ?? '';
    const direct = isDirect(channel, payload.channel?.name);
    const turn = slackTurn(user, payload.user?.name ?? payload.user?.username, this.clock.now());
    const done = await this.chat.once(
      'slack',
      [`again:${nonce}`],
      slackLedgerName(team, channel, user, direct),
      (ledger, tx) => this.chat.recordAgain(tx, ledger, expenseId, `slack:again:${nonce}`, turn),
    );
    if (!done) return this.repeated();
    await this.reply({ text: done.value.text, replaceOriginal: true }, { channel, responseUrl: payload.response_url });
  }

  /** `message_changed`: the expense that message recorded reads as the new text, once per edit. */
  private async edited(callback: EventCallback, team: string, event: SlackMessage): Promise<void> {
    const message = event.message;
    const channel = event.channel ?? '';
    if (!message?.ts || !message.user || message.bot_id) return;
    const direct = event.channel_type === 'im';
    const turn = messageTurn(message.user, message.ts);
    const keys = [`event:${callback.event_id ?? `${message.ts}:${message.edited?.ts}`}`];
    if (message.edited?.ts) keys.push(`edit:${team}:${channel}:${message.ts}:${message.edited.ts}`);
    const done = await this.chat.once('slack', keys, slackLedgerName(team, channel, message.user, direct), (ledger) =>
      this.chat.editByMessage(ledger, messageNumber(message.ts!), withoutMentions(message.text ?? ''), turn),
    );
    if (!done) return this.repeated();
    if (done.value) await this.reply({ text: slackWords(done.value) }, { channel, threadTs: message.ts });
  }

  /**
   * What one `/tally` text (or a direct message, or a mention) asks for.
   * `fromMessage`: a message that starts with an amount is an add linked to that message.
   */
  private async dispatch(
    ledger: Ledger,
    text: string,
    turn: ChatTurn,
    direct: boolean,
    fromMessage = false,
  ): Promise<SlackReply> {
    const [word = '', ...rest] = text.split(/\s+/u);
    const args = rest.join(' ');
    switch (word.toLowerCase()) {
      case '':
      case 'help':
        return { text: SLACK_HELP, ephemeral: true };
      case 'list': {
        const filter = this.chat.resolveFilter(args, ledger);
        if ('error' in filter) return { text: slackWords(filter.error), ephemeral: true };
        const page = await this.chat.listPage(ledger, filter.filter, filter.label, undefined, !direct, LIST_PAGE);
        return {
          text: page.nextCursor ? `${page.text}\nOlder ones: narrow it, e.g. /tally list food month.` : page.text,
        };
      }
      case 'total':
        return { text: slackWords(await this.chat.total(ledger, args)) };
      case 'undo':
        return { text: slackWords(await this.chat.undo(ledger, turn.author)) };
      case 'delete':
        return slackAnswer(await this.chat.remove(ledger, args));
      case 'budget':
        return slackAnswer(await budgetCommand(this.budgets, ledger, args));
      case 'budgets':
        return { text: slackWords(await budgetsOverview(this.budgets, ledger)) };
      case 'chart': {
        const chart = await chartReply(this.chat, this.charts, ledger, args);
        if (chart.error !== undefined) return { text: slackWords(chart.error), ephemeral: true };
        return { text: chart.caption, file: { data: chart.png, filename: 'chart.png' } };
      }
      case 'token':
        if (!direct)
          return { text: 'For safety, /tally token works only in a direct message with me.', ephemeral: true };
        return {
          text: [
            'Your REST API token for your own expenses. It is shown once, only to you; keep it secret.',
            'Send it as "Authorization: Bearer <token>":',
            await this.tokens.issue(ledger, { label: 'from Slack' }),
          ].join('\n'),
          ephemeral: true,
        };
    }
    if (!startsWithAmount(text)) {
      return {
        text: `I did not understand "${text}". Start with an amount (/tally 12.50 food lunch) or see /tally help.`,
        ephemeral: true,
      };
    }
    const outcome = await this.chat.add(ledger, text, fromMessage ? turn : { ...turn, messageId: undefined });
    if (outcome.kind === 'error') return { text: slackWords(outcome.message), ephemeral: true };
    if (outcome.kind === 'created') {
      const edit = fromMessage ? '; editing your message corrects it' : '';
      return { text: `Recorded ${outcome.summary} as #${outcome.number}. /tally undo removes it${edit}.` };
    }
    const already = `This is already recorded: ${outcome.summary} (#${outcome.number}). Press Record again if it is a second one.`;
    return {
      text: already,
      blocks: [
        { type: 'section', text: { type: 'plain_text', text: already } },
        {
          type: 'actions',
          elements: [
            {
              type: 'button',
              action_id: RECORD_AGAIN_ACTION,
              text: { type: 'plain_text', text: 'Record again' },
              value: `${outcome.id}:${newId()}`,
            },
          ],
        },
      ],
    };
  }

  /** Sends a reply after the work committed; a failed reply is logged, never retried by recording again. */
  private async reply(
    reply: SlackReply,
    to: { channel: string; responseUrl?: string; threadTs?: string },
  ): Promise<void> {
    try {
      // A file cannot go through a response_url: it is uploaded to the conversation, its caption as the comment.
      if (reply.file) await this.api.uploadFile(to.channel, reply.file, reply.text, to.threadTs);
      else if (to.responseUrl) await this.api.respond(to.responseUrl, reply);
      else await this.api.postMessage(to.channel, reply, to.threadTs);
    } catch (error) {
      this.log.warn(`Slack reply to ${to.channel} failed: ${(error as Error).message}`);
      if (reply.file && to.responseUrl) {
        const why = `I could not post the chart here (${(error as Error).message}). In a channel, invite me first: /invite @Tally.`;
        await this.api.respond(to.responseUrl, { text: why, ephemeral: true }).catch(() => undefined);
      }
    }
  }

  private repeated(): void {
    duplicatesAnswered.inc({ layer: 'slack_repeat' });
  }
}

/** A shared command's answer in Slack's words; a mistake is shown only to the one who asked. */
function slackAnswer(answer: ChatAnswer): SlackReply {
  return { text: slackWords(answer.text), ephemeral: answer.mistake };
}

/** A Slack user's action as the chat core sees it; names are user ids where Slack sends no name. */
function slackTurn(user: string, name: string | undefined, sentAt: Date, messageId?: number): ChatTurn {
  return { source: 'slack', author: { slackId: user, name: name ?? user }, sentAt, messageId };
}

/** A message: dates count from when it was sent (its ts), and editing it later finds its expense. */
function messageTurn(user: string, ts: string): ChatTurn {
  return slackTurn(user, undefined, new Date(Number(ts) * 1000), messageNumber(ts));
}

function isDirect(channel: string, hint: string | undefined): boolean {
  return hint === 'im' || hint === 'directmessage' || channel.startsWith('D');
}

/** "<@U123> 12.50 food" → "12.50 food": mentions of the app lead a channel message. */
export function withoutMentions(text: string): string {
  return text.replace(/^(\s*<@[A-Z0-9]+(\|[^>]*)?>)+/u, '').trim();
}

/**
 * A Slack message's ts ("1765000000.123456", unique within its channel) as the
 * whole number the expense keeps to find it again: microseconds, exact below 2^53.
 */
export function messageNumber(ts: string): number {
  const [seconds, micros = ''] = ts.split('.');
  return Number(seconds) * 1_000_000 + Number(micros.padEnd(6, '0').slice(0, 6));
}
