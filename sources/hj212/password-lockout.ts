/**
 * Password guessing against HJ 212 stations: wrong passwords are counted per station MN and client address. After
 * `afterFailures` of them the address is refused for that MN for `initialMs`, and each further lockout lasts twice
 * as long as the one before, at most `maxMs`. The station itself, reporting from its own address, is not affected.
 * A correct password from the address, or `maxMs` without a failure, starts afresh. Pure state, no clock of its
 * own: every call takes the time.
 */
import type { Lockout } from '../../db/repositories/hj212-lockouts.repository.ts';

export interface LockoutPolicy {
  afterFailures: number;
  initialMs: number;
  maxMs: number;
}

interface Entry {
  failures: number;
  level: number;
  lockedAt: number;
  lockedUntil: number;
  lastFailureAt: number;
}

export class PasswordLockouts {
  private readonly entries = new Map<string, Entry>();

  /**
   * @param initial lockouts remembered from before (their levels keep growing)
   * @param maxEntries addresses × stations remembered at most; the oldest that are not locked out are forgotten first
   */
  constructor(
    private readonly policy: LockoutPolicy,
    initial: readonly Lockout[] = [],
    private readonly maxEntries = 10_000,
  ) {
    for (const l of initial) {
      this.entries.set(key(l.mn, l.address), { failures: 0, level: l.level, lockedAt: l.lockedAt.getTime(), lockedUntil: l.lockedUntil.getTime(), lastFailureAt: l.lockedAt.getTime() });
    }
  }

  /** Until when the address is refused for the MN, or null. */
  lockedUntil(mn: string, address: string, now: Date): Date | null {
    const entry = this.entries.get(key(mn, address));
    return entry && entry.lockedUntil > now.getTime() ? new Date(entry.lockedUntil) : null;
  }

  /** Counts a wrong password; returns the lockout it starts, if it starts one. */
  failure(mn: string, address: string, now: Date): Lockout | null {
    const k = key(mn, address);
    const t = now.getTime();
    let entry = this.entries.get(k);
    if (entry && t - Math.max(entry.lastFailureAt, entry.lockedUntil) > this.policy.maxMs) entry = undefined;
    entry ??= { failures: 0, level: 0, lockedAt: 0, lockedUntil: 0, lastFailureAt: t };
    // Re-inserted so that the map's order is the order of last use.
    this.entries.delete(k);
    this.entries.set(k, entry);
    this.evict(t);
    entry.failures++;
    entry.lastFailureAt = t;
    if (entry.failures < this.policy.afterFailures) return null;
    entry.level++;
    const length = Math.min(this.policy.initialMs * 2 ** Math.min(entry.level - 1, 40), this.policy.maxMs);
    entry.lockedAt = t;
    entry.lockedUntil = t + length;
    const lockout = { mn, address, level: entry.level, failures: entry.failures, lockedAt: new Date(t), lockedUntil: new Date(entry.lockedUntil) };
    entry.failures = 0;
    return lockout;
  }

  /** A correct password from the address: its count starts afresh. */
  success(mn: string, address: string): void {
    this.entries.delete(key(mn, address));
  }

  private evict(now: number): void {
    if (this.entries.size <= this.maxEntries) return;
    for (const [k, entry] of this.entries) {
      if (entry.lockedUntil <= now) {
        this.entries.delete(k);
        return;
      }
    }
    const oldest = this.entries.keys().next().value;
    if (oldest !== undefined) this.entries.delete(oldest);
  }
}

const key = (mn: string, address: string) => `${mn}\u0000${address}`;
