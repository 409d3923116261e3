import type { MethodDefinition } from './define-method.js'
import serverTime from './system/server.time.js'

/** Every registered method, listed by hand: no file-system scanning, no decorators (docs/architecture.md). */
export const ALL_METHODS: readonly MethodDefinition[] = [serverTime]
