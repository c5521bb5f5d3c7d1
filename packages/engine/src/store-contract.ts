import { beforeEach, describe } from 'vitest'
import type { RunRecord } from './records'
import type { Retention, RetentionPolicy } from './retention'
import { emptyCommit, type EngineCommit, type EngineStore } from './store'
import { journalContract } from './store-contract/journal'
import { journeysContract } from './store-contract/journeys'
import { outboxContract } from './store-contract/outbox'
import { retentionContract } from './store-contract/retention'
import { runsContract } from './store-contract/runs'

/** A fresh, empty store of one backend, for one test. */
export interface ContractStore {
  store: EngineStore
  retention(policy: RetentionPolicy): Retention
  /**
   * A second store on the same database, as another process would open it; only for backends
   * that several processes share, with how long a claim keeps an outbox row from other processes.
   */
  peer?: { open(): Promise<EngineStore>; claimLeaseMs: number }
}

/** What each section of the contract is given: the current test's store, and two shorthands over it. */
export interface ContractSection {
  current(): ContractStore
  commit(parts: Partial<EngineCommit>): Promise<void>
  runsMap(...runs: RunRecord[]): Map<string, RunRecord>
}

/**
 * The behaviour every `EngineStore` owes the engine, as tests: register them once per backend
 * (`engineStoreContract('sqlite', open)`). `open` is called before each test and must give an
 * empty store. The sections live in `store-contract/`, one concept each.
 */
export function engineStoreContract(name: string, open: () => Promise<ContractStore>): void {
  describe(`EngineStore contract: ${name}`, () => {
    let cs: ContractStore
    beforeEach(async () => {
      cs = await open()
    })
    const section: ContractSection = {
      current: () => cs,
      commit: (parts) => cs.store.commit({ ...emptyCommit(), ...parts }),
      runsMap: (...runs) => new Map(runs.map((r) => [r.runId, r])),
    }
    journalContract(section)
    runsContract(section)
    outboxContract(section)
    journeysContract(section)
    retentionContract(section)
  })
}
