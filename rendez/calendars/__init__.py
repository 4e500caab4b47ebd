"""The provider-neutral calendar core: staff's calendar connections, busy times synced from them, and the
appointment events written into them. Providers (`integrations/google/`, later Microsoft) fill these tables;
scheduling reads busy times through `rendez.scheduling.external_busy`, never importing this package."""
