import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hacalc.core.batch import (
    MAX_JSON_DEPTH,
    Ragged,
    availability_columns,
    csv_header,
    join_rows,
    json_row,
    number_text,
    read_csv_block,
    read_ndjson_lines,
    seconds_columns,
    value_seconds,
)
from hacalc.core.errors import InputError
from hacalc.core.periods import Conventions

YEAR = float(Conventions().year_seconds)
OPTIONS = {"default_unit": "h", "conventions": Conventions()}


def texts(values, missing=b""):
    """Each value as join_rows writes it, one per line."""
    array = np.asarray(values, dtype=np.float64)
    rows = join_rows(Ragged.from_list([b""] * len(array)), [array, b"\n"], missing=missing)
    return bytes(rows).decode().split("\n")[:-1]


def columns(mttf_hours, mttr_hours):
    mttf = np.asarray(mttf_hours, dtype=np.float64) * 3600
    mttr = np.asarray(mttr_hours, dtype=np.float64) * 3600
    return availability_columns(mttf, mttr, YEAR)


# The math, against the reference's test vectors


def test_single_unit_vector():
    availability, unavailability, nines, downtime = columns([50000], [0.25])
    assert availability[0] == pytest.approx(0.999995000025, rel=1e-12)  # reliability-math.md T1
    assert nines[0] == pytest.approx(5.30103, abs=1e-5)  # T1
    assert downtime[0] == pytest.approx(157.679, abs=0.01)  # T1, 365-day year
    assert unavailability[0] == pytest.approx(0.25 / 50000.25, rel=1e-15)


def test_cycle_mtbf_and_observed_downtime_vectors():
    availability, *_ = columns([990, 364 * 24], [10, 24])
    assert availability[0] == pytest.approx(0.99, rel=1e-12)  # T2: MTBF 1000 as the whole cycle, MTTR 10
    assert availability[1] == pytest.approx(0.99726027, abs=1e-8)  # T15: 1 day down in 365 d


def test_unavailability_keeps_its_digits_where_one_minus_a_would_not():
    _, unavailability, nines, _ = columns([1e9], [1e-5])
    exact = Fraction(1, 10**5) / (Fraction(10**9) + Fraction(1, 10**5))
    assert unavailability[0] == pytest.approx(float(exact), rel=1e-15)
    assert nines[0] == pytest.approx(14.0, abs=1e-9)


def test_zero_mttr_is_perfect_availability_with_infinite_nines():
    availability, unavailability, nines, downtime = columns([100], [0])
    assert (availability[0], unavailability[0], downtime[0]) == (1.0, 0.0, 0.0)
    assert math.isinf(nines[0])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(min_value=1e-3, max_value=1e9), min_size=1, max_size=20),
    st.lists(st.floats(min_value=0, max_value=1e6), min_size=1, max_size=20),
)
def test_availability_is_a_fraction_and_a_plus_u_is_one(mttf, mttr):
    size = min(len(mttf), len(mttr))
    availability, unavailability, *_ = columns(mttf[:size], mttr[:size])
    assert ((availability >= 0) & (availability <= 1)).all()
    assert np.allclose(availability + unavailability, 1, rtol=0, atol=1e-15)


# Numbers as text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0, "0"),
        (1.0, "1"),
        (0.25, "0.25"),
        (0.1, "0.1"),
        (99.95, "99.95"),
        (31536.0, "31536"),
        (1e-05, "1e-05"),
        (0.0001, "0.0001"),
        (0.99999500002499986, "0.99999500002499986"),  # T1's availability needs 17 digits
        (1 / 3, "0.33333333333333331"),
        (2.5e-7, "2.5e-07"),
        (1e20, "1e+20"),
    ],
)
def test_number_text_is_percent_15g_else_17g(value, text):
    assert number_text(value) == text
    assert texts([value]) == [text]


def test_infinite_and_nan_results_are_written_as_missing():
    assert texts([math.inf, math.nan, 1.5], missing=b"null") == ["null", "null", "1.5"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=1e300), min_size=1, max_size=50))
def test_vectorised_text_equals_number_text_and_reads_back(values):
    written = texts(values)
    assert written == [number_text(value) for value in values]
    assert [float(text) for text in written] == values


def test_vectorised_text_on_many_random_doubles():
    rng = np.random.default_rng(7)
    values = np.concatenate([10 ** rng.uniform(-8, 16, 20000), rng.integers(1, 10**6, 2000) / 1024])
    assert texts(values) == [number_text(value) for value in values.tolist()]


