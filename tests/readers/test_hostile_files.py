"""Hostile scenario files (issue 8): every one is one line on stderr, exit 2, with the file and line.

Each test names the issue item it guards. The limits come from hacalc/readers/files.py: numbers of at
most 200 digits (MAX_NUMBER_DIGITS, the command line's MAX_VALUE_CHARACTERS), 64 levels of nesting with
the file itself as level 1 (MAX_DEPTH, README "Reading rules and limits").
"""

from __future__ import annotations

import io
import json
import sys
from fractions import Fraction

import pytest
from contract import assert_bad_input

from hacalc.core.errors import InputError
from hacalc.core.text import visible
from hacalc.readers.files import MAX_DEPTH, format_path, read_document, sniff_format
from hacalc.readers.spares import build_question, read_scenario

CLUSTER = {
    "toml": '[cluster]\nname = "C"\n\n[[hosts]]\nname = "esx"\ncpu_mhz = 9000\nmemory_mb = 9216\n',
    "yaml": "cluster:\n  name: C\nhosts:\n  - name: esx\n    cpu_mhz: 9000\n    memory_mb: 9216\n",
    "json": '{"cluster": {"name": "C"},\n "hosts": [{"name": "esx", "cpu_mhz": 9000, "memory_mb": 9216}]}\n',
}
SPARES = {"toml": 'mttf = "1000h"\nmttr = "10h"\n', "yaml": "mttf: 1000h\nmttr: 10h\n", "json": '{"mttf": "1000h",\n "mttr": "10h"}\n'}


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def read_error(text: str, input_format: str) -> str:
    with pytest.raises(InputError) as caught:
        read_document("-", input_format=input_format, stdin=io.StringIO(text))
    return str(caught.value)


# Item 3: integers over 4,300 digits (Python refuses to convert them) --------------------------------

HUGE = "1" * 5000
NUMBER_TOO_LONG = "a number has more than 200 digits"


@pytest.mark.parametrize(
    "name, text, line",
    [
        ("c.toml", CLUSTER["toml"].replace('name = "C"', f"name = \"C\"\ntolerate = {HUGE}"), 3),
        ("c.json", CLUSTER["json"].replace('{"name": "C"}', '{"name": "C",\n"tolerate": ' + HUGE + "}"), 2),
        ("c.yaml", CLUSTER["yaml"].replace("name: C", f"name: C\n  tolerate: {HUGE}"), 3),
    ],
)
def test_an_integer_of_thousands_of_digits_is_one_line_with_its_line(hacalc, tmp_path, name, text, line):
    path = write(tmp_path, name, text)
    message = assert_bad_input(hacalc("cluster", "check", path))
    assert message.startswith(f"{NUMBER_TOO_LONG}, in {path} line {line}")


@pytest.mark.parametrize("input_format", ["toml", "yaml", "json"])
def test_a_spares_scenario_with_a_huge_integer_is_one_line(hacalc, tmp_path, input_format):
    huge = {"toml": f"spares = {HUGE}\n", "yaml": f"spares: {HUGE}\n", "json": '{"mttf": "1000h", "mttr": "10h",\n"spares": ' + HUGE + "}"}
    text = huge["json"] if input_format == "json" else SPARES[input_format] + huge[input_format]
    path = write(tmp_path, f"s.{input_format}", text)
    line = 2 if input_format == "json" else 3
    assert assert_bad_input(hacalc("spares", path)).startswith(f"{NUMBER_TOO_LONG}, in {path} line {line}")


@pytest.mark.parametrize("input_format", ["toml", "yaml", "json"])
def test_200_digits_are_read_and_201_are_refused(input_format):
    def text(digits: str) -> str:
        return {"toml": f"a = {digits}\n", "yaml": f"a: {digits}\n", "json": '{"a": ' + digits + "}"}[input_format]

    assert read_document("-", input_format=input_format, stdin=io.StringIO(text("9" * 200))).data == {"a": int("9" * 200)}
    assert read_error(text("9" * 201), input_format).startswith(f"{NUMBER_TOO_LONG}, in <stdin> line 1")


