"""The certificate cycle a renewal assessment works towards (ISO/IEC 17021-1 practice).

A certificate is valid for three years from the certification decision. The first
surveillance audit is due within 12 months of it, the second within 24 months, and the
recertification audit must be completed before the certificate expires. A renewal
assessment's target date is its next audit; which one it is follows from the date.

ISO/IEC 27001:2013 certificates ceased to be valid at the end of the transition period,
2025-10-31: an assessment still on the 2013 edition is told so wherever it is printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .scoring import add_months

VALID_MONTHS = 36
EDITION_2013_EXPIRED = date(2025, 10, 31)
AUDIT_KINDS = ("surveillance_1", "surveillance_2", "recertification")
# An audit a little after its due date is still that audit (certification bodies allow a short window).
_GRACE_MONTHS = 3


@dataclass(frozen=True)
class CertificateCycle:
    issued: date
    surveillance_1: date  # due by
    surveillance_2: date
    expires: date  # the recertification audit is completed before this day

    def next_audit(self, on: date) -> str:
        """Which audit an audit on ``on`` is: the first one whose due date (plus a short
        grace window) it does not pass."""
        for kind, due in (("surveillance_1", self.surveillance_1), ("surveillance_2", self.surveillance_2)):
            if on <= add_months(due, _GRACE_MONTHS):
                return kind
        return "recertification"

    def due(self, kind: str) -> date:
        return {"surveillance_1": self.surveillance_1, "surveillance_2": self.surveillance_2,
                "recertification": self.expires}[kind]


def period_end(start: date, months: int) -> date:
    """The last day of a period of ``months`` months that starts on ``start``: the day before
    the same day ``months`` later (2025-03-10 + 36 months ends 2028-03-09); when that month
    has no such day, the last day of that month (2024-02-29 + 36 months ends 2027-02-28,
    2025-01-31 + 1 month ends 2025-02-28), as the Japanese Civil Code, art. 143, counts a
    period and as certificates are dated."""
    same = add_months(start, months)
    if same.day != start.day:  # no such day in that month: the month's last day ends it
        return same
    return same - timedelta(days=1)


def certificate_cycle(issued: date) -> CertificateCycle:
    return CertificateCycle(
        issued=issued,
        surveillance_1=add_months(issued, 12),
        surveillance_2=add_months(issued, 24),
        expires=period_end(issued, VALID_MONTHS),
    )