def test_prefix_is_kept_verbatim():
    prefix = Ragged.from_list([b"esx1,50000h", b"", b"x" * 600])  # the last is joined the slow way
    out = join_rows(prefix, [b",", np.array([0.5, 2.0, 3.0]), b"\n"], missing=b"")
    assert out == b"esx1,50000h,0.5\n,2\n" + b"x" * 600 + b",3\n"


# Reading durations


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("50000h", 50000 * 3600.0),
        ("15m", 900.0),
        ("PT15M", 900.0),
        ("2h30m", 9000.0),
        ("0.25", 900.0),  # bare number: hours
        (0.25, 900.0),  # JSON number: hours
        (" 1.5 h ", 5400.0),
        ("1w", 604800.0),
    ],
)
def test_value_seconds(value, seconds):
    assert value_seconds(value, **OPTIONS) == seconds


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "cannot read duration 'abc'"),
        ("-5", "negative duration '-5'"),
        (-5, "negative duration -5"),
        ("5M", "ambiguous unit 'M'"),
        ("5 parsecs", "unknown unit 'parsecs'"),
        ("nan", "cannot read duration 'nan'"),
        (math.nan, "not a finite number: nan"),
        (math.inf, "not a finite number: inf"),
        (True, "not a duration: true"),
        ("1e400", "duration '1e400' is too large"),
        ("1_000", "cannot read duration '1_000'"),
    ],
)
def test_value_seconds_refuses(value, message):
    with pytest.raises(InputError, match="^" + message.replace("(", r"\(")):
        value_seconds(value, **OPTIONS)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False), min_size=1, max_size=30),
    st.sampled_from(["", "h", "m", "s", "d", "min", "w", "y", "mo"]),
)
def test_vectorised_columns_equal_value_by_value(numbers, unit):
    values = [f"{number}{unit}" for number in numbers]
    mttf = ["1000h"] * len(values)
    lines = range(2, 2 + len(values))
    _, vectorised = seconds_columns(mttf, values, lines, **OPTIONS)
    assert vectorised.tolist() == [value_seconds(value, **OPTIONS) for value in values]


def test_first_bad_row_is_named_whichever_column_it_is_in():
    mttf = ["1000", "1000", "0", "1000"]
    mttr = ["1", "1", "1", "abc"]
    with pytest.raises(InputError, match="^MTTF '0' is zero, line 4, column mttf"):
        seconds_columns(mttf, mttr, range(2, 6), **OPTIONS)
    with pytest.raises(InputError, match="^cannot read duration 'x', line 3, column mttr"):
        seconds_columns(["1", "1", "-1"], ["1", "x", "1"], range(2, 5), **OPTIONS)


def test_mixed_units_in_one_column_are_read_value_by_value():
    mttf, mttr = seconds_columns(["50000h", "P30D", "1y"], ["15m", "PT1H", "2h30m"], range(2, 5), **OPTIONS)
    assert mttf.tolist() == [180_000_000.0, 2_592_000.0, 31_536_000.0]
    assert mttr.tolist() == [900.0, 3600.0, 9000.0]


# Reading CSV


def test_header_must_name_mttf_and_mttr_once():
    assert csv_header("\ufeffHost, MTTF ,mttr\r\n").names == ("Host", " MTTF ", "mttr")
    with pytest.raises(InputError, match="^no column 'mttr' in the header, line 1"):
        csv_header("mttf,repair")
    with pytest.raises(InputError, match="^more than one column 'mttf'"):
        csv_header("mttf,mttr,mttf")
    with pytest.raises(InputError, match="^input column 'nines' would clash"):
        csv_header("mttf,mttr,nines")


def test_plain_and_quoted_blocks_give_the_same_numbers():
    header = csv_header("host,mttf,mttr")
    plain = read_csv_block(b"a,1000,1\nb,2000h,30m\n", header, 2, **OPTIONS)
    quoted = read_csv_block(b'"a",1000,1\r\nb,"2000h",30m\r\n', header, 2, **OPTIONS)
    assert plain.mttf.tolist() == quoted.mttf.tolist() == [3_600_000.0, 7_200_000.0]
    assert plain.raw.items() == [b"a,1000,1", b"b,2000h,30m"]
    assert quoted.raw.items() == [b'"a",1000,1', b'b,"2000h",30m']


