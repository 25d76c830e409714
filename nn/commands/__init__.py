"""The commands of ``python -m nn``, a module each: ``add_parsers`` adds its command and options, ``run`` runs it."""

PROG = "python -m nn"
