"""A quiet start: known library warnings are filtered precisely, training progress is readable."""

from __future__ import annotations

import io
import warnings

import pytest

from bot import progress, quiet


def _shown(message: str, category: type[Warning], module: str) -> list[str]:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        quiet.install()
        warnings.warn_explicit(message, category, f"/{module}.py", 1, module=module)
    return [str(w.message) for w in seen]


@pytest.mark.parametrize(
    "message, module",
    [
        ("Deprecated API features detected! These feature(s) ...", "rasa.engine.caching"),
        ("'setParseAction' deprecated - use 'set_parse_action'", "matplotlib.fontconfig_pattern"),
        ("the load_module() method is deprecated and slated for removal", "importlib._bootstrap"),
        ("pkg_resources is deprecated as an API. See ...", "apscheduler"),
        ("Calling URL() directly is deprecated and will be disabled", "rasa.core.tracker_store"),
        (
            "Deprecated since version v22.2: In a future major version attribute `retry_after` will",
            "telegram.error",
        ),
    ],
)
def test_known_library_warnings_are_not_shown(message, module):
    assert _shown(message, DeprecationWarning, module) == []


@pytest.mark.parametrize(
    "message, category, module",
    [
        # the same message from our own code, another category, or a new message: still shown
        ("Deprecated API features detected!", DeprecationWarning, "bot.engine"),
        ("Deprecated API features detected!", RuntimeWarning, "rasa.engine.caching"),
        ("something new is deprecated", DeprecationWarning, "rasa.core.agent"),
    ],
)
def test_other_warnings_still_show(message, category, module):
    assert _shown(message, category, module) == [message]


def test_filters_come_back_in_front_after_sanic_turns_deprecations_on():
    """Sanic adds `once` for every DeprecationWarning when imported; ours must still win."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        quiet.install()
        warnings.filterwarnings("once", category=DeprecationWarning)  # what Sanic does
        quiet._filter()  # what the import hook runs right after Sanic has loaded
        warnings.warn_explicit(
            "Deprecated API features detected!", DeprecationWarning, "/x.py", 1, module="rasa.x"
        )
    assert seen == []


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_training_progress_is_one_line_on_a_terminal():
    screen = _Terminal()
    with progress.reporting(screen):
        progress.report("training", None, None)
        for done in range(0, 1001, 10):
            progress.report("embedding examples", done, 1000)
    text = screen.getvalue()
    assert "\n" not in text  # every update rewrites the same line
    assert "embedding examples 1,000/1,000 (100%)" in text
    assert text.endswith("\r")  # and the line is cleared at the end


def test_training_progress_is_a_few_lines_in_a_log():
    log = io.StringIO()
    with progress.reporting(log):
        progress.report("training the NLU pipeline")
        for done in range(0, 5001, 1):
            progress.report("embedding examples", done, 5000)
        progress.report("fitting the topic classifier")
    lines = log.getvalue().splitlines()
    assert len(lines) == 6, lines  # a line per stage, plus 25%, 50%, 75% of the long one
    assert [line.split(" ", 2)[2].split(" [")[0] for line in lines] == [
        "training the NLU pipeline",
        "embedding examples 0/5,000 (0%)",
        "embedding examples 1,250/5,000 (25%)",
        "embedding examples 2,500/5,000 (50%)",
        "embedding examples 3,750/5,000 (75%)",
        "fitting the topic classifier",
    ]


def test_progress_outside_training_is_silent(capsys):
    progress.report("embedding examples", 1, 2)
    assert capsys.readouterr() == ("", "")
