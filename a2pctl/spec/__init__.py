"""The customer file: safe YAML reading with a line for every key, the pydantic
models of each flow, the documented rules and cross-field checks, and Twilio's
content advice (warnings). `customer` is the entry point: check and load a file.
"""
