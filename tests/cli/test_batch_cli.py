import csv
import io
import json
import subprocess
import sys

import pytest
from contract import assert_bad_input
from hypothesis import given, settings
from hypothesis import strategies as st

from hacalc.cli import batch
from hacalc.cli.batch import run_batch
from hacalc.cli.env import Environment
from hacalc.core.errors import InputError
from hacalc.core.periods import Conventions

# reliability-math.md T1: MTTF 50000 h, MTTR 15 min -> A 0.999995000025, 5.30103 nines, 157.679 s a year
T1_RESULT = "0.99999500002499986,4.9999750001249995e-06,5.3010321671309617,157.67921160394198"


def run(text, *, output=None, source="-", unit="h", year_days=365):
    env = Environment(io.StringIO(text), io.StringIO(), io.StringIO(), False, False)
    run_batch(env, source, default_unit=unit, output=output, conventions=Conventions(year_days=year_days))
    return env.stdout.getvalue()


def test_csv_rows_keep_their_columns_and_gain_the_results():
    out = run("host,mttf,mttr\nesx1,50000h,15m\nesx2,50000,0.25\n")
    assert out.splitlines() == [
        "host,mttf,mttr,availability,unavailability,nines,downtime_year_seconds",
        f"esx1,50000h,15m,{T1_RESULT}",
        f"esx2,50000,0.25,{T1_RESULT}",  # bare numbers are hours
    ]


def test_results_read_back_to_the_reference_values():
    row = run("mttf,mttr\n50000h,PT15M\n").splitlines()[1].split(",")
    assert float(row[2]) == pytest.approx(0.999995000025, rel=1e-12)  # T1
    assert float(row[4]) == pytest.approx(5.30103, abs=1e-5)  # T1
    assert float(row[5]) == pytest.approx(157.679, abs=0.01)  # T1


def test_unit_option_and_year_convention():
    minutes = run("mttf,mttr\n3000000,15\n", unit="m").splitlines()[1]
    assert minutes.endswith(T1_RESULT)
    julian = run("mttf,mttr\n99,1\n", year_days=365.25).splitlines()[1].split(",")
    assert float(julian[5]) == pytest.approx(315576)  # T8: 1 % of a 365.25-day year


def test_ndjson_in_and_out_keeps_keys_in_order():
    out = run('{"host": "a", "mttf": "50000h", "mttr": "15m"}\n{"mttr": 0.25, "mttf": 50000, "tags": [1]}\n')
    first, second = (json.loads(line) for line in out.splitlines())
    assert list(first) == ["host", "mttf", "mttr", "availability", "unavailability", "nines", "downtime_year_seconds"]
    assert first["availability"] == pytest.approx(0.999995000025, rel=1e-12)
    assert second["tags"] == [1] and list(second)[:3] == ["mttr", "mttf", "tags"]
    assert first["nines"] == second["nines"]


def test_a_byte_order_mark_is_not_data():
    assert run("\ufeffmttf,mttr\n50000h,15m\n").splitlines()[0] == "mttf,mttr,availability,unavailability,nines,downtime_year_seconds"
    assert run('\ufeff{"mttf":"50000h","mttr":"15m"}\n', output="csv").splitlines()[1] == f"50000h,15m,{T1_RESULT}"


def test_csv_to_ndjson_and_back():
    as_json = [json.loads(line) for line in run("host,mttf,mttr\nesx1,50000h,15m\n", output="ndjson").splitlines()]
    assert as_json[0]["host"] == "esx1" and as_json[0]["mttf"] == "50000h"
    as_csv = run('{"host":"esx1","mttf":"50000h","mttr":"15m"}\n', output="csv").splitlines()
    assert as_csv == ["host,mttf,mttr,availability,unavailability,nines,downtime_year_seconds", f"esx1,50000h,15m,{T1_RESULT}"]


def test_zero_mttr_gives_empty_nines_cell_and_json_null():
    assert run("mttf,mttr\n100,0\n").splitlines()[1] == "100,0,1,0,,0"
    assert json.loads(run('{"mttf":100,"mttr":0}\n'))["nines"] is None


