import { ErrorCode, LogLevel, WebClient } from '@slack/web-api';
import type { Block, KnownBlock } from '@slack/web-api';

/** A reply: text, and optionally Block Kit blocks (the "Record again" button). */
export interface SlackReply {
  text: string;
  blocks?: (KnownBlock | Block)[];
  /** Only the user who asked sees it (response_url replies only). */
  ephemeral?: boolean;
  /** Replace the message that carried the pressed button (response_url replies only). */
  replaceOriginal?: boolean;
  /** A file (a chart) to upload to the conversation, `text` as its comment. */
  file?: { data: Buffer; filename: string };
}

/** A 429 is waited out (its Retry-After) at most this many times per reply. */
const RATE_LIMIT_RETRIES = 3;
/** A Web API call that hangs is abandoned after this; the request was acknowledged long before. */
const CALL_TIMEOUT_MS = 30_000;

/**
 * Slack's Web API as Tally uses it: chat.postMessage through Slack's SDK
 * (which waits out a 429's Retry-After), and a slash command's or button's
 * response_url, posted as given, with the same 429 handling.
 */
export class SlackApi {
  private readonly client: WebClient;

  constructor(token: string, apiRoot: string) {
    this.client = new WebClient(token, {
      slackApiUrl: `${apiRoot}/`,
      logLevel: LogLevel.ERROR,
      timeout: CALL_TIMEOUT_MS,
      // Only rate limits are retried, below: any other failure may have posted the
      // message already, and a reply must not double.
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });
  }

  async postMessage(channel: string, reply: SlackReply, threadTs?: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.chat.postMessage({ channel, text: reply.text, blocks: reply.blocks, thread_ts: threadTs });
        return;
      } catch (error) {
        const limited = error as { code?: string; retryAfter?: number };
        if (limited.code !== ErrorCode.RateLimitedError || attempt >= RATE_LIMIT_RETRIES) throw error;
        await waitSeconds(limited.retryAfter ?? 1);
      }
    }
  }

  /**
   * Uploads a file to a conversation (Slack's files.getUploadURLExternal,
   * the bytes, files.completeUploadExternal, through the SDK). Not retried: a
   * failure after the last step may have posted it already.
   */
  async uploadFile(
    channel: string,
    file: { data: Buffer; filename: string },
    comment: string,
    threadTs?: string,
  ): Promise<void> {
    const upload = { file: file.data, filename: file.filename, title: comment, initial_comment: comment };
    await this.client.filesUploadV2(
      threadTs ? { ...upload, channel_id: channel, thread_ts: threadTs } : { ...upload, channel_id: channel },
    );
  }

  /** POSTs to a response_url (valid for 30 minutes, five uses); 429 waits its Retry-After. */
  async respond(responseUrl: string, reply: SlackReply): Promise<void> {
    const body = JSON.stringify({
      text: reply.text,
      ...(reply.blocks ? { blocks: reply.blocks } : {}),
      response_type: reply.ephemeral ? 'ephemeral' : 'in_channel',
      ...(reply.replaceOriginal ? { replace_original: true } : {}),
    });
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return;
      if (response.status !== 429 || attempt >= RATE_LIMIT_RETRIES)
        throw new Error(`response_url answered HTTP ${response.status}`);
      await waitSeconds(Number(response.headers.get('retry-after') ?? '1'));
    }
  }
}

/** Retry-After, bounded to a minute (a reply later than that is better given up and logged). */
function waitSeconds(seconds: number): Promise<void> {
  const wait = Number.isFinite(seconds) ? Math.min(Math.max(seconds, 0), 60) : 1;
  return new Promise((resolve) => setTimeout(resolve, wait * 1000));
}
