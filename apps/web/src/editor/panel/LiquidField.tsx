import { Liquid } from 'liquidjs'
import { useEffect, useState, type ReactElement } from 'react'
import { useEditor } from '../store'
import { previewScope } from './previewScope'

const engine = new Liquid({ strictFilters: true, strictVariables: false, outputEscape: undefined })

/** A Liquid-templated text with its rendering below, against the sample data or the inspected user. */
export function LiquidField(props: { label: string; value: string; onChange: (v: string) => void; multiline?: boolean; testId: string; placeholder?: string }): ReactElement {
  const sample = useEditor((s) => s.sampleData)
  const inspection = useEditor((s) => s.inspection)
  const [preview, setPreview] = useState<{ text: string; error: boolean }>({ text: '', error: false })
  const scope = previewScope(sample, inspection)

  useEffect(() => {
    let cancelled = false
    const t = setTimeout(() => {
      engine.parseAndRender(props.value, scope.data).then(
        (text: string) => {
          if (!cancelled) setPreview({ text, error: false })
        },
        (e: unknown) => {
          if (!cancelled) setPreview({ text: e instanceof Error ? e.message.split('\n')[0] ?? 'Invalid template' : 'Invalid template', error: true })
        },
      )
    }, 150)
    return () => {
      cancelled = true
      clearTimeout(t)
    }
    // scope.data is rebuilt every render; its source strings are the real dependencies.
  }, [props.value, sample, inspection])

  return (
    <div className="field">
      <span>
        {props.label} <em className="liquid-badge">Liquid</em>
      </span>
      {props.multiline ? (
        <textarea rows={4} value={props.value} onChange={(e) => props.onChange(e.target.value)} data-testid={props.testId} placeholder={props.placeholder} />
      ) : (
        <input value={props.value} onChange={(e) => props.onChange(e.target.value)} data-testid={props.testId} placeholder={props.placeholder} />
      )}
      {props.value.includes('{') ? (
        <div className={preview.error ? 'liquid-preview error' : 'liquid-preview'} data-testid={`${props.testId}-preview`}>
          <span className="liquid-preview-label">{scope.label}</span>
          {preview.text || <span className="muted">(empty)</span>}
        </div>
      ) : null}
    </div>
  )
}
