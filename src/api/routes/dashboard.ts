import { DEFAULT_DAYS, loadDashboardData } from '../../dashboard/data';
import { renderDashboardPage } from '../../dashboard/page';
import { DASHBOARD_PATH, sessionCookie } from '../../dashboard/session';
import { problems } from '../http';
import type { Route } from '../route';

/**
 * Scripts, styles from elsewhere, frames, forms posting away: none is needed, so none is allowed. The
 * page's own inline styles are the one exception.
 */
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/** The dashboard (reader). A browser signs in once with ?token=…; see src/dashboard/session.ts. */
export const dashboardRoutes: Route[] = [
  {
    method: 'GET',
    path: DASHBOARD_PATH,
    role: 'reader',
    async handle({ req, res, query, deps }) {
      const token = query.get('token');
      if (token !== null) {
        // The token has just been accepted (the route needs a reader): keep it in the cookie, unless a
        // bearer header was what got in (or ?token= was empty), and drop it from the address bar.
        const rest = new URLSearchParams(query);
        rest.delete('token');
        res.writeHead(303, {
          location: `${DASHBOARD_PATH}${rest.size ? `?${rest.toString()}` : ''}`,
          ...(req.headers.authorization || !token
            ? {}
            : { 'set-cookie': sessionCookie(token, deps.publicUrl.startsWith('https:')) }),
          'cache-control': 'no-store',
          'referrer-policy': 'no-referrer',
        });
        res.end();
        return;
      }
      const days = Number(query.get('days') ?? DEFAULT_DAYS);
      if (!Number.isInteger(days) || days < 1 || days > 366)
        throw problems.badRequest('days is a whole number of days from 1 to 366', 'days');
      const html = renderDashboardPage(await loadDashboardData(deps.db, { days }));
      res.writeHead(200, { ...PAGE_HEADERS, 'content-length': Buffer.byteLength(html) });
      res.end(html);
    },
  },
];
