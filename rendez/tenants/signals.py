"""What the tenants app announces to the apps above it, which it may not import (DESIGN.md section 3).

`tenant_created` is sent by `operations.create_tenant`, the one way a tenant is born, inside its transaction:
a receiver that fails rolls the tenant back, so no business exists without what its receivers set up (the
starter messages of `rendez.notifications`). Receivers take `tenant` and must be idempotent.
"""

from __future__ import annotations

from django.dispatch import Signal

tenant_created = Signal()
