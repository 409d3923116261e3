/**
 * The four types the legacy methods serve, by entityTypeId.
 */
import { LEGACY_COMPANY } from './company.js'
import { LEGACY_CONTACT } from './contact.js'
import { LEGACY_DEAL } from './deal.js'
import { LEGACY_LEAD } from './lead.js'
import type { LegacyEntity } from './legacy-entity.js'

export const LEGACY_ENTITIES: readonly LegacyEntity[] = [
  LEGACY_LEAD,
  LEGACY_DEAL,
  LEGACY_CONTACT,
  LEGACY_COMPANY,
]

const BY_TYPE = new Map(LEGACY_ENTITIES.map((e) => [e.type.entityTypeId, e]))

/** The legacy catalogue of lead (1), deal (2), contact (3) or company (4); undefined for any other type. */
export function legacyEntityOf(entityTypeId: number): LegacyEntity | undefined {
  return BY_TYPE.get(entityTypeId)
}
