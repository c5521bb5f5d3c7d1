import type { MachineEvent } from '@switchyard/compiler'
import {
  assertNever,
  durationMs,
  evaluateCondition,
  inControlGroup,
  parseActivityEventName,
} from '@switchyard/schema'
import { JOURNEY_NODE, type LoadedVersion, type JourneyCatalog } from './catalog'
import { historyDetail } from './history-detail'
import { OUTLET_METRICS } from './kinds/kind'
import { heldTriggerKey } from './resume'
import { toJourneyActions } from './interpret'
import { deliveryIdFor, messageIdFor, newId } from './ids'
import { storedEvent } from './machines'
import { BatchCounters } from './batch-counters'
import { deliveryContext, stepContext, trackEvent, untilTime, type TrackEvent } from './step-inputs'
import type { GoalWatch, HistoryRecord, JournalEntry, RunContext, RunRecord, TimerRecord } from './records'
import { emptyCommit, type EngineCommit, type UserState } from './store'

export interface BatchOptions {
  now: number
  workspace: string
  catalog: JourneyCatalog
  users: Map<string, UserState>
  /** Run ids; `ids.newId` unless a simulation gives its own deterministic source. */
  newId?: (prefix: string, now: number) => string
}

/**
 * Applies a batch of journal events and timers in memory, in order, and collects every row they
 * change into one commit. Pure apart from the clock reading it was given: no IO happens here.
 */
export class Batch {
  readonly commit: EngineCommit = emptyCommit()
  private readonly counters = new BatchCounters()

  constructor(private readonly o: BatchOptions) {}

  /** The users this batch holds, as its events and timers leave them. */
  get users(): Map<string, UserState> {
    return this.o.users
  }

  finish(appliedSeq: number | null): EngineCommit {
    // An outlet a node decided on for this batch (a split's winner) is kept with it: decided once.
    for (const f of this.o.catalog.takeUnsavedFixed()) this.count(f.journeyId, f.version, f.nodeId, OUTLET_METRICS.fixed(f.outlet))
    this.commit.appliedSeq = appliedSeq
    this.commit.counters = this.counters.list()
    return this.commit
  }

  private user(userId: string): UserState {
    let u = this.o.users.get(userId)
    if (!u) {
      u = { userId, traits: {}, activeRuns: [], enteredJourneys: new Set(), goalWatches: [] }
      this.o.users.set(userId, u)
    }
    return u
  }

  applyEvent(e: JournalEntry): void {
    const user = this.user(e.userId)
    if (e.type === 'identify') {
      user.traits = { ...user.traits, ...(e.traits ?? {}) }
      this.commit.users.set(user.userId, { userId: user.userId, traits: user.traits })
      return
    }
    const event = trackEvent(e)
    // Runs already under way see the event first, so a run is never fed its own trigger.
    for (const run of [...user.activeRuns]) {
      const journey = this.o.catalog.journey(run.journeyId)
      const loaded = this.o.catalog.get(run.journeyId, run.version)
      if (!journey || !loaded) continue
      if (journey.status === 'paused') {
        this.commit.held.push({ runId: run.runId, journeyId: run.journeyId, seq: e.seq })
        continue
      }
      this.feed(run, loaded, user, event)
    }
    for (const loaded of this.o.catalog.triggersFor(event.name)) {
      if (this.o.catalog.journey(loaded.journeyId)?.status === 'paused') {
        this.commit.held.push({ runId: heldTriggerKey(loaded.journeyId), journeyId: loaded.journeyId, seq: e.seq })
        continue
      }
      if (this.mayEnter(loaded, user, event)) this.startRun(loaded, user, event)
    }
    if (user.goalWatches.length > 0 && this.o.catalog.isGoalEvent(event.name)) this.checkGoals(user, event, e.timestamp)
  }

  /** A goal event inside a run's conversion window converts it, once; control runs count apart. */
  private checkGoals(user: UserState, event: TrackEvent, at: number): void {
    const keep: GoalWatch[] = []
    for (const w of user.goalWatches) {
      const goal = this.o.catalog.get(w.journeyId, w.version)?.settings.goal
      const expired = goal === undefined || at > w.deadline
      const converts =
        !expired &&
        event.name === goal.event &&
        event.messageId !== w.triggerMessageId &&
        at >= w.enteredAt &&
        (goal.where === undefined || evaluateCondition(goal.where, { event: storedEvent(event), user: { id: user.userId, traits: user.traits } }))
      if (converts) {
        this.count(w.journeyId, w.version, JOURNEY_NODE, w.control ? 'converted_control' : 'converted')
        for (const [nodeId, outlet] of Object.entries(w.outlets ?? {})) this.count(w.journeyId, w.version, nodeId, OUTLET_METRICS.converted(outlet))
      }
      if (converts || expired) this.commit.goalWatchesCleared.push(w.runId)
      else keep.push(w)
    }
    user.goalWatches = keep
  }

