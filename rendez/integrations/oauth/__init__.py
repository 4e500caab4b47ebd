"""The connection machinery every OAuth provider shares (Zoom, Google, Microsoft): docs/integrations/oauth.md.

- `provider.py`   `OAuthProvider` (endpoints, client authentication, error reading), `TokenGrant`, errors
- `grants.py`     the authorize URL; code, refresh and any other grant; revoke (over rendez.lib.http)
- `models.py`     abstract fields of a token holder and of a connect in progress, for a provider's models
- `state.py`      `ConnectStates`: signed single-use state with PKCE, bound to tenant, staff and starter
- `tokens.py`     `TokenKeeper`: reuse until shortly before expiry, renew under the holder's row lock
- `reminders.py`  `Reminders`: needs_reconnect, the notice at once and after 1, 3, 7 days
- `revocation.py` revoke in the background, retried while the provider is out

The package has no tables of its own and is not a Django app: a provider's app owns the tables, its models
built on the abstract ones in `models.py`.
"""
