import { z } from 'zod'
import { defineMethod } from '../define-method.js'
import { getUser } from '../../portal/users.js'
import { UNSTORED_USER_FIELDS, userFieldLevel, userToWire, visibleUserFields } from './user-fields.js'

/**
 * user.current (api-reference/user/user-current.md): the user whose webhook or token made the call, in the
 * same shape user.get answers, with the fields the caller's user scope opens (user/index.md).
 */
export default defineMethod({
  name: 'user.current',
  scope: 'user',
  summary: 'The calling user, with the fields the caller scope opens.',
  reference: 'api-reference/user/user-current.md',
  parity: 'partial',
  limitations: [
    `Fields without storage here are never returned (unset): ${UNSTORED_USER_FIELDS.join(', ')}.`,
  ],
  params: z.object({}),
  handler: async (_params, ctx) => {
    const { portal, user: caller } = ctx.principal
    // Read again: inside a batch an earlier command may have changed the user since authentication.
    const user = (await getUser(ctx.store.db, portal.id, caller.id)) ?? caller
    const level = userFieldLevel(ctx.principal.scopes) ?? 'user_brief'
    return userToWire(user.row, user.departments, visibleUserFields(level), portal.timeZoneOffset)
  },
})
