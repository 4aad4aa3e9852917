/**
 * The scoring form's fields for the unit part of surveys/scoresheets/standard.json
 * with full marks (answered in 6 s; message and hold not applicable), for
 * tests to break one way at a time with `overrides`.
 */
export function fullMarksUnitAnswers(version: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    version,
    'a_un.answer': '6',
    'a_un.identify': 'yes',
    'a_un.greeting': 'yes',
    'a_un.surname': 'yes',
    'a_un.message': 'na',
    'a_un.hold': 'na',
    'a_un.closing': 'yes',
    'a_un.hangup': 'yes',
    'a_un.tone': '2',
    'a_un.answer_quality': '2',
    'a_un.referral': 'yes',
    ...overrides,
  };
}
