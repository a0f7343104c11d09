"""Dialogs: logging in to a backend, a new hotline case (12345), and the case actions with
the parameters they need and the 409 conflict they may meet."""
