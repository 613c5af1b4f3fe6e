// Type declarations of the kate package (the ES modules for browsers and
// Node, and the script-tag build "kate.js", which sets the global KATE).

/** The library version; kate.wasm must report the same one. */
export const version: string;

export interface InitializeOptions {
  /**
   * Where kate.wasm is (default: next to the library file, or wherever your
   * bundler put it). A relative URL is relative to the page (in Node, to
   * the working directory).
   */
  wasmURL?: string | URL;
  /** A compiled kate.wasm, used instead of fetching wasmURL. */
  wasmModule?: WebAssembly.Module;
  /** Run in a Web Worker (Node: a worker thread). Default true. */
  worker?: boolean;
  /**
   * Where kate.worker.js is (default: next to the library file, or wherever
   * your bundler put it). It must be on the page's origin.
   */
  workerURL?: string | URL;
  /**
   * Use the WebAssembly SIMD kernels when the engine supports them
   * (default true); false forces the pure-Go kernels. Both give the same
   * bits.
   */
  simd?: boolean;
  /**
   * Workers that share large encode calls (of 256 texts or more), each with
   * its own copy of the model: 1 to 16, default the number of processors
   * (at most 4). They start in the background with the first model (train
   * or load) and load each model's copy ahead of its first large call; 1
   * starts none. The results do not depend on it. Only with worker: true.
   */
  encodeWorkers?: number;
  /**
   * Workers a training runs on by default (train's workers option), 1 to 4. Default: half
   * the logical processors, 4 from 8, 2 from 4, else 1 (3 would be no faster than 2). Training's other
   * replicas start in workers of their own for each training of 1,000 texts or more and end
   * with it; on the default workers the engine goes on alone when waiting for them costs more
   * than they save. The model does not depend on it. Above 1 only with worker: true.
   */
  trainWorkers?: number;
}

/**
 * Starts the library. Call it once and wait for it before anything else. A
 * repeated call with no options, or with the same ones, returns the same
 * promise; with different options it rejects. If starting fails, the
 * promise rejects and the next call tries again.
 */
export function initialize(options?: InitializeOptions): Promise<void>;

export interface ProgressEvent {
  /** Current epoch (1-based) and maximum number of epochs. */
  epoch: number;
  epochs: number;
  /** Batches done in this epoch, of batches. */
  batch: number;
  batches: number;
  /** Mean training loss over this epoch's sampled batches (null before the first). */
  loss: number | null;
  /** Validation loss at the end of an epoch, else null. */
  valLoss: number | null;
  /** Best monitored loss so far and its epoch. */
  bestValLoss: number | null;
  bestEpoch: number;
  learningRate: number;
  /** Training throughput so far. */
  docsPerSecond: number | null;
  /** Time since training started. */
  elapsedMs: number;
  /** True for the report at the end of an epoch. */
  epochDone: boolean;
  /** True for the last report (early stopping fired or the last epoch ran). */
  stopping: boolean;
  /** How many workers train (data-parallel replicas of the model; TrainOptions.workers). */
  workers: number;
}

export interface TrainOptions {
  /** Embedding size K (hidden units), 1..4096. Default 128. */
  dim?: number;
  /** Winners of the k-competitive layer, 1..dim. Default round(dim/4) (32 for 128). */
  k?: number;
  /** Amplification of the losers' energy. Default 6.26. */
  alpha?: number;
  /** Vocabulary size V (most frequent terms). Default 2000. */
  vocabSize?: number;
  /** Maximum number of epochs (early stopping may end sooner). Default 100. */
  epochs?: number;
  /** Documents per gradient step. Default 100. */
  batchSize?: number;
  /** Documents held out for validation (at most a fifth). Default 1000. */
  validationDocs?: number;
  /**
   * Non-zero input values training sees before early stopping may act: every epoch until then
   * counts as an improvement (short texts need many more epochs than the validation loss
   * suggests). 0 gives the paper's schedule. Default 5,000,000.
   */
  minInputs?: number;
  /** Gradient through the competition: 'full' (default) or 'none'. */
  gradient?: 'full' | 'none';
  /**
   * Reconstruction sampling: zero outputs drawn per non-zero input (at least
   * 16 per document count as non-zero), in [0, 1000]. Each document then
   * reconstructs its words and a weighted sample of the others instead of
   * all vocabSize outputs. Default 0: the exact loss.
   */
  sampling?: number;
  /** Random seed; the same seed and data give the same model everywhere. Default 1. */
  seed?: number | bigint;
  /** Snowball English stemming. Default true. */
  stem?: boolean;
  /** English stopword removal. Default true. */
  stopwords?: boolean;
  /** Called after every epoch and about four times a second during one. */
  onProgress?: (event: ProgressEvent) => void;
  /** Cancels training: train() rejects with the signal's reason (an AbortError). */
  signal?: AbortSignal;
  /**
   * Workers that train together, 1..4: each holds a replica of the corpus and the model,
   * computes its share of every batch and exchanges gradients with the others; the model is
   * the same bytes on any number. Default: initialize's trainWorkers for 1,000 texts or more
   * and models of at most 2^22 weights while no other training runs, else 1; on the default
   * workers the engine may go on alone when waiting for the others costs more than they save,
   * with workers given they stay. Above 1 needs the engine in a worker (initialize's worker: true).
   */
  workers?: number;
}

/** Trains a model on texts (at least one; documents without any vocabulary term are allowed). */
export function train(texts: string[], options?: TrainOptions): Promise<Model>;

/** Loads a model file (as written by model.save() or the kate command-line tool). */
export function load(bytes: Uint8Array | ArrayBuffer): Promise<Model>;

