"""Where registrations stand: `live` resolves references and fetches what can
change, `items` turns records into typed status items with their remediation,
`otp` re-sends the sole-proprietor OTP, `numbers` explains the Console's
number-registration report.
"""
