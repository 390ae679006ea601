"""The build cache on disk (extract/build_cache.py, the gazetteer's): a build is stored once
and loaded after; other inputs, a damaged or truncated file and an unwritable directory all
lead to a fresh build, never to a wrong answer; concurrent processes only ever read whole
files."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.extract import build_cache
from orchestration.extract.build_cache import cache_path, inputs_digest, load, load_or_build

pytestmark = pytest.mark.timeout(300)

REPO = Path(__file__).resolve().parents[2]
INPUTS = [("data:a.yaml", b"one"), ("version:lib", b"1.0")]


class Builds:
    """A build that counts its calls."""

    def __init__(self, value: object) -> None:
        self.value, self.calls = value, 0

    def __call__(self) -> object:
        self.calls += 1
        return self.value


def _only_file(directory: Path) -> Path:
    (path,) = directory.iterdir()
    return path


def test_built_once_then_loaded(tmp_path: Path) -> None:
    build = Builds({"Paris": ("FR", 2_100_000), "shared": [1, 2]})
    first = load_or_build("things", INPUTS, build, tmp_path)
    second = load_or_build("things", INPUTS, build, tmp_path)
    assert first == second == build.value
    assert build.calls == 1
    assert _only_file(tmp_path).name.startswith("things-")


def test_other_inputs_are_built_again_and_the_newest_builds_kept(tmp_path: Path) -> None:
    for version in range(build_cache.KEEP + 2):
        inputs = [*INPUTS, ("source:module.py", f"v{version}".encode())]
        build = Builds(version)
        assert load_or_build("things", inputs, build, tmp_path) == version
        assert build.calls == 1  # never another version's result
        os.utime(
            cache_path(tmp_path, "things", inputs_digest(inputs)),
            ns=(version * 10**9, version * 10**9),
        )
    assert len(list(tmp_path.glob("things-*.pickle"))) == build_cache.KEEP
    newest = [*INPUTS, ("source:module.py", f"v{build_cache.KEEP + 1}".encode())]
    assert load_or_build("things", newest, Builds("rebuilt"), tmp_path) == build_cache.KEEP + 1


def test_the_python_version_is_part_of_the_key() -> None:
    assert inputs_digest(INPUTS) != inputs_digest([("python", b"3.11"), *INPUTS])
    assert inputs_digest(INPUTS) != inputs_digest(INPUTS[:1])
    # a name and a value cannot trade bytes: ("ab", "c") is not ("a", "bc")
    assert inputs_digest([("ab", b"c")]) != inputs_digest([("a", b"bc")])


@pytest.mark.parametrize(
    "damage",
    ["truncated", "flipped_byte", "empty", "other_key", "unloadable_payload", "not_ours"],
)
def test_a_damaged_file_is_built_again_and_replaced(tmp_path: Path, damage: str) -> None:
    value = {"city": "Chișinău", "population": list(range(1000))}
    load_or_build("things", INPUTS, Builds(value), tmp_path)
    path = _only_file(tmp_path)
    data = path.read_bytes()
    header = len(build_cache.FORMAT) + 64
    if damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "flipped_byte":
        flipped = bytearray(data)
        flipped[-10] ^= 0x01
        path.write_bytes(bytes(flipped))
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "other_key":
        path.write_bytes(
            data[: len(build_cache.FORMAT)] + bytes(32) + data[len(build_cache.FORMAT) + 32 :]
        )
    elif damage == "unloadable_payload":  # right digests, but not a pickle
        payload = b"\x80\x05not a pickle at all"
        path.write_bytes(data[: header - 32] + hashlib.sha256(payload).digest() + payload)
    else:
        path.write_bytes(b"some other program's file\n" * 10)
    build = Builds(value)
    assert load_or_build("things", INPUTS, build, tmp_path) == value
    assert build.calls == 1
    assert load(path, inputs_digest(INPUTS)) == value  # replaced by a whole file again


def test_an_unwritable_directory_costs_only_the_build(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "file-not-directory"
    blocked.write_text("x")
    build = Builds([1, 2, 3])
    assert load_or_build("things", INPUTS, build, blocked / "cache") == [1, 2, 3]
    assert load_or_build("things", INPUTS, build, blocked / "cache") == [1, 2, 3]
    assert build.calls == 2
    assert "could not store things" in caplog.text


_RACER = """
import sys, time
from pathlib import Path
from orchestration.extract.build_cache import cache_path, inputs_digest, load, load_or_build

directory, worker = Path(sys.argv[1]), int(sys.argv[2])
value = {"worker-independent": list(range(200_000))}
inputs = [("data:x", b"1")]
key = inputs_digest(inputs)
path = cache_path(directory, "race", key)
seen = 0
deadline = time.monotonic() + 6
while time.monotonic() < deadline:
    if worker % 2:  # writers: build and store again and again
        path.unlink(missing_ok=True)
        assert load_or_build("race", inputs, lambda: value, directory) == value
    else:  # readers: whatever they find is whole, or nothing
        found = load(path, key)
        assert found is None or found == value, "a partial or wrong file was read"
        seen += found is not None
print(seen)
"""


def test_concurrent_processes_read_only_whole_files(tmp_path: Path) -> None:
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _RACER, str(tmp_path), str(worker)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for worker in range(4)
    ]
    outputs = [process.communicate(timeout=120) for process in processes]
    for process, (_out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
    assert sum(int(out) for out, _err in outputs[::2]) > 0  # the readers did read builds
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []


_GAZETTEER_DIGEST = """
import hashlib
from orchestration.extract import gazetteer
known, towns = gazetteer._build()
text = repr(sorted((word, sorted(groups.items())) for word, groups in known.index.items()))
text += repr(sorted(known.places.items())) + repr(sorted(towns.items()))
print(hashlib.sha256(text.encode()).hexdigest())
"""


def test_the_gazetteer_is_built_alike_in_every_process() -> None:
    """A regression: set iteration made the order of equal-length aliases differ between
    processes (Python's string hashes are seeded per process), so a cached build and a
    fresh one could disagree on which alias is tried first."""
    digests = {
        subprocess.run(
            [sys.executable, "-c", _GAZETTEER_DIGEST],
            cwd=REPO,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(digests) == 1


def test_the_gazetteer_from_the_cache_is_the_one_built(tmp_path: Path) -> None:
    from orchestration.extract import gazetteer

    build = Builds(None)

    def counted() -> object:
        build.calls += 1
        return gazetteer._build()

    built = load_or_build("gazetteer", gazetteer._inputs(), counted, tmp_path)
    loaded = load_or_build("gazetteer", gazetteer._inputs(), counted, tmp_path)
    assert build.calls == 1
    assert loaded == built
    assert loaded[0].index == built[0].index  # the alias order too
    assert loaded[0].country("FR") is not None
    assert "Druskininkai" in loaded[1]
