/**
 * A plan's scope is an agency: its units are those whose nearest agency (the
 * unit itself included) is that agency. An agency inside it plans its own units.
 */
export function nearestAgencyId(unit: { path: string }, agencyIds: ReadonlySet<number>): number | null {
  const ids = unit.path.split('/').filter(Boolean).map(Number);
  for (let i = ids.length - 1; i >= 0; i -= 1) {
    const id = ids[i] as number;
    if (agencyIds.has(id)) return id;
  }
  return null;
}

export function membersOfScope<T extends { id: number; path: string; type: string }>(scopeId: number, units: readonly T[]): T[] {
  const agencies = new Set(units.filter((u) => u.type === 'agency').map((u) => u.id));
  return units.filter((u) => nearestAgencyId(u, agencies) === scopeId);
}
