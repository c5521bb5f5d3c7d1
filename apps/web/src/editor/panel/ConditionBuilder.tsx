import { useState, type ReactElement } from 'react'
import { CONDITION_OPS, ConditionOp, type Condition, type ConditionLeaf } from '@switchyard/schema'
import {
  addChild,
  asRootGroup,
  changeOp,
  childrenOf,
  formatValueInput,
  isLeaf,
  newLeaf,
  parseValueInput,
  removeAt,
  setGroupKind,
  toggleNot,
  updateAt,
  type CondPath,
} from '../../flow/conditionModel'

const OP_LABELS = {
  eq: 'equals',
  neq: 'does not equal',
  gt: 'is greater than',
  gte: 'is at least',
  lt: 'is less than',
  lte: 'is at most',
  contains: 'contains',
  in: 'is one of',
  exists: 'exists',
} as const satisfies Record<ConditionOp, string>

export const PATH_SUGGESTIONS = [
  'user.traits.country',
  'user.traits.city',
  'user.traits.email',
  'user.traits.plan',
  'user.userId',
  'event.event',
  'event.properties.price',
  'event.properties.product',
  'event.timestamp',
]

interface Ctx {
  root: Condition
  set: (c: Condition) => void
  testId: string
}

/** Builds `all` / `any` / `not` groups of rules `path op value`; the model lives in flow/conditionModel. */
export function ConditionBuilder(props: { value: Condition | null; onChange: (c: Condition) => void; testId: string }): ReactElement {
  const root = asRootGroup(props.value)
  const ctx: Ctx = { root, set: props.onChange, testId: props.testId }
  return (
    <div className="cond" data-testid={props.testId}>
      <datalist id="condition-paths">
        {PATH_SUGGESTIONS.map((p) => (
          <option key={p} value={p} />
        ))}
      </datalist>
      <Part cond={root} path={[]} ctx={ctx} />
    </div>
  )
}

function Part({ cond, path, ctx }: { cond: Condition; path: CondPath; ctx: Ctx }): ReactElement {
  if (isLeaf(cond)) return <Rule leaf={cond} path={path} ctx={ctx} />
  if ('not' in cond) {
    return (
      <div className="cond-not">
        <div className="cond-not-head">
          <span className="cond-tag">NOT</span>
          <button type="button" className="link-btn" onClick={() => ctx.set(toggleNot(ctx.root, path))}>
            remove “not”
          </button>
        </div>
        <Part cond={cond.not} path={[...path, 0]} ctx={ctx} />
      </div>
    )
  }
  const kind = 'all' in cond ? 'all' : 'any'
  const kids = childrenOf(cond)
  return (
    <div className={path.length === 0 ? 'cond-group root' : 'cond-group'}>
      <div className="cond-group-head">
        <span>Match</span>
        <select
          value={kind}
          onChange={(e) => ctx.set(setGroupKind(ctx.root, path, e.target.value === 'any' ? 'any' : 'all'))}
          data-testid={`${ctx.testId}-kind${path.length ? `-${path.join('-')}` : ''}`}
        >
          <option value="all">all of</option>
          <option value="any">any of</option>
        </select>
        <span>these rules</span>
      </div>
      {kids.length === 0 ? <p className="muted small">No rules: every user matches.</p> : null}
      {kids.map((k, i) => (
        <div className="cond-item" key={i}>
          <Part cond={k} path={[...path, i]} ctx={ctx} />
          <div className="cond-item-tools">
            <button type="button" className="link-btn" onClick={() => ctx.set(toggleNot(ctx.root, [...path, i]))} title="Negate">
              not
            </button>
            <button type="button" className="link-btn danger" onClick={() => ctx.set(removeAt(ctx.root, [...path, i]))} aria-label="Remove rule">
              remove
            </button>
          </div>
        </div>
      ))}
      <div className="cond-add">
        <button type="button" className="btn small" onClick={() => ctx.set(addChild(ctx.root, path, newLeaf()))} data-testid={`${ctx.testId}-add-rule`}>
          + Rule
        </button>
        <button type="button" className="btn small ghost" onClick={() => ctx.set(addChild(ctx.root, path, { any: [newLeaf()] }))}>
          + Group
        </button>
      </div>
    </div>
  )
}

function Rule({ leaf, path, ctx }: { leaf: ConditionLeaf; path: CondPath; ctx: Ctx }): ReactElement {
  const put = (next: ConditionLeaf) => ctx.set(updateAt(ctx.root, path, () => next))
  const id = path.join('-')
  return (
    <div className="cond-rule">
      <input
        className="mono"
        list="condition-paths"
        value={leaf.path}
        onChange={(e) => put({ ...leaf, path: e.target.value })}
        placeholder="user.traits.country"
        aria-label="Property path"
        data-testid={`${ctx.testId}-path-${id}`}
      />
      <div className="cond-rule-row">
        <select
          value={leaf.op}
          onChange={(e) => {
            const op = ConditionOp.safeParse(e.target.value)
            if (op.success) put(changeOp(leaf, op.data))
          }}
          aria-label="Operator"
          data-testid={`${ctx.testId}-op-${id}`}
        >
          {CONDITION_OPS.map((op) => (
            <option key={op} value={op}>
              {OP_LABELS[op]}
            </option>
          ))}
        </select>
        {leaf.op !== 'exists' ? (
          <ValueInput leaf={leaf} onChange={put} testId={`${ctx.testId}-value-${id}`} />
        ) : null}
      </div>
    </div>
  )
}

/** Keeps what the user typed (`CA, ` mid-list) while the condition holds the parsed value. */
function ValueInput({ leaf, onChange, testId }: { leaf: ConditionLeaf; onChange: (l: ConditionLeaf) => void; testId: string }): ReactElement {
  const [text, setText] = useState(() => formatValueInput(leaf.value))
  const shown = formatValueInput(parseValueInput(text, leaf.op)) === formatValueInput(leaf.value) ? text : formatValueInput(leaf.value)
  return (
    <input
      value={shown}
      onChange={(e) => {
        setText(e.target.value)
        onChange({ ...leaf, value: parseValueInput(e.target.value, leaf.op) })
      }}
      placeholder={leaf.op === 'in' ? 'CA, US, MX' : 'value'}
      aria-label="Value"
      data-testid={testId}
    />
  )
}
