import type { ReactElement } from 'react'
import { describeCondition, readCondition } from '../flow/nodeData'
import { ConditionBuilder } from '../editor/panel/ConditionBuilder'
import type { FormProps } from '../editor/panel/fields'
import type { CanvasKind } from './kind'

function ConditionForm({ node, set }: FormProps): ReactElement {
  const d = node.data
  return (
    <div className="stack">
      <ConditionBuilder value={readCondition(d, 'where')} onChange={(c) => set({ ...d, where: c }, 'where')} testId="field-condition" />
      <p className="muted small">Users who match leave by “yes”, the others by “no”.</p>
    </div>
  )
}

export const conditionCanvas: CanvasKind<'condition'> = {
  type: 'condition',
  color: '#db2777',
  tint: '#fdeef5',
  idPrefix: 'if',
  initialData: () => ({ where: { all: [{ path: 'user.traits.country', op: 'eq', value: '' }] } }),
  icon: 'M12 3v6m0 0-6 6v6m6-12 6 6v6',
  hint: 'Yes or no, by user or event',
  inlet: true,
  waits: false,
  outletTone: (outlet) => (outlet === 'yes' ? 'good' : outlet === 'no' ? 'bad' : 'plain'),
  summary: (data) => describeCondition(readCondition(data, 'where')),
  Form: ConditionForm,
}
