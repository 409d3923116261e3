/**
 * Client bindings of an item: deal/lead/quote/invoice/smart-process → contacts, contact → companies,
 * company → contacts (research/server-behaviour.md §1.B item 17; DOCS how-to-generate-edit-form-for-company.md,
 * how-to-make-contact-edit-card.md: "order → SORT, first id becomes primary"). Pure.
 */
import type { BindingInput } from './read-fields.js'

export interface BindingState {
  /** Bound ids in sort order. */
  ids: number[]
  /** The primary binding, mirrored by the single deprecated field (`contactId`, contact `companyId`). */
  primary: number | null
}

/** One binding change, in the order the type's field collection lists the binding fields. */
export type BindingChange =
  /** The single field (`contactId = X`): all bindings become `[X]`; empty removes every binding. */
  | { kind: 'single'; id: number | null }
  /** The list field (`contactIds`): the set is replaced; listed ids are added or kept, the rest removed. */
  | { kind: 'list'; ids: number[] | null }
  /** The service field (`contacts: [{contactId, isPrimary}]`): like a list, with explicit primary marks. */
  | { kind: 'bindings'; list: BindingInput[] | null }

/**
 * Applies the changes in order. The primary is then chosen: an explicitly marked primary wins; otherwise
 * the current primary stays primary while it is still bound; otherwise the first binding becomes primary.
 * The single field is synced to the primary (null when nothing is bound). Duplicates are removed.
 */
export function applyBindingChanges(current: BindingState, changes: readonly BindingChange[]): BindingState {
  let ids = [...current.ids]
  let marked: number | null = null
  for (const change of changes) {
    if (change.kind === 'single') {
      ids = change.id === null ? [] : [change.id]
      marked = null
    } else if (change.kind === 'list') {
      ids = unique(change.ids ?? [])
      marked = null
    } else {
      const list = change.list ?? []
      ids = unique(list.map((b) => b.id))
      marked = list.find((b) => b.isPrimary)?.id ?? null
    }
  }
  let primary: number | null
  if (marked !== null) primary = marked
  else if (current.primary !== null && ids.includes(current.primary)) primary = current.primary
  else primary = ids[0] ?? null
  return { ids, primary }
}

function unique(ids: readonly number[]): number[] {
  const out: number[] = []
  for (const id of ids) if (id > 0 && !out.includes(id)) out.push(id)
  return out
}

export function sameBindings(a: BindingState, b: BindingState): boolean {
  return a.primary === b.primary && a.ids.length === b.ids.length && a.ids.every((id, i) => id === b.ids[i])
}