def test_quoted_kept_columns_are_written_as_they_came():
    text = 'mttf,mttr,note\n1000,1,"rack 4, row ""B""\nsecond line"\n'
    out = run(text)
    assert out.startswith('mttf,mttr,note,availability,unavailability,nines,downtime_year_seconds\n1000,1,"rack 4, row ""B""\nsecond line",')
    as_json = json.loads(run(text, output="ndjson"))
    assert as_json["note"] == 'rack 4, row "B"\nsecond line'


def test_format_follows_extension_or_first_character(tmp_path):
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"mttf":"50000h","mttr":"15m"}\n')
    assert json.loads(run("", source=str(rows)))["mttf"] == "50000h"
    assert run('{"mttf":1,"mttr":1}\n').startswith("{")  # stdin: the first character decides
    with pytest.raises(InputError, match="^cannot read 'missing.csv'"):
        run("", source="missing.csv")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mttf,mttr\n1,1\n1,abc\n", "cannot read duration 'abc', line 3, column mttr"),
        ("mttf,mttr\n1,1\n0,1\n", "MTTF '0' is zero, line 3, column mttf"),
        ("mttf,mttr\n1,-2\n", "negative duration '-2', line 2, column mttr"),
        ("mttf,mttr\n1,inf\n", "cannot read duration 'inf', line 2, column mttr"),
        ("mttf,mttr\n1,5 furlongs\n", "unknown unit 'furlongs', line 2, column mttr"),
        ("mttf,mttr\n1\n", "1 field where the header has 2, line 2"),
        ("host,mttf\na,1\n", "no column 'mttr' in the header, line 1"),
        ("", "no header row"),
        ('{"mttf":1,"mttr":1}\n\n{"mttf":1,"mttr":1}\n', "an empty line, line 2"),
        ('{"mttf":1,"mttr":NaN}\n', "not a finite number: nan, line 1, column mttr"),
        ('{"mttf":1}\n', "no 'mttr' key, line 1"),
        ('{"mttf":1,"mttr":1}\n[1]\n', "not a JSON object, line 2"),
        ('{"mttf":1,"mttr":1}\n{"mttf":1,"mttr":1,"x":2}\n', None),
    ],
)
def test_bad_rows_stop_with_line_and_column(text, message):
    if message is None:  # extra keys are fine in NDJSON output
        assert len(run(text).splitlines()) == 2
        return
    with pytest.raises(InputError, match="^" + message):
        run(text)


def test_header_only_crlf_and_a_missing_last_newline():
    assert run("host,mttf,mttr\r\n") == "host,mttf,mttr,availability,unavailability,nines,downtime_year_seconds\n"
    crlf = run("host,mttf,mttr\r\nesx1,50000h,15m\r\nesx2,50000h,15m")
    assert crlf.splitlines()[1:] == [f"esx1,50000h,15m,{T1_RESULT}", f"esx2,50000h,15m,{T1_RESULT}"]


def test_text_that_is_not_utf8_is_bad_input_at_its_line(hacalc):
    result = hacalc("availability", "--input", "-", input=b"host,mttf,mttr\nesx,1,1\nesx\xe9,1,1\n")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == "hacalc: error: not UTF-8 text (byte 0xe9), line 3, save the file as UTF-8\n"


def test_ndjson_rows_need_the_first_rows_keys_for_csv_output():
    with pytest.raises(InputError, match="^keys differ from the first row's, line 2"):
        run('{"mttf":1,"mttr":1}\n{"mttf":1,"mttr":1,"x":2}\n', output="csv")


@pytest.mark.parametrize("note", ['"note, {}"', '"two\nlines {}"', "note {}"])  # quoted rows take the csv module's path
def test_chunks_give_the_same_rows_as_one_block_and_errors_keep_whole_chunks(monkeypatch, note):
    rows = [f"h{i},{1000 + i}h,{i % 7}m,{note.format(i)}" for i in range(400)]
    text = "host,mttf,mttr,note\n" + "\n".join(rows) + "\n"
    whole = run(text)
    monkeypatch.setattr(batch, "BLOCK_BYTES", 64)
    assert run(text) == whole
    bad = text.replace("h300,1300h", "h300,oops")
    env = Environment(io.StringIO(bad), io.StringIO(), io.StringIO(), False, False)
    bad_line = 2 + 300 * (1 + note.count("\n"))  # a quoted newline makes a row two lines long
    with pytest.raises(InputError, match=f"^cannot read duration 'oops', line {bad_line}, column mttf"):
        run_batch(env, "-", default_unit="h", output=None, conventions=Conventions())
    written = env.stdout.getvalue()
    assert written.endswith("\n") and whole.startswith(written)
    assert 0 < written.count("\n") < bad_line  # whole earlier chunks only; the bad row's chunk is not written


