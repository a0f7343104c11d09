"""What the other widget packages share: the Qt bridge from the sync thread to the GUI
thread, the worker pool, incremental table rows, item roles, themes and fonts, languages."""
