import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli } from '../src/cli/run.js'
import { TEST_START_MS } from './helpers/test-app.js'

/** `b24crm department …`, `user departments`, `role …`, `crm-admin …` against a temporary data folder. */

interface Run {
  code: number
  stdout: string
  stderr: string
  json<T = Record<string, unknown>>(): T
}

const dirs: string[] = []
let dataDir: string

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'b24crm-cli-perm-'))
  dirs.push(dataDir)
})
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })))
})

async function cli(...argv: string[]): Promise<Run> {
  let stdout = ''
  let stderr = ''
  const code = await runCli(
    argv,
    { B24_DATA_DIR: dataDir, B24_PORT: '18080', B24_HTTPS_PORT: 'off' },
    { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) },
    { now: () => TEST_START_MS },
  )
  return { code, stdout, stderr, json: <T>() => JSON.parse(stdout) as T }
}

describe('b24crm department', () => {
  it('creates a tree, lists it, moves users in and deletes what is empty', async () => {
    const sales = await cli('department', 'create', '--name', 'Sales', '--head', '1', '--json')
    expect(sales.code).toBe(0)
    expect(sales.json()).toMatchObject({ id: 2, name: 'Sales', parentId: 1, headUserId: 1 })
    expect((await cli('department', 'create', '--name', 'East', '--parent', '2')).stdout).toContain(
      'Created Department 3  East',
    )
    const list = await cli('department', 'list')
    expect(list.stdout).toMatch(
      /^ID\s+NAME\s+PARENT\s+HEAD\s+SORT\s+MEMBERS\n1\s+b24crm\s+-\s+-\s+500\s+1\n2\s+Sales\s+1\s+1/,
    )

    const user = await cli('user', 'create', '--name', 'Ann', '--json')
    const userId = user.json<{ id: number }>().id
    const moved = await cli('user', 'departments', '--user', String(userId), '--department', '2,3')
    expect(moved.stdout).toContain('departments 2, 3')
    expect((await cli('department', 'delete', '--id', '3')).stderr).toContain('Department 3 has members')
    await cli('user', 'departments', '--user', String(userId), '--department', 'none')
    expect((await cli('department', 'delete', '--id', '3')).stdout).toContain(
      'Department 3 of portal 1 deleted',
    )
    expect((await cli('department', 'update', '--id', '2', '--head', 'none', '--json')).json()).toMatchObject(
      {
        headUserId: null,
      },
    )
  })
})

describe('b24crm role', () => {
  it('creates a role from --perm specs and shows it the same way', async () => {
    const created = await cli(
      'role',
      'create',
      '--name',
      'Sales',
      '--settings',
      '--assign',
      'U1,DR1',
      '--perm',
      '*:all=own',
      '--perm',
      'deal/0:read=X,write=department,delete=none,stages=C0:NEW+WON',
      '--perm',
      'lead:read=all,stages=any',
      '--json',
    )
    expect(created.code).toBe(0)
    expect(created.json()).toMatchObject({
      id: 2,
      name: 'Sales',
      allowSettings: true,
      assignedTo: ['U1', 'DR1'],
      permissions: [
        { entityTypeId: null, categoryId: null, read: 'A', add: 'A', write: 'A', delete: 'A' },
        { entityTypeId: 1, categoryId: null, read: 'X', stages: null },
        { entityTypeId: 2, categoryId: 0, read: 'X', write: 'D', delete: '', stages: ['C0:NEW', 'WON'] },
      ],
    })
    const shown = await cli('role', 'show', '--id', '2')
    expect(shown.stdout).toContain('CRM role 2  Sales')
    expect(shown.stdout).toContain('may modify CRM settings')
    expect(shown.stdout).toContain('2/0:read=X,write=D,delete=none,stages=C0:NEW+WON')
    expect(shown.stdout).toContain('1:read=X,stages=any')

    const updated = await cli(
      'role',
      'update',
      '--id',
      '2',
      '--settings',
      'off',
      '--assign',
      'none',
      '--perm',
      'none',
    )
    expect(updated.stdout).toContain('(nobody)')
    expect(updated.stdout).toContain('rights       (none)')
    expect((await cli('role', 'list')).stdout).toMatch(/1\s+Full access\s+no\s+AU\s+\*:read=X,add=X,write=X/)
    expect((await cli('role', 'delete', '--id', '2')).stdout).toContain('CRM role 2 of portal 1 deleted')
  })

  it('names the flag in errors', async () => {
    const badLevel = await cli('role', 'create', '--name', 'x', '--perm', 'deal:read=maybe')
    expect(badLevel.code).toBe(2)
    expect(badLevel.stderr).toContain('--perm: must be a level')
    const badSpec = await cli('role', 'create', '--name', 'x', '--perm', 'nonsense')
    expect(badSpec.code).toBe(2)
    expect(badSpec.stderr).toContain('--perm takes TARGET:RIGHTS')
    const badCode = await cli('role', 'create', '--name', 'x', '--assign', 'G1')
    expect(badCode.stderr).toContain('--assign: must be an access code')
    expect((await cli('role', 'show', '--id', '9')).code).toBe(1)
  })
})

describe('b24crm crm-admin', () => {
  it('sets and lists the CRM administrators', async () => {
    expect((await cli('crm-admin', 'list')).stdout).toContain('(none besides the portal administrators)')
    const set = await cli('crm-admin', 'set', '--code', 'U1', '--json')
    expect(set.json()).toEqual({ portalId: 1, crmAdmins: ['U1'] })
    expect((await cli('crm-admin', 'set', '--code', 'none')).stdout).toContain('(none besides')
  })
})
