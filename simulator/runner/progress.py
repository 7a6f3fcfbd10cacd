"""Progress of a long run on stderr: scenario k of n, simulated time, messages final out of
sent. On a terminal one line, rewritten in place twice a second; otherwise (CI logs, a pipe)
plain lines every few seconds."""

from __future__ import annotations

from typing import TextIO

__all__ = ["Progress"]

_TTY_EVERY = 0.5  # real seconds between updates of the line on a terminal
_LOG_EVERY = 5.0  # real seconds between plain lines


class Progress:
    def __init__(self, stream: TextIO, total: int, tty: bool | None = None) -> None:
        self.stream = stream
        self.total = total
        self.tty = stream.isatty() if tty is None else tty
        self.every = _TTY_EVERY if self.tty else _LOG_EVERY
        self._k = 0
        self._open = False  # a line is shown on the terminal without its newline yet

    def scenario(self, k: int, name: str, file: str) -> None:
        """Scenario k (from 1) of the run starts."""
        self._k = k
        self._line(f"running {name} ({file})", keep=True)

    def __call__(self, line: str) -> None:
        self._line(line, keep=False)

    def done(self) -> None:
        if self._open:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._open = False

    def _line(self, text: str, keep: bool) -> None:
        text = f"[{self._k}/{self.total}] {text}"
        if self.tty:
            # a scenario's start stays on screen; its updates overwrite each other
            self.stream.write(f"\r\033[K{text}" + ("\n" if keep else ""))
            self._open = not keep
        else:
            self.stream.write(text + "\n")
        self.stream.flush()
