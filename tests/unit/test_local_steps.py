"""The local text for the guidance's restricted sections is the operator's configuration."""

import pytest

from casework.config import ConfigError, Settings


def settings(tmp_path, text=None):
    environ = {"ACRO_INSTANCE_DIR": str(tmp_path), "SECRET_KEY": "local-steps-test"}
    if text is not None:
        path = tmp_path / "steps.toml"
        path.write_text(text, encoding="utf-8")
        environ["ACRO_LOCAL_STEPS_FILE"] = str(path)
    return Settings.from_env(environ)


def test_the_file_gives_each_section_its_text(tmp_path):
    configured = settings(tmp_path, '"WF-5" = "Add the case to the FNO tracker."\nCW-5 = """Copy the\ngatekeeper."""\n')
    assert configured.restricted_steps == {"WF-5": "Add the case to the FNO tracker.", "CW-5": "Copy the\ngatekeeper."}
    assert configured.handler_settings()["restricted_steps"] == configured.restricted_steps


def test_no_file_means_none_configured(tmp_path):
    assert settings(tmp_path).restricted_steps == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [('WF-5 = "unclosed', "cannot be read"), ("WF-5 = 3", "WF-5 must be text")],
)
def test_a_file_that_cannot_be_used_stops_the_start(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        settings(tmp_path, text)