def test_ndjson_chunks_give_the_same_rows_as_one_block(monkeypatch):
    text = "".join(f'{{"host": "h{i}", "mttf": "{1000 + i}h", "mttr": {i % 5}}}\n' for i in range(300))
    whole = run(text)
    monkeypatch.setattr(batch, "BLOCK_BYTES", 100)
    assert run(text) == whole
    assert run(text, output="csv").count("\n") == 301


def test_a_bad_first_chunk_writes_nothing():
    env = Environment(io.StringIO("mttf,mttr\n1,1\n1,x\n"), io.StringIO(), io.StringIO(), False, False)
    with pytest.raises(InputError):
        run_batch(env, "-", default_unit="h", output=None, conventions=Conventions())
    assert env.stdout.getvalue() == ""


# Through the command


def test_availability_input_from_stdin(hacalc):
    result = hacalc("availability", "--input", "-", input="host,mttf,mttr\nesx1,50000h,15m\n")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1] == f"esx1,50000h,15m,{T1_RESULT}"


def test_availability_input_as_ndjson(hacalc):
    result = hacalc("availability", "--input", "-", "--format", "ndjson", input="mttf,mttr\n50000h,15m\n")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["downtime_year_seconds"] == pytest.approx(157.679, abs=0.01)  # T1


def test_availability_bad_row_is_one_line_and_exit_2(hacalc):
    result = hacalc("availability", "--input", "-", input="mttf,mttr\n1,1\n1,abc\n")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("hacalc: error: cannot read duration 'abc', line 3, column mttr")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "text",
    ["mttf,mttr\n1000,10\n\n\n", "mttf,mttr\r\n1000,10\r\n\r\n", '{"mttf":1000,"mttr":10}\n\n'],
)
def test_blank_lines_at_the_very_end_are_not_rows(hacalc, text):
    result = hacalc("availability", "--input", "-", "--format", "ndjson", input=text)
    assert result.exit_code == 0, result.stderr
    assert [json.loads(line)["availability"] for line in result.stdout.splitlines()] == [pytest.approx(1000 / 1010)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mttf,mttr\r1000,10\r", "cannot read the CSV header: a carriage return (\\r) outside quotes, line 1"),
        ("a,a,mttf,mttr\n1,2,1000,10\n", "column 'a' appears more than once"),
        ('{"mttf":1%s,"mttr":10}\n' % ("0" * 400), "is too large"),
        ("mttf,mttr\n1e308,1\n", "is too large"),
    ],
)
def test_hostile_batch_input_is_bad_input_not_a_traceback(hacalc, text, message):
    result = hacalc("availability", "--input", "-", input=text)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.count("hacalc: error:") == 1 and "Warning" not in result.stderr


# Hostile input (issue 8): each test is the regression test of one root cause


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mttf,mttr\n1e999999999h,1m\n", "duration '1e999999999h' is too large, line 2, column mttf"),
        ("mttf,mttr\n1,1\n1,1e-9999999\n", "duration '1e-9999999' is too small, line 3, column mttr"),
        ('{"mttf":"1h","mttr":"1m"}\n{"mttf":"1e999999999h","mttr":"1m"}\n', "duration '1e999999999h' is too large, line 2, column mttf"),
        ('{"mttf":1,"mttr":1e-999999999}\n', "duration '1e-999999999' is too small, line 1, column mttr"),
    ],
)
def test_out_of_range_exponents_are_bad_input_at_their_cell(hacalc, text, message):
    assert assert_bad_input(hacalc("availability", "--input", "-", input=text)).startswith(message)


