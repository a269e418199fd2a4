"""Renderers only: tables and lines for people, JSON documents for scripts.

One module per output: `registrations` (validate, plan, register), `progress` (the
live view of a register run), `status`
(status, otp resend, numbers report), `status_html` (the HTML page of
`status --format html`, a string: no Rich), `events` (events setup, serve, decode),
`bulk` (init, import, export). They draw typed results and decide nothing.
"""
