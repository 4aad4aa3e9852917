import { renderPage } from '../platform/http';
import type { NotificationsRepo } from '../platform/notifications';
import { get, post, type Route } from '../platform/routes';

export function notificationRoutes(notifications: NotificationsRepo, clock: () => Date): Route[] {
  return [
    get('/notifications', 'signed-in', async (req, res) => {
      const userId = req.user?.id ?? 0;
      await renderPage(res, 'notifications/index', { notifications: await notifications.recent(userId) });
    }),
    post('/notifications/read', 'signed-in', async (req, res) => {
      await notifications.markAllRead(req.user?.id ?? 0, clock().toISOString());
      res.redirect(303, '/notifications');
    }),
  ];
}
