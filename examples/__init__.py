"""The classic programs reproduced with chainrule: ``python -m examples.NAME`` from the checkout."""
import autograd  # noqa: F401 — first: an early Ctrl-C is one line (autograd.conventions.interrupts)
