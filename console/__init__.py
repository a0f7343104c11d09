"""Everything of the command console that is not a widget: domain, geo, server, sim, sync, store, replay."""
