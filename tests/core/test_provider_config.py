"""[providers.*] is checked when the config loads: unknown providers and keys, wrong types."""

from __future__ import annotations

import pytest

from costopt.config import load_settings
from costopt.errors import ConfigError


@pytest.mark.parametrize("body, message", [
    ('[providers.aws]\nmax_worker = 4\n', "line 2, key 'providers.aws.max_worker': unknown setting; "
                                         "[providers.aws] takes: max_workers"),
    ('[providers.aws]\nmax_workers = "many"\n', "key 'providers.aws.max_workers': expected a whole number >= 1"),
    ('[providers.aws]\nmax_workers = 0\n', "expected a whole number >= 1, got 0"),
    ('[providers.aws]\nretry_mode = "fast"\n', "expected one of 'standard', 'adaptive', 'legacy'"),
    ('[providers.aws]\nperiod_s = 90\n', "a multiple of 60"),
    ('[providers.gcp]\nprojects = "ml-prod"\n', "key 'providers.gcp.projects': expected a list of strings"),
    ('[providers.oci]\nregion = "x"\n', "key 'providers.oci': unknown provider; expected one of: aws, gcp, azure"),
    ('providers = { aws = 3 }\n', "key 'providers.aws': expected a table of settings"),
])
def test_bad_provider_settings_name_file_line_and_key(tmp_path, body, message):
    path = tmp_path / "costopt.toml"
    path.write_text(body)
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    assert str(err.value).startswith(str(path)) and message in str(err.value)


def test_good_provider_settings_load(tmp_path):
    path = tmp_path / "costopt.toml"
    path.write_text('[providers.aws]\nmax_workers = 4\nprices = "catalog"\n[providers.azure]\nsubscriptions = ["s"]\n')
    assert load_settings(path).providers["aws"] == {"max_workers": 4, "prices": "catalog"}
