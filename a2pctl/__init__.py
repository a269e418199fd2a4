"""a2pctl: register ISV customers for US A2P 10DLC messaging through Twilio."""

__version__ = "0.1.0"
