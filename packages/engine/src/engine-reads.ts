import type { HistoryItem, Journey, JourneySettings, JourneyStats, JourneyVersion, RunView } from '@switchyard/schema'
import type { JourneyCatalog } from './catalog'
import { labelsOf, runHistory, runsPage } from './inspection'
import type { JourneyRecord, JourneyVersionRecord, RunRecord } from './records'
import { labelledStats } from './stats'
import type { EngineStore, JournalSource, JourneyUserSummary, RunKey } from './store'
import { journeyView, runView, versionView } from './views'

/** A page of a user's runs: see `Engine.userRunsPage`. */
export interface RunsPage {
  runs: { run: RunView; historyNext: number | null }[]
  next: RunKey | null
}

/**
 * What the engine answers without writing: journeys and their versions, users' runs and history,
 * stats and the gauges, read from the store and the journey catalog. `Engine` extends it with
 * everything that writes (the journal, batches, journeys' changes, the outbox) under its lock.
 */
export abstract class EngineReads {
  protected constructor(
    /** Reached only through the engine's methods: nothing outside writes around its lock. */
    protected readonly store: EngineStore,
    protected readonly catalog: JourneyCatalog,
  ) {}

  async getJourney(id: string): Promise<Journey | null> {
    const j = await this.store.getJourney(id)
    return j ? this.view(j) : null
  }

  async listJourneys(): Promise<Journey[]> {
    const totals = await this.store.activeTotals()
    return (await this.store.listJourneys()).map((j) => journeyView(j, totals.get(j.id) ?? 0))
  }

  async listVersions(id: string): Promise<JourneyVersion[] | null> {
    const j = await this.store.getJourney(id)
    if (!j) return null
    const counts = await this.store.activeCounts(id)
    return (await this.store.listVersions(id)).map((v) =>
      versionView(v, counts.filter((c) => c.version === v.version).reduce((n, c) => n + c.count, 0)),
    )
  }

  /** A published version's settings, from the catalog (loaded once, kept for the process). */
  async versionSettings(journeyId: string, version: number): Promise<JourneySettings | null> {
    await this.catalog.ensure([{ journeyId, version }])
    return this.catalog.get(journeyId, version)?.settings ?? null
  }

  /** A published journey's name, from memory (empty when unknown). */
  journeyName(id: string): string {
    return this.catalog.journey(id)?.name ?? ''
  }

  async getVersion(id: string, version: number): Promise<JourneyVersionRecord | null> {
    return this.store.getVersion(id, version)
  }

  // --- inspection -----------------------------------------------------------------------------

  async userRuns(journeyId: string, userId: string): Promise<RunView[]> {
    const runs = await this.store.runsOf(journeyId, userId)
    const labels = await labelsOf(this.catalog, runs)
    return runs.map((r) => runView(r, labels(r)))
  }

  /**
   * One page of a user's runs, newest first, each with its first `historyLimit` history items:
   * bounded reads, however many runs and rows the user has. `next` is where the following page
   * starts; a run's `historyNext` the row its history goes on after (null: complete).
   */
  userRunsPage(journeyId: string, userId: string, o: { before?: RunKey; limit: number; historyLimit: number }): Promise<RunsPage> {
    return runsPage(this.store, this.catalog, journeyId, userId, o)
  }

  /** More of a run's history, after the row `afterId`; null when the run does not exist. */
  runHistoryPage(runId: string, o: { afterId: number; limit: number }): Promise<{ run: RunRecord; history: HistoryItem[]; next: number | null } | null> {
    return runHistory(this.store, this.catalog, runId, o)
  }

  async users(journeyId: string, options: { prefix?: string; limit: number }): Promise<JourneyUserSummary[]> {
    return this.store.usersOf(journeyId, options)
  }

  async stats(journeyId: string, version?: number): Promise<JourneyStats> {
    return labelledStats(this.store, this.catalog, journeyId, version)
  }

  /** A user's stored profile (null: never identified). */
  async getUser(userId: string): Promise<{ userId: string; traits: Record<string, unknown> } | null> {
    return this.store.getUser(userId)
  }

  /** Bytes each user's stored profile takes, at least its traits' JSON (users never identified are left out): one read for a batch. */
  async profileBytes(userIds: readonly string[]): Promise<Map<string, number>> {
    return this.store.profileBytes(userIds)
  }

  /** The version each run is on (runs not found are left out). */
  async runVersions(runIds: readonly string[]): Promise<Map<string, number>> {
    return new Map([...(await this.store.loadRuns([...runIds])).entries()].map(([id, run]) => [id, run.version]))
  }

  /** Timers waiting and outbox rows not handed over yet (the metrics' gauges). */
  async pending(): Promise<{ timers: number; outbox: number }> {
    return { timers: await this.store.pendingTimerCount(), outbox: await this.store.outboxPending() }
  }

  /** The journal and profiles, read only: what a backtest replays (`backtestJourney`'s source). */
  journalSource(): JournalSource {
    return { readJournal: (after, limit) => this.store.readJournal(after, limit), getUser: (userId) => this.store.getUser(userId) }
  }

  async nextTimerDue(): Promise<number | null> {
    return this.store.nextTimerDue()
  }

  /** When the soonest outbox row falls due (it may be now), or null when the outbox is empty. */
  nextOutboxDue(): Promise<number | null> {
    return this.store.nextOutboxDue()
  }

  protected async view(j: JourneyRecord): Promise<Journey> {
    return journeyView(j, await this.activeUsers(j.id))
  }

  protected async activeUsers(journeyId: string): Promise<number> {
    return (await this.store.activeCounts(journeyId)).reduce((n, a) => n + a.count, 0)
  }
}
