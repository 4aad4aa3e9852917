import { renderFormErrors, renderPage, setFlash } from '../platform/http';
import { get, post, type Route } from '../platform/routes';
import { uploadedText } from '../platform/upload';
import type { CalendarService } from './service';

const ADMIN = ['admin'] as const;

export function calendarRoutes(calendar: CalendarService): Route[] {
  const page = async () => {
    const years = await calendar.years();
    const thisYear = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();
    const missing = [thisYear, thisYear + 1].filter((y) => !years.some((i) => i.year === y));
    return { years, missing };
  };
  return [
    get('/calendar', ADMIN, async (_req, res) => {
      await renderPage(res, 'calendar/index', await page());
    }),

    post('/calendar/import', ADMIN, async (req, res) => {
      const text = uploadedText(req);
      if (text === null) return renderFormErrors(res, 'calendar/index', [{ field: 'file', key: 'import.notUtf8' }], {}, await page());
      if (text.trim() === '') return renderFormErrors(res, 'calendar/index', [{ field: 'file', key: 'import.nothing' }], {}, await page());
      const result = await calendar.importCsv(text, req.user?.id ?? null);
      if (!result.ok) return renderPage(res, 'calendar/index', { ...(await page()), issues: result.issues }, 422);
      setFlash(req, result.replaced ? 'calendar.replaced' : 'calendar.imported', { year: result.year, days: result.workingDays });
      res.redirect(303, '/calendar');
    }),
  ];
}