def test_quoted_field_with_newline_counts_lines():
    header = csv_header("mttf,mttr,note")
    chunk = read_csv_block(b'1000,1,"two\nlines"\n1000,1,x\n', header, 2, **OPTIONS)
    assert chunk.raw.items() == [b'1000,1,"two\nlines"', b"1000,1,x"]
    with pytest.raises(InputError, match="line 4, column mttr"):
        read_csv_block(b'1000,1,"two\nlines"\n1000,bad,x\n', header, 2, **OPTIONS)


def test_wrong_field_count_and_empty_rows_are_errors_not_skips():
    header = csv_header("mttf,mttr")
    with pytest.raises(InputError, match="^3 fields where the header has 2, line 3"):
        read_csv_block(b"1,1\n1,1,1\n", header, 2, **OPTIONS)
    with pytest.raises(InputError, match="^an empty row where the header has 2, line 3"):
        read_csv_block(b"1,1\n\n1,1\n", header, 2, **OPTIONS)
    with pytest.raises(InputError, match="^cannot read duration 'x', line 2"):  # the earlier row wins
        read_csv_block(b"1,x\n1,1,1\n", header, 2, **OPTIONS)


# Hostile input (issue 8): each test is the regression test of one root cause


def exact_or_none(value):
    try:
        return value_seconds(value, **OPTIONS)
    except InputError:
        return None


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["1", "0", "2.5", "0.001", "9.99", "100"]), st.integers(min_value=-340, max_value=340)),
        min_size=1,
        max_size=8,
    ),
    st.sampled_from(["", "h", "ms"]),
)
def test_fast_and_exact_readers_agree_on_exponents_at_a_floats_edges(numbers, unit):
    """numpy reads 1e-320 as a subnormal and 1e-400 as 0, where parse_duration refuses beyond 1e-308 (units.py)."""
    values = [f"{mantissa}e{exponent}{unit}" for mantissa, exponent in numbers]
    exact = [exact_or_none(value) for value in values]
    readers = [lambda: seconds_columns(["1000h"] * len(values), values, range(2, 2 + len(values)), **OPTIONS)[1]]
    if not unit:  # bare numbers in two columns: numpy's loadtxt reads the block
        block = "".join(f"1000,{value}\n" for value in values).encode()
        readers.append(lambda: read_csv_block(block, csv_header("mttf,mttr"), 2, **OPTIONS).mttr)
    for read in readers:
        try:
            fast = read().tolist()
        except InputError as error:
            assert None in exact and f"line {2 + exact.index(None)}, column mttr" in str(error)
        else:
            assert fast == exact


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("1e-9999999", "duration '1e-9999999' is too small, line 3, column mttr"),  # numpy alone reads 0: MTTR 0 was accepted
        ("1e-320", "duration '1e-320' is too small, line 3, column mttr"),  # numpy alone reads a subnormal
        ("1e999999999", "duration '1e999999999' is too large, line 3, column mttr"),
        ("1e-9999999h", "duration '1e-9999999h' is too small, line 3, column mttr"),
    ],
)
def test_out_of_range_exponents_are_refused_on_every_csv_path(cell, message):
    header = csv_header("mttf,mttr")
    with pytest.raises(InputError, match="^" + message):  # the two-column loadtxt path
        read_csv_block(f"1000,1\n1000,{cell}\n".encode(), header, 2, **OPTIONS)
    with pytest.raises(InputError, match="^" + message):  # the csv module's path
        read_csv_block(f'1000,"1"\n1000,{cell}\n'.encode(), header, 2, **OPTIONS)
    with pytest.raises(InputError, match="^" + message):  # wider rows: the split-fields path
        read_csv_block(f"a,1000,1\nb,1000,{cell}\n".encode(), csv_header("host,mttf,mttr"), 2, **OPTIONS)


