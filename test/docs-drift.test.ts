import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { METHODS_DOC_PATH, renderMethodsMarkdown } from '../scripts/gen-docs.js'
import { ALL_METHODS } from '../src/methods/index.js'

describe('docs/methods.md', () => {
  it('is what `npm run docs` renders from the registry now (run it after adding or changing a method)', () => {
    expect(readFileSync(METHODS_DOC_PATH, 'utf8')).toBe(renderMethodsMarkdown(ALL_METHODS))
  })

  it('has one row per registered method', () => {
    const rendered = renderMethodsMarkdown(ALL_METHODS)
    for (const method of ALL_METHODS) {
      expect(rendered).toContain(`| \`${method.name}\` | `)
    }
    expect(rendered.split('\n').filter((line) => line.startsWith('| `'))).toHaveLength(ALL_METHODS.length)
  })
})
