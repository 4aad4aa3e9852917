import { requiredReach, type CurrentUser } from '../auth/current-user';
import { audit } from '../platform/audit';
import type { Db } from '../platform/db';
import { NotFoundError } from '../platform/errors';
import type { FieldError } from '../platform/http';
import { parseUnitsCsv, placementProblem, planUnitImport, type ImportIssue, type ImportPlan } from './unit-import';
import type { UnitInput } from './schema';
import { UnitsRepo, type Unit, type UnitFields } from './units-repo';

export type SaveResult = { ok: true; unit: Unit } | { ok: false; errors: FieldError[] };

export interface ImportPreview {
  plan: ImportPlan;
  counts: { create: number; update: number; unchanged: number };
}

export class UnitsService {
  constructor(
    private readonly db: Db,
    private readonly units: UnitsRepo,
    private readonly clock: () => Date,
  ) {}

  /** Units the user may see, in tree order (parents before children). */
  list(user: CurrentUser): Promise<Unit[]> {
    return this.units.listInReach(requiredReach(user));
  }

  /** A unit inside the user's reach; 404 for anything else, so that other agencies' units are not even confirmed. */
  async get(user: CurrentUser, id: number): Promise<Unit> {
    const unit = await this.units.findById(id);
    if (!unit || !unit.path.startsWith(requiredReach(user))) throw new NotFoundError();
    return unit;
  }

  /** Units that may be chosen as a parent by this user. */
  async parentChoices(user: CurrentUser, excluding?: Unit): Promise<Unit[]> {
    const all = await this.list(user);
    return all.filter((u) => u.type !== 'switchboard' && (!excluding || !u.path.startsWith(excluding.path)));
  }

  async create(user: CurrentUser, input: UnitInput): Promise<SaveResult> {
    return this.save(user, undefined, input);
  }

  async update(user: CurrentUser, id: number, input: UnitInput): Promise<SaveResult> {
    const unit = await this.get(user, id);
    return this.save(user, unit, input);
  }

  private async save(user: CurrentUser, existing: Unit | undefined, input: UnitInput): Promise<SaveResult> {
    const reach = requiredReach(user);
    const now = this.clock().toISOString();
    return this.db.transaction(async (trx) => {
      const errors: FieldError[] = [];
      const [sameCode] = await this.units.findByCodes([input.code], trx);
      if (sameCode && sameCode.id !== existing?.id) errors.push({ field: 'code', key: 'unit.error.codeTaken' });
      const parent = input.parentId === null ? null : await this.units.findById(input.parentId, trx);
      if (input.parentId !== null && (!parent || !parent.path.startsWith(reach))) {
        errors.push({ field: 'parentId', key: 'unit.error.parentOutOfReach' });
      } else if (existing && parent && parent.path.startsWith(existing.path)) {
        errors.push({ field: 'parentId', key: 'unit.error.parentInside' });
      } else {
        // Keeping the parent one already has needs no reach, but the type rules still hold.
        const unchanged = existing !== undefined && existing.parentId === input.parentId;
        const problem = placementProblem(input.type, parent ? { type: parent.type, inReach: true } : null, reach === '/' || unchanged);
        if (problem) errors.push({ field: input.parentId === null && input.type !== 'agency' ? 'type' : 'parentId', key: problem });
      }
      if (existing && input.type === 'switchboard' && existing.type !== 'switchboard') {
        const children = await this.units.listInReach(existing.path, trx);
        if (children.length > 1) errors.push({ field: 'type', key: 'unit.error.switchboardHasChildren' });
      }
      if (errors.length > 0) return { ok: false, errors };
      const fields: UnitFields = { ...input, active: existing?.active ?? true };
      const parentPath = parent?.path ?? '/';
      let unit: Unit;
      if (existing) {
        await this.units.update(existing.id, fields, `${parentPath}${existing.id}/`, now, trx);
        unit = (await this.units.findById(existing.id, trx)) as Unit;
      } else {
        unit = await this.units.insert(fields, parentPath, now, trx);
      }
      await audit(trx, { actorId: user.id, action: existing ? 'unit.update' : 'unit.create', subject: `unit:${unit.id}`, detail: input, at: now });
      return { ok: true, unit };
    });
  }

  /** Deactivates or reactivates a unit. Units are never deleted: their history must stay readable. */
  async setActive(user: CurrentUser, id: number, active: boolean): Promise<Unit> {
    const unit = await this.get(user, id);
    const now = this.clock().toISOString();
    await this.db.transaction(async (trx) => {
      await this.units.setActive(unit.id, active, now, trx);
      await audit(trx, { actorId: user.id, action: active ? 'unit.activate' : 'unit.deactivate', subject: `unit:${unit.id}`, at: now });
    });
    return { ...unit, active };
  }

  /** Validates a CSV file against the stored tree without changing anything. */
  async previewImport(user: CurrentUser, csv: string, trx: Db = this.db): Promise<ImportPreview> {
    const reach = requiredReach(user);
    const parsed = parseUnitsCsv(csv);
    const existing = await this.units.listInReach('/', trx);
    const plan = planUnitImport(parsed.units, existing, reach);
    const issues: ImportIssue[] = [...parsed.issues, ...plan.issues].sort((a, b) => a.line - b.line);
    const counts = { create: 0, update: 0, unchanged: 0 };
    for (const item of plan.items) counts[item.action] += 1;
    return { plan: { items: plan.items, issues }, counts };
  }

  /**
   * Applies a CSV file in one transaction, after checking it again against the
   * tree as it is now: any issue and nothing is written.
   */
  async applyImport(user: CurrentUser, csv: string): Promise<ImportPreview> {
    const now = this.clock().toISOString();
    return this.db.transaction(async (trx) => {
      const preview = await this.previewImport(user, csv, trx);
      if (preview.plan.issues.length > 0) return preview;
      for (const { unit: u, action } of preview.plan.items) {
        if (action === 'unchanged') continue;
        const [parent] = u.parentCode ? await this.units.findByCodes([u.parentCode], trx) : [];
        const fields: UnitFields = {
          parentId: parent?.id ?? null,
          code: u.code,
          type: u.type,
          nameZh: u.nameZh,
          nameEn: u.nameEn,
          phoneE164: u.phoneE164,
          phoneExt: u.phoneExt,
          active: u.active,
        };
        const parentPath = parent?.path ?? '/';
        const [stored] = await this.units.findByCodes([u.code], trx);
        if (stored) await this.units.update(stored.id, fields, `${parentPath}${stored.id}/`, now, trx);
        else await this.units.insert(fields, parentPath, now, trx);
      }
      await audit(trx, { actorId: user.id, action: 'unit.import', subject: 'units', detail: preview.counts, at: now });
      return preview;
    });
  }
}
