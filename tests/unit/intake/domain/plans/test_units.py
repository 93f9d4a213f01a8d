"""Unit lists: splitting, cleaning, collective units and (lead; responsible) blocks."""
import pytest

from services.intake.domain.plans.units import find_unit_blocks, is_collective, split_units


@pytest.mark.parametrize("text, names", [
    ("市委编办、市政府办公室", ["市委编办", "市政府办公室"]),
    ("市直有关部门,各县(区)政府、抚州高新区管委会", ["市直有关部门", "各县(区)政府", "抚州高新区管委会"]),
    ("市司法局;市法院", ["市司法局", "市法院"]),
    ("县司法局、乡(镇、街道)", ["县司法局", "乡(镇、街道)"]),  # the inner 、 is not a separator
    ("区直有关单位、各镇(街)根据职责落实", ["区直有关单位", "各镇(街)"]),
    ("区委办、区、镇(街)党(工)委政府", ["区委办", "区、镇(街)党(工)委政府"]),
    ("市、县(区)政府", ["市、县(区)政府"]),
    (" 〔市司法局、 东临新区管委会 〕", ["市司法局", "东临新区管委会"]),
    ("市司法局、、", ["市司法局"]),
])
def test_split_units(text, names):
    assert split_units(text) == names


@pytest.mark.parametrize("name", ["各县(区)人民政府", "各县(区)政府", "乡(镇、街道)", "市直有关部门",
                                  "各有关单位", "市政府相关部门", "区直各部门", "市直各单位", "各镇(街)",
                                  "市、县(区)政府", "各执法单位", "市政府各部门"])
def test_collective_units(name):
    assert is_collective(name)


@pytest.mark.parametrize("name", ["市司法局", "县政府办", "抚州高新区管委会", "市纪委市监委", "区委依法治区办",
                                  "市政务服务和资源交易服务中心"])
def test_single_units(name):
    assert not is_collective(name)


def pairs(text):
    return [(b.pair.lead, b.pair.responsible) for b in find_unit_blocks(text)]


def test_bracketed_pairs():
    text = "完善制度。〔牵头单位:市司法局;责任单位:各县(区)政府〕推进试点。(牵头单位:市法院;参加单位:市检察院)"
    assert pairs(text) == [(["市司法局"], ["各县(区)政府"]), (["市法院"], ["市检察院"])]


def test_block_span_covers_its_brackets():
    text = "甲。(牵头单位:市司法局)乙。"
    block, = find_unit_blocks(text)
    assert text[:block.start] + text[block.end:] == "甲。乙。"


def test_missing_opening_bracket():
    assert pairs("改善投资环境。牵头单位:市住建局;责任单位:市直有关部门)加强监管。") == [
        (["市住建局"], ["市直有关部门"])]


def test_missing_closing_bracket_keeps_the_next_sentence_out():
    text = "听取意见。(牵头单位:市司法局;责任单位:各县(区)政府、东临新区管委会加强执法。"
    block, = find_unit_blocks(text)
    assert (block.pair.lead, block.pair.responsible) == (["市司法局"], ["各县(区)政府", "东临新区管委会"])
    assert text[block.end:] == "加强执法。"


def test_bare_line_ends_at_line_end():
    text = "正文。\n责任单位:区委编办,区发改局、工信局,区直有关单位根据职责落实\n结束语。"
    assert pairs(text) == [([], ["区委编办", "区发改局", "工信局", "区直有关单位"])]


def test_labels_are_taken_literally():
    # fuzhou measure 13 says 责任单位 twice; the parser does not guess that the first meant 牵头单位
    assert pairs("(责任单位:市应急管理局、市司法局;责任单位:各县(区)政府)") == [
        ([], ["市应急管理局", "市司法局", "各县(区)政府"])]


def test_label_without_colon_is_prose():
    assert pairs("明确责任单位和时间进度。") == []