@pytest.mark.parametrize(
    ("text", "output", "message"),
    [
        ('{"mttf":1%s,"mttr":1}\n' % ("0" * 5000), "ndjson", "an integer of more than 4,300 digits, line 1"),
        ('{"mttf":1,"mttr":1,"x":%s1%s}\n' % ("[" * 500, "]" * 500), "csv", "the row nests deeper than 64 levels, line 1"),
        ('{"mttf":1,"mttr":1}\n{"mttf":%s1%s,"mttr":1}\n' % ("[" * 5000, "]" * 5000), "ndjson", "the row nests deeper than 64 levels, line 2"),
        ('{"mttf":1,"mttr":1,"x":"\\ud800"}\n', "csv", "a lone surrogate '\\ud800' in a JSON string, line 1"),
        ('{"mttf":1,"mttr":1,"\\ud800":1}\n', "csv", "a lone surrogate '\\ud800' in a JSON string, line 1"),
        ('{"mttf":1,"mttr":1,"x":"\\ud800"}\n', "ndjson", "a lone surrogate '\\ud800' in a JSON string, line 1"),
        ('{"mttf": "1h", "mttf": "2h", "mttr": "1m"}\n', "ndjson", "key 'mttf' appears more than once, line 1"),
    ],
)
def test_hostile_ndjson_is_one_line_of_bad_input(hacalc, text, output, message):
    result = hacalc("availability", "--input", "-", "--format", output, input=text)
    assert assert_bad_input(result).startswith(message)


def test_a_nul_byte_in_the_file_name_is_bad_input(hacalc):
    message = assert_bad_input(hacalc("availability", "--input", "rows\0.csv"))
    assert message.startswith("cannot read 'rows\\x00.csv': a file name holds no NUL byte, --input")


def run_file(path, *args):
    return subprocess.run(
        [sys.executable, "-m", "hacalc", "availability", "--input", str(path), *args], capture_output=True, timeout=120
    )


