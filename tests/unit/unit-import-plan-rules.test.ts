/** Rules of planUnitImport that must hold for any stored tree and any file (property tests). */
import fc from 'fast-check';
import { planUnitImport, type ImportedUnit, type ImportPlan } from '../../server/org/unit-import';
import { UNIT_TYPES, type Unit, type UnitType } from '../../server/org/units-repo';
import { imported, storedUnit } from './unit-fixtures';

const ADMIN = '/';

describe('planUnitImport: rules that hold for any file', () => {
  /** A valid stored tree: agencies at the root, nothing under a switchboard. */
  const storedTree = fc
    .array(fc.record({ root: fc.boolean(), parent: fc.nat(), type: fc.constantFrom(...UNIT_TYPES) }), { minLength: 1, maxLength: 6 })
    .map((specs) => {
      const units: Unit[] = [];
      specs.forEach((spec, i) => {
        const parents = units.filter((u) => u.type !== 'switchboard');
        const parent = spec.root || parents.length === 0 ? null : (parents[spec.parent % parents.length] ?? null);
        units.push(storedUnit(i + 1, `S${i + 1}`, parent ? spec.type : 'agency', parent));
      });
      return units;
    });

  const scenario = storedTree.chain((stored) => {
    const codes = [...stored.map((u) => u.code), 'N1', 'N2', 'N3'];
    const storedParent = new Map(stored.map((u) => [u.code, stored.find((p) => p.id === u.parentId)?.code ?? null]));
    // Mostly plausible lines (the parent kept or a known one, an ordinary unit), so that many files come out clean.
    const line = fc.record({
      code: fc.constantFrom(...codes),
      parent: fc.oneof(
        { arbitrary: fc.constant('(keep)'), weight: 6 },
        { arbitrary: fc.constantFrom(...codes), weight: 6 },
        { arbitrary: fc.constant(null), weight: 1 },
        { arbitrary: fc.constant('GHOST'), weight: 1 },
      ),
      type: fc.oneof(
        { arbitrary: fc.constant<UnitType>('unit'), weight: 6 },
        { arbitrary: fc.constantFrom<UnitType>('agency', 'switchboard'), weight: 4 },
      ),
      renamed: fc.boolean(),
    });
    const lines = fc.oneof(fc.uniqueArray(line, { selector: (l) => l.code, maxLength: 6 }), fc.array(line, { maxLength: 6 }));
    return fc.record({
      stored: fc.constant(stored),
      reach: fc.constantFrom('/', ...stored.map((u) => u.path)),
      file: lines.map((ls) =>
        ls.map((l, i) => {
          const parent = l.parent === '(keep)' ? (storedParent.has(l.code) ? (storedParent.get(l.code) ?? null) : 'S1') : l.parent;
          return imported(i + 2, l.code, parent, l.type, l.renamed ? { nameZh: '新名稱' } : {});
        }),
      ),
    });
  });

  /** The tree as codes after applying the plan in order, as the service does; throws when a parent is missing. */
  function apply(stored: Unit[], plan: ImportPlan): Map<string, { parent: string | null; type: UnitType }> {
    const codeById = new Map(stored.map((u) => [u.id, u.code]));
    const tree = new Map(stored.map((u) => [u.code, { parent: u.parentId === null ? null : (codeById.get(u.parentId) ?? null), type: u.type }]));
    for (const { unit } of plan.items) {
      if (unit.parentCode !== null && !tree.has(unit.parentCode)) throw new Error(`${unit.code} applied before its parent ${unit.parentCode}`);
      tree.set(unit.code, { parent: unit.parentCode, type: unit.type });
    }
    return tree;
  }

  function ancestry(tree: Map<string, { parent: string | null }>, code: string): string[] {
    const codes: string[] = [];
    for (let c: string | null = code; c !== null; c = tree.get(c)?.parent ?? null) {
      if (codes.includes(c)) throw new Error(`cycle through ${c}`);
      codes.push(c);
    }
    return codes;
  }

  /** An administrator's valid edit of a stored tree (new units, moves, renames), written to the file in any order. */
  const validEdit = storedTree
    .chain((stored) =>
      fc
        .array(fc.record({ kind: fc.constantFrom('create', 'move', 'rename'), pick: fc.nat(), under: fc.nat(), type: fc.constantFrom(...UNIT_TYPES) }), {
          maxLength: 8,
        })
        .map((steps) => {
          const tree = apply(stored, { items: [], issues: [] });
          const lines = new Map<string, ImportedUnit>();
          const lineFor = (code: string) => {
            const node = tree.get(code);
            if (!node) throw new Error(`no ${code}`);
            return lines.get(code) ?? imported(0, code, node.parent, node.type);
          };
          steps.forEach((step, i) => {
            const codes = [...tree.keys()];
            const code = step.kind === 'create' ? `N${i}` : (codes[step.pick % codes.length] ?? '');
            const type = step.kind === 'create' ? step.type : (tree.get(code)?.type ?? 'unit');
            if (step.kind === 'rename') {
              lines.set(code, { ...lineFor(code), nameZh: `新名稱${i}` });
              return;
            }
            const parents: (string | null)[] = codes.filter((c) => tree.get(c)?.type !== 'switchboard' && !ancestry(tree, c).includes(code));
            if (type === 'agency') parents.push(null);
            const parent = parents[step.under % parents.length];
            if (parent === undefined) return;
            tree.set(code, { parent, type });
            lines.set(code, { ...(step.kind === 'create' ? imported(0, code, parent, type) : lineFor(code)), parentCode: parent });
          });
          return { stored, tree, lines: [...lines.values()] };
        }),
    )
    .chain(({ stored, tree, lines }) =>
      fc
        .shuffledSubarray(lines, { minLength: lines.length, maxLength: lines.length })
        .map((shuffled) => ({ stored, tree, file: shuffled.map((u, i) => ({ ...u, line: i + 2 })) })),
    );

  it('lists every planned parent before its children, so that applying a clean plan in order always finds the parent', () => {
    fc.assert(
      fc.property(scenario, ({ stored, reach, file }) => {
        const plan = planUnitImport(file, stored, reach);
        const position = new Map(plan.items.map((item, i) => [item.unit.code, i]));
        plan.items.forEach((item, i) => {
          const parentAt = item.unit.parentCode === null ? undefined : position.get(item.unit.parentCode);
          if (parentAt !== undefined) expect(parentAt).toBeLessThan(i);
        });
        if (plan.issues.length === 0) expect(() => apply(stored, plan)).not.toThrow();
      }),
    );
  });

  it('accounts for every line of the file: planned once, or reported', () => {
    fc.assert(
      fc.property(scenario, ({ stored, reach, file }) => {
        const plan = planUnitImport(file, stored, reach);
        const planned = plan.items.map((i) => i.unit.line);
        const reported = new Set(plan.issues.map((i) => i.line));
        expect(new Set(planned).size).toBe(planned.length);
        for (const u of file) expect(planned.includes(u.line) !== reported.has(u.line)).toBe(true);
      }),
    );
  });

  it('leaves a valid tree after a clean plan: agencies at the root, nothing under a switchboard, no cycle, changes only inside the reach', () => {
    fc.assert(
      fc.property(scenario, ({ stored, reach, file }) => {
        const plan = planUnitImport(file, stored, reach);
        fc.pre(plan.issues.length === 0);
        const tree = apply(stored, plan);
        for (const [code, node] of tree) {
          ancestry(tree, code);
          if (node.parent === null) expect({ code, type: node.type }).toEqual({ code, type: 'agency' });
          else expect({ code, parentType: tree.get(node.parent)?.type }).not.toEqual({ code, parentType: 'switchboard' });
        }
        const reachRoot = stored.find((u) => u.path === reach);
        if (reach !== '/' && reachRoot) {
          for (const { unit } of plan.items) expect(ancestry(tree, unit.code)).toContain(reachRoot.code);
        }
      }),
    );
  });

  it("accepts an administrator's valid edit in any line order, and applying it in order gives exactly the edited tree", () => {
    fc.assert(
      fc.property(validEdit, ({ stored, tree, file }) => {
        const plan = planUnitImport(file, stored, ADMIN);
        expect(plan.issues).toEqual([]);
        expect(Object.fromEntries(apply(stored, plan))).toEqual(Object.fromEntries(tree));
        const storedCodes = new Set(stored.map((u) => u.code));
        for (const { unit, action } of plan.items) expect(action === 'create').toBe(!storedCodes.has(unit.code));
      }),
    );
  });
});
