import { COMPILER_VERSION, compileJourney, type CompiledJourney } from '@switchyard/compiler'
import { dict, Graph, nodeLabels, type JourneyNode, type JourneySettings, type JourneyStatus } from '@switchyard/schema'
import { decisionDue } from './decisions'
import { JourneyStepper, createJourneyMachine, type JourneyMachine } from './machines'
import type { JourneyRecord, JourneyVersionRecord } from './records'
import type { EngineStore } from './store'

/** Pseudo node ids under which journey-wide counters are kept (entries, users, conversions). */
export const JOURNEY_NODE = '$journey'

/**
 * One published version, ready to run: compiled once, cached for the life of the process. In a
 * catalog that only reads (`compileOnUse`), `compiled`, `machine` and `stepper` are made on first use.
 */
export interface LoadedVersion {
  journeyId: string
  version: number
  settings: JourneySettings
  compiled: CompiledJourney
  machine: JourneyMachine
  stepper: JourneyStepper
  nodes: Map<string, JourneyNode>
  publishedAt: number
  /** Node id -> the step's name (its label, or a default such as "Message 2"). */
  labels: Record<string, string>
  /** Node id -> the outlet the node fixed for every new arrival once its decision was due (a split's winner). */
  fixed: Record<string, string>
}

/** A node whose once-per-version decision is not made yet, and when it is due. */
export interface PendingDecision {
  loaded: LoadedVersion
  node: JourneyNode
  dueAt: number
}

/** An outlet fixed in memory and not yet written with a batch. */
export interface FixedOutlet {
  journeyId: string
  version: number
  nodeId: string
  outlet: string
}

interface JourneyEntry {
  name: string
  status: JourneyStatus
  latest: number | null
  settings: JourneySettings
}

/**
 * The published journeys the engine runs, and an index of trigger event name -> latest live
 * version, so an event costs one map lookup to find the journeys it may start.
 */
export class JourneyCatalog {
  private readonly versions = new Map<string, LoadedVersion>()
  private readonly journeys = new Map<string, JourneyEntry>()
  private triggerIndex = new Map<string, LoadedVersion[]>()
  /** Distinct users who ever entered each journey, for the targeting cap. */
  private readonly usersEntered = new Map<string, number>()
  /** Goal event names of loaded versions; a forgotten journey's stay, which only costs a check. */
  private readonly goalEvents = new Set<string>()
  private pendingDecisions: PendingDecision[] = []
  /** Event name -> whether anything loaded may act on it (see \`mayAct\`); emptied on every change. */
  private readonly acting = new Map<string, boolean>()
  /** Set by \`ensureActiveVersions\`: only then can \`mayAct\` say no. */
  private allVersionsLoaded = false
  private unsavedFixed: FixedOutlet[] = []

  /**
   * `compileOnUse`: for an engine whose journal another engine applies (the HTTP thread beside the
   * engine thread). Its reads need the versions' graphs, labels and settings, never their machines,
   * so it does not compile each version a second time, and keeps no trigger index.
   */
  constructor(
    private readonly store: EngineStore,
    private readonly compileOnUse = false,
  ) {}

  /** Journeys that are live now. */
  liveJourneyIds(): string[] {
    return [...this.journeys].filter(([, j]) => j.status === 'live').map(([id]) => id)
  }

  /** Everything again from the store, after another process changed the journeys. Compiled versions stay cached. */
  async reload(): Promise<void> {
    this.journeys.clear()
    this.usersEntered.clear()
    await this.loadAll()
  }

  async loadAll(): Promise<void> {
    for (const { journey, latest } of await this.store.publishedJourneys()) {
      this.addVersion(latest)
      // Indexed once below, not once per journey.
      this.journeys.set(journey.id, { name: journey.name, status: journey.status, latest: journey.version, settings: journey.settings })
      const users = (await this.store.counters(journey.id)).filter((c) => c.nodeId === JOURNEY_NODE && c.metric === 'users')
      this.usersEntered.set(journey.id, users.reduce((n, c) => n + c.delta, 0))
    }
    this.reindex()
  }

  /**
   * A stored version, ready to run. Publishing passes the compilation it just made; a version
   * loaded from the database is compiled again from its graph, and that machine is the one run.
   */
  addVersion(v: JourneyVersionRecord, compiledNow?: CompiledJourney): LoadedVersion {
    const key = `${v.journeyId}@${v.version}`
    const existing = this.versions.get(key)
    if (existing) return existing
    const graph = Graph.parse(v.graph)
    let compiled = compiledNow
    let machine: JourneyMachine | undefined
    let stepper: JourneyStepper | undefined
    const loaded: LoadedVersion = {
      journeyId: v.journeyId,
      version: v.version,
      settings: v.settings,
      get compiled() {
        return (compiled ??= recompile(v, graph))
      },
      get machine() {
        return (machine ??= createJourneyMachine(loaded.compiled.machine))
      },
      get stepper() {
        return (stepper ??= new JourneyStepper(loaded.machine, loaded.compiled.machine))
      },
      nodes: new Map(graph.nodes.map((n) => [n.id, n])),
      publishedAt: v.publishedAt,
      labels: nodeLabels(v.graph.nodes),
      fixed: dict<string>(),
    }
    // An engine that applies compiles at load: a stored machine its compiler disagrees with stops it here.
    if (!this.compileOnUse) void loaded.stepper
    this.versions.set(key, loaded)
    for (const node of graph.nodes) {
      const dueAt = decisionDue(node.type, node, v.publishedAt)
      if (dueAt !== undefined) this.pendingDecisions.push({ loaded, node, dueAt })
    }
    if (v.settings.goal) this.goalEvents.add(v.settings.goal.event)
    this.acting.clear()
    return loaded
  }

