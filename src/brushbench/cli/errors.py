"""How the command line reports a user mistake."""

from __future__ import annotations

EXIT_FAILURE = 1  # the command ran and found a problem (a regression, a leak)
EXIT_USAGE = 2    # the input was wrong (bad file, bad option, missing scenario)


class UserError(Exception):
    """A mistake in what the user asked for: printed as one line, no traceback."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE, *, located: bool = False):
        super().__init__(message)
        self.exit_code = exit_code
        # Located messages (``file:line:col: key: ...``, one per line) are printed as they are.
        self.located = located
