import { z } from 'zod'
import { defineMethod } from '../define-method.js'
import { formatIsoWithOffset } from '../../lib/format-date.js'

export default defineMethod({
  name: 'server.time',
  scope: 'basic',
  summary: "The server's current time, in the portal's time zone.",
  reference: 'api-reference/common/system/server-time.md',
  parity: 'full',
  params: z.object({}),
  handler: async (_params, ctx) => formatIsoWithOffset(ctx.clock.now(), ctx.principal.portal.timeZoneOffset),
})
