import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * A fake Telegram Bot API: a real HTTP server that answers like Telegram
 * (`{ok, result}` / `{ok: false, error_code, description}`) and records every
 * call. Faults can be queued per method; getUpdates long-polls a queue.
 */
export interface ApiCall {
  method: string;
  payload: Record<string, any>;
  /** What the fake answered (absent when it answered with a fault). */
  result?: any;
}

export interface Fault {
  status: number;
  description: string;
  retryAfter?: number;
  /** Answer this many milliseconds late (a slow Bot API). */
  delayMs?: number;
}

export const BOT_ID = 7000001;
export const BOT_TOKEN = `${BOT_ID}:TEST_token-for-fake_api`;
export const BOT_USERNAME = 'TallyBot';

export class FakeTelegram {
  readonly calls: ApiCall[] = [];
  private server?: Server;
  private nextMessageId = 1000;
  private readonly faults = new Map<string, Fault[]>();
  private persistentFault = new Map<string, Fault>();
  private readonly slow = new Map<string, number[]>();
  private updates: Array<Record<string, any>> = [];
  /** getUpdates requests open right now, and the most ever open at once (Telegram refuses a second). */
  openPolls = 0;
  maxOpenPolls = 0;
  pollCount = 0;
  private waiters: Array<() => void> = [];
  url = '';

