/** A sleep that `wake()` ends early: how the runner and the relay wait for work. */
export class Sleeper {
  private waking: (() => void) | null = null

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms)
      function done() {
        clearTimeout(timer)
        resolve()
      }
      this.waking = done
    })
  }

  /** Ends the current sleep, if any. */
  wake(): void {
    this.waking?.()
  }
}
