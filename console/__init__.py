"""Everything of the command console that is not a widget: domain, geo, server, sim, sync, store, replay."""


class CommandError(Exception):
    """A command-line command refuses its input (a missing file, an unreadable time, an
    unknown format): ``main.main`` prints ``main.py <command>: <message>`` on stderr and exits
    with status 2. Raised by the commands, wherever they live (main.py, console, widgets);
    here, at the package's root, so that every layer may raise it."""
