/**
 * Test-only fault injection, off unless TALLY_FAULT names a fault.
 *
 * `TALLY_FAULT=exit-after-commit`: the process kills itself (SIGKILL) right
 * after its first write transaction commits and before any caller of it is
 * answered. That is the case retries must find exactly once: a request that
 * was stored but never answered. Read once at start-up, so it costs the
 * write path one boolean test.
 */
const EXIT_AFTER_COMMIT = process.env.TALLY_FAULT === 'exit-after-commit';

/** Called by the write path right after a COMMIT succeeded. */
export function afterCommit(): void {
  if (EXIT_AFTER_COMMIT) process.kill(process.pid, 'SIGKILL');
}
