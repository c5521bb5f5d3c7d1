import type { CSSProperties } from 'react'

export type AccentStyle = CSSProperties & Record<'--accent' | '--tint', string>

/** The CSS variables a node type's colour flows through. */
export function accentStyle(color: string, tint: string): AccentStyle {
  return { '--accent': color, '--tint': tint }
}
