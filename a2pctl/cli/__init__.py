"""The command line: Typer wiring only.

`app` declares the commands and options and reads the environment; `options`
holds the shared options and the context object; `events` and `sandbox` are
command groups; `entry` turns every way a command can end into one message and
an exit code; `runtime` is the composition root that builds the clock, store,
limiter and gateway (real Twilio or the simulator) a command runs with.
"""