@pytest.mark.parametrize(
    "input_format, text",
    [
        ("toml", "x = 1\na = 0x" + "f" * 170 + "\n"),  # 16**170 is about 10**204: short to write, too large to show
        ("toml", "x = 1\na = 1." + "5" * 300 + "\n"),
        ("json", '{"x": 1,\n"a": 1.' + "5" * 300 + "}"),
        ("yaml", "x: 1\na: 1." + "5" * 300 + "\n"),
    ],
)
def test_hexadecimal_and_float_numbers_obey_the_same_limit(input_format, text):
    assert read_error(text, input_format).startswith(f"{NUMBER_TOO_LONG}, in <stdin> line 2")


# Item 4: deep JSON, and the documented 64 levels in every format ------------------------------------


def nested_json(levels: int) -> str:
    """A valid cluster whose ``vms`` is ``levels`` lists deep; the file is level 1, so the lists reach levels + 1."""
    return CLUSTER["json"].rstrip().removesuffix("}") + ',\n "vms": ' + "[" * levels + "]" * levels + "}\n"


@pytest.mark.parametrize("levels", [500, 5000])  # 5000 overflows the parser's recursion; 500 does not
def test_deep_json_is_refused_with_its_line(hacalc, tmp_path, levels):
    path = write(tmp_path, "deep.json", nested_json(levels))
    message = assert_bad_input(hacalc("cluster", "check", path))
    assert message.startswith(f"the file nests deeper than 64 levels, in {path} line 3")


@pytest.mark.parametrize("input_format", ["toml", "yaml", "json"])
def test_64_levels_are_read_and_65_are_refused(input_format):
    def text(levels: int) -> str:
        """The file (level 1) holding ``a`` with ``levels - 1`` nested lists: ``levels`` levels in all."""
        inner = "[" * (levels - 1) + "]" * (levels - 1)
        return {"toml": f"x = 1\na = {inner}\n", "yaml": f"x: 1\na: {inner}\n", "json": '{"x": 1,\n"a": ' + inner + "}"}[input_format]

    assert read_document("-", input_format=input_format, stdin=io.StringIO(text(MAX_DEPTH))).data["x"] == 1
    assert read_error(text(MAX_DEPTH + 1), input_format).startswith("the file nests deeper than 64 levels, in <stdin> line 2")


def test_deep_toml_tables_count_too():
    text = "x = 1\n[" + ".".join(["t"] * 70) + "]\n"
    assert read_error(text, "toml") == (
        "the file nests deeper than 64 levels, in <stdin> line 2 (t.t.t.t…t.t (64 levels)), a scenario needs only a few levels"
    )


def test_deep_toml_arrays_past_the_parsers_recursion_limit():
    assert read_error("x = 1\na = " + "[" * 100_000, "toml").startswith("the file nests deeper than 64 levels, in <stdin> line 2")


# Item 5 and 16: control characters in YAML; bytes that are not UTF-8 on stdin ---------------------


def test_a_control_character_in_a_yaml_comment_is_one_line(hacalc, tmp_path):
    path = write(tmp_path, "c.yaml", CLUSTER["yaml"] + "# \x1b]0;pwned\x07\n")
    message = assert_bad_input(hacalc("cluster", "check", path))
    assert message == (
        f"cannot read YAML: the character '\\x1b' is not allowed anywhere in YAML, comments included, in {path} line 7, "
        "remove it, or write it as an escape in a double-quoted string"
    )


@pytest.mark.parametrize("input_format", ["toml", "yaml", "json"])
def test_stdin_that_is_not_utf8_is_refused_like_a_file(hacalc, input_format):
    text = CLUSTER[input_format].encode().replace(b"esx", b"\xffsx")
    line = {"toml": 5, "yaml": 4, "json": 2}[input_format]
    for command in (("cluster", "check", "-", "--input-format", input_format), ("cluster", "check", "-")):
        message = assert_bad_input(hacalc(*command, input=text))
        assert message == f"the input is not UTF-8 text, in <stdin> line {line}, send UTF-8"
    spares = assert_bad_input(hacalc("spares", "-", "--input-format", input_format, input=SPARES[input_format].encode() + b"\n\xfe"))
    assert spares.startswith("the input is not UTF-8 text, in <stdin> line")