@pytest.mark.parametrize(
    ("head", "filler", "message"),
    [
        (b"", b"\0", "a row longer than 1 MiB, line 1, end every row with a newline"),  # as --input /dev/zero
        (b"mttf,mttr\n", b"7", "a row longer than 1 MiB, line 2, end every row with a newline"),
        (b'mttf,mttr\n"', b"x,y\n", "a row longer than 1 MiB, line 2, close the quoted field that starts on that line"),
        (b"mttf,mttr\r1,1\r", b"1,1\r", "a row longer than 1 MiB, line 1, end lines with \\n or \\r\\n, not a lone \\r"),
    ],
)
def test_input_without_row_ends_fails_at_the_row_limit_not_at_the_end(tmp_path, head, filler, message):
    """Rows are at most 1 MiB (batch.MAX_ROW_BYTES): past that the input is refused, never held whole in memory."""
    path = tmp_path / "rows.csv"
    with open(path, "wb") as handle:
        handle.write(head)
        for _ in range(8):  # 8 MiB, no row end in sight
            handle.write(filler * ((1 << 20) // len(filler)))
    assert assert_bad_input(run_file(path)) == message


@pytest.mark.parametrize("output", ["csv", "ndjson"])  # the plain path and the csv module's
def test_a_row_of_just_under_the_limit_is_read(tmp_path, output):
    notes = [chr(ord("a") + index) * 110_000 for index in range(9)]  # each under the csv module's 131,072
    path = tmp_path / "rows.csv"
    path.write_text(f"mttf,mttr,{','.join('abcdefghi')}\n50000h,15m,{','.join(notes)}\n1000,1{',' * 9}\n")
    result = run_file(path, "--format", output)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode().splitlines()
    assert len(lines) == 2 + (output == "csv") and len(lines[-2]) > 990_000
    last = lines[-1].split(",")[-4:] if output == "csv" else list(json.loads(lines[-1]).values())[-4:]
    assert [float(value) for value in last[:2]] == [1000 / 1001, 1 / 1001]  # MTTF 1000 h, MTTR 1 h


@pytest.mark.parametrize("output", ["csv", "ndjson"])
def test_a_field_over_the_csv_modules_limit_is_refused_on_every_path(hacalc, output):
    text = "mttf,mttr,note\n1000,1," + "x" * 140_000 + "\n"
    message = assert_bad_input(hacalc("availability", "--input", "-", "--format", output, input=text))
    assert message == "cannot read CSV: a field longer than 131,072 characters, line 2, shorten it"


def test_escaped_quotes_in_ndjson_do_not_hold_rows_back(monkeypatch):
    """A JSON string may hold an odd number of quote characters; NDJSON rows end at every newline regardless."""
    monkeypatch.setattr(batch, "BLOCK_BYTES", 64)
    monkeypatch.setattr(batch, "MAX_ROW_BYTES", 256)
    text = '{"note": "say \\"hi", "mttf": 1000, "mttr": 1}\n' + '{"mttf": 1000, "mttr": 1}\n' * 200
    assert len(run(text).splitlines()) == 201


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        (b"h300,oops,1m,x\n", "cannot read duration 'oops', line 302, column mttf"),
        (b"h300,1000h,1m,\xff\n", "not UTF-8 text (byte 0xff), line 302"),
        (b"h300,1000h,1m," + b"x" * 300 + b"\n", "a row longer than 256 bytes, line 302"),  # refused by the reader:
        (b'h300,1000h,1m,"' + b"x\n" * 200, "a row longer than 256 bytes, line 302"),  # every row before it is out
    ],
)
def test_a_bad_row_leaves_whole_earlier_blocks_and_none_of_its_own(monkeypatch, tmp_path, bad_row, message):
    """README "What a consumer sees on failure": earlier blocks complete and in order, then the error."""
    monkeypatch.setattr(batch, "BLOCK_BYTES", 64)
    monkeypatch.setattr(batch, "MAX_ROW_BYTES", 256)
    rows = b"".join(b"h%d,%dh,1m,x\n" % (index, 1000 + index) for index in range(300))
    path = tmp_path / "rows.csv"
    path.write_bytes(b"host,mttf,mttr,note\n" + rows + bad_row + b"h301,1000h,1m,x\n")
    whole = run("host,mttf,mttr,note\n" + rows.decode())
    env = Environment(io.StringIO(), io.StringIO(), io.StringIO(), False, False)
    with pytest.raises(InputError) as caught:
        run_batch(env, str(path), default_unit="h", output=None, conventions=Conventions())
    assert str(caught.value).startswith(message)
    written = env.stdout.getvalue()
    assert written.endswith("\n") and whole.startswith(written)
    assert 1 < written.count("\n") <= 301
    if "row longer" in message:  # its block never formed: the blocks before it are all there is
        assert written == whole


def test_ndjson_values_holding_line_ends_are_quoted_in_csv():
    out = run('{"mttf": 1000, "mttr": 1, "note": "two\\nlines", "key\\r": "a,\\"b\\""}\n', output="csv")
    header, row = csv.reader(io.StringIO(out, newline=""))
    assert header[:4] == ["mttf", "mttr", "note", "key\r"]
    assert row[:4] == ["1000", "1", "two\nlines", 'a,"b"'] and float(row[4]) == 1000 / 1001  # MTTF 1000 h, MTTR 1 h


CELLS = ["1000", '5" disk', '"multi\nline"', '"a,""b"""', "", '"x"', 'say "hi"', '"two\n\nblank"']


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(CELLS), st.sampled_from(CELLS)), min_size=1, max_size=30))
def test_blocks_are_cut_where_the_csv_module_ends_rows(notes):
    """A quote inside an unquoted field (5" disk) is a character, not the start of a quoted field, as
    Python's csv module reads it; blocks cut by counting it would split a later quoted field."""
    text = "mttf,mttr,a,b\n" + "".join(f"{1000 + row}h,1m,{a},{b}\n" for row, (a, b) in enumerate(notes))
    whole = run(text)
    assert whole.count(",0.99") == len(notes)
    saved = batch.BLOCK_BYTES, batch.MAX_ROW_BYTES
    try:
        batch.BLOCK_BYTES, batch.MAX_ROW_BYTES = 16, 64  # every row its own block, and rows near the limit
        assert run(text) == whole
    finally:
        batch.BLOCK_BYTES, batch.MAX_ROW_BYTES = saved
