"""The lowest floor: conventions every package of chainrule follows, importing nothing else of it.

- ``argument_checks``: the checks every public function runs on its arguments, one message style;
- ``files``: atomic writes and bounded reads of regular files;
- ``errors``: the exceptions that mean a user's mistake or a missing tool, and their one-line wording;
- ``terminal``: text made safe for a terminal (``shown``, ``echo``) and the ``prog: message`` line;
- ``command_line``: every command line's convention (``run``, ``Parser``, exit statuses, option types);
- ``interrupts``: an early Ctrl-C of a command line that is still importing is one line too.

Floors, lowest first: ``autograd.conventions`` < ``autograd`` (the engine) < ``nn`` < ``viz``; no module
imports from a floor above its own (``tests/docs/test_floors.py`` checks every import).
"""
