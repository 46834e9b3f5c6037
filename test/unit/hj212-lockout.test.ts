import { describe, expect, it } from 'vitest';
import { PasswordLockouts } from '../../sources/hj212/password-lockout.ts';

const MN = 'WL0000000000000000000001';
const policy = { afterFailures: 3, initialMs: 60_000, maxMs: 300_000 };
const at = (seconds: number) => new Date(Date.UTC(2026, 10, 22, 0, 0, seconds));

/** Three wrong passwords at `seconds`; returns the length of the lockout they start, in seconds. */
function guessThrice(lockouts: PasswordLockouts, seconds: number, address = '10.0.0.9'): number | null {
  lockouts.failure(MN, address, at(seconds));
  lockouts.failure(MN, address, at(seconds));
  const lockout = lockouts.failure(MN, address, at(seconds));
  return lockout ? (lockout.lockedUntil.getTime() - lockout.lockedAt.getTime()) / 1000 : null;
}

describe('HJ 212 password lockouts', () => {
  it('locks one address out of one station after the allowed wrong passwords, for a growing time', () => {
    const lockouts = new PasswordLockouts(policy);
    expect(lockouts.failure(MN, '10.0.0.9', at(0))).toBeNull();
    expect(lockouts.failure(MN, '10.0.0.9', at(5))).toBeNull();
    expect(lockouts.failure(MN, '10.0.0.9', at(10))).toEqual({ mn: MN, address: '10.0.0.9', level: 1, failures: 3, lockedAt: at(10), lockedUntil: at(70) });
    expect(lockouts.lockedUntil(MN, '10.0.0.9', at(69))).toEqual(at(70));
    // The station on its own address, and other stations from this address, are not affected.
    expect(lockouts.lockedUntil(MN, '10.0.0.1', at(20))).toBeNull();
    expect(lockouts.lockedUntil('OTHER', '10.0.0.9', at(20))).toBeNull();
    expect(lockouts.lockedUntil(MN, '10.0.0.9', at(70))).toBeNull();
    // 60 s, then 120, 240, and 300 (the most) for each further lockout.
    expect([guessThrice(lockouts, 100), guessThrice(lockouts, 300), guessThrice(lockouts, 600), guessThrice(lockouts, 900)]).toEqual([120, 240, 300, 300]);
  });

  it('starts afresh after a correct password, or after the longest lockout passed without a failure', () => {
    const lockouts = new PasswordLockouts(policy);
    expect([guessThrice(lockouts, 0), guessThrice(lockouts, 100)]).toEqual([60, 120]);
    lockouts.success(MN, '10.0.0.9');
    expect(guessThrice(lockouts, 300)).toBe(60);
    expect(guessThrice(lockouts, 400)).toBe(120);
    // Locked until 520; more than 300 s later the count starts again.
    expect(guessThrice(lockouts, 821)).toBe(60);
    // Two failures, then one more after a long pause: the first two are forgotten.
    lockouts.failure(MN, '10.0.0.7', at(0));
    lockouts.failure(MN, '10.0.0.7', at(1));
    expect(lockouts.failure(MN, '10.0.0.7', at(302))).toBeNull();
  });

  it('continues from the lockouts remembered from before a restart', () => {
    const lockouts = new PasswordLockouts(policy, [{ mn: MN, address: '10.0.0.9', level: 2, failures: 3, lockedAt: at(0), lockedUntil: at(120) }]);
    expect(lockouts.lockedUntil(MN, '10.0.0.9', at(60))).toEqual(at(120));
    expect(guessThrice(lockouts, 130)).toBe(240);
  });

  it('remembers a bounded number of addresses, forgetting those not locked out first', () => {
    const lockouts = new PasswordLockouts(policy, [], 2);
    guessThrice(lockouts, 0, '10.0.0.1');
    lockouts.failure(MN, '10.0.0.2', at(1));
    lockouts.failure(MN, '10.0.0.3', at(2));
    lockouts.failure(MN, '10.0.0.3', at(3));
    expect(lockouts.lockedUntil(MN, '10.0.0.1', at(4))).toEqual(at(60));
    // 10.0.0.2 was forgotten: two more failures do not lock it out.
    lockouts.failure(MN, '10.0.0.2', at(5));
    expect(lockouts.failure(MN, '10.0.0.2', at(6))).toBeNull();
  });
});
