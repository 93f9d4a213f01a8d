"""What an uploaded document may cost to read, and the refusal when it would cost more."""

from dataclasses import dataclass

MiB = 2**20


@dataclass(frozen=True)
class Limits:
    """Bounds on reading one upload. A plan or ledger of a hundred pages is a few MB of XML; zip bombs and
    XML bombs are hundreds of MB to GB once inflated, at compression ratios of a thousand and more.
    Word's own XML compresses 5–20 times, so a member over `max_ratio` (and over 1 MiB) is not Word's."""

    upload_bytes: int = 20 * MiB  # the file as sent
    inflated_bytes: int = 64 * MiB  # all members of a .docx/.xlsx package, inflated
    max_ratio: int = 200  # inflated / compressed size of one member
    seconds: float = 20.0  # wall time to read and parse, in a worker process
    memory_bytes: int = 1024 * MiB  # the worker's address space


LIMITS = Limits()


class LimitExceeded(Exception):
    """Reading the document would pass one of the limits: `limit` names it (a Limits field), `status` is
    the HTTP answer (413 for sizes, 422 for time) and the message says by how much."""

    def __init__(self, limit: str, message: str, status: int = 413):
        super().__init__(message)
        self.limit, self.status = limit, status
