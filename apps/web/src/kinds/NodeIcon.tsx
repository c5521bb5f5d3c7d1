import type { ReactElement } from 'react'
import { SvgIcon } from '../ui/icons'
import { canvasKind } from './index'

/** The icon of a node kind; a plain square for a type the schema does not know. */
export function NodeIcon({ type, size = 16 }: { type: string | undefined; size?: number }): ReactElement {
  return <SvgIcon d={canvasKind(type)?.icon ?? 'M4 4h16v16H4z'} size={size} />
}
