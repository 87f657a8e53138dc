// What vouches for a task's result, as `task status` shows it: the policy in its terms and, on an AGREEMENT task,
// the jury, the revealed votes per result hash and the verdict (docs/PROTOCOL.md "Agreement").
import type { Hex } from "viem";
import { TaskStatus, VerificationMethod, verificationMethodName } from "../../sdk/abis.ts";
import type { GetTaskSnapshotReturnType } from "../../sdk/actions/snapshot.ts";
import { formatTime } from "../output.ts";

export type TaskVerification = {
  method: string;
  quorum: number;
  /** `unverified`: one provider's response is paid as is; `voting` until the quorum agrees; then `agreed`, or `no-agreement` when the task expired first. */
  state: "unverified" | "voting" | "agreed" | "no-agreement";
  jurors: number;
  /** When the first reveal closed the jury (unix seconds), 0 while it is open. */
  votingClosedAt: number;
  /** Revealed results, most votes first. */
  votes: { resultHash: Hex; count: number }[];
};

export function taskVerification(snap: GetTaskSnapshotReturnType): TaskVerification {
  const { terms, state, agreement } = snap;
  const method = verificationMethodName(terms.verification);
  const counts = new Map<Hex, number>();
  for (const r of snap.responses) counts.set(r.resultHash, (counts.get(r.resultHash) ?? 0) + 1);
  const votes = [...counts].map(([resultHash, count]) => ({ resultHash, count })).sort((a, b) => b.count - a.count);
  const base = { method, quorum: terms.quorum, jurors: agreement.jurors, votingClosedAt: agreement.votingClosedAt, votes };
  if (terms.verification !== VerificationMethod.AGREEMENT) return { ...base, state: "unverified", votes: [] };
  if (state.status === TaskStatus.FINALIZED) return { ...base, state: "agreed" };
  if (state.status === TaskStatus.EXPIRED || state.status === TaskStatus.CANCELED) return { ...base, state: "no-agreement" };
  return { ...base, state: "voting" };
}

/** The `task status` rows for the verification. */
export function verificationRows(v: TaskVerification, now: bigint): [string, string][] {
  if (v.method !== "AGREEMENT") return [["verification", `${v.method}: the first response is paid as is (unverified)`]];
  const jury = `${v.jurors} sealed, ${v.quorum} needed; ${v.votingClosedAt === 0 ? "open" : `closed by the first reveal at ${formatTime(BigInt(v.votingClosedAt), now)}`}`;
  const verdict = {
    unverified: "unverified",
    voting: "voting: no result has the quorum yet",
    agreed: `agreed: ${v.quorum} alike results, each of their masters paid a share`,
    "no-agreement": "no agreement by expiry: the payment goes back to the client, the jurors' penalties are burned",
  }[v.state];
  const rows: [string, string][] = [
    ["verification", `AGREEMENT of ${v.quorum} masters`],
    ["jury", jury],
    ["verdict", verdict],
  ];
  for (const vote of v.votes) rows.push([`votes ${vote.resultHash.slice(0, 10)}…`, `${vote.count} / ${v.quorum}`]);
  return rows;
}
