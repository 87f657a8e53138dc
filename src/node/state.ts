// The node's durable memory: one JSON file in stateDir holding the event cursor, the sources the provider is
// registered to, and one small state machine per task. Every transition is on disk (write temp, fsync, rename,
// fsync dir) before the side effect it guards runs, so a SIGKILL at any moment leaves a state that the next
// start reconciles with the chain instead of repeating a transaction or forgetting a paid task.
//
// Why a JSON file and not node:sqlite: node:sqlite still prints an ExperimentalWarning on Node 22 and its API
// may change; the state is small (live tasks plus recently finished ones, pruned), written a few times per
// task, and an operator can read it with `cat` when something goes wrong.
import { mkdir, open, readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import { getAddress, type Address, type Hex } from "viem";
import { z } from "zod";
import { parseEventCursor, type EventCursor, type EventCursorStore } from "../sdk/events/index.ts";
import { lockDirectory } from "./lock.ts";

export { StateLockedError } from "./lock.ts";

export const TASK_PHASES = ["seen", "attempting", "attempted", "dispatched", "result-received", "committing", "submitting", "done", "failed", "skipped"] as const;
export type TaskPhase = (typeof TASK_PHASES)[number];
export const TERMINAL_PHASES: ReadonlySet<TaskPhase> = new Set(["done", "failed", "skipped"]);

/** A transaction signed and recorded before it was broadcast: re-sending `raw` is idempotent (same nonce). */
export type SentTx = { hash: Hex; raw: Hex; sentAt: number };
export type PinnedResult = { cid: string; uri: string; sha256: Hex; size: number };

export type TaskRecord = {
  task: Address;
  source: Address;
  client: Address;
  configUri: string;
  configHash: Hex;
  /** Decimal strings: JSON has no bigint. */
  expiryTime: string;
  payment: string;
  publishedBlock: string;
  phase: TaskPhase;
  /** Why the task ended in failed / skipped. */
  reason?: string | undefined;
  attemptTx?: SentTx | undefined;
  /** Unix seconds: the attempt's deadline, once attempted. */
  deadline?: number | undefined;
  deliveryMethod?: number | undefined;
  /** The task's verification method (VerificationMethod): AGREEMENT seals with commitVote and waits for its jury. */
  verification?: number | undefined;
  /** Times the handler was asked to run (a restart re-dispatches a task whose result was lost). */
  dispatches?: number | undefined;
  result?: PinnedResult | undefined;
  /** The commitment's secret, on disk before the commitment is signed: the reveal needs it after any restart. */
  secret?: Hex | undefined;
  commitTx?: SentTx | undefined;
  /** The reveal (revealResponse) transaction. */
  submitTx?: SentTx | undefined;
  seenAt: number;
  updatedAt: number;
};

export type SourceRecord = { environment: number; block: string };

const hex = z.string().regex(/^0x[0-9a-fA-F]*$/) as unknown as z.ZodType<Hex>;
const addr = z.string().transform((s) => getAddress(s));
const sentTx = z.object({ hash: hex, raw: hex, sentAt: z.number() });
const taskRecordSchema = z.object({
  task: addr,
  source: addr,
  client: addr,
  configUri: z.string(),
  configHash: hex,
  expiryTime: z.string(),
  payment: z.string(),
  publishedBlock: z.string(),
  phase: z.enum(TASK_PHASES),
  reason: z.string().optional(),
  attemptTx: sentTx.optional(),
  deadline: z.number().optional(),
  deliveryMethod: z.number().optional(),
  verification: z.number().optional(),
  dispatches: z.number().optional(),
  result: z.object({ cid: z.string(), uri: z.string(), sha256: hex, size: z.number() }).optional(),
  secret: hex.optional(),
  commitTx: sentTx.optional(),
  submitTx: sentTx.optional(),
  seenAt: z.number(),
  updatedAt: z.number(),
});
const stateFileSchema = z.object({
  version: z.literal(1),
  chainId: z.number(),
  nexus: addr,
  provider: addr,
  cursor: z.unknown().optional(),
  sources: z.record(z.string(), z.object({ environment: z.number(), block: z.string() })),
  tasks: z.record(z.string(), taskRecordSchema),
});

type Identity = { chainId: number; nexus: Address; provider: Address };

/** The state directory belongs to another chain, Nexus or provider: refusing beats mixing them. */
export class StateMismatchError extends Error {
  constructor(field: keyof Identity, stored: string | number, configured: string | number) {
    super(`state file was written for ${field} ${stored}, but the node is configured for ${configured}; use another stateDir`);
    this.name = "StateMismatchError";
  }
}

/** Terminal tasks are kept this long after their expiry, so replayed events stay no-ops. */
const RETAIN_AFTER_EXPIRY_S = 2 * 86_400;

export class StateStore {
  readonly dir: string;
  readonly file: string;
  #identity: Identity;
  #cursor: EventCursor | undefined;
  #sources = new Map<Address, SourceRecord>();
  #tasks = new Map<Address, TaskRecord>();
  #chain: Promise<void> = Promise.resolve();
  #dirty = false;
  #closed = false;
  #release: (() => Promise<void>) | undefined;

  private constructor(dir: string, identity: Identity) {
    this.dir = dir;
    this.file = join(dir, "state.json");
    this.#identity = identity;
  }

  /** Opens (or creates) the state in `dir` and takes its lock. @throws StateLockedError, StateMismatchError */
  static async open(dir: string, identity: Identity): Promise<StateStore> {
    await mkdir(dir, { recursive: true });
    const store = new StateStore(dir, identity);
    await store.#lock();
    try {
      await store.#load();
    } catch (error) {
      await store.#unlock();
      throw error;
    }
    return store;
  }

  async #lock(): Promise<void> {
    this.#release = await lockDirectory(this.dir);
  }

  async #unlock(): Promise<void> {
    await this.#release?.();
    this.#release = undefined;
  }

  async #load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw error;
    }
    const parsed = stateFileSchema.parse(JSON.parse(text));
    const id = this.#identity;
    if (parsed.chainId !== id.chainId) throw new StateMismatchError("chainId", parsed.chainId, id.chainId);
    if (parsed.nexus !== getAddress(id.nexus)) throw new StateMismatchError("nexus", parsed.nexus, id.nexus);
    if (parsed.provider !== getAddress(id.provider)) throw new StateMismatchError("provider", parsed.provider, id.provider);
    this.#cursor = parsed.cursor === undefined ? undefined : parseEventCursor(parsed.cursor);
    for (const [source, record] of Object.entries(parsed.sources)) this.#sources.set(getAddress(source), record);
    for (const record of Object.values(parsed.tasks)) this.#tasks.set(record.task, record as TaskRecord);
  }

  get cursor(): EventCursor | undefined {
    return this.#cursor;
  }

  /** The watcher's cursor store: the cursor moves only after the batch's tasks are on disk. */
  cursorStore(): EventCursorStore {
    return {
      get: async () => this.#cursor,
      set: async (cursor) => {
        this.#cursor = parseEventCursor(cursor);
        this.#dirty = true;
        await this.persist();
      },
    };
  }

  sources(): ReadonlyMap<Address, SourceRecord> {
    return this.#sources;
  }
  setSource(source: Address, record: SourceRecord | undefined): void {
    if (record === undefined) this.#sources.delete(source);
    else this.#sources.set(source, record);
    this.#dirty = true;
  }

  task(task: Address): TaskRecord | undefined {
    const record = this.#tasks.get(task);
    return record === undefined ? undefined : { ...record };
  }
  tasks(): TaskRecord[] {
    return [...this.#tasks.values()].map((r) => ({ ...r }));
  }
  /** Adds a task seen for the first time; false (and nothing changes) when it is known already. */
  addTask(record: Omit<TaskRecord, "phase" | "seenAt" | "updatedAt">): boolean {
    if (this.#tasks.has(record.task)) return false;
    const now = Date.now();
    this.#tasks.set(record.task, { ...record, phase: "seen", seenAt: now, updatedAt: now });
    this.#dirty = true;
    return true;
  }
  /** Forgets a task nothing was done for (its TaskPublished was reorganised away). */
  dropTask(task: Address): void {
    if (this.#tasks.delete(task)) this.#dirty = true;
  }

  /**
   * Moves a task to `phase` (merging `patch`) and waits until that is on disk. Leaving a terminal phase is a
   * bug and throws.
   */
  async transition(task: Address, phase: TaskPhase, patch: Partial<Omit<TaskRecord, "task" | "phase">> = {}): Promise<TaskRecord> {
    const current = this.#tasks.get(task);
    if (current === undefined) throw new Error(`unknown task ${task}`);
    if (TERMINAL_PHASES.has(current.phase) && current.phase !== phase) {
      throw new Error(`task ${task} is ${current.phase} and cannot become ${phase}`);
    }
    const next: TaskRecord = { ...current, ...patch, phase, updatedAt: Date.now() };
    this.#tasks.set(task, next);
    this.#dirty = true;
    await this.persist();
    return { ...next };
  }

  /** Writes pending changes; concurrent callers share writes, and each returns once its change is durable. */
  persist(): Promise<void> {
    const write = () => this.#writeIfDirty();
    this.#chain = this.#chain.then(write, write);
    return this.#chain;
  }

  async #writeIfDirty(): Promise<void> {
    if (!this.#dirty || this.#closed) return;
    this.#dirty = false;
    const text = this.#serialize();
    const tmp = `${this.file}.tmp`;
    try {
      const fh = await open(tmp, "w");
      try {
        await fh.writeFile(text);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, this.file);
      const dir = await open(this.dir, "r");
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    } catch (error) {
      this.#dirty = true;
      throw error;
    }
  }

  #serialize(): string {
    this.#prune();
    const { chainId, nexus, provider } = this.#identity;
    return `${JSON.stringify(
      {
        version: 1,
        chainId,
        nexus,
        provider,
        cursor: this.#cursor,
        sources: Object.fromEntries(this.#sources),
        tasks: Object.fromEntries(this.#tasks),
      },
      null,
      1,
    )}\n`;
  }

  #prune(): void {
    const cutoff = BigInt(Math.floor(Date.now() / 1000) - RETAIN_AFTER_EXPIRY_S);
    for (const [task, record] of this.#tasks) {
      if (TERMINAL_PHASES.has(record.phase) && BigInt(record.expiryTime) < cutoff) this.#tasks.delete(task);
    }
  }

  /** Flushes and releases the lock. The store is unusable afterwards. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.persist().catch(() => undefined);
    await this.#chain.catch(() => undefined);
    this.#closed = true;
    await this.#unlock();
  }
}
