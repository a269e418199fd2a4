"""Renderers only: tables and lines for people, JSON documents for scripts.

One module per output: `registrations` (validate, plan, register), `status`
(status, otp resend, numbers report), `events` (events setup, serve, decode).
They draw typed results and decide nothing.
"""
