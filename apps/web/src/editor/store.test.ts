import { beforeEach, describe, expect, it } from 'vitest'
import type { JourneyDetail } from '../api/schemas'
import { addBranch, readBranches, removeBranch } from '../kinds/splitBranches'
import { currentDraft, editor, useEditor } from './store'

const journey: JourneyDetail = {
  id: 'j1',
  name: 'Test',
  status: 'draft',
  graph: { nodes: [], edges: [] },
  settings: { reentry: 'afterExit' },
  version: null,
  hasUnpublishedChanges: true,
  activeUsers: 0,
  createdAt: '2025-01-01T00:00:00Z',
  updatedAt: '2025-01-01T00:00:00Z',
  issues: [],
}

describe('editor store', () => {
  beforeEach(() => editor.load(journey))

  it('adds nodes with short unique ids and connects them through the connection rules', () => {
    const t = editor.addNode('trigger', { x: 0, y: 0 })
    const a = editor.addNode('action', { x: 0, y: 150 })
    expect(t).toMatch(/^trg_[a-z0-9]{5}$/)
    expect(editor.connect({ source: t, target: a, sourceHandle: 'next', targetHandle: 'in' })).toBe(true)
    expect(editor.connect({ source: a, target: t, sourceHandle: 'next', targetHandle: 'in' })).toBe(false)
    expect(useEditor.getState().notice?.text).toMatch(/trigger/)
    expect(currentDraft().graph.edges).toEqual([{ id: `${t}-next-${a}`, source: t, target: a, sourceHandle: 'next' }])
  })

  it('undoes and redoes, and typing in one field is one undo step', () => {
    const t = editor.addNode('trigger', { x: 0, y: 0 })
    editor.setNodeData(t, { event: 'a' }, 'event')
    editor.setNodeData(t, { event: 'ad' }, 'event')
    editor.setNodeData(t, { event: 'add' }, 'event')
    editor.undo()
    expect(useEditor.getState().nodes[0]?.data).toEqual({ event: '' })
    editor.undo()
    expect(useEditor.getState().nodes).toHaveLength(0)
    editor.redo()
    editor.redo()
    expect(useEditor.getState().nodes[0]?.data).toEqual({ event: 'add' })
  })

  it('pastes copies with fresh ids and the edges between them', () => {
    const t = editor.addNode('action', { x: 0, y: 0 })
    const h = editor.addNode('webhook', { x: 0, y: 150 })
    editor.connect({ source: t, target: h, sourceHandle: 'next', targetHandle: 'in' })
    useEditor.setState((s) => ({ nodes: s.nodes.map((n) => ({ ...n, selected: true })) }))
    expect(editor.copy()).toBe(2)
    editor.paste()
    const s = useEditor.getState()
    expect(s.nodes).toHaveLength(4)
    expect(new Set(s.nodes.map((n) => n.id)).size).toBe(4)
    expect(s.edges).toHaveLength(2)
    const pasted = s.edges[1]
    expect(pasted?.source).not.toBe(t)
    expect(s.nodes.filter((n) => n.selected)).toHaveLength(2)
  })

  it('deletes the selection with the edges that touch it, and counts every change for autosave', () => {
    const a = editor.addNode('action', { x: 0, y: 0 })
    const h = editor.addNode('webhook', { x: 0, y: 150 })
    editor.connect({ source: a, target: h, sourceHandle: 'next', targetHandle: 'in' })
    const before = useEditor.getState().editSeq
    editor.selectOnly(a)
    editor.deleteSelection()
    const s = useEditor.getState()
    expect(s.nodes.map((n) => n.id)).toEqual([h])
    expect(s.edges).toHaveLength(0)
    expect(s.editSeq).toBe(before + 1)
    expect(s.saveState).toBe('dirty')
  })

  it('indexes issues by node and edge', () => {
    editor.showIssues([
      { code: 'outlet.unconnected', nodeId: 'w', message: 'Connect the timeout outlet.' },
      { code: 'edge.missing_target', edgeId: 'e', message: 'Missing.' },
    ])
    const s = useEditor.getState()
    expect(s.issues.byNode.w?.[0]?.message).toBe('Connect the timeout outlet.')
    expect(s.issues.byEdge.e).toHaveLength(1)
  })

  it('keeps a tab picked while the journey was loading, and opens the Step tab otherwise', () => {
    const withStep = { ...journey, graph: { nodes: [{ id: 't', type: 'trigger' as const, position: { x: 0, y: 0 }, data: { event: 'a' } }], edges: [] } }
    editor.reset()
    editor.load(withStep)
    expect(useEditor.getState().tab).toBe('node')
    editor.reset()
    editor.setTab('test')
    editor.load(withStep)
    expect(useEditor.getState().tab).toBe('test')
    editor.reset()
    editor.load(journey)
    expect(useEditor.getState().tab).toBe('journey')
  })

  it('keeps how many runs the inspector asked for while it follows the same user', () => {
    const run = { runId: 'r1', version: 1, status: 'active' as const, currentNodeId: null, waitingUntil: null, startedAt: '2025-01-01T00:00:00Z', endedAt: null, history: [] }
    editor.inspect('ann', [run], 0, { limit: 40, more: true })
    editor.inspect('ann', [run], 0)
    expect(useEditor.getState().inspection?.page).toEqual({ limit: 40, more: true })
    editor.inspect('bob', [run], 0)
    expect(useEditor.getState().inspection?.page).toEqual({ limit: 20, more: false })
  })

  it("connects each of a split's branches once, and drops a removed branch's connection with it", () => {
    const s0 = editor.addNode('split', { x: 0, y: 0 })
    const split = () => useEditor.getState().nodes.find((n) => n.id === s0)?.data ?? {}
    editor.setNodeData(s0, { ...split(), branches: addBranch(readBranches(split())) }, 'branches.add')
    const ends = ['a', 'b', 'c'].map((b, i) => [b, editor.addNode('exit', { x: i * 300, y: 200 })] as const)
    for (const [b, x] of ends) expect(editor.connect({ source: s0, target: x, sourceHandle: b, targetHandle: 'in' })).toBe(true)
    expect(editor.connect({ source: s0, target: ends[0]?.[1] ?? '', sourceHandle: 'd', targetHandle: 'in' })).toBe(false)
    expect(useEditor.getState().connected[s0]).toBe('a,b,c')
    expect(useEditor.getState().issues.byNode[s0] ?? []).toEqual([])

    editor.setNodeData(s0, { ...split(), branches: removeBranch(readBranches(split()), 'b') }, 'branches.remove')
    expect(useEditor.getState().edges.map((e) => e.sourceHandle)).toEqual(['a', 'c'])
    editor.undo()
    expect(useEditor.getState().edges.map((e) => e.sourceHandle)).toEqual(['a', 'b', 'c'])
  })
})
