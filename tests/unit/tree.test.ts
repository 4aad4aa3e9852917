import fc from 'fast-check';
import { buildTree, type TreeNode } from '../../server/org/tree';
import type { Unit } from '../../server/org/units-repo';
import { storedUnit } from './unit-fixtures';

/** The tree as nested codes, easy to compare. */
type Shape = { [code: string]: Shape };
const shape = (nodes: TreeNode[]): Shape => Object.fromEntries(nodes.map((n) => [n.unit.code, shape(n.children)]));
const codes = (nodes: TreeNode[]): string[] => nodes.map((n) => n.unit.code);

const root = storedUnit(1, 'A', 'agency', null);
const c = storedUnit(2, 'C', 'unit', root);
const b = storedUnit(3, 'B', 'switchboard', root);
const c1 = storedUnit(4, 'C1', 'unit', c);
const other = storedUnit(5, 'Z', 'agency', null);

describe('buildTree', () => {
  it('nests units by parent, whatever the order they come in', () => {
    expect(shape(buildTree([c1, other, c, root, b]))).toEqual({ A: { B: {}, C: { C1: {} } }, Z: {} });
  });

  it('orders roots and siblings by code', () => {
    const tree = buildTree([other, c, b, root]);
    expect(codes(tree)).toEqual(['A', 'Z']);
    expect(codes(tree[0]?.children ?? [])).toEqual(['B', 'C']);
  });

  it('keeps the units themselves in the nodes', () => {
    const [top] = buildTree([root, c]);
    expect(top?.unit).toBe(root);
    expect(top?.children[0]?.unit).toBe(c);
  });

  it("makes the top of a manager's reach a root when its parent is not in the list", () => {
    expect(shape(buildTree([c1, c]))).toEqual({ C: { C1: {} } });
    expect(shape(buildTree([c1, b]))).toEqual({ B: {}, C1: {} });
  });

  it('gives no nodes for no units', () => {
    expect(buildTree([])).toEqual([]);
  });

  it('places every unit exactly once, under its parent when the parent is listed', () => {
    const forest = fc.array(fc.option(fc.nat(), { nil: null }), { maxLength: 12 }).map((parents) => {
      const units: Unit[] = [];
      parents.forEach((p, i) => {
        const parent = p === null || units.length === 0 ? null : (units[p % units.length] ?? null);
        units.push(storedUnit(i + 1, `U${String(i + 1).padStart(2, '0')}`, 'unit', parent));
      });
      return units;
    });
    fc.assert(
      fc.property(
        forest.chain((units) => fc.tuple(fc.constant(units), fc.subarray(units), fc.shuffledSubarray(units, { minLength: units.length }))),
        ([all, listed, shuffled]) => {
          const listedIds = new Set(listed.map((u) => u.id));
          const seen: number[] = [];
          const walk = (nodes: TreeNode[], parentId: number | null) => {
            expect(codes(nodes)).toEqual([...codes(nodes)].sort());
            for (const n of nodes) {
              seen.push(n.unit.id);
              if (parentId === null) expect(n.unit.parentId === null || !listedIds.has(n.unit.parentId)).toBe(true);
              else expect(n.unit.parentId).toBe(parentId);
              walk(n.children, n.unit.id);
            }
          };
          walk(buildTree(listed), null);
          expect(seen.sort((x, y) => x - y)).toEqual([...listedIds].sort((x, y) => x - y));
          expect(shape(buildTree(shuffled))).toEqual(shape(buildTree(all)));
        },
      ),
    );
  });
});
