import type { IncomingMessage } from 'node:http';

/**
 * How a browser authenticates to the dashboard. A browser opening a page cannot send a bearer header,
 * so the first visit passes a token once, `GET /dashboard?token=…`; the route moves it into a cookie
 * and redirects to the bare path, so the token leaves the address bar, and later visits send the cookie.
 *
 * The token is read from the query or the cookie only on GET /dashboard, a read-only page: no route
 * that changes anything accepts it, and every other route takes the bearer header only. The cookie is
 * HttpOnly (no script can read it; the page has no scripts anyway), Path=/dashboard (never sent to the
 * API's other routes), Secure when the public URL is https, and SameSite=Lax rather than Strict: Strict
 * would drop it when someone follows a link to the dashboard from chat or a report, and the one request
 * Lax lets another site trigger is a top-level GET of this page, which changes nothing and whose answer
 * that site cannot read or frame (the page forbids framing).
 */
export const DASHBOARD_PATH = '/dashboard';
export const SESSION_COOKIE = 'refinery_dashboard';
export const SESSION_MAX_AGE_SECONDS = 12 * 60 * 60;

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** The token a browser presents for the dashboard, or undefined on any other request. */
export function dashboardToken(req: IncomingMessage): string | undefined {
  if (req.method !== 'GET') return undefined;
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname !== DASHBOARD_PATH) return undefined;
  return url.searchParams.get('token') || cookie(req, SESSION_COOKIE) || undefined;
}

export function sessionCookie(token: string, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${encodeURIComponent(token)}`,
    `Path=${DASHBOARD_PATH}`,
    `Max-Age=${SESSION_MAX_AGE_SECONDS}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}
