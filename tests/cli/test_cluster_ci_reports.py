"""``cluster check --format junit|markdown``: the reports a CI system reads (issue 9 §3).

Expected verdicts are those of the bundled scenarios, which the cluster tests derive from VMware's published
slot example (vsphere-ha.md, EX1): three hosts, five VMs; two host failures leave VM5 unplaced.
"""

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
SLOT_EXAMPLE = str(SCENARIOS / "cluster-vmware-slot-example.toml")
C_ESX35 = str(SCENARIOS / "cluster-c-esx35.toml")


def junit(hacalc, *args):
    result = hacalc("cluster", "check", *args, "--format", "junit")
    return result, ElementTree.fromstring(result.stdout)


def test_junit_has_one_suite_per_cluster_and_one_case_per_check(hacalc):
    result, root = junit(hacalc, SLOT_EXAMPLE, "-F", "2")
    assert result.exit_code == 1
    assert root.tag == "testsuites" and root.get("tests") == "2" and root.get("failures") == "2"
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "VMware slot example"
    properties = {item.get("name"): item.get("value") for item in suite.iter("property")}
    assert properties == {"policy": "slot", "tolerate": "2", "hosts_counted": "3", "powered_on_vms": "5"}
    policy, restart = suite.findall("testcase")
    assert policy.find("failure").get("message") == "slot policy: current failover level 1 < 2"
    failure = restart.find("failure")
    assert failure.get("message") == "1 VM cannot restart when H1 and H2 fail"
    assert failure.text.startswith("VM5: 1000 MHz, 1024 MB")


def test_junit_passes_skips_and_lists_warnings_as_skipped_cases(hacalc):
    result, root = junit(hacalc, C_ESX35, "--no-restart-check")
    assert result.exit_code == 0
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    assert [case.get("name") for case in cases[:2]] == ["admission control (slot policy)", "every powered-on VM restarts after any 1 host failure"]
    assert cases[0].find("failure") is None and cases[0].find("skipped") is None
    assert cases[1].find("skipped").get("message") == "--no-restart-check"
    warnings = [case for case in cases[2:] if case.get("name").startswith("warning: ")]
    assert len(warnings) == 2  # the seed spells two das.* keys with the wrong case
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("4", "0", "3")


def test_markdown_summarises_then_details_the_failures(hacalc):
    result = hacalc("cluster", "check", SLOT_EXAMPLE, "-F", "2", "--format", "markdown")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "## hacalc cluster check: FAIL"
    assert "| VMware slot example | **FAIL** | 3 | 5 | slot | 2 | H1, H2 |" in lines
    assert "- every powered-on VM restarts after any 2 host failures: **FAIL**: 1 VM cannot restart when H1 and H2 fail" in lines
    assert "| VM5 | medium | 1000 | 1024 | - |" in lines


@pytest.mark.parametrize("output", ["junit", "markdown"])
def test_names_from_the_file_cannot_break_the_report(hacalc, tmp_path, output):
    data = json.loads((SCENARIOS / "cluster-vmware-percentage-example.json").read_text())
    data["cluster"]["name"] = "a|b <img src=x>\x1b]0;t\x07"
    scenario = tmp_path / "hostile.json"
    scenario.write_text(json.dumps(data))
    result = hacalc("cluster", "check", str(scenario), "--format", output)
    assert result.exit_code in (0, 1)
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    if output == "junit":
        assert ElementTree.fromstring(result.stdout).find("testsuite").get("name") == "a|b <img src=x>\\x1b]0;t\\x07"
    else:
        assert "| a\\|b &lt;img src=x&gt;\\x1b]0;t\\x07 |" in result.stdout
