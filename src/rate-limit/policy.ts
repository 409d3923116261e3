import { z } from 'zod'

/**
 * The per-portal limit switches (PortalSettings.limits) and what they mean (limits.md; research/
 * server-behaviour.md §3 items 66–68). Both limiters are off unless a portal turns them on: a local server is
 * for developing integrations, and most tests want every call answered.
 */

/** `standard` and `enterprise` are the cloud's plans (limits.md table); an object sets the numbers directly. */
export type QueryLimitSetting = 'off' | 'standard' | 'enterprise' | { burst: number; perSecond: number }

/** `{ seconds }`: the operating-time budget per method and credential over the ten-minute window. */
export type OperatingLimitSetting = 'off' | { seconds: number }

export interface PortalLimits {
  /** the request-rate leaky bucket (503 QUERY_LIMIT_EXCEEDED) */
  queryLimit?: QueryLimitSetting
  /** the operating-time limiter (429 OPERATION_TIME_LIMIT) */
  operatingLimit?: OperatingLimitSetting
}

/** X (burst) requests before blocking, drained at Y per second. */
export interface BucketPolicy {
  burst: number
  perSecond: number
}

export const QUERY_LIMIT_PLANS: Readonly<Record<'standard' | 'enterprise', BucketPolicy>> = {
  // limits.md: "Others: 2 per sec, 50"; "Enterprise: 5 per sec, 250".
  standard: { burst: 50, perSecond: 2 },
  enterprise: { burst: 250, perSecond: 5 },
}

/** limits.md: "If enabled, the default limit will be 420 seconds" (the self-hosted default). */
export const DEFAULT_OPERATING_LIMIT_SECONDS = 420

/**
 * The bucket a portal's setting asks for, or undefined when the limiter is off. Settings are validated when
 * they are written (admin/operations.ts); a row edited by hand into something meaningless counts as off
 * rather than failing every call.
 */
export function queryPolicy(limits: PortalLimits | undefined): BucketPolicy | undefined {
  const setting = limits?.queryLimit
  if (setting === undefined || setting === 'off') return undefined
  if (setting === 'standard' || setting === 'enterprise') return QUERY_LIMIT_PLANS[setting]
  if (typeof setting !== 'object' || setting === null) return undefined
  const { burst, perSecond } = setting
  if (!Number.isFinite(burst) || burst < 1 || !Number.isFinite(perSecond) || perSecond <= 0) return undefined
  return { burst, perSecond }
}

/** The operating-time budget in seconds, or undefined when that limiter is off. */
export function operatingLimitSeconds(limits: PortalLimits | undefined): number | undefined {
  const setting = limits?.operatingLimit
  if (setting === undefined || setting === 'off' || typeof setting !== 'object' || setting === null) {
    return undefined
  }
  return Number.isFinite(setting.seconds) && setting.seconds > 0 ? setting.seconds : undefined
}

/** The admin API's and the CLI's input for PortalSettings.limits (admin/operations.ts settingsInput). */
export const portalLimitsInput = z.strictObject({
  queryLimit: z
    .union(
      [
        z.enum(['off', 'standard', 'enterprise']),
        z.strictObject({
          burst: z
            .int({ error: 'must be a whole number of requests' })
            .min(1, 'must be at least 1')
            .max(1_000_000, 'must be at most 1000000'),
          perSecond: z
            .number({ error: 'must be a number of requests per second' })
            .positive('must be more than 0')
            .max(1_000_000, 'must be at most 1000000'),
        }),
      ],
      { error: 'must be "off", "standard", "enterprise" or {"burst": X, "perSecond": Y}' },
    )
    .optional(),
  operatingLimit: z
    .union(
      [
        z.literal('off'),
        z.strictObject({
          seconds: z
            .number({ error: 'must be a number of seconds' })
            .positive('must be more than 0')
            .max(86_400, 'must be at most 86400'),
        }),
      ],
      { error: 'must be "off" or {"seconds": N}' },
    )
    .optional(),
}) satisfies z.ZodType<PortalLimits>
