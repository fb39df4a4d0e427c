"""The platforms' own cluster settings (issue 15): decoded, defaulted, and refused on another platform's file."""

import io
import textwrap

import pytest

from hacalc.core.errors import InputError
from hacalc.core.vsphere.model import NutanixReservation, Platform, ProxmoxCrs
from hacalc.readers.cluster import load_cluster

HOSTS = """\

[[hosts]]
name = "n1"
cpu_mhz = 1000
memory_mb = 4096
host_reserve_mb = 512
"""


def load(cluster_table: str):
    text = textwrap.dedent(cluster_table) + HOSTS
    return load_cluster("-", input_format="toml", stdin=io.StringIO(text))


def error(cluster_table: str) -> str:
    with pytest.raises(InputError) as caught:
        load(cluster_table)
    return str(caught.value)


def test_nutanix_settings_decode():
    cluster = load('[cluster]\nname = "N"\nplatform = "nutanix"\nnutanix_reservation = "segments"\nreplication_factor = 3\n')
    settings = cluster.settings
    assert (settings.platform, settings.nutanix_reservation, settings.replication_factor) == (Platform.nutanix, NutanixReservation.segments, 3)
    assert cluster.hosts[0].host_reserve_mb == 512


def test_proxmox_crs_decodes():
    assert load('[cluster]\nname = "P"\nplatform = "proxmox"\nproxmox_crs = "static"\n').settings.proxmox_crs is ProxmoxCrs.static


def test_platform_settings_default_to_none_and_vsphere_files_keep_their_meaning():
    settings = load('[cluster]\nname = "V"\n').settings
    assert (settings.platform, settings.nutanix_reservation, settings.replication_factor, settings.proxmox_crs) == (Platform.vsphere, None, None, None)


@pytest.mark.parametrize(
    "table, expected, line",
    [
        ('[cluster]\nname = "V"\nproxmox_crs = "basic"\n', "proxmox_crs is a proxmox setting, and this cluster's platform is vsphere", 3),
        ('[cluster]\nname = "H"\nplatform = "hyperv"\nreplication_factor = 2\n', "replication_factor is a nutanix setting, and this cluster's platform is hyperv", 4),
        ('[cluster]\nname = "P"\nplatform = "proxmox"\nnutanix_reservation = "hosts"\n', "nutanix_reservation is a nutanix setting", 4),
    ],
)
def test_a_setting_of_another_platform_is_refused_where_it_is_written(table, expected, line):
    message = error(table)
    assert expected in message and f"line {line} " in message
    assert message.endswith('remove it, or set platform = "nutanix"') or message.endswith('remove it, or set platform = "proxmox"')


def test_tolerate_must_agree_with_the_replication_factor():
    message = error('[cluster]\nname = "N"\nplatform = "nutanix"\ntolerate = 2\nreplication_factor = 2\n')
    assert "tolerate = 2 contradicts replication_factor = 2 (with RF2 AHV tolerates 1 host failure)" in message
    assert load('[cluster]\nname = "N"\nplatform = "nutanix"\ntolerate = 2\nreplication_factor = 3\n').settings.tolerate == 2


@pytest.mark.parametrize(
    "table, expected",
    [
        ('[cluster]\nname = "N"\nplatform = "nutanix"\nreplication_factor = 4\n', "replication_factor = 4 is out of range"),
        ('[cluster]\nname = "N"\nplatform = "nutanix"\nnutanix_reservation = "segment"\n', "did you mean 'segments'?"),
        ('[cluster]\nname = "P"\nplatform = "proxmox"\nproxmox_crs = "dynamic"\n', "proxmox_crs must be one of basic, static"),
    ],
)
def test_bad_platform_values_are_located(table, expected):
    assert expected in error(table)
