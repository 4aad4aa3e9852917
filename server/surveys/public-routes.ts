import crypto from 'node:crypto';
import { parse as parseCookies } from 'cookie';
import { doubleSubmit } from '../platform/double-submit';
import type { Request, Response } from 'express';
import type { AppSettingsRepo } from '../platform/app-settings';
import { isLang, translator, type Lang } from '../platform/i18n';
import { renderPage, seeOther, type FieldError } from '../platform/http';
import { get, post, type Route } from '../platform/routes';
import type { Channel } from './repo';
import type { SurveysService } from './service';

/**
 * The citizen's pages: /s/<code>. No session and no script: the language
 * comes from ?lang= (or the form), the form is protected by a double-submit
 * token (a cookie and the same value in the form), a kiosk needs its key.
 */
const TOKEN_COOKIE = 'svt';
const doneCookie = (code: string) => `svd_${code}`;

function langOf(req: Request): Lang {
  const asked = typeof req.query.lang === 'string' ? req.query.lang : (req.body as { lang?: unknown } | undefined)?.lang;
  return isLang(asked) ? asked : 'zh-TW';
}

function cookies(req: Request): Record<string, string | undefined> {
  return parseCookies(req.headers.cookie ?? '');
}

function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export function publicSurveyRoutes(surveys: SurveysService, settings: AppSettingsRepo, secure: (req: Request) => boolean): Route[] {
  /** Sets the page's language and the public layout's pieces. */
  const publicLocals = (req: Request, res: Response, channel: Channel | undefined, lang: Lang, kioskKey?: string) => {
    const t = translator(lang);
    Object.assign(res.locals, { t, lang });
    const other: Lang = lang === 'zh-TW' ? 'en' : 'zh-TW';
    const name = channel ? (lang === 'en' ? [channel.agencyNameEn || channel.agencyNameZh, channel.unitNameEn || channel.unitNameZh] : [channel.agencyNameZh, channel.unitNameZh]).filter(Boolean).join(' · ') : '';
    return {
      layout: 'public',
      orgName: name + (channel?.counterName ? ` · ${channel.counterName}` : ''),
      otherLang: channel ? { lang: other, label: other === 'en' ? 'English' : '中文', href: `${req.path}${query({ lang: other, k: kioskKey })}` } : undefined,
    };
  };

  const message = async (req: Request, res: Response, status: number, channel: Channel | undefined, lang: Lang, key: 'inactive' | 'kiosk' | 'tooMany' | 'csrf') => {
    const t = translator(lang);
    await renderPage(res, 'surveys/message', { ...publicLocals(req, res, channel, lang), title: t(`survey.${key}.title`), heading: t(`survey.${key}.title`), message: t(`survey.${key}.body`) }, status);
  };

  /** The channel, if it takes answers; otherwise the page that says why has been sent. */
  const open = async (req: Request, res: Response, lang: Lang, kioskKey: string): Promise<Channel | null> => {
    const code = String(req.params.code ?? '').toUpperCase();
    const channel = await surveys.channelByCode(code);
    // Invitation and keypad channels take answers only with their invitation or by phone.
    const ownAddress = channel !== undefined && channel.mode !== 'invitation' && channel.mode !== 'phone';
    if (!channel || !ownAddress || !channel.active) {
      await message(req, res, ownAddress ? 410 : 404, ownAddress ? channel : undefined, lang, 'inactive');
      return null;
    }
    if (channel.mode === 'kiosk') {
      const a = Buffer.from(kioskKey);
      const b = Buffer.from(channel.kioskKey ?? '');
      if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) {
        await message(req, res, 403, channel, lang, 'kiosk');
        return null;
      }
    }
    return channel;
  };

  const csrf = doubleSubmit(TOKEN_COOKIE, '/s/', secure);
  const formToken = csrf.token;

  const renderForm = async (req: Request, res: Response, channel: Channel, lang: Lang, kioskKey: string, errors: FieldError[], values: unknown, status: number) => {
    const v = surveys.survey(channel.surveyKey);
    const units = v.survey.sections.some((s) => s.questions.some((q) => q.type === 'unit')) ? await surveys.unitChoices(channel) : [];
    await renderPage(
      res,
      'surveys/form',
      { ...publicLocals(req, res, channel, lang, kioskKey), title: v.survey.title[lang], survey: v.survey, channel, kioskKey, formToken: formToken(req, res), units, errors, values: values ?? {} },
      status,
    );
  };

  return [
    get('/s/:code', 'public', async (req, res) => {
      const lang = langOf(req);
      const kioskKey = typeof req.query.k === 'string' ? req.query.k : '';
      const channel = await open(req, res, lang, kioskKey);
      if (!channel) return;
      const guardHours = (await settings.get()).repeatGuardHours;
      if (channel.mode === 'personal' && guardHours > 0 && cookies(req)[doneCookie(channel.code)] && req.query.again !== '1') {
        const t = translator(lang);
        return renderPage(res, 'surveys/message', {
          ...publicLocals(req, res, channel, lang),
          title: t('survey.answered.title'),
          heading: t('survey.answered.title'),
          message: t('survey.answered.body'),
          link: { href: `/s/${channel.code}${query({ lang, again: '1' })}`, label: t('survey.answered.again') },
        });
      }
      await renderForm(req, res, channel, lang, kioskKey, [], {}, 200);
    }),

    post('/s/:code', 'public', async (req, res) => {
      const lang = langOf(req);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const kioskKey = typeof body.k === 'string' ? body.k : '';
      const channel = await open(req, res, lang, kioskKey);
      if (!channel) return;
      if (!csrf.ok(req, body._csrf)) return message(req, res, 403, channel, lang, 'csrf');
      const outcome = await surveys.submit(channel, body, { ip: req.ip ?? '' });
      if (outcome.kind === 'invalid') return renderForm(req, res, channel, lang, kioskKey, outcome.errors, body, 422);
      if (outcome.kind === 'tooFast') {
        res.set('Retry-After', String(outcome.retryAfterSeconds));
        return renderForm(req, res, channel, lang, kioskKey, [{ field: 'form', key: 'survey.error.kioskWait', params: { seconds: outcome.retryAfterSeconds } }], body, 429);
      }
      if (outcome.kind === 'tooMany') {
        res.set('Retry-After', String(outcome.retryAfterSeconds));
        return message(req, res, 429, channel, lang, 'tooMany');
      }
      const guardHours = (await settings.get()).repeatGuardHours;
      if (channel.mode === 'personal' && guardHours > 0) {
        res.cookie(doneCookie(channel.code), '1', { httpOnly: true, sameSite: 'lax', secure: secure(req), path: '/s/', maxAge: guardHours * 3600_000 });
      }
      seeOther(res, `/s/${channel.code}/thanks${query({ lang: lang === 'zh-TW' ? undefined : lang, k: channel.mode === 'kiosk' ? kioskKey : undefined })}`);
    }),

    get('/s/:code/thanks', 'public', async (req, res) => {
      const lang = langOf(req);
      const kioskKey = typeof req.query.k === 'string' ? req.query.k : '';
      const channel = await open(req, res, lang, kioskKey);
      if (!channel) return;
      const t = translator(lang);
      // A kiosk returns to an empty questionnaire by itself, without script.
      const refresh = channel.mode === 'kiosk' ? { seconds: 5, url: `/s/${channel.code}${query({ lang: lang === 'zh-TW' ? undefined : lang, k: kioskKey })}` } : undefined;
      await renderPage(res, 'surveys/message', {
        ...publicLocals(req, res, channel, lang, kioskKey),
        title: t('survey.thanks.title'),
        heading: t('survey.thanks.title'),
        message: t(channel.mode === 'kiosk' ? 'survey.thanks.kiosk' : 'survey.thanks.body'),
        refresh,
        // Nobody has to wait for the timer: the next person can start at once.
        link: refresh ? { href: refresh.url, label: t('survey.thanks.startAgain') } : undefined,
      });
    }),
  ];
}
