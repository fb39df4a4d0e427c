"""Exit statuses: the numbers a shell script or CI gate branches on."""

from enum import IntEnum


class ExitStatus(IntEnum):
    SUCCESS = 0
    GATE_FAILED = 1
    BAD_INPUT = 2
    INTERRUPTED = 130
