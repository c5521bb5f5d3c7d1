import type { ReactElement } from 'react'
import { CHANNEL_LABELS, CHANNELS } from '@switchyard/schema'

/** The channels as `<option>`s of a select, by their labels. */
export function ChannelOptions(): ReactElement {
  return (
    <>
      {CHANNELS.map((c) => (
        <option key={c} value={c}>
          {CHANNEL_LABELS[c]}
        </option>
      ))}
    </>
  )
}
