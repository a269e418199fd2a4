"""The remediation catalogue, as data: what each documented status and error
code means and what to do next (`catalogue`, `codes`), and which field of the
customer file a Twilio field comes from (`fields`).
"""
