"""The state store: every SID, intent, pause and event recorded the moment it is
known, so that a re-run continues where the last one stopped (`store`).
"""
