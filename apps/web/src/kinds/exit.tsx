import type { CanvasKind } from './kind'

export const exitCanvas: CanvasKind<'exit'> = {
  type: 'exit',
  color: '#475569',
  tint: '#f1f4f8',
  idPrefix: 'exit',
  initialData: () => ({}),
  icon: 'M5 4v16M5 4h11l-2 4 2 4H5',
  hint: 'End the journey',
  inlet: true,
  waits: false,
  summary: () => 'The journey ends here',
  Form: () => <p className="muted">Users who reach this step leave the journey. Their run is marked completed.</p>,
}
