"""The commands of ``python -m nn``, a module each: its options (``add_parser``) and what it runs."""

PROG = "python -m nn"
