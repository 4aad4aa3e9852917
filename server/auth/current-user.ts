import { ForbiddenError } from '../platform/errors';
import type { Lang } from '../platform/i18n';

export const ROLES = ['admin', 'manager', 'tester', 'unit_head'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** The signed-in user as every handler sees it. */
export interface CurrentUser {
  id: number;
  email: string;
  name: string;
  role: Role;
  unitId: number;
  /** Path of the user's unit: the user's reach is every unit whose path starts with it. */
  unitPath: string;
  locale: Lang;
}

/**
 * Administrators reach every unit; managers and unit heads their unit's
 * subtree; testers reach no unit's management pages (their assignments are
 * given to them one by one).
 */
export function reachPath(user: CurrentUser): string | null {
  if (user.role === 'admin') return '/';
  if (user.role === 'manager' || user.role === 'unit_head') return user.unitPath;
  return null;
}

/** The reach of someone who manages units; anyone else is refused (403). */
export function requiredReach(user: CurrentUser): string {
  const reach = reachPath(user);
  if (reach === null) throw new ForbiddenError();
  return reach;
}

export function canReach(user: CurrentUser, unitPath: string): boolean {
  const reach = reachPath(user);
  return reach !== null && unitPath.startsWith(reach);
}
