"""How often a link may be emailed on an anonymous request (a customer's sign-in link, a password reset):
per client address and per email, counted in the database (rendez/web/attempts.py) so every web process
agrees. docs/operations.md, "Sign-in limits", gives the numbers and why.

A request over a limit is answered exactly as one that sent its email, and sends nothing: the page must not
tell whether an email is known, nor whether someone else has been asking for it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from rendez.lib.client_ip import address_group
from rendez.web import attempts

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LinkLimit:
    kind: str
    per_email: int
    per_address: int
    window: timedelta

    def allows(self, email: str, ip: str) -> bool:
        """Count one request for `email` from `ip`; whether its email may go out. The address is counted
        first, so a flood from one address stops costing the emails it names anything."""
        address = attempts.key(f"{self.kind}-address", address_group(ip))
        mailbox = attempts.key(f"{self.kind}-email", email.strip().lower())
        allowed = (
            attempts.add(address, self.window, below=self.per_address) is not None
            and attempts.add(mailbox, self.window, below=self.per_email) is not None
        )
        attempts.prune()
        if not allowed:
            logger.info("%s not emailed: over its limit for this address or email", self.kind)
        return allowed


# A customer's link works for 30 minutes, so a second one covers a slow or lost email; a third within the
# window is what a script asking on someone's behalf looks like. Per mailbox, whichever business it is for.
SIGN_IN_LINK = LinkLimit("sign-in-link", per_email=2, per_address=20, window=timedelta(minutes=15))
# A reset is rare (and its link lasts days): two per hour per mailbox, ten per hour from one address.
PASSWORD_RESET = LinkLimit("password-reset", per_email=2, per_address=10, window=timedelta(hours=1))
