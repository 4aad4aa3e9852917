import type { Unit } from './units-repo';

export interface TreeNode {
  unit: Unit;
  children: TreeNode[];
}

/**
 * Nests units (any order) by parent. A unit whose parent is not in the list
 * (the top of a manager's reach) becomes a root.
 */
export function buildTree(units: Unit[]): TreeNode[] {
  const nodes = new Map(units.map((u) => [u.id, { unit: u, children: [] as TreeNode[] }]));
  const roots: TreeNode[] = [];
  for (const node of [...nodes.values()].sort((a, b) => a.unit.code.localeCompare(b.unit.code))) {
    const parent = node.unit.parentId === null ? undefined : nodes.get(node.unit.parentId);
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}
