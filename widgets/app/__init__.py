"""Start-up and windows: the running console (one state, one bridge, one session), the
main window, the replay window, and what the window does with its shift log."""
