import { renderPage } from '../platform/http';
import { get, type Route } from '../platform/routes';

export function homeRoutes(): Route[] {
  return [
    get('/', 'signed-in', async (_req, res) => {
      await renderPage(res, 'home/index');
    }),
  ];
}
