"""Reading TOML, YAML and JSON safely: every error names the file and, where the format allows, the line."""

import io

import pytest

from hacalc.core.errors import InputError
from hacalc.readers import files, safe_yaml
from hacalc.readers.files import format_path, read_document

SAME_DATA = {
    "toml": '[cluster]\nname = "C"\n\n[[hosts]]\nname = "a"\ncpu_mhz = 1\n\n[[hosts]]\nname = "b"\ncpu_mhz = 2\n',
    "yaml": "cluster:\n  name: C\nhosts:\n  - name: a\n    cpu_mhz: 1\n  - name: b\n    cpu_mhz: 2\n",
    "json": '{"cluster": {"name": "C"},\n "hosts": [\n  {"name": "a", "cpu_mhz": 1},\n  {"name": "b",\n   "cpu_mhz": 2}]}\n',
}
EXPECTED = {"cluster": {"name": "C"}, "hosts": [{"name": "a", "cpu_mhz": 1}, {"name": "b", "cpu_mhz": 2}]}


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def error_of(source, **kwargs) -> InputError:
    with pytest.raises(InputError) as caught:
        read_document(source, **kwargs)
    return caught.value


@pytest.mark.parametrize("extension, input_format", [(".toml", "toml"), (".yaml", "yaml"), (".yml", "yaml"), (".json", "json")])
def test_every_format_reads_to_the_same_data(tmp_path, extension, input_format):
    document = read_document(write(tmp_path, f"c{extension}", SAME_DATA[input_format]))
    assert document.format == input_format
    assert document.data == EXPECTED


@pytest.mark.parametrize("input_format, line", [("toml", 10), ("yaml", 7), ("json", 5)])
def test_where_names_file_line_and_field_path(input_format, line):
    document = read_document("-", input_format=input_format, stdin=io.StringIO(SAME_DATA[input_format]))
    assert document.where(("hosts", 1, "cpu_mhz")) == f"in <stdin> line {line} (hosts[1].cpu_mhz)"


def test_a_missing_key_points_at_its_enclosing_table():
    document = read_document("-", input_format="toml", stdin=io.StringIO(SAME_DATA["toml"]))
    assert document.where(("hosts", 1, "memory_mb")) == "in <stdin> line 8 (hosts[1].memory_mb)"


def test_format_path_spells_indexes_in_brackets():
    assert format_path(("hosts", 3, "cpu_mhz")) == "hosts[3].cpu_mhz"
    assert format_path(("cluster", "options", "das.vmCpuMinMHz")) == "cluster.options.das.vmCpuMinMHz"


def test_stdin_whose_format_cannot_be_told_needs_a_format():
    error = error_of("-", stdin=io.StringIO("just text\n"))
    assert str(error) == "cannot tell the format of stdin, FILE '-', add --input-format toml, yaml or json"


def test_unknown_extension_is_refused(tmp_path):
    error = error_of(write(tmp_path, "cluster.ini", "[cluster]"))
    assert "unknown scenario file type '.ini'" in str(error)


def test_input_format_overrides_the_extension(tmp_path):
    assert read_document(write(tmp_path, "cluster.txt", '{"a": 1}'), input_format="json").data == {"a": 1}


def test_missing_file_and_directory(tmp_path):
    assert "no such file" in str(error_of(str(tmp_path / "absent.toml")))
    assert "is a directory" in str(error_of(str(tmp_path), input_format="toml"))


def test_non_utf8_file_names_the_line(tmp_path):
    path = tmp_path / "c.toml"
    path.write_bytes(b'name = "ok"\nother = "\xff"\n')
    assert str(error_of(str(path))) == f"the file is not UTF-8 text, in {path} line 2, save it as UTF-8"


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "c.json"
    path.write_bytes(b'\xef\xbb\xbf{"a": 1}')
    assert read_document(str(path)).data == {"a": 1}


