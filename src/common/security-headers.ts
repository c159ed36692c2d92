import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

/**
 * Telegram Web (web.telegram.org) shows a Mini App in a frame; Telegram's
 * apps use a web view, which needs nothing. Only with the Mini App on may
 * that one origin frame the page.
 */
const TELEGRAM_WEB = 'https://web.telegram.org';

/**
 * The security headers every response carries, as helmet sets them with
 * these options. None depends on the request (no CSP nonces), so helmet runs
 * once, at start-up, and each response gets the finished list: running its
 * dozen middlewares per request cost about 1.5 % of a create.
 */
export function securityHeaders(options: { miniApp: boolean }): Readonly<Record<string, string>> {
  const headers = headersSetBy(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          workerSrc: ["'self'"],
          objectSrc: ["'none'"],
          frameAncestors: options.miniApp ? [TELEGRAM_WEB] : ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          // Served over plain HTTP on a home network (http://tally.home:3000), upgrading would break every fetch.
          upgradeInsecureRequests: null,
        },
      },
      // frame-ancestors above decides framing; X-Frame-Options cannot name another origin.
      xFrameOptions: options.miniApp ? false : { action: 'sameorigin' },
      // Sent only over HTTPS (HTTPS_ONLY_HEADERS): over plain HTTP it would lock the browser out of an HTTP-only host.
      strictTransportSecurity: false,
    }),
  );
  return headers;
}

export const HTTPS_ONLY_HEADERS: Readonly<Record<string, string>> = {
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
};

function headersSetBy(middleware: ReturnType<typeof helmet>): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string | number) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: () => undefined, // X-Powered-By, which Fastify never sets
  };
  let failure: unknown;
  middleware({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => (failure = error));
  if (failure) throw failure;
  return headers;
}
