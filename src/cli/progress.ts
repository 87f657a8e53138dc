// A one-line spinner on stderr for terminals; a no-op elsewhere. Lines written through `log` keep it intact.
import type { CliOutput } from "./output.ts";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const CLEAR = "\r\x1b[2K";

export type Progress = {
  /** Replaces the status text next to the spinner. */
  update: (text: string) => void;
  /** Writes a full line to `out` without garbling the spinner. */
  log: (out: CliOutput, line: string) => void;
  /** Removes the spinner for good. */
  stop: () => void;
};

export function createProgress(stderr: CliOutput, enabled: boolean): Progress {
  if (!enabled) {
    return { update: () => undefined, log: (out, line) => void out.write(`${line}\n`), stop: () => undefined };
  }
  let text = "";
  let frame = 0;
  let stopped = false;
  const draw = () => {
    if (!stopped) stderr.write(`${CLEAR}${FRAMES[frame++ % FRAMES.length]} ${text}`);
  };
  const timer = setInterval(draw, 100);
  timer.unref();
  return {
    update: (t) => {
      text = t;
      draw();
    },
    log: (out, line) => {
      if (!stopped) stderr.write(CLEAR);
      out.write(`${line}\n`);
      draw();
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      stderr.write(CLEAR);
    },
  };
}
