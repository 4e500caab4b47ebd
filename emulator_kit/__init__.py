"""What the Zoom, Google and Microsoft emulators share: their clock, request log, fault switches and how tests
serve them on loopback. Each emulator keeps what is its provider's (routes, error bodies, formats)."""
