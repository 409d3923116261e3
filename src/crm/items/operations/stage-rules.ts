/**
 * Stage ↔ funnel rules of the item operations (research/server-behaviour.md §1.E items 38–40; DOCS
 * how-to-generate-edit-form-for-deal.md; crm-deal-update.md). Pure: the operation loads the stages.
 */

/** Stage semantics: P in progress, S success, F failure (crm.status SEMANTICS; null on the wire is P). */
export type Semantics = 'P' | 'S' | 'F'

export interface StageInfo {
  statusId: string
  semantics: Semantics
}

export type StageDecision =
  /** The stage stays as it is. */
  | { kind: 'keep' }
  /** The item moves to this stage. */
  | { kind: 'set'; stageId: string }
  /** The given stage exists in no funnel of the type: CRM_FIELD_ERROR_VALUE_NOT_VALID. */
  | { kind: 'invalid' }
  /** The funnel changed and the new funnel has no stage with the needed semantics. */
  | { kind: 'notFoundInNewCategory' }

export interface StageInput {
  /** true on add (there is no stage yet) and when the funnel changes. */
  categoryChanged: boolean
  currentStageId: string | null
  currentSemantics: Semantics | undefined
  /** undefined: not given; null: emptied; a string: the stage asked for. */
  given: string | null | undefined
  /** The stages of the item's (new) funnel, in sort order. */
  targetStages: readonly StageInfo[]
  /** Semantics of the given stage when it belongs to another funnel of the type; undefined when it exists nowhere. */
  givenForeignSemantics: Semantics | undefined
}

/**
 * Decides the item's stage:
 * - a stage of the item's funnel is taken as given;
 * - a stage that exists nowhere is an invalid value;
 * - a stage of another funnel, the funnel unchanged: silently reverted to the current stage (24.8+,
 *   §1.E item 39; 22.x answered an error — docs/compatibility.md);
 * - when the funnel changes (and on add) and the given or current stage is not in the new funnel, the first
 *   stage of the new funnel with the same semantics is used ("a stage from another pipeline … the first
 *   stage of the new pipeline with the same semantics", how-to-generate-edit-form-for-deal.md); with no
 *   stage given on add that is the funnel's first stage (crm-item-add.md "Default — the first available
 *   stage relative to the pipeline").
 * An emptied stage is never applied: the item keeps its stage.
 */
export function decideStage(input: StageInput): StageDecision {
  const { given, targetStages } = input
  const inTarget = (statusId: string | null) =>
    statusId !== null && targetStages.some((s) => s.statusId === statusId)
  const mapBySemantics = (semantics: Semantics): StageDecision => {
    const first = targetStages.find((s) => s.semantics === semantics)
    return first === undefined ? { kind: 'notFoundInNewCategory' } : { kind: 'set', stageId: first.statusId }
  }

  if (typeof given === 'string') {
    if (inTarget(given))
      return given === input.currentStageId ? { kind: 'keep' } : { kind: 'set', stageId: given }
    if (input.givenForeignSemantics === undefined) return { kind: 'invalid' }
    if (!input.categoryChanged) return { kind: 'keep' }
    return mapBySemantics(input.givenForeignSemantics)
  }
  if (!input.categoryChanged || inTarget(input.currentStageId)) return { kind: 'keep' }
  return mapBySemantics(input.currentSemantics ?? 'P')
}

/** Final stages close the item: `closed = Y` exactly for S and F (§1.E item 38). */
export function isFinal(semantics: Semantics): boolean {
  return semantics === 'S' || semantics === 'F'
}

/** A crm.status SEMANTICS value as stage semantics (null and anything unknown are P). */
export function toSemantics(value: string | null | undefined): Semantics {
  return value === 'S' || value === 'F' ? value : 'P'
}