def test_a_text_stream_that_smuggles_bytes_as_surrogates_is_refused():
    # a stream decoding with errors="surrogateescape" turns the byte 0xff into "\udcff"
    stream = io.StringIO('a = 1\nb = "\udcff"\n')
    with pytest.raises(InputError) as caught:
        read_document("-", input_format="toml", stdin=stream)
    assert str(caught.value) == "the input is not UTF-8 text, in <stdin> line 2, send UTF-8"


# Item 8: a huge number as the vSphere version --------------------------------------------------------


def test_a_huge_vsphere_version_is_one_line(hacalc, tmp_path):
    path = write(tmp_path, "c.toml", CLUSTER["toml"].replace('name = "C"', 'name = "C"\nvsphere = 1' + "0" * 400))
    assert assert_bad_input(hacalc("cluster", "check", path)).startswith(f"{NUMBER_TOO_LONG}, in {path} line 3")


@pytest.mark.parametrize(
    "value, shown",
    [("1" + "0" * 150, "'1" + "0" * 150 + ".0'"), ("1e400", "'inf'"), ("8", None), ("6.70", None)],
)
def test_numeric_versions_are_never_converted_through_an_overflowing_float(value, shown):
    from hacalc.readers.cluster import decode_cluster

    document = read_document("-", input_format="toml", stdin=io.StringIO(CLUSTER["toml"].replace('name = "C"', f'name = "C"\nvsphere = {value}')))
    if shown is None:  # 8 is "8.0" and 6.70 is "6.7", as typed into a YAML or TOML file
        assert decode_cluster(document).settings.vsphere == {"8": "8.0", "6.70": "6.7"}[value]
        return
    with pytest.raises(InputError) as caught:
        decode_cluster(document)
    assert str(caught.value).startswith(f"unknown vSphere version {shown}, in <stdin> line 3 (cluster.vsphere)")


# Item 12: locating an error takes time linear in the text ---------------------------------------------


@pytest.mark.parametrize(
    "filler",
    [
        'x = """\n[' + " " * 600_000 + '\n"""\n',  # a line the old header pattern took O(n**2) on: about half an hour
        'x = "' + " " * 600_000 + '"\n',
        "x = [\n" + "1,\n" * 100_000 + "]\n",
    ],
)
def test_a_field_after_a_huge_value_is_located(filler):
    text = '[cluster]\nname = "C"\n' + filler + "bad = 1\n"
    document = read_document("-", input_format="toml", stdin=io.StringIO(text))
    assert document.where(("cluster", "bad")) == f"in <stdin> line {text.count(chr(10))} (cluster.bad)"


# Item 15 and 20: keys with newlines or terminal escapes ------------------------------------------------


def test_a_key_with_a_newline_and_an_escape_stays_one_visible_line(hacalc, tmp_path):
    path = write(tmp_path, "c.json", '{"cluster": {"name": "C", "a\\nb\\u001b]0;pwned\\u0007": 1}}')
    message = assert_bad_input(hacalc("cluster", "check", path))
    assert "\x1b" not in message and "\x07" not in message
    assert message.startswith(f"unknown field 'a\\nb\\x1b]0;pwned\\x07', in {path} line 1 (cluster.a\\nb\\x1b]0;pwned\\x07), ")


def test_format_path_shows_every_character_visibly():
    assert format_path(("cluster", "a\nb", 0, "c\x1bd", "e\\f")) == "cluster.a\\nb[0].c\\x1bd.e\\\\f"
    assert visible("tab\there \u2028 and é") == "tab\\there \\u2028 and é"


