// GDAL configuration options are process-wide (gdal-async exposes CPLSetConfigOption
// only). Credentials that cannot travel inside the VSI path (AWS/Azure/GCS keys) are set
// here around each GDAL call, and calls whose options differ never overlap: a call waits
// until every call running under other options has finished. Calls with the same
// options run concurrently. FIFO, so no set of options starves another.
//
// This holds for the whole process: gdal-async's binding loads in one thread per process
// only, so all GDAL calls of a process go through one ConfigScope. Credentials that can
// travel in the path (HTTP headers via a header file) still go there, needing no scope.

/** Sets or clears one GDAL config option (null clears). */
export type SetConfigOption = (name: string, value: string | null) => void;
/** Reads one GDAL config option. */
export type GetConfigOption = (name: string) => string | null;

interface Waiter {
  key: string;
  options: Record<string, string>;
  start: () => void;
}

/** Runs functions under sets of GDAL config options that never overlap. */
export class ConfigScope {
  private activeKey: string | undefined;
  private running = 0;
  private saved = new Map<string, string | null>();
  private readonly queue: Waiter[] = [];

  constructor(
    private readonly setOption: SetConfigOption,
    private readonly getOption: GetConfigOption,
  ) {}

  /** Runs `work` with `options` set; other option sets wait. */
  async run<T>(options: Record<string, string>, work: () => Promise<T>): Promise<T> {
    const key = JSON.stringify(
      Object.entries(options).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    await new Promise<void>((resolve) => {
      this.queue.push({ key, options, start: resolve });
      this.pump();
    });
    try {
      return await work();
    } finally {
      this.running -= 1;
      if (this.running === 0) this.release();
      this.pump();
    }
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      if (this.activeKey === undefined) this.apply(next.key, next.options);
      else if (this.activeKey !== next.key) return;
      this.queue.shift();
      this.running += 1;
      next.start();
    }
  }

  private apply(key: string, options: Record<string, string>): void {
    this.activeKey = key;
    for (const [name, value] of Object.entries(options)) {
      this.saved.set(name, this.getOption(name));
      this.setOption(name, value);
    }
  }

  private release(): void {
    for (const [name, value] of this.saved) this.setOption(name, value);
    this.saved = new Map();
    this.activeKey = undefined;
  }
}

const scopes = new WeakMap<object, ConfigScope>();

/** The one ConfigScope of a loaded gdal-async module (all GDAL calls of the process go through it). */
export function configScopeFor(gdal: {
  config: { set(name: string, value: string | null): void; get(name: string): string | null };
}): ConfigScope {
  let scope = scopes.get(gdal);
  if (!scope) {
    scope = new ConfigScope(
      (name, value) => gdal.config.set(name, value),
      (name) => gdal.config.get(name),
    );
    scopes.set(gdal, scope);
  }
  return scope;
}
