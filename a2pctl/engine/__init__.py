"""Registering a customer: plan, execute, report.

`plan` is pure (the flow's steps × what the store recorded → what is done, next
or waiting); `executor` runs the steps of many registrations interleaved under
the pauses, gates and rate limit; `actions` does each step against the gateway
and finds it again after a crash; `changes` applies a customer file edited
after a rejection; `outcomes` says what each registration came to.
"""