  /** Replays an event held while the run's journey was paused, to that run only. */
  applyHeld(run: RunRecord, e: JournalEntry): void {
    this.commit.heldReleased.push({ runId: run.runId, seq: e.seq })
    const loaded = this.o.catalog.get(run.journeyId, run.version)
    if (!loaded || run.status !== 'active' || e.type !== 'track') return
    this.feed(run, loaded, this.user(run.userId), trackEvent(e))
  }

  /** Replays a trigger that reached the journey while it was paused: the user enters now. */
  applyHeldTrigger(journeyId: string, e: JournalEntry): void {
    this.commit.heldReleased.push({ runId: heldTriggerKey(journeyId), seq: e.seq })
    const latest = this.o.catalog.journey(journeyId)?.latest
    const loaded = latest === null || latest === undefined ? undefined : this.o.catalog.get(journeyId, latest)
    if (!loaded || e.type !== 'track') return
    const user = this.user(e.userId)
    const event = trackEvent(e)
    if (loaded.compiled.trigger.event === event.name && this.mayEnter(loaded, user, event)) this.startRun(loaded, user, event)
  }

  /** A track event reaching a running run: an exit event takes the user out, anything else steps the machine. */
  private feed(run: RunRecord, loaded: LoadedVersion, user: UserState, event: TrackEvent): void {
    if (loaded.settings.exitEvents?.includes(event.name)) this.exitRun(run, user, `The user performed the exit event “${event.name}”.`, loaded)
    else this.step(run, loaded, user, event)
  }

  applyTimer(t: TimerRecord): void {
    this.commit.timersCleared.push({ runId: t.runId, nodeId: t.nodeId })
    const user = this.user(t.userId)
    const run = user.activeRuns.find((r) => r.runId === t.runId)
    const loaded = run && this.o.catalog.get(run.journeyId, run.version)
    // A timer whose run moved on (or ended) is stale: clearing it is all there is to do.
    if (!run || !loaded || run.currentNodeId !== t.nodeId) return
    this.step(run, loaded, user, { type: 'timer', nodeId: t.nodeId })
  }

  /** Takes a run out of its journey wherever it is (exit events, journey deleted). */
  exitRun(run: RunRecord, user: UserState, reason: string, loaded?: LoadedVersion): void {
    if (run.currentNodeId !== null) this.commit.timersCleared.push({ runId: run.runId, nodeId: run.currentNodeId })
    this.history(run, { nodeId: run.currentNodeId ?? '', kind: 'exited', outlet: null, messageId: null, detail: { reason } })
    if (loaded) this.count(loaded.journeyId, loaded.version, run.currentNodeId ?? '', 'exited')
    this.end(run, user, 'exited')
  }

  private mayEnter(loaded: LoadedVersion, user: UserState, event: TrackEvent): boolean {
    switch (loaded.settings.reentry) {
      case 'never':
        if (user.enteredJourneys.has(loaded.journeyId)) return false
        break
      case 'afterExit':
        if (user.activeRuns.some((r) => r.journeyId === loaded.journeyId)) return false
        break
      case 'always':
        break
      default:
        return assertNever(loaded.settings.reentry)
    }
    const cap = loaded.settings.targetingCap
    if (cap !== undefined && !user.enteredJourneys.has(loaded.journeyId) && this.o.catalog.usersEnteredCount(loaded.journeyId) >= cap) return false
    const where = loaded.compiled.trigger.where
    return where === undefined || evaluateCondition(where, { event: storedEvent(event), user: { id: user.userId, traits: user.traits } })
  }

