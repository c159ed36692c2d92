import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

/**
 * The security headers every response carries, as helmet sets them with
 * these options. None depends on the request (no CSP nonces), so helmet runs
 * once, here, and each response gets the finished list: running its dozen
 * middlewares per request cost about 1.5 % of a create.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = headersSetBy(
  helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        // Served over plain HTTP on a home network (http://tally.home:3000), upgrading would break every fetch.
        upgradeInsecureRequests: null,
      },
    },
    // Sent only over HTTPS (HTTPS_ONLY_HEADERS): over plain HTTP it would lock the browser out of an HTTP-only host.
    strictTransportSecurity: false,
  }),
);

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