/** Row-major n x dim float32 matrix. */
export interface Embeddings {
  data: Float32Array;
  dims: [number, number];
}

/** Projects embeddings onto their first n (default 2) principal components. */
export function pca(embeddings: Embeddings, n?: number): Promise<Embeddings>;

export interface RuntimeInfo {
  /** 'simd' (WebAssembly SIMD kernels) or 'go' (pure-Go kernels). */
  kernels: 'simd' | 'go';
  /** Why SIMD is not used, if it is not and was requested. */
  simdError: string | null;
  /** Current and peak size of the WebAssembly memory, in bytes. */
  memoryBytes: number;
  peakMemoryBytes: number;
  /** Whether the engine runs in a worker. */
  worker: boolean;
  /** Workers in use for large encode calls (the engine's own included). */
  encodeWorkers: number;
  /** Workers a training of 1,000 texts or more runs on by default (initialize's trainWorkers). */
  trainWorkers: number;
  version: string;
  /** The engine's bounds: dim, vocabSize, weights (vocabSize x dim), topicWords, modelBytes. */
  limits: Readonly<Limits>;
}

export interface Limits {
  dim: number;
  vocabSize: number;
  /** The largest alpha training accepts. */
  alpha: number;
  weights: number;
  topicWords: number;
  modelBytes: number;
  /** The core's default embedding size (train's dim when not given). */
  defaultDim: number;
  /** The core's default vocabulary size (train's vocabSize when not given). */
  defaultVocabSize: number;
}

/** Describes the running engine. */
export function runtimeInfo(): Promise<RuntimeInfo>;

export interface ModelParams {
  dim: number;
  k: number;
  alpha: number;
  gradient: 'full' | 'none';
  vocabSize: number;
  stem: boolean;
  stopwords: boolean;
}

export interface TrainInfo {
  seed: number | bigint;
  /** Epochs run, and the epoch whose weights were kept. */
  epochs: number;
  bestEpoch: number;
  /** Validation loss of the kept epoch (training loss without a validation split). */
  valLoss: number | null;
  /** Training documents (validation included). */
  docs: number;
}

/** How model.topics ranks a unit's words. */
export type TopicRanking = 'documents' | 'weight' | 'learned';

export interface Topic {
  /** Hidden unit. */
  unit: number;
  /** A short name: the first three words. */
  label: string;
  /**
   * The unit's words, best first: by default those most over-represented in
   * the training documents the unit represents best ('documents'); with
   * { by: 'weight' } the largest weights of its column of W.
   */
  words: string[];
  /** Each word's score under the ranking used. */
  weights: Float32Array;
  /** Training documents assigned to the unit (-1 when the model does not know). */
  docs: number;
  /** True when the unit represents almost no training document. */
  empty: boolean;
  /** The earlier unit this one nearly repeats (6 of their first 10 words shared), or -1. */
  duplicateOf: number;
}

export interface Match {
  /** Index of the candidate. */
  index: number;
  /** Cosine similarity. */
  score: number;
}

/** What the k-competitive layer does with one document (see model.explain). */
export interface Explanation {
  /** Encoder activations tanh(xW + b), length dim. */
  z: Float32Array;
  /** Competition output: winners amplified, losers 0. */
  h: Float32Array;
  posWinners: Int32Array;
  negWinners: Int32Array;
  posLosers: Int32Array;
  negLosers: Int32Array;
  /** Summed activation of the positive losers, summed magnitude of the negative losers. */
  posEnergy: number;
  negEnergy: number;
  alpha: number;
  /** dL/dh of one reconstruction step (relevant at the winners). */
  gradH: Float32Array;
  /** dL/dz: winners directly, losers only through the alpha connections; all 0 in 'none' mode. */
  gradZ: Float32Array;
  gradient: 'full' | 'none';
  /** The document's reconstruction loss (per output). */
  loss: number | null;
  /** The document's vocabulary terms and input values. */
  terms: string[];
  x: Float32Array;
}

export class Model {
  private constructor();
  readonly params: Readonly<ModelParams>;
  readonly info: Readonly<TrainInfo>;
  readonly dim: number;
  readonly k: number;
  readonly vocabSize: number;
  readonly disposed: boolean;
  /** Embeddings of texts (no competition at inference). */
  encode(texts: string[]): Promise<Embeddings>;
  /** For every hidden unit, its n (default 10) best words, a label and marks (see Topic). */
  topics(n?: number, options?: { by?: TopicRanking }): Promise<Topic[]>;
  /**
   * For every hidden unit, the indices of the (at most) n (default 5) texts
   * that represent it best.
   */
  topicDocuments(texts: string[], n?: number): Promise<number[][]>;
  /**
   * The n (default 10) candidates most similar to query, best first: cosine
   * similarity measured from the model's origin (the embedding of an empty
   * document, tanh(b), which every embedding shares).
   */
  similar(query: string | Float32Array, candidates: string[] | Embeddings, n?: number): Promise<Match[]>;
  /** The model file: the same bytes as the Go library and the command-line tool write. */
  save(): Promise<Uint8Array>;
  /** One document through the competition, and one step's gradient at every unit. */
  explain(text: string, options?: { gradient?: 'full' | 'none' }): Promise<Explanation>;
  /** The vocabulary, in input order. */
  vocabulary(): Promise<string[]>;
  /** Frees the model; later calls on it reject. */
  dispose(): Promise<void>;
}

declare global {
  /** The script-tag build (kate.js) sets this global. */
  // eslint-disable-next-line no-var
  var KATE: {
    version: typeof version;
    initialize: typeof initialize;
    train: typeof train;
    load: typeof load;
    pca: typeof pca;
    runtimeInfo: typeof runtimeInfo;
    Model: typeof Model;
  };
}
