"""Qt widgets of the command console: the only package that imports PySide6 or pyqtgraph.

They read ``console.state`` and call ``console`` for actions; nothing in ``console`` imports
them back (import-linter says so in CI). One room per role:

- ``app``       start-up, the main window, the replay window, the window's shift-log tools
- ``map``       the map wall and its layers
- ``panels``    docked panels: queues, case detail, alerts (with sound), fleet, status bar
- ``timeline``  the timeline strip and the cursor that drives replay and live rewind
- ``dialogs``   login, new hotline case, case actions with their parameter/conflict dialogs
- ``report``    the handover report as an HTML or PDF document
- ``common``    what the others share: the state bridge, workers, row sync, roles, style, i18n
"""
