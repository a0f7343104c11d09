"""Rebuilding the console's state from a shift log: folds, checkpoints, and (later) replay."""