def test_an_option_key_with_control_characters_is_shown_visibly(hacalc, tmp_path):
    path = write(tmp_path, "c.toml", CLUSTER["toml"].replace('name = "C"', 'name = "C"\n[cluster.options]\n"das.x\\u001b[2J" = 1'))
    message = assert_bad_input(hacalc("cluster", "check", path))
    assert message.startswith(f"option das.x\\x1b[2J must be a string as vCenter stores it, got number 1, in {path} line 4")


# Item 16: YAML numbers by the 1.2 core schema; a spares table key that named two temperatures ---------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1:30", "1:30"),  # YAML 1.1 base 60 would be 90
        ("0x10", "0x10"),  # integers are written as in JSON; the issue counts 0x10 read as 16 as bad input
        ("0o17", "0o17"),
        ("010", "010"),  # YAML 1.1 would read octal 8, YAML 1.2 ten: refused rather than guessed
        ("-12", -12),
        ("+12", 12),
        ("0", 0),
        ("1_000", "1_000"),
        ("1.5", 1.5),
        ("010.5", 10.5),  # a float in every YAML version
        ("yes", "yes"),  # YAML 1.1 booleans are strings, so a boolean field refuses them by name
        ("off", "off"),
        ("True", True),
        ("2024-01-31", "2024-01-31"),  # no timestamps: a date is the text as written
        ("1e3", 1000.0),  # 1.2 floats need no dot
        ("~", None),
    ],
)
def test_yaml_scalars_follow_the_core_schema(text, expected):
    value = read_document("-", input_format="yaml", stdin=io.StringIO(f"a: {text}\n")).data["a"]
    assert (value, isinstance(value, bool), isinstance(value, str)) == (expected, isinstance(expected, bool), isinstance(expected, str))


@pytest.mark.parametrize("value", ["1:30", "0x10", "010", "1_000"])
def test_yaml_integers_other_versions_read_differently_are_refused_by_the_fields_type_check(hacalc, tmp_path, value):
    path = write(tmp_path, "c.yaml", CLUSTER["yaml"].replace("cpu_mhz: 9000", f"cpu_mhz: {value}"))
    message = assert_bad_input(hacalc("cluster", "check", path))
    assert message.startswith(f"cpu_mhz must be a whole number of MHz, got string '{value}', in {path} line 5 (hosts[0].cpu_mhz)")


def test_yaml_yes_is_no_boolean(hacalc, tmp_path):
    path = write(tmp_path, "c.yaml", CLUSTER["yaml"] + "vms:\n  - name: v\n    powered_on: yes\n")
    message = assert_bad_input(hacalc("cluster", "check", path))
    assert message.startswith(f"powered_on must be true or false, got string 'yes', in {path} line 9 (vms[0].powered_on)")


@pytest.mark.parametrize(
    "table, expected",
    [
        ('"hot=1s,cold" = "2m"', "unknown spare temperature 'hot=1s,cold'"),
        ('hot = "1s,cold=5m"', "cannot read duration '1s,cold=5m'"),
    ],
)
def test_a_spares_table_entry_sets_one_temperature(hacalc, tmp_path, table, expected):
    path = write(tmp_path, "s.toml", SPARES["toml"] + f"spares = 1\n[failover]\n{table}\n")
    assert assert_bad_input(hacalc("spares", path)).startswith(f"{expected}, in {path} line 4 (failover)")


def test_a_spares_kind_list_item_names_one_kind(tmp_path):
    settings = read_scenario(write(tmp_path, "s.toml", SPARES["toml"] + 'kind = ["hot,cold"]\n'))
    with pytest.raises(InputError) as caught:
        build_question(settings)
    assert str(caught.value).startswith("unknown spare kind 'hot,cold'")


def test_a_file_float_keeps_every_digit(tmp_path):
    # 0.99999999999999999 is 1.0 as a float; read from its text it keeps a 1e-17 unavailability
    path = write(tmp_path, "s.toml", SPARES["toml"] + 'coverage = 0.99999999999999999\nmanual-recovery = "30m"\n')
    assert build_question(read_scenario(path)).coverage == Fraction(99999999999999999, 10**17)


