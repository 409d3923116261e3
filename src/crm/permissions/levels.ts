/**
 * The vocabulary of CRM rights, as Bitrix24 role settings have it (CCrmPerms: BX_CRM_PERM_NONE … ALL).
 *
 * Levels, each including the ones before it:
 * - `''` none;
 * - `A` own: items the user is responsible for (`assignedById`);
 * - `D` department: … and items whose responsible is in one of the user's departments;
 * - `F` department and subdepartments: … and in the departments below those;
 * - `O` all open: … and every item marked available to everyone (`opened`);
 * - `X` all.
 */
export const LEVELS = ['', 'A', 'D', 'F', 'O', 'X'] as const
export type Level = (typeof LEVELS)[number]

/** Item rights of a role, per entity type and funnel (the role editor's columns). */
export const ACTIONS = ['read', 'add', 'write', 'delete', 'export', 'import'] as const
export type PermissionAction = (typeof ACTIONS)[number]

/** `crm_role_permission.perm_type` of each action, and of the stage-move right. */
export const PERM_TYPE: Readonly<Record<PermissionAction, string>> = {
  read: 'READ',
  add: 'ADD',
  write: 'WRITE',
  delete: 'DELETE',
  export: 'EXPORT',
  import: 'IMPORT',
}
export const TRANSITION = 'TRANSITION'

export function actionOfPermType(permType: string): PermissionAction | undefined {
  return ACTIONS.find((action) => PERM_TYPE[action] === permType)
}

export function isLevel(value: string): value is Level {
  return (LEVELS as readonly string[]).includes(value)
}

export function levelRank(level: Level): number {
  return LEVELS.indexOf(level)
}

export function maxLevel(a: Level, b: Level): Level {
  return levelRank(a) >= levelRank(b) ? a : b
}

/** Words people type for levels (CLI, admin API), besides the letters. */
const LEVEL_WORDS: Readonly<Record<string, Level>> = {
  none: '',
  own: 'A',
  self: 'A',
  department: 'D',
  subdepartments: 'F',
  open: 'O',
  all: 'X',
}

/** A level from a letter or a word (`X`, `all`, `own` …), or undefined. */
export function parseLevel(value: string): Level | undefined {
  const trimmed = value.trim()
  if (isLevel(trimmed.toUpperCase())) return trimmed.toUpperCase() as Level
  return LEVEL_WORDS[trimmed.toLowerCase()]
}

/** Entity type 0 in a permission row: every type. Funnel -1: every funnel of the type. */
export const EVERY_TYPE = 0
export const EVERY_CATEGORY = -1

/** Role access codes: a user, a department's members, a department with its subdepartments, all employees. */
export const ACCESS_CODE = /^(?:AU|U[1-9]\d{0,9}|D[1-9]\d{0,9}|DR[1-9]\d{0,9})$/
