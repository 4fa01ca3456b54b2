// Retry timing, after Postfix: the first retry comes after the minimal backoff
// (minutes), each later one waits twice as long up to the maximal backoff
// (hours), and a message is given up once it has been queued for its lifetime.
export interface RetryPolicy {
  retryMinMs: number;
  retryMaxMs: number;
  lifetimeMs: number;
  delayNoticeMs: number;
}

/** Wait before attempt number `failedAttempts + 1` (failedAttempts ≥ 1). */
export function backoff(policy: RetryPolicy, failedAttempts: number): number {
  const exponent = Math.min(Math.max(failedAttempts - 1, 0), 30);
  return Math.min(policy.retryMaxMs, policy.retryMinMs * 2 ** exponent);
}

export interface RetryDecision {
  giveUp: boolean;
  nextRetryAt: number;
}

/**
 * After a temporary failure: when to try again, or whether to give up because the
 * lifetime is over. The last retry is pulled in to the end of the lifetime so a
 * message is tried once more right before it bounces.
 */
export function nextRetry(policy: RetryPolicy, queuedAt: number, failedAttempts: number, at: number): RetryDecision {
  const expiresAt = queuedAt + policy.lifetimeMs;
  if (at >= expiresAt) return { giveUp: true, nextRetryAt: 0 };
  return { giveUp: false, nextRetryAt: Math.min(at + backoff(policy, failedAttempts), expiresAt) };
}

/** Whether the sender should now hear that the message is delayed (once). */
export function delayNoticeDue(policy: RetryPolicy, queuedAt: number, at: number, alreadyNotified: boolean): boolean {
  return !alreadyNotified && at - queuedAt >= policy.delayNoticeMs;
}
