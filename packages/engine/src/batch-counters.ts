import type { CounterDelta } from './records'

/**
 * A batch's stats counters, summed: journey-wide ones live under JOURNEY_NODE. Found through maps
 * nested by journey, version, node and metric, because a key joined from the four was a new string
 * to hash on every count, several times per event.
 */
export class BatchCounters {
  private readonly index = new Map<string, Map<number, Map<string, Map<string, CounterDelta>>>>()
  private readonly deltas: CounterDelta[] = []

  add(journeyId: string, version: number, nodeId: string, metric: string): void {
    let versions = this.index.get(journeyId)
    if (versions === undefined) this.index.set(journeyId, (versions = new Map()))
    let nodes = versions.get(version)
    if (nodes === undefined) versions.set(version, (nodes = new Map()))
    let metrics = nodes.get(nodeId)
    if (metrics === undefined) nodes.set(nodeId, (metrics = new Map()))
    const counter = metrics.get(metric)
    if (counter !== undefined) counter.delta++
    else {
      const added = { journeyId, version, nodeId, metric, delta: 1 }
      metrics.set(metric, added)
      this.deltas.push(added)
    }
  }

  /** Every counter this batch touched, in the order first touched. */
  list(): CounterDelta[] {
    return this.deltas
  }
}