@pytest.mark.parametrize(
    "input_format, text, expected",
    [
        ("toml", "a = 1\nb = [1,,2]\n", "cannot read TOML: Invalid value, in <stdin> line 2, fix the TOML syntax"),
        ("toml", "a = 1\na = 2\n", "cannot read TOML: Cannot overwrite a value, in <stdin> line 2, fix the TOML syntax"),
        ("json", '{"a": 1,\n "b": }', "cannot read JSON: Expecting value, in <stdin> line 2, fix the JSON syntax"),
        ("json", '{"a": 1,\n "a": 2}', "duplicate key 'a', in <stdin> line 2 (a), give each key once"),
        ("yaml", "a: [1, 2\nb: 3\n", "line 2"),
        ("yaml", "a: 1\na: 2\n", "duplicate key 'a', in <stdin> line 2, give each key once"),
        ("yaml", "--- 1\n--- 2\n", "cannot read YAML: but found another document, in <stdin> line 2"),
    ],
)
def test_syntax_errors_name_the_line(input_format, text, expected):
    assert expected in str(error_of("-", input_format=input_format, stdin=io.StringIO(text)))


def test_yaml_alias_bomb_is_refused_before_it_expands():
    # "billion laughs": ten levels of nine aliases each would expand to 9**9 values
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 10):
        name, previous = f"l{level}", "a" if level == 1 else f"l{level - 1}"
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    error = error_of("-", input_format="yaml", stdin=io.StringIO("\n".join(levels)))
    assert str(error).startswith("aliases expand the file to more than 4,000,000 values, in <stdin> line ")


def test_yaml_alias_and_anchor_counts_are_capped(monkeypatch):
    monkeypatch.setattr(safe_yaml, "MAX_YAML_ALIASES", 3)
    text = "a: &a 1\nb: [*a, *a, *a, *a]\n"
    assert "more than 3 aliases" in str(error_of("-", input_format="yaml", stdin=io.StringIO(text)))
    monkeypatch.setattr(safe_yaml, "MAX_YAML_ANCHORS", 2)
    text = "a: &a 1\nb: &b 2\nc: &c 3\n"
    assert "more than 2 anchors, in <stdin> line 3" in str(error_of("-", input_format="yaml", stdin=io.StringIO(text)))


def test_yaml_recursive_alias_is_refused():
    assert "refers to itself" in str(error_of("-", input_format="yaml", stdin=io.StringIO("a: &a [*a]\n")))


def test_yaml_unsafe_tags_are_not_constructed():
    text = "a: !!python/object/apply:os.system ['echo hi']\n"
    assert "cannot read YAML" in str(error_of("-", input_format="yaml", stdin=io.StringIO(text)))


@pytest.mark.parametrize(
    "input_format, text",
    [("yaml", "[" * 100 + "]" * 100), ("json", "[" * 100_000), ("toml", "a = " + "[" * 100_000)],
)
def test_runaway_nesting_is_refused(input_format, text):
    assert "the file nests deeper than 64 levels" in str(error_of("-", input_format=input_format, stdin=io.StringIO(text)))


def test_oversize_file_is_refused_without_reading_it_all(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "MAX_BYTES", 1024)
    path = write(tmp_path, "big.toml", "# padding\n" * 200)
    assert str(error_of(path)).startswith(f"the file is larger than the 1,024-byte limit, in {path}")
    assert "larger than" in str(error_of("-", input_format="toml", stdin=io.StringIO("#" * 2000)))


def test_a_file_at_the_size_cap_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "MAX_BYTES", 1024)
    assert read_document(write(tmp_path, "edge.toml", "#" * 1023 + "\n")).data == {}


def test_an_export_may_be_read_under_a_larger_limit_than_a_scenario(tmp_path):
    from hacalc.readers.files import MAX_BYTES, read_document

    path = tmp_path / "pods.json"
    path.write_text('{"kind": "PodList", "items": []}' + " " * 64)
    with pytest.raises(InputError) as refused:
        read_document(str(path), max_bytes=64)
    assert "larger than the 64-byte limit" in refused.value.what and "one namespace at a time" in refused.value.fix
    assert read_document(str(path), max_bytes=MAX_BYTES).data == {"kind": "PodList", "items": []}
