import { dict } from '@switchyard/schema'
import type { ReactElement } from 'react'

export type Pairs = readonly (readonly [string, string])[]

export function pairsOf(record: Record<string, string> | null | undefined): [string, string][] {
  return Object.entries(record ?? {})
}

export function recordOf(pairs: Pairs): Record<string, string> {
  const out = dict<string>()
  for (const [k, v] of pairs) if (k.trim()) out[k.trim()] = v
  return out
}

/** Rows of key and value inputs, with one empty row to add the next pair. */
export function KeyValueEditor(props: { pairs: Pairs; onChange: (pairs: [string, string][]) => void; keyPlaceholder?: string; valuePlaceholder?: string; testId?: string }): ReactElement {
  const rows: [string, string][] = [...props.pairs.map((p): [string, string] => [p[0], p[1]]), ['', '']]
  const update = (i: number, k: string, v: string) => {
    const next = rows.map((r, j): [string, string] => (j === i ? [k, v] : r)).filter((r, j) => j < rows.length - 1 || r[0] !== '' || r[1] !== '')
    props.onChange(next.filter((r) => r[0] !== '' || r[1] !== ''))
  }
  return (
    <div className="kv" data-testid={props.testId}>
      {rows.map(([k, v], i) => (
        <div className="kv-row" key={i}>
          <input value={k} placeholder={props.keyPlaceholder ?? 'Key'} onChange={(e) => update(i, e.target.value, v)} aria-label="Key" />
          <input value={v} placeholder={props.valuePlaceholder ?? 'Value'} onChange={(e) => update(i, k, e.target.value)} aria-label="Value" />
          {i < rows.length - 1 ? (
            <button type="button" className="icon-btn" aria-label="Remove" onClick={() => props.onChange(rows.filter((_, j) => j !== i && j < rows.length - 1))}>
              ×
            </button>
          ) : (
            <span className="kv-spacer" />
          )}
        </div>
      ))}
    </div>
  )
}
