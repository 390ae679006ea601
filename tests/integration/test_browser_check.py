"""The offline check can fail: a page that loads anything is caught by the NetLog reading."""

from __future__ import annotations

from pathlib import Path

from tests.browser import load

LEAKY_PAGE = """<!DOCTYPE html><html><body>
<img src="http://127.0.0.1:9/pixel.png">
<script src="https://cdn.example.invalid/vega.js"></script>
<script>fetch("http://127.0.0.1:9/api").catch(() => {}); document.body.dataset.ran = "yes";</script>
</body></html>"""


def test_a_page_that_loads_from_the_network_is_caught(tmp_path: Path) -> None:
    page = tmp_path / "leaky.html"
    page.write_text(LEAKY_PAGE, encoding="utf-8")
    loaded = load(page.as_uri(), tmp_path / "browser", budget_ms=3000)
    assert 'data-ran="yes"' in loaded.dom
    assert set(loaded.requests) >= {
        "http://127.0.0.1:9/pixel.png",
        "https://cdn.example.invalid/vega.js",
        "http://127.0.0.1:9/api",
    }
