import type { Lang } from '../platform/i18n';
import type { Survey } from '../surveys/definition';

/**
 * The phone keypad survey, as pure steps: which questions are asked (the
 * Likert questions of a survey marked "phone" whose scale points are the
 * digits 1–9, pressed as their value), and what a key press does. A wrong or
 * missing key asks the same question once more; the second time the question
 * is skipped.
 */
export interface KeypadQuestion {
  key: string;
  text: Record<Lang, string>;
  /** In the scale's order: the digit to press and what it means. */
  options: { digit: string; label: Record<Lang, string> }[];
}

export interface KeypadState {
  position: number;
  retried: boolean;
  /** Question key → the digit pressed (the scale value). */
  answers: Record<string, string>;
}

export const START: KeypadState = { position: 0, retried: false, answers: {} };

/** The key that switches the call to English before the first question. */
export const ENGLISH_KEY = '9';

export function keypadQuestions(survey: Survey): KeypadQuestion[] {
  if (!survey.phone) return [];
  const out: KeypadQuestion[] = [];
  for (const q of survey.sections.flatMap((s) => s.questions)) {
    if (q.type !== 'likert' || !q.phone) continue;
    const scale = survey.scales[q.scale];
    if (!scale || !scale.points.every((p) => p.value >= 1 && p.value <= 9)) continue;
    out.push({ key: q.key, text: q.text, options: scale.points.map((p) => ({ digit: String(p.value), label: p.label })) });
  }
  return out;
}

export function languageOf(digits: string): Lang {
  return digits.trim() === ENGLISH_KEY ? 'en' : 'zh-TW';
}

/** The state after the caller's key press (or silence: '') on the current question. */
export function pressKey(questions: readonly KeypadQuestion[], state: KeypadState, digits: string): KeypadState {
  const q = questions[state.position];
  if (!q) return state;
  const pressed = digits.trim();
  if (q.options.some((o) => o.digit === pressed)) {
    return { position: state.position + 1, retried: false, answers: { ...state.answers, [q.key]: pressed } };
  }
  if (!state.retried) return { ...state, retried: true };
  return { position: state.position + 1, retried: false, answers: state.answers };
}

export function finished(questions: readonly KeypadQuestion[], state: KeypadState): boolean {
  return state.position >= questions.length;
}
