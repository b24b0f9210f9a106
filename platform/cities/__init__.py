"""Cities (tenants): the self-service sign-up and the host city."""
