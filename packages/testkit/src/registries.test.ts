import { execFileSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/**
 * Adding a node kind is adding one module per layer and one line per registry. This test shows
 * it on a scratch copy of the source: a kind added to the schema's registry alone makes the
 * compiler's, the engine's and the canvas's registries fail to type-check, and nothing else;
 * once each layer has its module and registry line, everything type-checks again.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
const TSC = join(ROOT, 'node_modules/.bin/tsc')
const COPIED = ['packages/schema', 'packages/compiler', 'packages/engine', 'packages/storage', 'packages/testkit', 'apps/web']

/** The registry of each layer, and the module a new kind brings to it. */
const LAYERS = {
  compiler: {
    registry: 'packages/compiler/src/kinds/index.ts',
    module: 'packages/compiler/src/kinds/throwaway.ts',
    source: `import type { NodeOf } from '@switchyard/schema'
import type { StateJson } from '../machine'
import type { Leaving } from './leave'

export function compileThrowaway(_node: NodeOf<'throwaway'>, out: Leaving): StateJson {
  return { meta: out.meta, entry: [out.enter], always: [out.by('next', [])] }
}
`,
    importLine: `import { compileThrowaway } from './throwaway'`,
    entry: 'throwaway: compileThrowaway,',
  },
  engine: {
    registry: 'packages/engine/src/kinds/index.ts',
    module: 'packages/engine/src/kinds/throwaway.ts',
    source: `import type { EngineKind } from './kind'

export const throwawayEngine: EngineKind<'throwaway'> = { guards: {}, detail: () => undefined }
`,
    importLine: `import { throwawayEngine } from './throwaway'`,
    entry: 'throwaway: throwawayEngine,',
  },
  canvas: {
    registry: 'apps/web/src/kinds/index.ts',
    module: 'apps/web/src/kinds/throwaway.tsx',
    /** The canvas's exit kind, renamed: the simplest complete canvas kind there is. */
    source: null,
    importLine: `import { throwawayCanvas } from './throwaway'`,
    entry: 'throwaway: throwawayCanvas,',
  },
} as const

const SCHEMA_MODULE = `import { z } from 'zod'
import { parseData, plainFacts } from './check'
import { fixedOutlets, nodeSchema, type NodeKindSpec } from './kind'

export const ThrowawayNode = nodeSchema('throwaway', z.object({}))
export type ThrowawayNode = z.infer<typeof ThrowawayNode>

export const throwawayKind: NodeKindSpec<'throwaway', ThrowawayNode> = {
  type: 'throwaway',
  node: ThrowawayNode,
  label: 'Throwaway',
  description: 'A kind that exists only in this test.',
  ...fixedOutlets({ next: 'the step that comes next' }, []),
  check(ctx, data, position) {
    const parsed = parseData(ctx, z.object({}), data, [])
    return plainFacts(parsed && { id: ctx.id, type: 'throwaway', position, data: parsed })
  },
}
`

let scratch = ''

function edit(file: string, change: (text: string) => string): void {
  const path = join(scratch, file)
  const before = readFileSync(path, 'utf8')
  const after = change(before)
  if (after === before) throw new Error(`nothing changed in ${file}`)
  writeFileSync(path, after)
}

/** Adds `entry` after the registry's `split:` line, and the import at the top. */
function register(file: string, importLine: string, entry: string): void {
  edit(file, (text) => `${importLine}\n${text.replace(/^(\s*)split: (.*)$/m, (line, indent: string) => `${line}\n${indent}${entry}`)}`)
}

/** The files tsc reports errors in, for the compiler and engine together, then the canvas. */
function typeErrors(): { files: string[]; output: string } {
  const outputs: string[] = []
  for (const project of ['packages/engine', 'apps/web']) {
    try {
      execFileSync(TSC, ['--noEmit', '-p', join(scratch, project)], { encoding: 'utf8', stdio: 'pipe' })
    } catch (e) {
      const failure = e as { stdout?: string }
      outputs.push(failure.stdout ?? String(e))
    }
  }
  const output = outputs.join('\n')
  const files = [...new Set([...output.matchAll(/^(?:\.\.\/)*([\w./-]+\.tsx?)\(\d+,\d+\): error/gm)].map((m) => m[1] ?? ''))]
  return { files: files.map((f) => f.replace(/^.*?(packages|apps)\//, '$1/')).sort(), output }
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'sy-kinds-'))
  for (const dir of COPIED) {
    cpSync(join(ROOT, dir), join(scratch, dir), {
      recursive: true,
      verbatimSymlinks: true,
      filter: (src) => !/[/\\](dist|\.vitest-results|__golden__)([/\\]|$)/.test(src),
    })
  }
  cpSync(join(ROOT, 'tsconfig.json'), join(scratch, 'tsconfig.json'))
  symlinkSync(join(ROOT, 'node_modules'), join(scratch, 'node_modules'))
  // The schema learns of a new kind: its module and its lines in the schema registry.
  writeFileSync(join(scratch, 'packages/schema/src/kinds/throwaway.ts'), SCHEMA_MODULE)
  edit('packages/schema/src/kinds/index.ts', (text) =>
    `import { throwawayKind, ThrowawayNode } from './throwaway'\n${text}`
      .replace(`'split', 'exit'] as const`, `'split', 'exit', 'throwaway'] as const`)
      .replace('SplitNode, ExitNode])', 'SplitNode, ExitNode, ThrowawayNode])')
      .replace(/^(\s*)split: splitKind,$/m, (line, indent: string) => `${line}\n${indent}throwaway: throwawayKind,`),
  )
}, 60_000)

afterAll(() => {
  if (scratch !== '') rmSync(scratch, { recursive: true, force: true })
})

describe('node kind registries', () => {
  it('fail to type-check in the compiler, the engine and the canvas until a new kind is handled there, and nowhere else', () => {
    const before = typeErrors()
    expect(before.files, before.output).toEqual([LAYERS.canvas.registry, LAYERS.compiler.registry, LAYERS.engine.registry].sort())
    expect(before.output).toMatch(/throwaway/)

    for (const layer of Object.values(LAYERS)) {
      const source = layer.source ?? canvasModuleFromExit()
      writeFileSync(join(scratch, layer.module), source)
      register(layer.registry, layer.importLine, layer.entry)
    }
    const after = typeErrors()
    expect(after.files, after.output).toEqual([])
  }, 240_000)
})

/** The canvas module of the exit kind, as the throwaway kind's. */
function canvasModuleFromExit(): string {
  const exit = readFileSync(join(scratch, 'apps/web/src/kinds/exit.tsx'), 'utf8')
  return exit.replaceAll(`'exit'`, `'throwaway'`).replace(/export const (\w+)/, 'export const throwawayCanvas')
}
