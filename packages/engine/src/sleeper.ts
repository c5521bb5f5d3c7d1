/**
 * A sleep that `wake()` ends early: how the runner and the relay wait for work. A wake with no
 * sleep in progress (a stop, or new work, while a pass was reading) is kept, and ends the next
 * sleep at once: otherwise it would be lost and the loop would sleep its whole time.
 */
export class Sleeper {
  private waking: (() => void) | null = null
  private woken = false

  sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        if (this.waking === done) this.waking = null
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.waking = done
    })
  }

  /** Ends the current sleep, or the next one if none is in progress. */
  wake(): void {
    if (this.waking) this.waking()
    else this.woken = true
  }
}
