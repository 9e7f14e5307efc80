interface TreapNode<T> {
  readonly item: T;
  readonly priority: number;
  left: TreapNode<T> | undefined;
  right: TreapNode<T> | undefined;
  size: number;
  weight: number;
}

/**
 * A sorted set with order statistics: a treap (a binary search tree kept balanced by heap-ordered
 * random priorities) whose nodes also carry their subtree's size and total weight. Insert, delete,
 * first, n-th, weighted pick and rank are all O(log n), which is what lets the router pick an agent
 * among 5,000 without looking at them all.
 *
 * Priorities come from a fixed-seed xorshift, so the shape (and every result) is deterministic.
 * The comparator must be a total order with no ties between distinct items (end with an ordinal), and an
 * item's sort key must not change while it is in the set: delete, change, insert.
 */
export class OrderedSet<T> {
  private root: TreapNode<T> | undefined = undefined;
  private seed = 0x9e3779b9;
  private readonly compare: (a: T, b: T) => number;
  private readonly weightOf: (item: T) => number;

  constructor(compare: (a: T, b: T) => number, weightOf: (item: T) => number = () => 1) {
    this.compare = compare;
    this.weightOf = weightOf;
  }

  /** Number of items. */
  get size(): number {
    return this.root?.size ?? 0;
  }

  /** Sum of the items' weights. */
  get totalWeight(): number {
    return this.root?.weight ?? 0;
  }

  /** Adds an item; the caller guarantees it is not already present. */
  insert(item: T): void {
    this.seed ^= this.seed << 13;
    this.seed ^= this.seed >>> 17;
    this.seed ^= this.seed << 5;
    const node: TreapNode<T> = {
      item,
      priority: this.seed >>> 0,
      left: undefined,
      right: undefined,
      size: 1,
      weight: this.weightOf(item),
    };
    this.root = this.insertAt(this.root, node);
  }

  /** Removes an item (found by the comparator); returns whether it was there. */
  delete(item: T): boolean {
    const before = this.size;
    this.root = this.deleteAt(this.root, item);
    return this.size < before;
  }

  /** The smallest item. */
  first(): T | undefined {
    let node = this.root;
    if (node === undefined) return undefined;
    while (node.left !== undefined) node = node.left;
    return node.item;
  }

  /** The item at 0-based position `index` in sort order. */
  at(index: number): T | undefined {
    let node = this.root;
    let i = index;
    while (node !== undefined) {
      const leftSize = node.left?.size ?? 0;
      if (i < leftSize) node = node.left;
      else if (i === leftSize) return node.item;
      else {
        i -= leftSize + 1;
        node = node.right;
      }
    }
    return undefined;
  }

  /** The first item whose running total of weights (in sort order) exceeds `target`, 0 <= target < total. */
  atWeight(target: number): T | undefined {
    let node = this.root;
    let w = target;
    let last: T | undefined = undefined;
    while (node !== undefined) {
      const leftWeight = node.left?.weight ?? 0;
      const own = node.weight - leftWeight - (node.right?.weight ?? 0);
      last = node.item;
      if (w < leftWeight) node = node.left;
      else if (w < leftWeight + own) return node.item;
      else {
        w -= leftWeight + own;
        node = node.right;
      }
    }
    // Only reached through floating-point rounding at the very end of the range.
    return last;
  }

  /** 0-based position of an item in sort order, or -1 when absent. */
  rankOf(item: T): number {
    let node = this.root;
    let rank = 0;
    while (node !== undefined) {
      const c = this.compare(item, node.item);
      if (c < 0) node = node.left;
      else if (c > 0) {
        rank += (node.left?.size ?? 0) + 1;
        node = node.right;
      } else return rank + (node.left?.size ?? 0);
    }
    return -1;
  }

  /**
   * The first item (in sort order) for which `isAtOrAfter` holds, given that it is false for a prefix of
   * the order and true for the rest: a successor search in O(log n).
   */
  firstWhere(isAtOrAfter: (item: T) => boolean): T | undefined {
    let node = this.root;
    let best: T | undefined = undefined;
    while (node !== undefined) {
      if (isAtOrAfter(node.item)) {
        best = node.item;
        node = node.left;
      } else node = node.right;
    }
    return best;
  }

  /** Items in sort order. */
  *[Symbol.iterator](): Generator<T> {
    const stack: TreapNode<T>[] = [];
    let node = this.root;
    while (node !== undefined || stack.length > 0) {
      while (node !== undefined) {
        stack.push(node);
        node = node.left;
      }
      const top = stack.pop();
      if (top === undefined) return;
      yield top.item;
      node = top.right;
    }
  }

  private update(node: TreapNode<T>): void {
    node.size = 1 + (node.left?.size ?? 0) + (node.right?.size ?? 0);
    node.weight = this.weightOf(node.item) + (node.left?.weight ?? 0) + (node.right?.weight ?? 0);
  }

  private insertAt(node: TreapNode<T> | undefined, fresh: TreapNode<T>): TreapNode<T> {
    if (node === undefined) return fresh;
    if (fresh.priority > node.priority) {
      const [left, right] = this.split(node, fresh.item);
      fresh.left = left;
      fresh.right = right;
      this.update(fresh);
      return fresh;
    }
    if (this.compare(fresh.item, node.item) < 0) node.left = this.insertAt(node.left, fresh);
    else node.right = this.insertAt(node.right, fresh);
    this.update(node);
    return node;
  }

  /** Splits into (items < pivot, items >= pivot). */
  private split(
    node: TreapNode<T> | undefined,
    pivot: T,
  ): [TreapNode<T> | undefined, TreapNode<T> | undefined] {
    if (node === undefined) return [undefined, undefined];
    if (this.compare(node.item, pivot) < 0) {
      const [left, right] = this.split(node.right, pivot);
      node.right = left;
      this.update(node);
      return [node, right];
    }
    const [left, right] = this.split(node.left, pivot);
    node.left = right;
    this.update(node);
    return [left, node];
  }

  private merge(a: TreapNode<T> | undefined, b: TreapNode<T> | undefined): TreapNode<T> | undefined {
    if (a === undefined) return b;
    if (b === undefined) return a;
    if (a.priority > b.priority) {
      a.right = this.merge(a.right, b);
      this.update(a);
      return a;
    }
    b.left = this.merge(a, b.left);
    this.update(b);
    return b;
  }

  private deleteAt(node: TreapNode<T> | undefined, item: T): TreapNode<T> | undefined {
    if (node === undefined) return undefined;
    const c = this.compare(item, node.item);
    if (c === 0) return this.merge(node.left, node.right);
    if (c < 0) node.left = this.deleteAt(node.left, item);
    else node.right = this.deleteAt(node.right, item);
    this.update(node);
    return node;
  }
}
