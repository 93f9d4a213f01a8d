"""`duban dlq replay`'s choices: which dead letters an address names, and their key in the replay record."""

import pytest

from cli.dead_letter_replay import UnknownDeadLetter, record_key, select
from tests.support.dead_letters import letter


def test_the_record_key_tells_a_recreated_topic_apart():
    assert record_key(letter(partition=1, offset=2)) == "1:2@1000"


def test_addresses_select_dead_letters_and_a_bare_offset_must_be_unambiguous():
    letters = [letter(0, 5), letter(1, 5), letter(1, 6)]
    assert [d.address for d in select(letters, ["1:5", "6"])] == ["1:5", "1:6"]
    with pytest.raises(UnknownDeadLetter, match="several partitions"):
        select(letters, ["5"])
    with pytest.raises(UnknownDeadLetter, match="no dead letter at 2:5"):
        select(letters, ["2:5"])