# Item 21: a NUL byte in a file name ---------------------------------------------------------------


def test_a_nul_byte_in_a_file_name_is_one_line(hacalc):
    assert assert_bad_input(hacalc("cluster", "check", "a\x00b.toml")) == (
        "cannot read 'a\\x00b.toml': a file name cannot contain that character, check the path"
    )
    assert assert_bad_input(hacalc("spares", "a\x00b.toml")).startswith("cannot read 'a\\x00b.toml'")
    with pytest.raises(InputError):
        read_document("c\x00.json")


def test_a_file_name_with_a_newline_is_shown_on_one_line(hacalc, tmp_path):
    path = write(tmp_path, "bad\nname.toml", CLUSTER["toml"] + "oops = 1\n")
    message = assert_bad_input(hacalc("cluster", "check", path))
    shown = path.replace("\n", "\\n")
    assert f"in {shown} line 8 (hosts[0].oops)" in message


# Issue §3: stdin formats are sniffed ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ('{"cluster": {}}', "json"),
        ("\n  [\n1]", "json"),
        ("[cluster]\nname = 'C'\n", "toml"),  # a table header, not a JSON list
        ("# inventory\n[[hosts]]\n", "toml"),
        ('title = "a: b"\n', "toml"),
        ("cluster:\n  name: C\n", "yaml"),
        ("# inventory\nmttf: 1000h\n", "yaml"),
        ("---\na: 1\n", "yaml"),
        ("- a\n", "yaml"),
        ("just text\n", None),
        ("", None),
    ],
)
def test_sniff_format_reads_the_first_line_that_says(text, expected):
    assert sniff_format(text) == expected


@pytest.mark.parametrize("input_format", ["toml", "yaml", "json"])
def test_cluster_check_reads_stdin_of_any_format_without_input_format(hacalc, input_format):
    result = hacalc("cluster", "check", "-", "--format", "json", input=CLUSTER[input_format])
    assert result.exit_code in (0, 1), result.stderr
    assert json.loads(result.stdout)["cluster"] == "C"


def test_spares_reads_stdin_without_input_format(hacalc):
    sniffed = hacalc("spares", "-", "--format", "json", input=SPARES["yaml"])
    told = hacalc("spares", "-", "--format", "json", "--input-format", "yaml", input=SPARES["yaml"])
    assert sniffed.exit_code == 0 and sniffed.stdout == told.stdout


def test_stdin_that_could_be_anything_still_needs_input_format(hacalc):
    assert "--input-format" in assert_bad_input(hacalc("cluster", "check", "-", input="just text\n"))
    assert assert_bad_input(hacalc("cluster", "check", "-", input="")) == "stdin is empty, FILE '-', send a scenario on stdin, or give a file"


def test_a_syntax_error_in_sniffed_stdin_says_how_to_choose(hacalc):
    message = assert_bad_input(hacalc("cluster", "check", "-", input="a = [1,,2]\n"))
    assert message == "cannot read TOML: Invalid value, in <stdin> line 1, fix the TOML syntax, or pass --input-format if stdin is not TOML"


# Issue §3: YAML merge keys --------------------------------------------------------------------------


def test_merge_keys_fill_in_what_a_mapping_leaves_out():
    text = "a: &a {x: 1, y: 2}\nb: &b {x: 9, z: 3}\nm:\n  <<: [*a, *b]\n  y: 5\n"
    data = read_document("-", input_format="yaml", stdin=io.StringIO(text)).data
    assert data["m"] == {"x": 1, "y": 5, "z": 3}  # its own y wins; of the merged x, the first mapping's


def test_a_key_set_twice_beside_a_merge_is_still_a_duplicate():
    assert read_error("a: &a {x: 1}\nm:\n  <<: *a\n  x: 2\n  x: 3\n", "yaml") == "duplicate key 'x', in <stdin> line 5, give each key once"


