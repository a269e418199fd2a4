"""The command line: Typer wiring only.

`app` declares the commands and options and reads the environment; `options`
holds the shared options and the context object; `files` the FILE... argument
(directories and globs) and the checks across files; `events`, `sandbox`,
`bulk` (init, import, export), `offboard` (deregister) and `brand` (2fa resend)
are command groups; `entry` turns every way a command can end into one message and
an exit code; `runtime` is the composition root that builds the clock, store,
limiter and gateway (real Twilio or the simulator) a command runs with.
"""
