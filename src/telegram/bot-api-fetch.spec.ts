import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent as HttpAgent, createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { Agent as HttpsAgent, createServer as createHttpsServer } from 'node:https';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Api, GrammyError } from 'grammy';
import { botApiFetch } from './bot-api-fetch';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real server that records each request whole and answers with `respond`. */
async function recordingServer(
  respond: (seen: Seen, response: ServerResponse) => void,
  make: (handler: (request: IncomingMessage, response: ServerResponse) => void) => Server = (handler) =>
    createServer(handler),
) {
  const seen: Seen[] = [];
  const server = make((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(entry);
      respond(entry, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { seen, server, port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const okJson = (_seen: Seen, response: ServerResponse) => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ ok: true, result: { message_id: 7, text: 'Grüße' } }));
};

describe('botApiFetch (the Bot API client’s HTTP call)', () => {
  const agent = new HttpAgent({ keepAlive: true });
  afterAll(() => agent.destroy());

  it('POSTs a JSON body with its byte length and answers with the parsed JSON', async () => {
    const server = await recordingServer(okJson);
    try {
      const body = JSON.stringify({ chat_id: 1, text: 'Grüße 12.50 €' });
      const response = await botApiFetch(`http://127.0.0.1:${server.port}/bot123:abc/sendMessage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', connection: 'keep-alive' },
        body,
        agent,
      });
      expect(response.ok).toBe(true);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ ok: true, result: { message_id: 7, text: 'Grüße' } });
      expect(server.seen).toHaveLength(1);
      expect(server.seen[0]).toMatchObject({ method: 'POST', url: '/bot123:abc/sendMessage', body });
      expect(server.seen[0].headers['content-type']).toBe('application/json');
      expect(server.seen[0].headers['content-length']).toBe(String(Buffer.byteLength(body)));
    } finally {
      await server.close();
    }
  });

  it('goes through the given agent (grammY’s keep-alive one) and keeps the connection for the next call', async () => {
    const server = await recordingServer(okJson);
    const own = new HttpAgent({ keepAlive: true });
    let connections = 0;
    server.server.on('connection', () => connections++);
    try {
      const url = `http://127.0.0.1:${server.port}/bot1:a/getMe`;
      await (await botApiFetch(url, { method: 'POST', body: '{}', agent: own })).json();
      await new Promise((resolve) => setImmediate(resolve));
      expect(Object.values(own.freeSockets).flat()).toHaveLength(1);
      await (await botApiFetch(url, { method: 'POST', body: '{}', agent: own })).json();
      expect(server.seen).toHaveLength(2);
      expect(connections).toBe(1);
    } finally {
      own.destroy();
      await server.close();
    }
  });

  it('streams an upload body (chunked) whole', async () => {
    const server = await recordingServer(okJson);
    try {
      const parts = [
        '--b\r\n',
        'content-disposition: form-data; name="document"\r\n\r\n',
        'date,amount\n'.repeat(5000),
        '--b--\r\n',
      ];
      const response = await botApiFetch(`http://127.0.0.1:${server.port}/bot1:a/sendDocument`, {
        method: 'POST',
        headers: { 'content-type': 'multipart/form-data; boundary=b' },
        body: Readable.from(parts.map((part) => Buffer.from(part))),
        agent,
      });
      expect(await response.json()).toMatchObject({ ok: true });
      expect(server.seen[0].headers['transfer-encoding']).toBe('chunked');
      expect(server.seen[0].body).toBe(parts.join(''));
    } finally {
      await server.close();
    }
  });

  it('hands back an error answer as it came: status and JSON body', async () => {
    const server = await recordingServer((_seen, response) => {
      response.writeHead(400, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ ok: false, error_code: 400, description: 'Bad Request: chat not found' }));
    });
    try {
      const response = await botApiFetch(`http://127.0.0.1:${server.port}/bot1:a/sendMessage`, {
        method: 'POST',
        body: '{}',
        agent,
      });
      expect(response.ok).toBe(false);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ ok: false, error_code: 400, description: 'Bad Request: chat not found' });
    } finally {
      await server.close();
    }
  });

  it('is what grammY’s client calls: a result comes back, an error answer becomes a GrammyError', async () => {
    const server = await recordingServer((seen, response) => {
      const chat = JSON.parse(seen.body).chat_id;
      response.writeHead(chat === 404 ? 400 : 200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify(
          chat === 404
            ? { ok: false, error_code: 400, description: 'Bad Request: chat not found' }
            : { ok: true, result: { message_id: 9, date: 0, chat: { id: chat, type: 'private' }, text: 'hi' } },
        ),
      );
    });
    try {
      const api = new Api('123:abc', {
        apiRoot: `http://127.0.0.1:${server.port}`,
        fetch: botApiFetch as unknown as typeof fetch,
      });
      expect(await api.sendMessage(5, 'hi')).toMatchObject({ message_id: 9, chat: { id: 5 } });
      const failed = await api.sendMessage(404, 'hi').catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(GrammyError);
      expect(failed).toMatchObject({
        method: 'sendMessage',
        error_code: 400,
        description: 'Bad Request: chat not found',
      });
      expect(server.seen.map((seen) => [seen.url, JSON.parse(seen.body)])).toEqual([
        ['/bot123:abc/sendMessage', { chat_id: 5, text: 'hi' }],
        ['/bot123:abc/sendMessage', { chat_id: 404, text: 'hi' }],
      ]);
    } finally {
      await server.close();
    }
  });

  it('rejects when the call is aborted (grammY’s timeout) and when nothing listens', async () => {
    const server = await recordingServer(() => undefined); // never answers
    try {
      const controller = new AbortController();
      const call = botApiFetch(`http://127.0.0.1:${server.port}/bot1:a/sendMessage`, {
        method: 'POST',
        body: '{}',
        agent,
        signal: controller.signal,
      });
      setTimeout(() => controller.abort(), 50);
      await expect(call).rejects.toThrow(/abort/i);
    } finally {
      server.server.closeAllConnections();
      await server.close();
    }
    await expect(
      botApiFetch(`http://127.0.0.1:${server.port}/bot1:a/getMe`, { method: 'POST', body: '{}' }),
    ).rejects.toThrow(/ECONNREFUSED/);
  });

  it('speaks HTTPS to an https:// API root, trusting what the agent trusts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tally-tls-'));
    try {
      const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=localhost',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
          '-keyout',
          key,
          '-out',
          cert,
        ],
        { stdio: 'ignore' },
      );
      const tls = { key: readFileSync(key), cert: readFileSync(cert) };
      const server = await recordingServer(okJson, (handler) => createHttpsServer(tls, handler));
      const trusting = new HttpsAgent({ keepAlive: true, ca: tls.cert });
      try {
        const response = await botApiFetch(`https://127.0.0.1:${server.port}/bot1:a/sendMessage`, {
          method: 'POST',
          body: '{"chat_id":1}',
          agent: trusting,
        });
        expect(await response.json()).toMatchObject({ ok: true });
        expect(server.seen[0]).toMatchObject({ method: 'POST', body: '{"chat_id":1}' });
        // Without the agent's trust the certificate is refused: TLS is really in use.
        await expect(
          botApiFetch(`https://127.0.0.1:${server.port}/bot1:a/getMe`, { method: 'POST', body: '{}' }),
        ).rejects.toThrow(/self.signed|certificate/i);
      } finally {
        trusting.destroy();
        await server.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
