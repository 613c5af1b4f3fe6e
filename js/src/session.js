// session.js — the library's one running engine and its helpers, shared by
// api.js (which starts them) and model.js (which calls them).

export const session = {
  /** The platform of this build (platform.browser.js, .script.js or .node.js). */
  platform: null,
  /** initialize()'s promise, and the normalized options it started with. */
  promise: null,
  options: null,
  /** The engine (LocalEngine or WorkerEngine) once started. */
  engine: null,
  /** The engine's runtime information at start-up (includes limits). */
  runtime: null,
  /** Helper engines (workers) that share large encode calls; see Model.encode. */
  helpers: [],
  /** How many helpers are starting; each calls helperListeners(engine) once ready. */
  helpersStarting: 0,
  helperListeners: new Set(),
  /**
   * Called with each helper engine once it is ready, for as long as they
   * are in the set (models that load their replica there ahead of a call).
   */
  helperReady: new Set(),
  /**
   * The timeline of encoding being recorded (the testing hook
   * traceEncode), or null: { what, engine, t0, t1, texts } objects.
   */
  trace: null,
  /** Starts the helpers (once; api.js sets it when the engine is a worker). */
  startHelpers: () => {},
  /** How many workers train uses by default (initialize's trainWorkers). */
  trainWorkers: 1,
  /** Starts one more worker engine, for training's other replicas (null without workers). */
  spawnWorker: null,
  /** kate.Replica.Dismiss for every training, when the tests set it. */
  dismissAlways: undefined,
  /** The engines of the running training's other replicas (the library's tests crash them). */
  trainPeers: [],
  /** Starts a new engine after the engine died (api.js); returns its promise. */
  restart: null,
};

/** encode calls with at least this many texts are spread over the helpers. */
export const PARALLEL_MIN = 256;

/**
 * Waits for initialize() and returns the engine, starting a new one (with
 * initialize()'s options) when the engine has died, so that the page
 * recovers without a reload; fn names the caller in errors.
 */
export async function getEngine(fn) {
  if (!session.promise) throw new Error(`kate: call initialize() before ${fn}()`);
  await session.promise;
  if (session.engine.dead) await session.restart();
  const e = session.engine;
  if (e.dead) throw new Error(e.dead);
  return e;
}

/** Records event e in session.trace when a timeline is being recorded. */
export function traceEvent(e) {
  if (session.trace) session.trace.push(e);
}
