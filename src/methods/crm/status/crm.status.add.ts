import { defineMethod } from '../../define-method.js'
import { RestError } from '../../../protocol/errors.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import {
  findStatus,
  insertStatuses,
  listStatuses,
  loadStatusEntityTypes,
} from '../../../crm/dictionaries/dictionary-store.js'
import { parseStatusEntityId, stagePrefix, type StatusSeed } from '../../../crm/dictionaries/statuses.js'
import { asPhpArray, legacyParam, phpIntval, scalarString } from '../dictionary-common.js'
import { canWriteStatuses, statusAddError } from './status-wire.js'

/** "Default is 10" (crm-status-add.md, SORT). */
const DEFAULT_SORT = 10

/**
 * STATUS_ID limits (crm-status-add.md "Restrictions for STATUS_ID"): lead stages 21 characters, quote and
 * deal stages 22, of Latin letters, digits, `-` and `_`; for an additional deal funnel the limit counts the
 * `C{n}:` prefix ("Max length depends on the pipeline identifier"); every other dictionary 50 of any kind.
 */
function statusIdAllowed(entityId: string, statusId: string, prefix: string | undefined): boolean {
  const kind = parseStatusEntityId(entityId)
  const strict = /^[A-Za-z0-9_-]+$/
  const code = prefix === undefined ? statusId : statusId.slice(prefix.length + 1)
  switch (kind.kind) {
    case 'lead':
      return statusId.length <= 21 && strict.test(statusId)
    case 'quote':
      return statusId.length <= 22 && strict.test(statusId)
    case 'deal':
      return statusId.length <= 22 && code !== '' && strict.test(code)
    default:
      return statusId.length <= 50 && code !== ''
  }
}

/**
 * crm.status.add (api-reference/crm/status/crm-status-add.md). Creates a value with SYSTEM = N
 * (status/index.md: "always saves a new element with SYSTEM = N"). In a funnel's stage dictionary the
 * funnel prefix is added unless the code already has it (`DECISION` → `C1:DECISION`), the stage belongs to
 * the funnel (CATEGORY_ID) and SEMANTICS `S` / `F` / in progress applies; in the general deal funnel an
 * in-progress stage sorted after WON is refused. Errors have an empty code, as the page shows; a taken STATUS_ID is
 * ERROR_CORE.
 */
export default defineMethod({
  name: 'crm.status.add',
  scope: 'crm',
  summary: 'Adds a value to a dictionary or a stage to a funnel.',
  reference: 'api-reference/crm/status/crm-status-add.md',
  parity: 'full',
  params: wireRecord,
  handler: async (params, ctx) => {
    const fields = asPhpArray(legacyParam(params, 'fields'))
    if (fields === undefined) throw statusAddError("Parameter 'fields' must be array.")
    if (!(await canWriteStatuses(ctx.store.db, ctx.principal))) throw statusAddError('Access denied.')

    const entityId = scalarString(legacyParam(fields, 'ENTITY_ID')) ?? ''
    const rawStatusId = scalarString(legacyParam(fields, 'STATUS_ID')) ?? ''
    const missing: string[] = []
    if (entityId === '') missing.push('The field ENTITY_ID is required.')
    if (rawStatusId === '') missing.push('The field STATUS_ID is required.')
    // "If both are missing, both messages arrive in the same response."
    if (missing.length > 0) throw statusAddError(missing.join('\n'))

    const db = ctx.store.db
    const portalId = ctx.principal.portal.id
    const types = await loadStatusEntityTypes(db, portalId)
    if (!types.some((t) => t.ID === entityId)) throw statusAddError('Specified entity type is not supported.')

    const name = scalarString(legacyParam(fields, 'NAME')) ?? ''
    if (name === '') throw statusAddError('The field Title is required.')

    const kind = parseStatusEntityId(entityId)
    const isStage = kind.kind !== 'dictionary'
    const categoryId =
      'categoryId' in kind && !(kind.kind === 'deal' && kind.categoryId === 0) ? kind.categoryId : undefined
    const prefix = 'categoryId' in kind ? stagePrefix(kind.entityTypeId, kind.categoryId) : undefined
    const statusId = prefix === undefined ? rawStatusId : prefixStatusIdUncut(prefix, rawStatusId)
    if (!statusIdAllowed(entityId, statusId, prefix)) throw statusAddError('Error on creating status.')

    const rawSort = legacyParam(fields, 'SORT')
    const sort =
      rawSort === undefined || rawSort === null || rawSort === '' ? DEFAULT_SORT : phpIntval(rawSort)
    const semanticsText = (scalarString(legacyParam(fields, 'SEMANTICS')) ?? '').toUpperCase()
    const semantics = semanticsText === 'S' || semanticsText === 'F' ? semanticsText : 'P'
    const color = scalarString(legacyParam(fields, 'COLOR'))

    return ctx.store.transaction(async (tx) => {
      if ((await findStatus(tx, portalId, entityId, statusId)) !== undefined) {
        throw new RestError('ERROR_CORE', 'The specified status ID already exists.', 400)
      }
      if (entityId === 'DEAL_STAGE' && semantics === 'P') {
        // "For the DEAL_STAGE directory, the SORT field received a value greater than that of the WON stage."
        // Only the general deal funnel: the page's own example adds an in-progress stage with SORT 70 to
        // DEAL_STAGE_1, after its WON (60).
        const success = (await listStatuses(tx, portalId, entityId)).find((s) => s.semantics === 'S')
        if (success !== undefined && sort > success.sort) {
          throw statusAddError(
            'Cannot create more stages after the final stage because the final successful stage already exists. ' +
              'Try using sort order values less than that of the final stage.',
          )
        }
      }
      const seed: StatusSeed = { entityId, statusId, name, nameInit: '', sort, system: false }
      if (color !== undefined && color !== '') seed.color = color
      if (isStage) seed.semantics = semantics
      if (categoryId !== undefined) seed.categoryId = categoryId
      const [row] = await insertStatuses(ctx.store, tx, portalId, [seed])
      if (row === undefined) throw statusAddError('Error on creating status.')
      return row.id
    })
  },
})

/**
 * The funnel prefix in front of a client's code (crm-status-add.md: `DECISION` in funnel 1 → `C1:DECISION`,
 * `C1:DECISION` kept). Unlike the template stages (statuses.ts `prefixStatusId`), a client's code is
 * never cut: a code too long for the dictionary is refused.
 */
function prefixStatusIdUncut(prefix: string, code: string): string {
  return code.startsWith(`${prefix}:`) ? code : `${prefix}:${code}`
}
