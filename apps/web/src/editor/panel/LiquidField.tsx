import { Liquid } from 'liquidjs'
import { useEffect, useState, type ReactElement } from 'react'
import { useEditor } from '../store'
import { previewScope } from './previewScope'
import { usePreviewUser } from '../preview-user'
import { missingTraits } from '../test-tab/script'

const engine = new Liquid({ strictFilters: true, strictVariables: false, outputEscape: undefined })

/** A Liquid-templated text with its rendering below, against the sample data or the inspected user. */
export function LiquidField(props: { label: string; value: string; onChange: (v: string) => void; multiline?: boolean; testId: string; placeholder?: string }): ReactElement {
  const sample = useEditor((s) => s.sampleData)
  const inspection = useEditor((s) => s.inspection)
  const [preview, setPreview] = useState<{ text: string; error: boolean }>({ text: '', error: false })
  const real = usePreviewUser((s) => s.user)
  const scope = previewScope(sample, inspection, real)
  const missing = scope.traits ? missingTraits(props.value, scope.traits) : []

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
  }, [props.value, sample, inspection, real])

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
          {missing.length > 0 ? (
            <span className="liquid-missing" data-testid={`${props.testId}-missing`}>
              {' '}
              No {missing.map((m) => `user.traits.${m}`).join(', ')} for this user: rendered empty.
            </span>
          ) : null}
        </div>
      ) : null}
    </div>
  )
}
