import { z } from 'zod'
import { defineMethod } from '../define-method.js'
import { getUser } from '../../portal/users.js'

/**
 * profile (api-reference/common/users/profile.md): basic data of the calling user, available without any
 * scope. `TIME_ZONE_OFFSET` is not on the page but the real answer has it and @bitrix24/b24jssdk reads it
 * (`profileData.TIME_ZONE_OFFSET`); it is the user's offset from UTC in seconds (docs/compatibility.md).
 */
export default defineMethod({
  name: 'profile',
  scope: 'basic',
  summary: 'Basic data of the calling user (id, admin flag, name, gender, time zone); needs no scope.',
  reference: 'api-reference/common/users/profile.md',
  parity: 'partial',
  limitations: ['PERSONAL_PHOTO is never returned: users have no photos here.'],
  params: z.object({}),
  handler: async (_params, ctx) => {
    const { portal, user: caller } = ctx.principal
    const user = (await getUser(ctx.store.db, portal.id, caller.id)) ?? caller
    // "If the user is inactive, the object is empty" (profile.md).
    if (!user.active) return {}
    const timeZone = user.row.time_zone
    return {
      ID: String(user.id),
      ADMIN: user.isAdmin,
      NAME: user.name,
      LAST_NAME: user.lastName,
      PERSONAL_GENDER: user.row.personal_gender,
      TIME_ZONE: timeZone,
      TIME_ZONE_OFFSET: zoneOffsetMinutes(timeZone, ctx.clock.now(), portal.timeZoneOffset) * 60,
    }
  },
})

/**
 * The offset of an IANA time zone (`Europe/Berlin`) at an instant, in minutes east of UTC. A user without a
 * time zone of their own, or with one this runtime does not know, lives in the portal's offset.
 */
export function zoneOffsetMinutes(timeZone: string, epochMs: number, fallbackMinutes: number): number {
  if (timeZone === '') return fallbackMinutes
  let name: string | undefined
  try {
    name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
      .formatToParts(new Date(epochMs))
      .find((part) => part.type === 'timeZoneName')?.value
  } catch {
    return fallbackMinutes
  }
  // "GMT+02:00", "GMT-03:30", or plain "GMT" for UTC itself.
  const match = /^GMT(?:([+-])(\d{1,2})(?::(\d{2}))?)?$/.exec(name ?? '')
  if (match === null) return fallbackMinutes
  if (match[1] === undefined) return 0
  const minutes = Number(match[2]) * 60 + Number(match[3] ?? '0')
  return match[1] === '-' ? -minutes : minutes
}
