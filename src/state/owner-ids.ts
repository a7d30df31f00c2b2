/**
 * NAT IDs of the nodes that own a table's entries (seed 002, FIGURE 4B field 466), each entry
 * storing a 16-bit index into this list instead of the 32-bit ID: a fabric has a handful of
 * nodes and a table millions of entries, so this saves 2 bytes per mapping and per session.
 * Index 0 stands for NAT ID 0 ("no owner", static entries). IDs are never forgotten, so an
 * index stays valid for the table's life; the list is bounded (65535 owners).
 */
export class OwnerIds {
  static readonly MAX = 0xffff;
  /** NAT ID by index. */
  readonly ids = new Uint32Array(OwnerIds.MAX + 1);
  // Control and replication paths only (one lookup per applied record), never per packet.
  private readonly byId = new Map<number, number>([[0, 0]]);
  size = 1;

  /** Index of `natId`, or -1 when it owns nothing here. */
  indexOf(natId: number): number {
    return this.byId.get(natId >>> 0) ?? -1;
  }

  /** Index of `natId`, adding it; -1 when the list is full. */
  intern(natId: number): number {
    const id = natId >>> 0;
    const known = this.byId.get(id);
    if (known !== undefined) return known;
    if (this.size > OwnerIds.MAX) return -1;
    const index = this.size++;
    this.ids[index] = id;
    this.byId.set(id, index);
    return index;
  }

  /** NAT ID at `index`. */
  idOf(index: number): number {
    return this.ids[index]!;
  }
}
