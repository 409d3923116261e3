import { defineMethod } from '../../define-method.js'
import { RestError } from '../../../protocol/errors.js'
import { wireRecord } from '../../../protocol/params/scalars.js'
import { SMART_PROCESS_DEFAULT_FLAGS, isSmartProcessEntityTypeId } from '../../../crm/entity-types/dynamic.js'
import {
  createType,
  getTypeByEntityTypeId,
  nextFreeEntityTypeId,
} from '../../../crm/dictionaries/dictionary-store.js'
import { controllerArray, scalarString } from '../dictionary-common.js'
import { checkTitle, checkWorkplace, readTypeInput, requireTypeCaller, typeToWire } from './type-wire.js'

/**
 * crm.type.add (api-reference/crm/universal/user-defined-object-types/crm-type-add.md). `entityTypeId`, when
 * given, must be in 128–192 or even and ≥ 1030 (INVALID_ARG_VALUE "entityTypeId is out of allowed range");
 * without it the next even id from 1030 is used. Flags default as the page's table says (everything N but
 * isSetOpenPermissions). The type gets its default funnel "General" with the default stages
 * (`DYNAMIC_{entityTypeId}_STAGE_{id}`, `DT{entityTypeId}_{id}:NEW` …).
 */
export default defineMethod({
  name: 'crm.type.add',
  scope: 'crm',
  summary: 'Creates a smart process with its default funnel and stages.',
  reference: 'api-reference/crm/universal/user-defined-object-types/crm-type-add.md',
  parity: 'partial',
  limitations: [
    'Digital workplaces do not exist: customSectionId is stored as given and customSections is always [].',
    'No plan limits: CREATE_DYNAMIC_TYPE_RESTRICTED never occurs.',
  ],
  params: wireRecord,
  handler: async (params, ctx) => {
    await requireTypeCaller(ctx, 'not required')
    const fields = controllerArray(params, 'fields')
    await requireTypeCaller(ctx, 'required')
    const db = ctx.store.db
    const portalId = ctx.principal.portal.id
    const input = await readTypeInput(db, portalId, fields)
    checkWorkplace(input, null)
    checkTitle(input.title ?? '')

    let requested: number | undefined
    if (
      fields['entityTypeId'] !== undefined &&
      fields['entityTypeId'] !== null &&
      fields['entityTypeId'] !== ''
    ) {
      const text = scalarString(fields['entityTypeId']) ?? ''
      requested = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN
      if (!isSmartProcessEntityTypeId(requested)) {
        throw new RestError('INVALID_ARG_VALUE', 'entityTypeId is out of allowed range', 400)
      }
    }
    const record = await ctx.store.transaction(async (tx) => {
      const entityTypeId = requested ?? (await nextFreeEntityTypeId(tx, portalId))
      if ((await getTypeByEntityTypeId(tx, portalId, entityTypeId)) !== undefined) {
        throw new RestError(
          'BX_ERROR',
          `A smart process with entityTypeId ${entityTypeId} already exists`,
          400,
        )
      }
      return createType(
        ctx.store,
        tx,
        portalId,
        {
          entityTypeId,
          title: input.title ?? '',
          code: input.code ?? '',
          flags: { ...SMART_PROCESS_DEFAULT_FLAGS, ...input.flags },
          relations: input.relations ?? { parent: [], child: [] },
          linkedUserFields: input.linkedUserFields ?? {},
          customSectionId: input.customSectionId ?? null,
          userId: ctx.principal.user.id,
        },
        ctx.clock.now(),
      )
    })
    return { type: typeToWire(record, ctx.principal.portal.timeZoneOffset, 'add') }
  },
})