def test_values_at_the_edge_of_the_range_are_read_alike_on_every_path():
    header = csv_header("mttf,mttr")
    # 1e-308 is a subnormal double and within units.py's range (magnitude -308): accepted as its double
    for block in (b"1000,1e-308\n1000,0\n", b'1000,"1e-308"\n1000,0\n'):
        assert read_csv_block(block, header, 2, **OPTIONS).mttr.tolist() == [1e-308 * 3600, 0.0]


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("1e-999999999", "duration '1e-999999999' is too small, line 1, column mttr"),  # json alone reads 0.0
        ("1e-310", "duration '1e-310' is too small, line 1, column mttr"),
        ("1e999999999", "duration '1e999999999' is too large, line 1, column mttr"),  # json alone reads inf
    ],
)
def test_json_numbers_beyond_a_floats_range_are_refused_as_their_text(number, message):
    with pytest.raises(InputError, match="^" + message):
        read_ndjson_lines(['{"mttf": 1000, "mttr": %s}' % number], 1, **OPTIONS)
    zeros = read_ndjson_lines(['{"mttf": 1000, "mttr": 0.0}', '{"mttf": 1000, "mttr": 0e5}'], 1, **OPTIONS)
    assert zeros.mttr.tolist() == [0.0, 0.0]


def test_integers_too_long_for_python_are_one_error_at_their_line():
    with pytest.raises(InputError, match="^an integer of more than 4,300 digits, line 2, "):
        read_ndjson_lines(['{"mttf": 1, "mttr": 1}', '{"mttf": 1%s, "mttr": 1}' % ("0" * 5000)], 1, **OPTIONS)


def test_long_values_are_cut_in_messages():
    with pytest.raises(InputError) as caught:
        value_seconds(10**4000, **OPTIONS)
    assert str(caught.value).startswith("duration 1000") and "(4,001 characters) is too large" in str(caught.value)
    assert len(str(caught.value)) < 150


def nested(levels, inner="1"):
    """A row whose "x" value sits inside ``levels - 1`` arrays, so the row nests ``levels`` deep."""
    return '{"mttf": 1, "mttr": 1, "x": %s%s%s}' % ("[" * (levels - 1), inner, "]" * (levels - 1))


def test_rows_nest_at_most_64_levels_and_deeper_is_refused_before_parsing():
    assert json_row(nested(MAX_JSON_DEPTH), 1)["mttf"] == 1
    with pytest.raises(InputError, match="^the row nests deeper than 64 levels, line 7, "):
        json_row(nested(MAX_JSON_DEPTH + 1), 7)
    with pytest.raises(InputError, match="^the row nests deeper than 64 levels"):  # json itself: RecursionError
        json_row(nested(100_000), 1)
    assert json_row(nested(2, '"' + "[" * 500 + '"'), 1)["x"] == ["[" * 500]  # brackets in strings are text
    assert json_row(nested(2, ",".join(["[1]"] * 500)), 1)["x"][499] == [1]  # many arrays, none deep


def test_a_key_given_twice_is_refused_not_overwritten():
    with pytest.raises(InputError, match="^key 'mttf' appears more than once, line 3, give every key once"):
        json_row('{"mttf": "1h", "mttf": "2h", "mttr": "1m"}', 3)
    with pytest.raises(InputError, match="^key 'a' appears more than once, line 1"):
        json_row('{"mttf": 1, "mttr": 1, "x": {"a": 1, "a": 2}}', 1)


def test_a_lone_surrogate_is_refused_and_a_pair_is_a_character():
    with pytest.raises(InputError, match=r"^a lone surrogate '\\ud800' in a JSON string, line 2, "):
        json_row('{"mttf": 1, "mttr": 1, "x": "a\\ud800"}', 2)
    with pytest.raises(InputError, match="^a lone surrogate"):
        json_row('{"mttf": 1, "mttr": 1, "\\udfff": [1]}', 2)
    assert json_row('{"mttf": 1, "mttr": 1, "x": "\\ud83d\\ude00"}', 1)["x"] == "\U0001f600"


def test_a_header_of_many_columns_is_read_in_linear_time():
    names = [f"c{index}" for index in range(50_000)]  # the duplicate check counted each name in the whole list
    assert csv_header(",".join([*names, "mttf", "mttr"])).mttf_index == 50_000
    with pytest.raises(InputError, match="^column 'c7' appears more than once"):
        csv_header(",".join([*names, "c7", "mttf", "mttr"]))


def test_a_lone_carriage_return_is_named_as_such():
    with pytest.raises(InputError, match=r"^cannot read the CSV header: a carriage return \(\\r\) outside quotes, line 1"):
        csv_header("mttf,mttr\r1,1\r")
    with pytest.raises(InputError, match=r"^cannot read CSV: a carriage return \(\\r\) outside quotes, line 3"):
        read_csv_block(b"1,1\n1,1\r1,1\n", csv_header("mttf,mttr"), 2, **OPTIONS)
