import { describe, expect, it } from 'vitest';
import {
  disputeReportApplies,
  isDisputeOpen,
  paymentStatusAfterRefund,
  refundReportApplies,
} from './payment-outcomes.js';

const at = (s: number) => new Date(Date.UTC(2026, 11, 4, 20, 0, s));

describe('refund reports', () => {
  it('settle a pending refund, whether or not an event set the pending state', () => {
    expect(
      refundReportApplies({ status: 'pending', eventAt: null }, { status: 'succeeded', eventAt: at(0) }),
    ).toBe(true);
    expect(
      refundReportApplies({ status: 'pending', eventAt: at(5) }, { status: 'failed', eventAt: at(6) }),
    ).toBe(true);
  });

  it('never go back to pending, and a redelivery changes nothing', () => {
    expect(
      refundReportApplies({ status: 'succeeded', eventAt: at(5) }, { status: 'pending', eventAt: at(9) }),
    ).toBe(false);
    expect(
      refundReportApplies({ status: 'succeeded', eventAt: null }, { status: 'pending', eventAt: at(0) }),
    ).toBe(false);
    expect(
      refundReportApplies({ status: 'succeeded', eventAt: at(5) }, { status: 'succeeded', eventAt: at(5) }),
    ).toBe(false);
  });

  it('an older report loses to a newer one; in the same second the later step wins', () => {
    expect(
      refundReportApplies({ status: 'failed', eventAt: at(9) }, { status: 'succeeded', eventAt: at(5) }),
    ).toBe(false);
    expect(
      refundReportApplies({ status: 'succeeded', eventAt: at(5) }, { status: 'failed', eventAt: at(9) }),
    ).toBe(true);
    expect(
      refundReportApplies({ status: 'succeeded', eventAt: at(5) }, { status: 'failed', eventAt: at(5) }),
    ).toBe(true);
    expect(
      refundReportApplies({ status: 'failed', eventAt: at(5) }, { status: 'succeeded', eventAt: at(5) }),
    ).toBe(false);
  });

  it('the order is refunded only while its refund stands succeeded', () => {
    expect(paymentStatusAfterRefund('succeeded')).toBe('refunded');
    expect(paymentStatusAfterRefund('failed')).toBe('paid');
    expect(paymentStatusAfterRefund('canceled')).toBe('paid');
  });
});

describe('dispute reports', () => {
  it('the first one is recorded, then only newer ones', () => {
    expect(disputeReportApplies(null, { status: 'needs_response', eventAt: at(0) })).toBe(true);
    expect(
      disputeReportApplies(
        { status: 'under_review', eventAt: at(9) },
        { status: 'needs_response', eventAt: at(1) },
      ),
    ).toBe(false);
    expect(
      disputeReportApplies(
        { status: 'needs_response', eventAt: at(1) },
        { status: 'needs_response', eventAt: at(9) },
      ),
    ).toBe(true);
  });

  it('a closing report and an opening one of the same second: closed stays', () => {
    expect(
      disputeReportApplies({ status: 'won', eventAt: at(3) }, { status: 'needs_response', eventAt: at(3) }),
    ).toBe(false);
    expect(
      disputeReportApplies({ status: 'needs_response', eventAt: at(3) }, { status: 'lost', eventAt: at(3) }),
    ).toBe(true);
    expect(
      disputeReportApplies(
        { status: 'needs_response', eventAt: at(3) },
        { status: 'needs_response', eventAt: at(3) },
      ),
    ).toBe(false);
  });

  it('tells open from closed', () => {
    expect(isDisputeOpen('needs_response')).toBe(true);
    expect(isDisputeOpen('warning_under_review')).toBe(true);
    expect(isDisputeOpen('won')).toBe(false);
    expect(isDisputeOpen('warning_closed')).toBe(false);
  });
});
