"""How sure the parser is of a measure, and why: notes a person checks the doubtful measures by.

Each note has a weight. A measure read as the document shows it ("units ended at label 完成时间"
only says where a list stopped) stays "high"; one whose reading needed a repair ("number found
mid-line: the line break was lost", "page put back in numbering order", "lettered section mark")
is "medium"; one the numbering or the labels do not vouch for ("number 5 does not follow 3 at its
level", "no unit label: taken as a task of a plan without units") is "low". The confidence is the
lowest weight among the notes, "high" without notes.
"""
from dataclasses import dataclass

LEVELS = ("high", "medium", "low")


@dataclass(frozen=True)
class Note:
    text: str
    weight: str  # one of LEVELS: the confidence this note leaves the measure at, at best

    @classmethod
    def info(cls, text: str) -> "Note":
        return cls(text, "high")

    @classmethod
    def repair(cls, text: str) -> "Note":
        return cls(text, "medium")

    @classmethod
    def doubt(cls, text: str) -> "Note":
        return cls(text, "low")


def confidence(notes: list[Note]) -> str:
    return max((note.weight for note in notes), key=LEVELS.index, default="high")
