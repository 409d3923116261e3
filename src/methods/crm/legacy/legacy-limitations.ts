/**
 * The documented limitations of the legacy methods (docs/methods.md), per family and type.
 */
import type { LegacyMethodsConfig } from './legacy-wire.js'

function typeSpecific(config: LegacyMethodsConfig): string[] {
  const notes: string[] = []
  const id = config.entity.type.entityTypeId
  if (id === 1 || id === 2) notes.push('Product rows do not exist: OPPORTUNITY is kept as given.')
  if (id === 2) notes.push('CLOSED follows the stage; a value written to it is ignored.')
  if (id === 4) {
    notes.push('LAST_ACTIVITY_TIME / LAST_ACTIVITY_BY are kept by the server: written values are ignored.')
  }
  return notes
}

const COMMON_WRITE = [
  'Values are checked as crm.item.* checks them: an unknown status, currency, user or bound item is refused with an empty code and \'Invalid value for the "…" field\'.',
  'Automation rules and business processes do not run; the change is recorded in the history, the live feed (params.REGISTER_SONET_EVENT) and the outbox for event delivery.',
]

export function WRITE_LIMITATIONS(config: LegacyMethodsConfig): string[] {
  return [...COMMON_WRITE, ...typeSpecific(config)]
}

export function ADD_LIMITATIONS(config: LegacyMethodsConfig): string[] {
  const id = config.entity.type.entityTypeId
  return [
    ...COMMON_WRITE,
    ...(id === 3 || id === 4
      ? [
          'params.IMPORT is accepted, but DATE_CREATE, DATE_MODIFY, CREATED_BY_ID and MODIFY_BY_ID stay server-set.',
        ]
      : []),
    ...typeSpecific(config),
  ]
}

/** The binding list of the type (lead/deal CONTACT_IDS, contact COMPANY_IDS, company CONTACT_ID). */
function bindingList(id: number): string {
  return id === 3 ? 'COMPANY_IDS' : id === 4 ? 'CONTACT_ID' : 'CONTACT_IDS'
}

export function GET_LIMITATIONS(config: LegacyMethodsConfig): string[] {
  const id = config.entity.type.entityTypeId
  return [`${bindingList(id)} is not printed (as on Bitrix24); crm.item.get or the relation methods list it.`]
}

export function LIST_LIMITATIONS(config: LegacyMethodsConfig): string[] {
  const id = config.entity.type.entityTypeId
  return [
    ...(id === 2
      ? []
      : [`${bindingList(id)} is printed, as a list of numbers, only when \`select\` names it.`]),
    'LIKE operators are not refused on dictionary and binding fields (the pages say they do not work there).',
  ]
}
