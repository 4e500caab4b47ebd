"""Self-service sign-up (`/signup/`): a business and its owner in one step, then the owner's email verified.

The tenant is born only through `rendez.tenants.operations.create_tenant`; the owner becomes its admin
through a `Membership`. docs/operations.md, "Sign-up", says what the operator can turn off and what is
limited.
"""