def test_merge_keys_in_an_inventory(hacalc, tmp_path):
    text = (
        "cluster:\n  name: C\n  policy: none\n"
        "hosts:\n"
        "  - &host {name: esx1, cpu_mhz: 9000, memory_mb: 9216}\n"
        "  - <<: *host\n    name: esx2\n"
        "  - <<: *host\n    name: esx3\n    cpu_mhz: 1:30\n"
    )
    path = write(tmp_path, "c.yaml", text.replace("    cpu_mhz: 1:30\n", ""))
    result = hacalc("cluster", "check", path, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert [(host["name"], host["cpu_mhz"]) for host in json.loads(result.stdout)["hosts"]] == [("esx1", 9000), ("esx2", 9000), ("esx3", 9000)]
    path = write(tmp_path, "bad.yaml", text)
    assert assert_bad_input(hacalc("cluster", "check", path)).startswith(f"cpu_mhz must be a whole number of MHz, got string '1:30', in {path} line 10 (hosts[2].cpu_mhz)")


def test_a_merged_field_is_located_where_the_anchor_writes_it(hacalc, tmp_path):
    text = "cluster:\n  name: C\nhosts:\n  - &host\n    name: esx1\n    cpu_mhz: fast\n    memory_mb: 1\n  - <<: *host\n    name: esx2\n"
    document = read_document("-", input_format="yaml", stdin=io.StringIO(text))
    assert document.where(("hosts", 1, "cpu_mhz")) == "in <stdin> line 6 (hosts[1].cpu_mhz)"
    assert document.where(("hosts", 1, "name")) == "in <stdin> line 9 (hosts[1].name)"


def test_merges_count_towards_the_alias_expansion_limit(monkeypatch):
    from hacalc.readers import safe_yaml

    monkeypatch.setattr(safe_yaml, "MAX_YAML_NODES", 100)
    text = "a: &a {" + ", ".join(f"k{n}: {n}" for n in range(30)) + "}\n" + "".join(f"m{n}: {{<<: *a}}\n" for n in range(5))
    assert read_error(text, "yaml").startswith("aliases expand the file to more than 100 values")


# Item 6 (with the lead's closed-stdin stream): "-" reads the stream it is given -------------------


class _Untouchable:
    def __getattr__(self, name):
        raise AssertionError("sys.stdin was used although a stream was given")


class _FalsyStream(io.StringIO):
    def __bool__(self) -> bool:
        return False


def test_reading_dash_uses_the_stream_given_and_never_sys_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", _Untouchable())
    assert read_document("-", stdin=_FalsyStream('{"a": 1}')).data == {"a": 1}


def test_a_stream_that_raises_input_error_passes_it_on():
    class Closed(io.StringIO):
        def read(self, size=-1):
            raise InputError("stdin is closed", "FILE '-'", "give a file")

    with pytest.raises(InputError, match="stdin is closed"):
        read_document("-", input_format="json", stdin=Closed())


@pytest.mark.parametrize("stream", [None, "closed"])
def test_a_closed_stdin_is_one_line(monkeypatch, stream):
    # Python sets sys.stdin to None when the process starts with fd 0 closed (hacalc cluster check - <&-)
    closed = io.StringIO()
    closed.close()
    monkeypatch.setattr(sys, "stdin", None if stream is None else closed)
    with pytest.raises(InputError) as caught:
        read_document("-", input_format="toml")
    assert str(caught.value) == "<stdin> is closed, FILE '-', send the scenario on stdin, or give a file"


def test_long_lists_are_checked_as_closely_as_short_ones():
    # more than 64 items take the whole-list path of the check: the same limits, the same location
    numbers = ", ".join(["1"] * 100)
    assert read_error(f"x = 1\na = [{numbers}, 0x{'f' * 170}]\n", "toml").startswith(f"{NUMBER_TOO_LONG}, in <stdin> line 2 (a[100])")
    deep = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert read_error('{"x": 1,\n"a": [' + numbers + ", " + deep + "]}", "json").startswith("the file nests deeper than 64 levels, in <stdin> line 2")
