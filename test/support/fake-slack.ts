import { createHmac, randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';

/**
 * A fake Slack: the Web API (`chat.postMessage`, `apps.connections.open`,
 * the two calls of a file upload and the upload URL itself, recorded as
 * `upload` with its bytes), response_url endpoints and a Socket Mode
 * WebSocket, on one real HTTP server that records every call. Faults and slowness can be queued per method.
 */
export interface SlackCall {
  method: string;
  payload: Record<string, any>;
  at: number;
}

export interface SlackFault {
  status: number;
  retryAfter?: number;
}

export const SIGNING_SECRET = 'test-signing-secret-8f1c2a';
export const SLACK_BOT_TOKEN = 'xoxb-1-test-bot-token';
export const SLACK_APP_TOKEN = 'xapp-1-test-app-token';
export const TEAM = 'T0TEAM';

export class FakeSlack {
  readonly calls: SlackCall[] = [];
  /** Envelope ids the Socket Mode clients acknowledged. */
  readonly acks: string[] = [];
  url = '';
  private server?: Server;
  private wss?: WebSocketServer;
  private readonly sockets: WebSocket[] = [];
  private readonly faults = new Map<string, SlackFault[]>();
  private readonly delays = new Map<string, number>();
  private nextTs = 1_765_000_000;

  get apiRoot(): string {
    return `${this.url}/api`;
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => void this.handle(request, response));
    this.wss = new WebSocketServer({ server: this.server, path: '/socket' });
    this.wss.on('connection', (socket) => {
      this.sockets.push(socket);
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as { envelope_id?: string };
        if (message.envelope_id) this.acks.push(message.envelope_id);
      });
      socket.on('close', () => this.sockets.splice(this.sockets.indexOf(socket), 1));
      socket.send(JSON.stringify({ type: 'hello', num_connections: this.sockets.length }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as { port: number }).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    this.wss?.close();
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** The next `count` calls of `method` (`chat.postMessage`, or `response` for response_url) fail so. */
  failNext(method: string, count: number, fault: SlackFault): void {
    this.faults.set(method, [...(this.faults.get(method) ?? []), ...Array.from({ length: count }, () => fault)]);
  }

  /** Every call of `method` is answered this many milliseconds late (0 clears it). */
  slow(method: string, ms: number): void {
    this.delays.set(method, ms);
  }

  /** A response_url the app should post to; its calls are recorded as method `response`. */
  responseUrl(): string {
    return `${this.url}/response/${randomBytes(6).toString('hex')}`;
  }

  /** Successful calls of a method. */
  sent(method = 'chat.postMessage'): SlackCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Replies of either kind, oldest first: chat.postMessage and response_url posts. */
  replies(): SlackCall[] {
    return this.calls.filter((call) => call.method === 'chat.postMessage' || call.method === 'response');
  }

  async waitFor(count: number, method?: string, timeoutMs = 15_000): Promise<SlackCall[]> {
    const deadline = Date.now() + timeoutMs;
    const matching = () => (method ? this.sent(method) : this.replies());
    while (matching().length < count) {
      if (Date.now() > deadline)
        throw new Error(
          `expected ${count} ${method ?? 'replies'}, saw ${matching().length}: ${JSON.stringify(this.calls)}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return matching();
  }

  async waitForConnections(count: number, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.connections() !== count) {
      if (Date.now() > deadline)
        throw new Error(`expected ${count} Socket Mode connections, saw ${this.connections()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async waitForAcks(ids: string[], timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ids.every((id) => this.acks.includes(id))) {
      if (Date.now() > deadline)
        throw new Error(`envelopes not acknowledged: ${ids.filter((id) => !this.acks.includes(id)).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  connections(): number {
    return this.sockets.filter((socket) => socket.readyState === WebSocket.OPEN).length;
  }

  /** Sends a Socket Mode envelope over an open connection (the first, or the `index`th); returns its envelope id. */
  sendEnvelope(
    type: 'events_api' | 'slash_commands' | 'interactive',
    payload: Record<string, any>,
    options: { retryAttempt?: number; index?: number } = {},
  ): string {
    const socket = this.sockets.filter((candidate) => candidate.readyState === WebSocket.OPEN)[options.index ?? 0];
    if (!socket) throw new Error('no such Socket Mode connection is open');
    const retryAttempt = options.retryAttempt ?? 0;
    const envelopeId = randomBytes(8).toString('hex');
    socket.send(
      JSON.stringify({
        envelope_id: envelopeId,
        type,
        payload,
        accepts_response_payload: false,
        retry_attempt: retryAttempt,
        retry_reason: '',
      }),
    );
    return envelopeId;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    const raw = bytes.toString('utf8');
    const path = (request.url ?? '').split('?')[0];
    if (path.startsWith('/upload/')) {
      // A file's bytes, sent to the URL files.getUploadURLExternal handed out (no token: the URL is the key).
      this.calls.push({ method: 'upload', payload: { fileId: path.slice('/upload/'.length), bytes }, at: Date.now() });
      return void response.writeHead(200, { 'content-type': 'text/plain' }).end('OK - ' + bytes.length);
    }
    const method = path.startsWith('/response/') ? 'response' : path.replace(/^\/api\//, '');
    const payload = parseBody(raw, request.headers['content-type']);
    const delay = this.delays.get(method) ?? 0;
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay));

    const fault = this.faults.get(method)?.shift();
    if (fault) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
      response
        .writeHead(fault.status, headers)
        .end(JSON.stringify({ ok: false, error: fault.status === 429 ? 'ratelimited' : 'fatal_error' }));
      return;
    }
    if (method !== 'response' && request.headers.authorization === undefined && payload.token === undefined) {
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ ok: false, error: 'not_authed' }));
      return;
    }
    this.calls.push({ method, payload: { ...payload, authorization: request.headers.authorization }, at: Date.now() });
    if (method === 'response') return void response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    let result: Record<string, unknown> = { ok: true };
    if (method === 'chat.postMessage') result = { ok: true, channel: payload.channel, ts: `${this.nextTs++}.000100` };
    if (method === 'apps.connections.open') result = { ok: true, url: `${this.url.replace('http', 'ws')}/socket` };
    if (method === 'files.getUploadURLExternal') {
      const fileId = `F${this.nextTs++}`;
      result = { ok: true, file_id: fileId, upload_url: `${this.url}/upload/${fileId}` };
    }
    if (method === 'files.completeUploadExternal')
      result = { ok: true, files: (JSON.parse(payload.files) as Array<{ id: string }>).map(({ id }) => ({ id })) };
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
  }
}

function parseBody(raw: string, contentType: string | undefined): Record<string, any> {
  if (!raw) return {};
  if (contentType?.includes('application/json')) return JSON.parse(raw) as Record<string, any>;
  const fields: Record<string, any> = Object.fromEntries(new URLSearchParams(raw));
  // The SDK sends blocks as a JSON string in a form field.
  if (typeof fields.blocks === 'string') fields.blocks = JSON.parse(fields.blocks);
  return fields;
}

/** Slack's signing, written out here from Slack's documentation (not the app's code under test). */
export function signedHeaders(
  body: string,
  options: { secret?: string; at?: number; contentType?: string; retryNum?: number } = {},
): Record<string, string> {
  const timestamp = String(Math.floor((options.at ?? Date.now()) / 1000));
  const base = `v0:${timestamp}:${body}`;
  const headers: Record<string, string> = {
    'content-type': options.contentType ?? 'application/json',
    'x-slack-request-timestamp': timestamp,
    'x-slack-signature': `v0=${createHmac('sha256', options.secret ?? SIGNING_SECRET)
      .update(base)
      .digest('hex')}`,
  };
  if (options.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(options.retryNum);
    headers['x-slack-retry-reason'] = 'http_timeout';
  }
  return headers;
}

let eventCounter = 0;
let tsCounter = 0;

/** A fresh Slack message ts (seconds.micros), unique in this run; `at` is its sending time (default: now). */
export function messageTs(at = Date.now()): string {
  tsCounter++;
  return `${Math.floor(at / 1000)}.${String(tsCounter).padStart(6, '0')}`;
}

/** An Events API envelope around one event, as Slack posts it. */
export function eventCallback(
  event: Record<string, any>,
  eventId = `Ev${++eventCounter}${randomBytes(4).toString('hex').toUpperCase()}`,
): Record<string, any> {
  return {
    token: 'deprecated',
    team_id: TEAM,
    api_app_id: 'A0APP',
    event,
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
  };
}

/** A slash command's form fields, as Slack posts them. */
export function slashCommand(text: string, fields: Record<string, string> = {}): Record<string, string> {
  return {
    token: 'deprecated',
    team_id: TEAM,
    team_domain: 'tally-test',
    channel_id: 'C0GENERAL',
    channel_name: 'general',
    user_id: 'U0ANN',
    user_name: 'ann',
    command: '/tally',
    text,
    api_app_id: 'A0APP',
    trigger_id: `${++eventCounter}.${randomBytes(6).toString('hex')}`,
    ...fields,
  };
}
