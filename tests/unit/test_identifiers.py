"""UPNs with their check letter, URNs, LA codes and LAESTABs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.errors import InvalidLAESTAB, InvalidUPN, InvalidURN, InvalidValue
from tracker.identifiers import (
    CHECK_LETTERS,
    is_digits,
    make_upn,
    upn_check_letter,
    validate_la_code,
    validate_laestab,
    validate_upn,
    validate_urn,
)

KNOWN_VALID = [
    "B801200005001",
    "R885400112001",
    "F885400112002",
    "V885400112003",
    "J885400112004",
    "Y885400112005",
    "A885400212001",
    "P885400212002",
]


def _why(error: pytest.ExceptionInfo) -> str:
    return error.value.message


def _temporary_upn(body_without_letter: str, letter: str) -> str:
    """Worked by hand from the rule, independently of `upn_check_letter`."""
    values = [int(ch) for ch in body_without_letter] + [CHECK_LETTERS.index(letter)]
    total = sum(weight * value for weight, value in zip(range(2, 14), values, strict=True))
    return CHECK_LETTERS[total % 23] + body_without_letter + letter


def test_check_letters_leave_out_the_letters_that_look_like_digits():
    assert len(CHECK_LETTERS) == 23
    assert not set("IOS") & set(CHECK_LETTERS)


@pytest.mark.parametrize("upn", KNOWN_VALID)
def test_known_upns_are_valid(upn):
    assert validate_upn(upn) == upn
    assert upn_check_letter(upn[1:]) == upn[0]


def test_check_letter_of_the_design_example_is_worked_by_hand():
    # 8*2 + 0*3 + 1*4 + 2*5 + 0*6 + 0*7 + 0*8 + 0*9 + 5*10 + 0*11 + 0*12 + 1*13 = 93; 93 % 23 = 1
    assert upn_check_letter("801200005001") == "B"


def test_upn_is_trimmed_and_upper_cased():
    assert validate_upn("  b801200005001\n") == "B801200005001"


@pytest.mark.parametrize("upn", KNOWN_VALID)
def test_every_other_check_letter_is_refused_naming_the_right_one(upn):
    for letter in CHECK_LETTERS.replace(upn[0], ""):
        with pytest.raises(InvalidUPN) as error:
            validate_upn(letter + upn[1:])
        assert f"check letter should be {upn[0]}" in _why(error)


def test_swapping_two_digits_changes_the_check_letter():
    assert upn_check_letter("885400112010") != upn_check_letter("885400112001")


@pytest.mark.parametrize("text, length", [("B80120000500", 12), ("B8012000050011", 14), ("", 0)])
def test_upn_of_the_wrong_length_is_refused_saying_how_long_it_was(text, length):
    with pytest.raises(InvalidUPN) as error:
        validate_upn(text)
    assert f"must be 13 characters, got {length}" in _why(error)


@pytest.mark.parametrize("text", ["B8012000X5001", "B8012000050A1", "B8O1200005001"])
def test_upn_with_a_letter_among_characters_2_to_12_is_refused(text):
    with pytest.raises(InvalidUPN) as error:
        validate_upn(text)
    assert "characters 2–12 must be digits" in _why(error)


@pytest.mark.parametrize("text", ["B80120000500²", "B８01200005001", "١٢٣٤٥٦٧٨٩٠١٢٣"])
def test_upn_with_digits_from_outside_ascii_is_refused_not_crashed(text):
    with pytest.raises(InvalidUPN):
        validate_upn(text)


@pytest.mark.parametrize("text", [None, 801200005001, b"B801200005001", ["B801200005001"]])
def test_upn_that_is_not_text_is_refused_as_an_invalid_upn(text):
    with pytest.raises(InvalidUPN) as error:
        validate_upn(text)
    assert error.value.field == "upn"


def test_upn_error_names_the_field_it_came_from():
    with pytest.raises(InvalidUPN) as error:
        validate_upn("B801200005002", field="attendees")
    assert error.value.errors == {"attendees": [error.value.message]}
    assert "'B801200005002'" in error.value.message


def test_temporary_upn_ending_in_a_letter_is_valid():
    upn = _temporary_upn("88540011201", "K")
    assert upn == "T88540011201K"
    assert validate_upn(upn) == upn


@pytest.mark.parametrize("letter", list(CHECK_LETTERS))
def test_temporary_upn_may_end_in_any_check_letter(letter):
    upn = _temporary_upn("80120000500", letter)
    assert validate_upn(upn.lower()) == upn


@pytest.mark.parametrize("letter", ["I", "O", "S"])
def test_temporary_upn_ending_in_a_letter_outside_the_table_is_refused(letter):
    with pytest.raises(InvalidUPN) as error:
        validate_upn("A80120000500" + letter)
    assert "last character" in _why(error)


def test_temporary_upn_with_a_wrong_check_letter_is_refused():
    upn = _temporary_upn("88540011201", "K")
    wrong = "A" if upn[0] != "A" else "B"
    with pytest.raises(InvalidUPN, match=f"check letter should be {upn[0]}"):
        validate_upn(wrong + upn[1:])


def test_check_letter_refuses_a_body_of_the_wrong_length():
    with pytest.raises(ValueError):
        upn_check_letter("80120000500")


def test_make_upn_builds_the_worked_example_pupils():
    assert make_upn("885", "4001", 12, 1) == "R885400112001"
    assert make_upn("885", "4002", 12, 2) == "P885400212002"
    assert make_upn("801", "2000", 5, 1) == "B801200005001"


@given(
    la_code=st.from_regex(r"\A[0-9]{3}\Z"),
    establishment=st.from_regex(r"\A[0-9]{4}\Z"),
    year=st.integers(0, 99),
    serial=st.integers(0, 999),
)
def test_every_made_upn_validates_and_keeps_its_parts(la_code, establishment, year, serial):
    upn = make_upn(la_code, establishment, year, serial)
    assert validate_upn(upn) == upn
    assert (upn[1:4], upn[4:8], int(upn[8:10]), int(upn[10:13])) == (
        la_code,
        establishment,
        year,
        serial,
    )


@given(upn=st.sampled_from(KNOWN_VALID), position=st.integers(1, 12), digit=st.integers(0, 9))
def test_changing_any_one_digit_of_a_valid_upn_invalidates_it(upn, position, digit):
    changed = upn[:position] + str(digit) + upn[position + 1 :]
    if changed != upn:  # weights 2–13 are all below and coprime to 23, so one digit always shows
        with pytest.raises(InvalidUPN):
            validate_upn(changed)


@pytest.mark.parametrize(
    "parts, field",
    [
        (("88", "4001", 12, 1), "la_code"),
        (("885", "401", 12, 1), "establishment"),
        (("885", "4001", 2012, 1), "year"),
        (("885", "4001", -1, 1), "year"),
        (("885", "4001", 12, 1000), "serial"),
        (("885", "4001", 12, True), "serial"),
    ],
)
def test_make_upn_refuses_parts_that_would_not_make_a_upn(parts, field):
    with pytest.raises(InvalidValue) as error:
        make_upn(*parts)
    assert error.value.field == field


@pytest.mark.parametrize(
    "text, expected",
    [
        ("100000", "100000"),
        ("999999", "999999"),
        (" 137000 ", "137000"),
        (137000, "137000"),
    ],
)
def test_urn_of_six_digits_is_accepted_as_text(text, expected):
    assert validate_urn(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "099999",
        "1000000",
        "99999",
        99999,
        1_000_000,
        "",
        "12a456",
        "12 456",
        None,
        True,
        123456.0,
        "１２３４５６",
        -12345,
    ],
)
def test_urn_outside_six_digits_from_100000_is_refused(text):
    with pytest.raises(InvalidURN) as error:
        validate_urn(text, field="school")
    assert error.value.field == "school"


def test_la_code_is_three_digits():
    assert validate_la_code("885") == "885"
    assert validate_la_code(" 201") == "201"
    for text in ("88", "8850", "8a5", None, "８８５"):
        with pytest.raises(InvalidValue) as error:
            validate_la_code(text)
        assert error.value.field == "la_code"


def test_laestab_is_seven_digits():
    assert validate_laestab("8854001") == "8854001"
    assert validate_laestab(8854001) == "8854001"
    for text in ("885400", "88540011", "885-4001", None):
        with pytest.raises(InvalidLAESTAB, match="expected 7 digits"):
            validate_laestab(text)


def test_laestab_must_start_with_its_la_code_when_one_is_given():
    assert validate_laestab("8854001", la_code="885") == "8854001"
    with pytest.raises(InvalidLAESTAB) as error:
        validate_laestab("8864001", la_code="885")
    assert "first 3 digits should be the LA code 885" in error.value.message
    assert error.value.field == "laestab"


@pytest.mark.parametrize(
    "text, count, expected",
    [
        ("0123", None, True),
        ("0123", 4, True),
        ("0123", 3, False),
        ("", None, False),
        ("12a", None, False),
        ("-1", None, False),
        (" 1", None, False),
        ("\u00b2", None, False),
        ("\u0661\u0662", None, False),
        ("\uff11", None, False),
    ],
)
def test_digits_are_0_to_9_only_and_as_many_as_asked(text, count, expected):
    assert is_digits(text, count) is expected