  private startRun(loaded: LoadedVersion, user: UserState, event: TrackEvent): void {
    const now = this.o.now
    const runId = (this.o.newId ?? newId)('run', now)
    const input: RunContext = {
      runId,
      journeyId: loaded.journeyId,
      version: loaded.version,
      userId: user.userId,
      event: storedEvent(event),
      message: null,
      control: inControlGroup(runId, loaded.settings.controlGroupPercent, loaded.journeyId),
      user: { id: user.userId, traits: user.traits },
      fixed: loaded.fixed,
    }
    const run: RunRecord = {
      runId,
      journeyId: loaded.journeyId,
      version: loaded.version,
      userId: user.userId,
      status: 'active',
      stateKey: loaded.compiled.machine.initial,
      currentNodeId: loaded.compiled.triggerNodeId,
      context: { runId, journeyId: loaded.journeyId, version: loaded.version, userId: user.userId, event: input.event, message: null, control: input.control },
      waitingUntil: null,
      startedAt: now,
      endedAt: null,
    }
    user.activeRuns.push(run)
    if (!user.enteredJourneys.has(loaded.journeyId)) {
      this.commit.entered.push({ userId: user.userId, journeyId: loaded.journeyId })
      this.count(loaded.journeyId, loaded.version, JOURNEY_NODE, 'users')
      this.o.catalog.noteUserEntered(loaded.journeyId)
    }
    user.enteredJourneys.add(loaded.journeyId)
    this.count(loaded.journeyId, loaded.version, JOURNEY_NODE, input.control ? 'entered_control' : 'entered')
    const goal = loaded.settings.goal
    if (goal) {
      const watch: GoalWatch = {
        runId,
        journeyId: loaded.journeyId,
        version: loaded.version,
        userId: user.userId,
        enteredAt: Date.parse(event.timestamp),
        deadline: Date.parse(event.timestamp) + durationMs(goal.within),
        control: input.control === true,
        triggerMessageId: event.messageId,
      }
      user.goalWatches.push(watch)
      this.commit.goalWatchesSet.push(watch)
    }
    const [next, actions] = loaded.stepper.initial(input)
    this.settle(run, loaded, user, event, next, actions)
  }

  private step(run: RunRecord, loaded: LoadedVersion, user: UserState, event: MachineEvent): void {
    if (event.type === 'track' && !loaded.stepper.mayConsume(run.stateKey, event, run.context)) return
    const snapshot = loaded.machine.resolveState({
      value: run.stateKey,
      context: stepContext(run.context, { id: user.userId, traits: user.traits }, loaded.fixed),
    })
    const [next, actions] = loaded.stepper.transition(snapshot, event)
    if (next === snapshot) return
    this.settle(run, loaded, user, event.type === 'track' ? event : null, next, actions)
  }

  private settle(
    run: RunRecord,
    loaded: LoadedVersion,
    user: UserState,
    event: TrackEvent | null,
    next: { value: unknown; context: RunContext; status: string },
    rawActions: readonly { type: string; params?: unknown }[],
  ): void {
    const { user: _user, fixed: _fixed, ...context } = next.context
    run.context = context
    const now = this.o.now
    for (const action of toJourneyActions(rawActions)) {
      switch (action.type) {
        case 'enter':
          run.currentNodeId = action.params.nodeId
          this.count(loaded.journeyId, loaded.version, action.params.nodeId, 'entered')
          break
        case 'record': {
          const p = action.params
          const activity = p.kind === 'event' && event !== null && parseActivityEventName(event.name) !== null
          this.history(run, {
            nodeId: p.nodeId,
            kind: p.kind,
            outlet: p.outlet,
            messageId: activity && typeof event?.properties.messageId === 'string' ? event.properties.messageId : null,
            detail: historyDetail(this.o.now, p.kind, p.nodeId, loaded, run, event, p.where, user),
          })
          this.leftBy(loaded, p.nodeId, p.outlet)
          if (p.kind === 'branch' && p.outlet !== null) this.noteOutlet(run, user, p.nodeId, p.outlet)
          break
        }
        case 'sendMessage': {
          const p = action.params
          const id = messageIdFor(run.runId, p.nodeId)
          if (run.context.control === true) {
            this.controlSkip(run, loaded, { nodeId: p.nodeId, outlet: p.outlet, kind: 'message', messageId: id, detail: { channel: p.channel } })
            break
          }
          this.commit.outbox.push({
            id,
            kind: 'message',
            createdAt: now,
            // Without `message`: the fields are the version's node's, put back when the job is claimed.
            job: { kind: 'message', id, channel: p.channel, providerId: p.providerId, context: deliveryContext(run, loaded, user, p.nodeId, this.o), createdAt: now },
          })
          this.history(run, { nodeId: p.nodeId, kind: 'message', outlet: p.outlet, messageId: id, detail: { channel: p.channel, status: 'queued' } })
          this.leftBy(loaded, p.nodeId, p.outlet)
          break
        }
        case 'scheduleTimer': {
          const p = action.params
          const dueAt = 'afterMs' in p ? now + p.afterMs : untilTime(p.until, run, user, now)
          this.commit.timersSet.push({ runId: run.runId, nodeId: p.nodeId, journeyId: run.journeyId, userId: run.userId, dueAt })
          run.waitingUntil = dueAt
          break
        }
        case 'cancelTimer':
          this.commit.timersCleared.push({ runId: run.runId, nodeId: action.params.nodeId })
          run.waitingUntil = null
          break
        case 'enqueueWebhook': {
          const p = action.params
          const id = deliveryIdFor(run.runId, p.nodeId)
          if (run.context.control === true) {
            this.controlSkip(run, loaded, { nodeId: p.nodeId, outlet: p.outlet, kind: 'webhook', messageId: null, detail: { webhookId: p.webhookId, deliveryId: id } })
            break
          }
          this.commit.outbox.push({
            id,
            kind: 'webhook',
            createdAt: now,
            job: {
              kind: 'webhook',
              id,
              webhookId: p.webhookId,
              params: p.params,
              customParams: p.customParams,
              body: p.body,
              context: deliveryContext(run, loaded, user, p.nodeId, this.o),
              createdAt: now,
            },
          })
          this.history(run, { nodeId: p.nodeId, kind: 'webhook', outlet: p.outlet, messageId: null, detail: { webhookId: p.webhookId, deliveryId: id, status: 'queued' } })
          this.leftBy(loaded, p.nodeId, p.outlet)
          break
        }
        case 'rememberEvent':
        case 'rememberMessage':
          break
        default:
          assertNever(action)
      }
    }
    run.stateKey = typeof next.value === 'string' ? next.value : run.stateKey
    if (next.status === 'done') this.end(run, user, 'completed')
    else this.commit.runs.set(run.runId, run)
  }