  setJourney(j: JourneyRecord): void {
    this.journeys.set(j.id, { name: j.name, status: j.status, latest: j.version, settings: j.settings })
    this.reindex()
  }

  forget(journeyId: string): void {
    this.journeys.delete(journeyId)
    this.pendingDecisions = this.pendingDecisions.filter((p) => p.loaded.journeyId !== journeyId)
    this.usersEntered.delete(journeyId)
    for (const key of [...this.versions.keys()]) if (key.startsWith(`${journeyId}@`)) this.versions.delete(key)
    this.reindex()
  }

  /** Loads versions that runs of this batch are on and that are not in memory yet. */
  async ensure(pairs: Iterable<{ journeyId: string; version: number }>): Promise<void> {
    for (const { journeyId, version } of pairs) {
      if (this.versions.has(`${journeyId}@${version}`)) continue
      const v = await this.store.getVersion(journeyId, version)
      if (v) this.addVersion(v)
    }
  }

  /**
   * Loads every version that active runs of a known journey are on, for an engine that applies a
   * journal alone (one SQLite file): from then on every version its runs can be on is loaded, and
   * \`mayAct\` may answer false.
   */
  async ensureActiveVersions(): Promise<void> {
    for (const journeyId of [...this.journeys.keys()]) await this.ensure((await this.store.activeCounts(journeyId)).map((c) => ({ journeyId, version: c.version })))
    this.allVersionsLoaded = true
    this.acting.clear()
  }

  /** Nodes whose decision is due by `now` and not made yet. */
  dueDecisions(now: number): PendingDecision[] {
    return this.pendingDecisions.length === 0 ? [] : this.pendingDecisions.filter((p) => p.dueAt <= now)
  }

  /** Fixes a node's outlet; `decidedNow` when it was just decided, to be written with the next batch. */
  fix(p: PendingDecision, outlet: string, decidedNow: boolean): void {
    p.loaded.fixed[p.node.id] = outlet
    this.pendingDecisions = this.pendingDecisions.filter((x) => x !== p)
    if (decidedNow) this.unsavedFixed.push({ journeyId: p.loaded.journeyId, version: p.loaded.version, nodeId: p.node.id, outlet })
  }

  takeUnsavedFixed(): FixedOutlet[] {
    const taken = this.unsavedFixed
    this.unsavedFixed = []
    return taken
  }

  usersEnteredCount(journeyId: string): number {
    return this.usersEntered.get(journeyId) ?? 0
  }

  noteUserEntered(journeyId: string): void {
    this.usersEntered.set(journeyId, this.usersEnteredCount(journeyId) + 1)
  }

  /** Whether some loaded version has this goal event, so other events skip the goal check at once. */
  isGoalEvent(name: string): boolean {
    return this.goalEvents.has(name)
  }

  get(journeyId: string, version: number): LoadedVersion | undefined {
    return this.versions.get(`${journeyId}@${version}`)
  }

  journey(journeyId: string): JourneyEntry | undefined {
    return this.journeys.get(journeyId)
  }

  /**
   * Whether a track event of this name may change anything: it starts a journey (live or paused),
   * is a goal event, exits runs, or some state of a version of a journey that still exists hears
   * it; any paused journey says yes (it holds what its runs are sent). False lets an engine that
   * knows every version its runs are on (\`ensure\`d at open) pass the event over without loading its
   * user. Kept per name until the catalog changes.
   */
  mayAct(eventName: string): boolean {
    const known = this.acting.get(eventName)
    if (known !== undefined) return known
    const acts = this.computeMayAct(eventName)
    this.acting.set(eventName, acts)
    return acts
  }

  private computeMayAct(name: string): boolean {
    if (!this.allVersionsLoaded || this.compileOnUse || this.triggerIndex.has(name) || this.goalEvents.has(name)) return true
    for (const j of this.journeys.values()) if (j.status === 'paused') return true
    for (const v of this.versions.values()) {
      if (!this.journeys.has(v.journeyId)) continue
      if (v.settings.exitEvents?.includes(name) || v.stepper.hears(name)) return true
    }
    return false
  }

  triggersFor(eventName: string): readonly LoadedVersion[] {
    return this.triggerIndex.get(eventName) ?? []
  }

  private reindex(): void {
    this.acting.clear()
    if (this.compileOnUse) return
    const index = new Map<string, LoadedVersion[]>()
    for (const [id, j] of this.journeys) {
      // Paused journeys stay indexed: their triggers are held and applied on resume.
      if ((j.status !== 'live' && j.status !== 'paused') || j.latest === null) continue
      const v = this.versions.get(`${id}@${j.latest}`)
      if (!v) continue
      const list = index.get(v.compiled.trigger.event) ?? []
      list.push(v)
      index.set(v.compiled.trigger.event, list)
    }
    this.triggerIndex = index
  }
}

/**
 * A stored machine made by this compiler version must be what its graph compiles to: a different
 * hash means the compiler's output changed without `COMPILER_VERSION` moving, a bug to stop at.
 * One made by another version (or before versions were kept, 0) is simply replaced.
 */
function recompile(v: JourneyVersionRecord, graph: Graph): CompiledJourney {
  const compiled = compileJourney(graph)
  if (v.compilerVersion === COMPILER_VERSION && compiled.hash !== v.hash) {
    throw new Error(
      `journey ${v.journeyId} v${v.version}: its graph compiles to hash ${compiled.hash.slice(0, 12)}, the machine stored by the same ` +
        `compiler version (${COMPILER_VERSION}) has ${v.hash.slice(0, 12)}; bump COMPILER_VERSION when the compiler's output changes`,
    )
  }
  return compiled
}
