// Concurrent callers share one in-flight run: 50 scrapes arriving together cause one collection and
// all get the same snapshot. A caller that arrives after a run finished starts a new one.

export class SingleFlight<T> {
  private inFlight: Promise<T> | undefined;

  run(task: () => Promise<T>): Promise<T> {
    if (this.inFlight) return this.inFlight;
    const run = task().finally(() => {
      this.inFlight = undefined;
    });
    this.inFlight = run;
    return run;
  }

  get busy(): boolean {
    return this.inFlight !== undefined;
  }
}
