"""Source configuration: the bundled files load; every mistake names the file, source and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.sources.config import ConfigError, load_sources, parse_sources

SOURCES_DIR = Path(__file__).resolve().parents[3] / "orchestration" / "sources"
ORIGIN = "conf/sources.yaml"


def _source(**overrides: object) -> dict:
    return {"name": "nato", "display_name": "NATO", "kind": "rss",
            "base_url": "https://www.nato.int/", "feed_url": "/cps/rss.xml", **overrides}


def _error(document: object) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_sources(document, ORIGIN)
    return str(caught.value)


def test_bundled_sample_file_loads() -> None:
    loaded = load_sources(SOURCES_DIR / "sample" / "sources.yaml")
    assert loaded.replay_dir == "fetches"
    assert [source.name for source in loaded.sources] == ["nato", "europol", "frontex"]
    europol = loaded.sources[1]
    assert europol.full_text.method == "json-api"
    assert europol.full_text.url_template == "/cms/api/node?url={path}"
    assert europol.backfill.method == "linked-list"
    assert [(dump.path, dump.as_of.isoformat()) for dump in loaded.dumps] == [
        ("dumps/syndication_2023-11-22.txt", "2023-11-22")]


def test_default_sources_file_loads_with_every_source_disabled() -> None:
    loaded = load_sources(SOURCES_DIR / "sources.yaml")
    assert [source.name for source in loaded.sources] == ["nato", "nato_aem", "europol", "frontex"]
    assert not any(source.enabled for source in loaded.sources)
    assert loaded.replay_dir is None


def test_valid_document_normalises_base_url_and_resolves_relative_urls() -> None:
    source = parse_sources({"sources": [_source()]}, ORIGIN).sources[0]
    assert source.base_url == "https://www.nato.int"
    assert source.absolute("/cps/rss.xml") == "https://www.nato.int/cps/rss.xml"
    assert source.absolute("http://other.example/x") == "http://other.example/x"


def test_unknown_top_level_key_names_file_and_key() -> None:
    message = _error({"sources": [_source()], "sourcez": []})
    assert message == f"{ORIGIN}: invalid sources file:\n  sourcez: unknown key"


def test_unknown_nested_key_names_file_source_and_dotted_key() -> None:
    message = _error({"sources": [_source(http={"retrys": 3})]})
    assert message == (f"{ORIGIN}: invalid sources file:\n"
                       "  source 'nato', key 'http.retrys': unknown key")


def test_unknown_source_key_names_the_right_source() -> None:
    message = _error({"sources": [_source(), _source(name="europol", feed_ur1="/x")]})
    assert "source 'europol', key 'feed_ur1': unknown key" in message
    assert "source 'nato'" not in message


def test_bad_timezone_is_an_error() -> None:
    message = _error({"sources": [_source(timezone="Europe/Brusels")]})
    assert ORIGIN in message
    assert "source 'nato', key 'timezone'" in message
    assert "unknown IANA time zone 'Europe/Brusels'" in message


@pytest.mark.parametrize("name", ["NATO", "1nato", "nato-legacy", "", "n" * 64])
def test_bad_source_name_is_an_error(name: str) -> None:
    message = _error({"sources": [_source(name=name)]})
    assert "key 'name'" in message
    assert "must match [a-z][a-z0-9_]{0,62}" in message


def test_duplicate_source_names_are_an_error() -> None:
    message = _error({"sources": [_source(), _source(display_name="NATO again")]})
    assert ORIGIN in message
    assert "source names must be unique; repeated: nato" in message


def test_json_api_without_url_template_is_an_error() -> None:
    message = _error({"sources": [_source(full_text={"method": "json-api"})]})
    assert "source 'nato', key 'full_text'" in message
    assert "json-api needs full_text.url_template" in message


def test_rate_limit_below_floor_is_an_error() -> None:
    message = _error({"sources": [_source(rate_limit={"min_interval_s": 0.1})]})
    assert "source 'nato', key 'rate_limit.min_interval_s'" in message


def test_document_that_is_not_a_mapping_is_an_error() -> None:
    assert _error(["nato"]) == f"{ORIGIN}: expected a mapping with 'sources:' at the top level"


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError, match="sources file not found"):
        load_sources(missing)


@pytest.mark.parametrize("kind", ["directory", "binary"])
def test_unreadable_sources_file_is_a_config_error_not_a_traceback(tmp_path: Path,
                                                                  kind: str) -> None:
    # Regression: a directory or a binary file as the sources file ended in a traceback.
    target = tmp_path / "sources.yaml"
    if kind == "directory":
        target.mkdir()
    else:
        target.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00\x00")
    with pytest.raises(ConfigError, match=r"sources\.yaml: (is a directory|not a text file)"):
        load_sources(target)
