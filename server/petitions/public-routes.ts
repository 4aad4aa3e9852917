import type { Request, Response } from 'express';
import { z } from 'zod';
import { isLang, translator, type Lang } from '../platform/i18n';
import { doubleSubmit } from '../platform/double-submit';
import { parseForm, renderPage, seeOther, type FieldError } from '../platform/http';
import { get, post, type Route } from '../platform/routes';
import type { Channel } from '../surveys/repo';
import type { SurveysService } from '../surveys/service';
import type { PetitionsService } from './service';

/**
 * The petitioner's pages: /i/<token> (the link from the SMS) and /i (case
 * number + PIN, for people who type). Like the public survey pages: no
 * session, no script, a double-submit token on the forms. The answer is
 * posted to /i/answer with the token in the form, so that the request log
 * (which keeps paths) never holds a token next to the time of an answer.
 */
const TOKEN_COOKIE = 'ivt';

const pinSchema = z.object({
  case_number: z.string({ error: 'invite.error.case' }).trim().min(1, 'invite.error.case').max(40, 'invite.error.case'),
  pin: z.string({ error: 'invite.error.pin' }).trim().regex(/^\d{6}$/, 'invite.error.pin'),
});

function langOf(req: Request): Lang {
  const asked = typeof req.query.lang === 'string' ? req.query.lang : (req.body as { lang?: unknown } | undefined)?.lang;
  return isLang(asked) ? asked : 'zh-TW';
}

const langQuery = (lang: Lang) => (lang === 'zh-TW' ? '' : `?lang=${lang}`);

type Reason = 'answered' | 'expired' | 'unknown' | 'locked' | 'csrf';
const STATUS: Record<Reason, number> = { answered: 410, expired: 410, unknown: 404, locked: 429, csrf: 403 };

export function invitationRoutes(petitions: PetitionsService, surveys: SurveysService, secure: (req: Request) => boolean): Route[] {
  const locals = (req: Request, res: Response, lang: Lang, channel?: Channel) => {
    Object.assign(res.locals, { t: translator(lang), lang });
    const other: Lang = lang === 'zh-TW' ? 'en' : 'zh-TW';
    const orgName = channel ? (lang === 'en' && channel.unitNameEn ? [channel.agencyNameEn || channel.agencyNameZh, channel.unitNameEn] : [channel.agencyNameZh, channel.unitNameZh]).filter(Boolean).join(' · ') : '';
    return { layout: 'public', orgName, otherLang: { lang: other, label: other === 'en' ? 'English' : '中文', href: `${req.path}?lang=${other}` } };
  };

  const csrf = doubleSubmit(TOKEN_COOKIE, '/i', secure);
  const formToken = csrf.token;
  const tokenOk = (req: Request) => csrf.ok(req, (req.body as { _csrf?: unknown } | undefined)?._csrf);

  const message = async (req: Request, res: Response, lang: Lang, reason: Reason) => {
    const t = translator(lang);
    await renderPage(
      res,
      'surveys/message',
      {
        ...locals(req, res, lang),
        title: t(`invite.${reason}.title`),
        heading: t(`invite.${reason}.title`),
        message: t(`invite.${reason}.body`),
        link: reason === 'unknown' || reason === 'csrf' ? { href: `/i${langQuery(lang)}`, label: t('invite.pin.link') } : undefined,
      },
      STATUS[reason],
    );
  };

  const pinPage = async (req: Request, res: Response, lang: Lang, errors: FieldError[], values: unknown, status: number) => {
    await renderPage(res, 'petitions/pin', { ...locals(req, res, lang), title: translator(lang)('invite.pin.title'), formToken: formToken(req, res), errors, values: values ?? {} }, status);
  };

  const surveyForm = async (req: Request, res: Response, lang: Lang, token: string, channel: Channel, errors: FieldError[], values: unknown, status: number) => {
    const v = surveys.survey(channel.surveyKey);
    await renderPage(
      res,
      'surveys/form',
      {
        ...locals(req, res, lang, channel),
        otherLang: { lang: lang === 'zh-TW' ? 'en' : 'zh-TW', label: lang === 'zh-TW' ? 'English' : '中文', href: `/i/${token}?lang=${lang === 'zh-TW' ? 'en' : 'zh-TW'}` },
        title: v.survey.title[lang],
        survey: v.survey,
        channel,
        kioskKey: '',
        action: '/i/answer',
        invitationToken: token,
        formToken: formToken(req, res),
        units: [],
        errors,
        values: values ?? {},
      },
      status,
    );
  };

  return [
    get('/i', 'public', async (req, res) => {
      await pinPage(req, res, langOf(req), [], {}, 200);
    }),

    post('/i', 'public', async (req, res) => {
      const lang = langOf(req);
      const form = parseForm(pinSchema, req.body);
      if (!form.ok) return pinPage(req, res, lang, form.errors, req.body, 422);
      // Checked before a PIN is tried: a wrong PIN counts against the case.
      if (!tokenOk(req)) return message(req, res, lang, 'csrf');
      const found = await petitions.byPin(form.data.case_number, form.data.pin, req.ip ?? '');
      if (found.kind === 'ok') return seeOther(res, `/i/${found.token}${langQuery(lang)}`);
      if (found.kind === 'wrong') return pinPage(req, res, lang, [{ field: 'pin', key: 'invite.error.wrong' }], req.body, 422);
      await message(req, res, lang, found.kind);
    }),

    get('/i/thanks', 'public', async (req, res) => {
      const lang = langOf(req);
      const t = translator(lang);
      await renderPage(res, 'surveys/message', { ...locals(req, res, lang), title: t('survey.thanks.title'), heading: t('survey.thanks.title'), message: t('invite.thanks.body') });
    }),

    post('/i/answer', 'public', async (req, res) => {
      const lang = langOf(req);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const token = typeof body.token === 'string' ? body.token : '';
      const state = await petitions.open(token);
      if (state.kind !== 'open') return message(req, res, lang, state.kind);
      if (!tokenOk(req)) return message(req, res, lang, 'csrf');
      const { token: _token, ...answers } = body;
      void _token;
      const outcome = await petitions.answer(state.invitation, state.channel, answers, req.ip ?? '');
      if (outcome.kind === 'invalid') return surveyForm(req, res, lang, token, state.channel, outcome.errors, body, 422);
      if (outcome.kind === 'spent') return message(req, res, lang, 'answered');
      if (outcome.kind !== 'stored') return message(req, res, lang, 'locked');
      seeOther(res, `/i/thanks${langQuery(lang)}`);
    }),

    get('/i/:token', 'public', async (req, res) => {
      const lang = langOf(req);
      const token = String(req.params.token ?? '');
      const state = await petitions.open(token);
      if (state.kind !== 'open') return message(req, res, lang, state.kind);
      res.set('Cache-Control', 'no-store');
      await surveyForm(req, res, lang, token, state.channel, [], {}, 200);
    }),
  ];
}
