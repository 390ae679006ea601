"""A source may name the exact private endpoints it may contact (a loopback test server)."""

from ipaddress import ip_address

from orchestration.sources.config import SourceConfig
from orchestration.sources.http import HttpSettings
from orchestration.sources.http_transport import settings_for


def _source(**http: object) -> SourceConfig:
    return SourceConfig(
        name="local",
        display_name="Local",
        kind="rss",
        base_url="http://127.0.0.1:8080",
        feed_url="/feed.xml",
        http=http,
    )


def test_source_endpoints_join_the_base_settings_ones():
    base = HttpSettings(allowed_private_endpoints=("127.0.0.1:9000",))
    settings = settings_for(_source(allowed_private_endpoints=["127.0.0.1:8080"]), base)
    assert settings.allowed_private_endpoints == ("127.0.0.1:9000", "127.0.0.1:8080")
    assert settings.address_policy.permits(ip_address("127.0.0.1"), 8080)


def test_no_endpoint_listed_keeps_loopback_refused():
    settings = settings_for(_source())
    assert settings.allowed_private_endpoints == ()
    assert not settings.address_policy.permits(ip_address("127.0.0.1"), 8080)
