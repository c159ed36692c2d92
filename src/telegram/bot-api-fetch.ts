import { Agent, IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { pipeline, Readable } from 'node:stream';

/** What grammY's Bot API client passes to its fetch: a JSON text body, or a multipart stream for uploads. */
export interface BotApiRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Readable;
  /** grammY's keep-alive agent for the API root. */
  agent?: Agent;
  /** Aborted by grammY when the call times out. */
  signal?: AbortSignal;
}

/** The part of a fetch Response grammY reads: it only ever calls json(). */
export interface BotApiResponse {
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}

/**
 * The Bot API client's HTTP call, made with node:http(s) directly. grammY's
 * default in Node is node-fetch, which spends about twice the CPU per call
 * (WHATWG Headers, Body and stream wrappers around the same http.request):
 * every bot reply pays it, so a webhook update paid it on top of its own
 * request. Plain HTTP/1.1 on grammY's keep-alive agent; no compression asked
 * for (Bot API answers are small JSON).
 */
export function botApiFetch(url: string, init: BotApiRequest = {}): Promise<BotApiResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    // A text body given to end() is sent with its Content-Length.
    const request = send(
      target,
      { method: init.method ?? 'GET', headers: init.headers, agent: init.agent, signal: init.signal },
      (response) => {
        readAll(response).then((text) => resolve(answer(response.statusCode ?? 0, text)), reject);
      },
    );
    request.on('error', reject);
    if (init.body instanceof Readable) {
      // An upload: streamed as it is produced (chunked); a failing stream ends the call.
      pipeline(init.body, request, (error) => error && request.destroy(error));
    } else {
      request.end(init.body);
    }
  });
}

function readAll(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.on('error', reject);
  });
}

function answer(status: number, text: string): BotApiResponse {
  return {
    ok: status >= 200 && status < 300,
    status,
    json: async () => JSON.parse(text) as unknown,
  };
}
