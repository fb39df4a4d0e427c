import io
import json

import pytest

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
        ("mttf,mttr\r1000,10\r", "cannot read the CSV header"),
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
