import type { MethodDefinition } from './define-method.js'
import batch from './system/batch.js'
import serverTime from './system/server.time.js'
import methods from './system/methods.js'
import profile from './system/profile.js'
import scope from './system/scope.js'
import userCurrent from './user/user.current.js'
import userGet from './user/user.get.js'

/** Every registered method, listed by hand: no file-system scanning, no decorators (docs/architecture.md). */
export const ALL_METHODS: readonly MethodDefinition[] = [
  batch,
  serverTime,
  methods,
  profile,
  scope,
  userCurrent,
  userGet,
]