  /**
   * The control group goes the same way through the journey without what would reach the user:
   * no message and, since in the seeds' webhook campaigns the webhook is the message, no webhook.
   * The node's row (with its outlet) and an outcome row with the rule, as a send rule writes.
   */
  private controlSkip(
    run: RunRecord,
    loaded: LoadedVersion,
    o: { nodeId: string; outlet: string | null; kind: 'message' | 'webhook'; messageId: string | null; detail: Record<string, unknown> },
  ): void {
    const reason = `The user is in the control group: no ${o.kind} is sent.`
    this.history(run, { nodeId: o.nodeId, kind: o.kind, outlet: o.outlet, messageId: o.messageId, detail: { ...o.detail, status: 'skipped', reason } })
    this.history(run, { nodeId: o.nodeId, kind: o.kind, outlet: null, messageId: o.messageId, detail: { ...o.detail, status: 'skipped', rule: 'controlGroup', reason } })
    this.leftBy(loaded, o.nodeId, o.outlet)
  }

  /** A run's goal watch remembers the outlet it took where it branched, so a conversion counts for each. */
  private noteOutlet(run: RunRecord, user: UserState, nodeId: string, outlet: string): void {
    const watch = user.goalWatches.find((w) => w.runId === run.runId)
    if (watch === undefined) return
    watch.outlets = { ...watch.outlets, [nodeId]: outlet }
    if (!this.commit.goalWatchesSet.includes(watch)) this.commit.goalWatchesSet.push(watch)
  }

  private end(run: RunRecord, user: UserState, status: 'completed' | 'exited'): void {
    run.status = status
    run.endedAt = this.o.now
    run.waitingUntil = null
    // currentNodeId stays where the run stopped, so the inspector can show it.
    user.activeRuns = user.activeRuns.filter((r) => r.runId !== run.runId)
    this.commit.runs.set(run.runId, run)
  }

  private history(run: RunRecord, h: Omit<HistoryRecord, 'runId' | 'journeyId' | 'at'>): void {
    this.commit.history.push({ runId: run.runId, journeyId: run.journeyId, at: this.o.now, ...h })
  }

  /** Stats counters, summed per batch (see BatchCounters). */
  private count(journeyId: string, version: number, nodeId: string, metric: string): void {
    this.counters.add(journeyId, version, nodeId, metric)
  }

  /** A node left by an outlet counts towards that outlet; an unconnected one ends the run instead. */
  private leftBy(loaded: LoadedVersion, nodeId: string, outlet: string | null): void {
    if (outlet !== null) this.count(loaded.journeyId, loaded.version, nodeId, `outlet:${outlet}`)
  }
}