  async start(): Promise<this> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server!.address() as { port: number };
    this.url = `http://127.0.0.1:${port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.waiters.splice(0).forEach((wake) => wake());
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** The next `count` calls of `method` fail with this fault. */
  failNext(method: string, count: number, fault: Fault): void {
    this.faults.set(method, [...(this.faults.get(method) ?? []), ...Array.from({ length: count }, () => fault)]);
  }

  /** Every call of `method` fails until cleared with `heal`. */
  failAlways(method: string, fault: Fault): void {
    this.persistentFault.set(method, fault);
  }

  /** The next `count` calls of `method` succeed, each answered `delayMs` late. */
  slowNext(method: string, count: number, delayMs: number): void {
    this.slow.set(method, [...(this.slow.get(method) ?? []), ...Array.from({ length: count }, () => delayMs)]);
  }

  heal(method: string): void {
    this.persistentFault.delete(method);
    this.faults.delete(method);
  }

  /** Queues an update for getUpdates (polling mode). */
  pushUpdate(update: Record<string, any>): void {
    this.updates.push(update);
    this.waiters.splice(0).forEach((wake) => wake());
  }

  callsOf(method: string): Array<Record<string, any>> {
    return this.calls.filter((call) => call.method === method).map((call) => call.payload);
  }

  /** Texts sent to a chat with sendMessage, in order. */
  messagesTo(chatId: number): string[] {
    return this.callsOf('sendMessage')
      .filter((payload) => Number(payload.chat_id) === chatId)
      .map((payload) => payload.text);
  }

  async waitFor<T>(probe: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
    const started = Date.now();
    for (;;) {
      const value = probe();
      if (value) return value;
      if (Date.now() - started > timeoutMs) throw new Error('timed out waiting on the fake Bot API');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** The last sendMessage to a chat, with the message Telegram would have made of it. */
  lastMessageTo(chatId: number): ApiCall | undefined {
    return this.calls
      .filter((call) => call.method === 'sendMessage' && Number(call.payload.chat_id) === chatId && call.result)
      .pop();
  }

  clear(): void {
    this.calls.length = 0;
  }

  private readonly files = new Map<string, Buffer>();
  /** getChatMember's answers: "chatId:userId" → status; anyone else has "left". */
  readonly members = new Map<string, string>();

  /** A file as Telegram keeps it for getFile and /file/bot<token>/<path>; returns its file_id. */
  addFile(content: Buffer | string): { file_id: string; file_unique_id: string; file_size: number } {
    const id = `file-${this.files.size + 1}-${Math.random().toString(36).slice(2)}`;
    this.files.set(id, Buffer.from(content));
    return { file_id: id, file_unique_id: `u${id}`, file_size: Buffer.byteLength(content) };
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const download = /^\/file\/bot([^/]+)\/documents\/(.+)$/.exec(request.url ?? '');
    if (download) {
      const content = download[1] === BOT_TOKEN ? this.files.get(decodeURIComponent(download[2])) : undefined;
      if (!content) return send(response, 404, { ok: false, error_code: 404, description: 'Not Found' });
      this.calls.push({ method: 'download', payload: { file_id: download[2] } });
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': content.length });
      return void response.end(content);
    }
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(request.url ?? '');
    const body = await readBody(request);
    if (!match || match[1] !== BOT_TOKEN)
      return send(response, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const method = match[2];
    const payload = parsePayload(request.headers['content-type'] ?? '', body);

    if (method === 'getUpdates') return this.getUpdates(payload, response);
    const call: ApiCall = { method, payload };
    this.calls.push(call);

    const fault = this.faults.get(method)?.shift() ?? this.persistentFault.get(method);
    if (fault) {
      if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      return send(response, fault.status, {
        ok: false,
        error_code: fault.status,
        description: fault.description,
        ...(fault.retryAfter !== undefined ? { parameters: { retry_after: fault.retryAfter } } : {}),
      });
    }
    const delayMs = this.slow.get(method)?.shift();
    if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
    call.result = this.result(method, payload);
    send(response, 200, { ok: true, result: call.result });
  }

  private result(method: string, payload: Record<string, any>): unknown {
    const chat = { id: Number(payload.chat_id), type: Number(payload.chat_id) < 0 ? 'group' : 'private' };
    const date = Math.floor(Date.now() / 1000);
    switch (method) {
      case 'getMe':
        return {
          id: BOT_ID,
          is_bot: true,
          first_name: 'Tally',
          username: BOT_USERNAME,
          can_join_groups: true,
          can_read_all_group_messages: false,
          supports_inline_queries: false,
        };
      case 'sendMessage':
        return { message_id: this.nextMessageId++, date, chat, text: payload.text };
      case 'getFile': {
        const content = this.files.get(String(payload.file_id));
        return {
          file_id: payload.file_id,
          file_unique_id: `u${payload.file_id}`,
          file_size: content?.length ?? 0,
          file_path: `documents/${payload.file_id}`,
        };
      }
      case 'editMessageText':
        return { message_id: Number(payload.message_id), date, chat, text: payload.text };
      case 'sendDocument':
        return { message_id: this.nextMessageId++, date, chat, document: { file_id: 'file', file_unique_id: 'file' } };
      case 'getChatMember':
        return {
          status: this.members.get(`${payload.chat_id}:${payload.user_id}`) ?? 'left',
          user: { id: Number(payload.user_id), is_bot: false, first_name: 'Member' },
        };
      case 'sendPhoto':
        return {
          message_id: this.nextMessageId++,
          date,
          chat,
          photo: [{ file_id: 'photo', file_unique_id: 'photo', width: 1000, height: 1000 }],
        };
      default:
        return true;
    }
  }

  private async getUpdates(payload: Record<string, any>, response: ServerResponse): Promise<void> {
    this.pollCount++;
    this.maxOpenPolls = Math.max(this.maxOpenPolls, ++this.openPolls);
    try {
      await this.answerUpdates(payload, response);
    } finally {
      this.openPolls--;
    }
  }

  private async answerUpdates(payload: Record<string, any>, response: ServerResponse): Promise<void> {
    const offset = Number(payload.offset ?? 0);
    this.updates = this.updates.filter((update) => update.update_id >= offset);
    if (this.updates.length === 0 && Number(payload.timeout ?? 0) > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(Number(payload.timeout) * 1000, 1000));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    if (!response.destroyed)
      send(response, 200, { ok: true, result: this.updates.slice(0, Number(payload.limit ?? 100)) });
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** JSON bodies, and multipart/form-data as grammY sends files: fields, plus `files` by part name. */
function parsePayload(contentType: string, body: Buffer): Record<string, any> {
  if (body.length === 0) return {};
  if (contentType.includes('application/json')) return JSON.parse(body.toString('utf8'));
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!boundary) return { raw: body.toString('utf8') };
  const payload: Record<string, any> = { files: {} };
  for (const part of body.toString('latin1').split(`--${boundary[1] ?? boundary[2]}`)) {
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const headers = part.slice(0, split);
    const bytes = Buffer.from(part.slice(split + 4).replace(/\r\n$/, ''), 'latin1');
    const content = bytes.toString('utf8');
    const name = /name="([^"]+)"/.exec(headers)?.[1];
    const filename = /filename="?([^";\r\n]+)"?/.exec(headers)?.[1];
    if (!name) continue;
    if (filename !== undefined) payload.files[name] = { filename, content, bytes };
    else payload[name] = content;
  }
  return payload;
}
