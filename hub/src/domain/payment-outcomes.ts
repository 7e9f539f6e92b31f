import {
  CLOSED_DISPUTE_STATUSES,
  type DisputeStatus,
  type PaymentStatus,
  type RefundStatus,
} from '../contract/index.js';

/**
 * Stripe sends webhooks at least once and in no particular order, each event carrying the object
 * as it was when the event happened (`created`, to the second). These rules decide whether a
 * report is newer than what is held, so that redelivered and late events change nothing.
 */

/**
 * A refund moves pending -> succeeded | failed | canceled, and a succeeded card refund may still
 * fail later; it never goes back to pending. Within the same second, the later step wins.
 */
const REFUND_STEP: Record<RefundStatus, number> = { pending: 0, succeeded: 1, failed: 2, canceled: 2 };

export function refundReportApplies(
  held: { status: RefundStatus; eventAt: Date | null },
  report: { status: RefundStatus; eventAt: Date },
): boolean {
  if (report.status === held.status) return false;
  if (report.status === 'pending') return false;
  // Held from the API's answer to our own request, not from an event: any settled report is news.
  if (held.eventAt === null) return true;
  const newer = report.eventAt.getTime() - held.eventAt.getTime();
  if (newer !== 0) return newer > 0;
  return REFUND_STEP[report.status] > REFUND_STEP[held.status];
}

/** The order's payment status once its refund is in this state. */
export function paymentStatusAfterRefund(status: RefundStatus): PaymentStatus {
  return status === 'succeeded' ? 'refunded' : 'paid';
}

/**
 * A dispute opens (needs_response), is answered (under_review) and closes (won, lost…), and its
 * amount or deadline may change on the way. A newer report replaces the held one; within the
 * same second, only a later step does.
 */
function disputeStep(status: DisputeStatus): number {
  if (CLOSED_DISPUTE_STATUSES.includes(status)) return 2;
  return status === 'under_review' || status === 'warning_under_review' ? 1 : 0;
}

export function disputeReportApplies(
  held: { status: DisputeStatus; eventAt: Date } | null,
  report: { status: DisputeStatus; eventAt: Date },
): boolean {
  if (!held) return true;
  const newer = report.eventAt.getTime() - held.eventAt.getTime();
  if (newer !== 0) return newer > 0;
  return disputeStep(report.status) > disputeStep(held.status);
}

export function isDisputeOpen(status: DisputeStatus): boolean {
  return !CLOSED_DISPUTE_STATUSES.includes(status);
}
