"""The seminar's one error type: a request the seminar cannot carry out, with every reason.

Kept apart from the engine so that the command line can name it without importing the model.
"""

from __future__ import annotations


class SessionError(Exception):
    """A seminar request that cannot be carried out; ``problems`` lists every reason."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__(
            "; ".join(self.problems)
            if len(self.problems) == 1
            else "\n  " + "\n  ".join(self.problems)
        )
