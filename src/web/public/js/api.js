// The one door to the REST API: every request carries the page's credentials.
import { $ } from './dom.js';

/** An error the page already showed the user; callers just stop. */
export class Handled extends Error {}
/** The request never got an answer (offline, or the answer was lost). */
export class Unreachable extends Handled {}

let authorization = null;
let onRejected = () => undefined;

/** "Bearer TOKEN" or "tma INIT_DATA"; `rejected` runs when the server answers 401. */
export function useCredentials(header, rejected) {
  authorization = header;
  onRejected = rejected;
}

export function authorizationHeader() {
  return authorization;
}

export function showBanner(message) {
  $('banner').textContent = message;
  $('banner').hidden = false;
}

export function hideBanner() {
  $('banner').hidden = true;
}

export function ignoreHandled(error) {
  if (!(error instanceof Handled)) throw error;
}

/**
 * One API call. Resolves {status, data, etag, replayed} for answers the caller
 * handles (2xx, 4xx except 401); throws Handled after telling the user otherwise.
 * `quiet`: an unreachable server is the caller's to explain (the offline queue).
 */
export async function api(method, path, { body, key, ifMatch, raw, contentType, quiet } = {}) {
  const headers = { Authorization: authorization, 'X-Tally-Source': 'web' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (contentType) headers['Content-Type'] = contentType;
  if (key) headers['Idempotency-Key'] = key;
  if (ifMatch) headers['If-Match'] = ifMatch;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
  } catch {
    if (!quiet) showBanner('Cannot reach Tally. Check your connection; nothing was lost, try again.');
    throw new Unreachable();
  }
  if (response.status === 401) {
    onRejected();
    throw new Handled();
  }
  if (response.status >= 500) {
    if (!quiet) showBanner('Tally had a problem answering. Try again in a moment.');
    throw new Unreachable();
  }
  const type = response.headers.get('content-type') || '';
  const data = response.status === 204 ? null : type.includes('json') ? await response.json() : await response.blob();
  return {
    status: response.status,
    data,
    etag: response.headers.get('ETag'),
    replayed: response.headers.get('Idempotent-Replayed') === 'true',
  };
}

/** A keyed write; a 409 for the key itself means the first try still runs: wait and ask again. */
export async function send(method, path, options) {
  for (;;) {
    const answer = await api(method, path, options);
    if (answer.status !== 409 || answer.data.existingId) return answer;
    await new Promise((resolve) => setTimeout(resolve, 400));
  }
}
