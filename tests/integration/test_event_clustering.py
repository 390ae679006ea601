"""int_event_mentions_clustered against a rule written out in Python, on generated blocks.

The model alone is built by dbt (`dbt run -s`) on input tables written here, in a DuckDB
whose pool is far smaller than the pipeline's and which may not spill: a long chain of
reports in one block must come out as one event without building the chain's transitive
closure (the number of pairs of reports it links grows with the square of its length), and
label propagation must run the chain's full length before it stops. Random blocks must give
the events the rule gives, whatever order the mention ids put the reports in, and whether
the blocks are clustered in one bucket or in several (macros/event_clustering.sql).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import duckdb
import pytest

from tests.integration.dbt_fixtures import run_dbt

# a pool of 128 MB and no temporary files: the closure of CHAIN_LENGTH reports
# (CHAIN_LENGTH² pairs) does not fit; one row per report and edge does
TIGHT_PROFILE = """
pressroom:
  target: default
  outputs:
    default:
      type: duckdb
      path: "{{ env_var('PRESSROOM_DUCKDB_PATH') }}"
      threads: 1
      settings:
        memory_limit: 128MB
        max_temp_directory_size: 0KB
"""
CHAIN_LENGTH = 3000
# a pool of 64 MB that may spill: one query over MANY_BLOCKS blocks of 60 reports (120,000
# reports) runs out of it (as 2.3 million reports ran out of 600 MB), and so does one over
# half of them; buckets of 10,000 reports fit (so do buckets of 30,000)
SPILLING_PROFILE = TIGHT_PROFILE.replace("128MB", "64MB").replace(
    "        max_temp_directory_size: 0KB\n", ""
)
MANY_BLOCKS = 2000
DAY = date(2024, 3, 1)
# place tree: venue v1 in city c1 in country k1; city c2 in k1; city c3 in k2
PARENTS = {"v1": "c1", "c1": "k1", "c2": "k1", "c3": "k2", "k1": None, "k2": None}


@dataclass(frozen=True)
class Mention:
    key: str  # stable name of the report, independent of its event_mention_id
    release_id: str
    group: str
    start_time: time | None
    location_id: str | None
    description: str | None
    people: frozenset[str]
    published_at: datetime


def ancestors(location_id: str) -> set[str]:
    """The place and every place it lies in, two levels up (as the model reads them)."""
    found, parent = {location_id}, PARENTS[location_id]
    if parent is not None:
        found.add(parent)
        if PARENTS[parent] is not None:
            found.add(PARENTS[parent])
    return found


def matches(left: Mention, right: Mention) -> bool:
    """The de-duplication rule of one pair (int_events_deduplicated's description)."""
    if left.group != right.group or left.release_id == right.release_id:
        return False
    times = {left.start_time, right.start_time} - {None}
    if len(times) > 1:
        return False
    places = {left.location_id, right.location_id}
    if None in places:
        place = "none" if places == {None} else "one_missing"
    elif left.location_id == right.location_id:
        place = "same"
    elif right.location_id in ancestors(left.location_id) or left.location_id in ancestors(
        right.location_id
    ):
        place = "contained"
    else:
        return False
    if left.people & right.people:
        return True
    if left.description is not None and left.description == right.description:
        # the same description, unless both name people and none in common
        return not (left.people and right.people) or (
            not left.people and not right.people and place in ("same", "contained")
        )
    return not left.people and not right.people and place in ("same", "contained")


def expected_events(mentions: list[Mention]) -> set[frozenset[str]]:
    """Components among reports of the same timing; an untimed component joins the timed
    one it matches when it matches exactly one."""
    parent = {mention.key: mention.key for mention in mentions}

    def find(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    cross: list[tuple[str, str]] = []  # (untimed, timed)
    for index, left in enumerate(mentions):
        for right in mentions[index + 1 :]:
            if not matches(left, right):
                continue
            if (left.start_time is None) == (right.start_time is None):
                parent[find(left.key)] = find(right.key)
            elif left.start_time is None:
                cross.append((left.key, right.key))
            else:
                cross.append((right.key, left.key))
    fits: dict[str, set[str]] = {}
    for untimed, timed in cross:
        fits.setdefault(find(untimed), set()).add(find(timed))
    joined = {untimed: timed.pop() for untimed, timed in fits.items() if len(timed) == 1}
    events: dict[str, set[str]] = {}
    for mention in mentions:
        root = find(mention.key)
        events.setdefault(joined.get(root, root), set()).add(mention.key)
    return {frozenset(keys) for keys in events.values()}


def random_blocks(seed: int, blocks: int = 3) -> list[Mention]:
    """Blocks of 70 reports from 50 releases, with times, places, people and descriptions
    drawn so that every branch of the rule occurs."""
    rng = random.Random(seed)
    mentions = []
    for block in range(blocks):
        for index in range(70):
            release = rng.randrange(50)
            mentions.append(
                Mention(
                    key=f"b{block}-{index}",
                    release_id=f"r{release}",
                    group=f"g{block}",
                    start_time=rng.choice([None, None, time(10), time(14)]),
                    location_id=rng.choice([None, "v1", "c1", "c2", "c3", "k1", "k2"]),
                    description=rng.choice([None, "summit", "press conference", "visit"]),
                    people=frozenset(
                        rng.sample(
                            ["p1", "p2", "p3", "p4", "p5", "p6"], rng.choice([0, 0, 1, 1, 2])
                        )
                    ),
                    published_at=datetime(2024, 3, 1, 8) + timedelta(minutes=release),
                )
            )
    return mentions


def chain(length: int) -> list[Mention]:
    """One untimed report per release, each sharing one person with the next only."""
    return [
        Mention(
            key=f"c{index}",
            release_id=f"r{index}",
            group="chain",
            start_time=None,
            location_id=None,
            description=f"item {index}",
            people=frozenset({f"p{index}", f"p{index + 1}"}),
            published_at=datetime(2024, 3, 1) + timedelta(seconds=index),
        )
        for index in range(length)
    ]


def write_inputs(db_path: Path, mentions: list[Mention], mention_ids: dict[str, str]) -> None:
    """The model's inputs as tables where its refs point (schemas staging, intermediate)."""
    conn = duckdb.connect(str(db_path))
    try:
        conn.execute("create schema if not exists staging")
        conn.execute("create schema if not exists intermediate")
        conn.execute(
            "create or replace table staging.stg_raw__event_mentions (event_mention_id varchar,"
            " release_id varchar, event_type varchar, description varchar, start_date date,"
            " end_date date, date_precision varchar, start_time time, timezone_label varchar,"
            " timezone_name varchar, starts_at timestamp, place_id varchar, location_id varchar,"
            " event_group_key varchar, evidence_start integer, evidence_end integer,"
            " partition_date date, extractor_version varchar)"
        )
        conn.executemany(
            "insert into staging.stg_raw__event_mentions values"
            " (?, ?, 'meeting', ?, ?, null, 'day', ?, null, null, null, ?, ?, ?, 0, 5, ?, 't')",
            [
                (
                    mention_ids[m.key],
                    m.release_id,
                    m.description,
                    DAY,
                    m.start_time,
                    m.location_id,
                    m.location_id,
                    m.group,
                    DAY,
                )
                for m in mentions
            ],
        )
        conn.execute(
            "create or replace table intermediate.int_event_groups_affected as"
            " select distinct event_group_key from staging.stg_raw__event_mentions"
        )
        conn.execute(
            "create or replace table intermediate.int_event_participants_resolved"
            " (event_mention_id varchar, person_id varchar)"
        )
        conn.executemany(
            "insert into intermediate.int_event_participants_resolved values (?, ?)",
            [(mention_ids[m.key], person) for m in mentions for person in sorted(m.people)],
        )
        releases = {m.release_id: m.published_at for m in mentions}
        conn.execute(
            "create or replace table intermediate.int_releases_latest"
            " (release_id varchar, published_at timestamp, seen_date date)"
        )
        conn.executemany(
            "insert into intermediate.int_releases_latest values (?, ?, ?)",
            [(release, at, at.date()) for release, at in releases.items()],
        )
        conn.execute(
            "create or replace table intermediate.int_locations_resolved"
            " (location_id varchar, parent_location_id varchar, precision varchar)"
        )
        conn.executemany(
            "insert into intermediate.int_locations_resolved values (?, ?, 'city')",
            list(PARENTS.items()),
        )
        conn.execute(
            "create or replace table intermediate.int_release_places"
            " (release_id varchar, location_id varchar, inference_basis varchar)"
        )
    finally:
        conn.close()


def write_many_blocks(db_path: Path, blocks: int, per_block: int) -> None:
    """The model's inputs, drawn in SQL: per_block reports in each of `blocks` blocks, three
    reports a release, times, places, descriptions and up to two of six people by hash."""
    conn = duckdb.connect(str(db_path))
    try:
        conn.execute("create schema staging")
        conn.execute("create schema intermediate")
        conn.execute(
            "create table staging.stg_raw__event_mentions as select"
            " 'm' || lpad(i::varchar, 8, '0') as event_mention_id,"
            " 'r' || (i // 3)::varchar as release_id, 'meeting' as event_type,"
            " ['summit', 'visit', null][1 + (hash(i, 'd') % 3)::int] as description,"
            " date '2024-03-01' as start_date, null::date as end_date, 'day' as date_precision,"
            " [null, time '10:00', null][1 + (hash(i, 't') % 3)::int] as start_time,"
            " null::varchar as timezone_label, null::varchar as timezone_name,"
            " null::timestamp as starts_at,"
            " ['v1', 'c1', null, 'c2'][1 + (hash(i, 'l') % 4)::int] as place_id,"
            " ['v1', 'c1', null, 'c2'][1 + (hash(i, 'l') % 4)::int] as location_id,"
            f" 'g' || (i % {blocks})::varchar as event_group_key, 0 as evidence_start,"
            " 5 as evidence_end, date '2024-03-01' as partition_date, 't' as extractor_version"
            f" from range({blocks * per_block}) as numbers(i)"
        )
        conn.execute(
            "create table intermediate.int_event_groups_affected as"
            " select distinct event_group_key from staging.stg_raw__event_mentions"
        )
        conn.execute(
            "create table intermediate.int_event_participants_resolved as"
            " select event_mention_id, 'p' || (hash(event_mention_id, k) % 6)::varchar as person_id"
            " from staging.stg_raw__event_mentions, range(2) as draws(k)"
            " where hash(event_mention_id, 'n', k) % 3 = 0"
        )
        conn.execute(
            "create table intermediate.int_releases_latest as select distinct release_id,"
            " timestamp '2024-03-01 08:00' + to_seconds(hash(release_id) % 10000) as published_at,"
            " date '2024-03-01' as seen_date from staging.stg_raw__event_mentions"
        )
        conn.execute(
            "create table intermediate.int_locations_resolved"
            " (location_id varchar, parent_location_id varchar)"
        )
        conn.executemany(
            "insert into intermediate.int_locations_resolved values (?, ?)",
            list(PARENTS.items()),
        )
    finally:
        conn.close()


def build_model(
    work: Path,
    mentions: list[Mention],
    mention_ids: dict[str, str],
    *dbt_args: str,
    models: tuple[str, ...] = ("int_event_mentions_clustered",),
    query: str = "select * from intermediate.int_event_mentions_clustered"
    " order by event_mention_id",
) -> list[tuple]:
    """Build ``models`` in the tight pool; the rows of ``query``."""
    db_path = work / "clustering.duckdb"
    write_inputs(db_path, mentions, mention_ids)
    run_dbt(db_path, work, "run", "-s", *models, *dbt_args, profiles_dir=work)
    conn = duckdb.connect(str(db_path), read_only=True)
    try:
        return conn.execute(query).fetchall()
    finally:
        conn.close()


def bucket_sizes(mentions: list[Mention], bucket_count: int) -> list[int]:
    """Reports per bucket as the model draws them (hash(event_group_key) % bucket_count)."""
    conn = duckdb.connect()
    try:
        rows = conn.execute(
            "select hash(event_group_key) % ? as bucket, count(*) from"
            " (select unnest(?) as event_group_key) group by bucket order by bucket",
            [bucket_count, [m.group for m in mentions]],
        ).fetchall()
    finally:
        conn.close()
    return [count for _, count in rows]


def clustered_events(
    work: Path, mentions: list[Mention], mention_ids: dict[str, str]
) -> tuple[set[frozenset[str]], dict[str, str]]:
    """Build the model in the tight pool; its events (as sets of keys) and each event's
    representative (event_id -> key)."""
    db_path = work / "clustering.duckdb"
    write_inputs(db_path, mentions, mention_ids)
    run_dbt(db_path, work, "run", "-s", "int_event_mentions_clustered", profiles_dir=work)
    keys = {mention_id: key for key, mention_id in mention_ids.items()}
    conn = duckdb.connect(str(db_path), read_only=True)
    try:
        rows = conn.execute(
            "select event_id, event_mention_id, is_representative"
            " from intermediate.int_event_mentions_clustered"
        ).fetchall()
    finally:
        conn.close()
    events: dict[str, set[str]] = {}
    representatives = {}
    for event_id, mention_id, is_representative in rows:
        events.setdefault(event_id, set()).add(keys[mention_id])
        if is_representative:
            representatives[event_id] = keys[mention_id]
    assert len(rows) == len(mentions)
    return {frozenset(keys) for keys in events.values()}, representatives


@pytest.fixture
def work(tmp_path: Path) -> Path:
    (tmp_path / "profiles.yml").write_text(TIGHT_PROFILE, encoding="utf-8")
    return tmp_path


def test_random_blocks_follow_the_rule_whatever_the_mention_id_order(work: Path) -> None:
    mentions = random_blocks(seed=7)
    expected = expected_events(mentions)
    # the rule is not trivial here: merged events, single reports, untimed attachments
    assert 1 < len(expected) < len(mentions) - 20
    assert any(len(event) > 5 for event in expected)
    ascending = {m.key: f"m{index:04d}" for index, m in enumerate(mentions)}
    descending = {m.key: f"m{len(mentions) - index:04d}" for index, m in enumerate(mentions)}
    shuffled_keys = [m.key for m in mentions]
    random.Random(3).shuffle(shuffled_keys)
    shuffled = {key: f"m{index:04d}" for index, key in enumerate(shuffled_keys)}
    for mention_ids in (ascending, descending, shuffled):
        events, _ = clustered_events(work, mentions, mention_ids)
        assert events == expected


def test_blocks_clustered_in_several_buckets_give_the_events_of_one_bucket(work: Path) -> None:
    """Eight blocks, at most 100 reports a bucket: the count of reports in scope makes six
    buckets (several of them holding blocks), whose rows are those of one bucket, row for
    row (event ids, positions, representatives), and the events the rule gives."""
    mentions = random_blocks(seed=11, blocks=8)
    mention_ids = {m.key: f"m{index:04d}" for index, m in enumerate(mentions)}
    one_bucket = build_model(work, mentions, mention_ids)
    bucketed = build_model(
        work, mentions, mention_ids, "--vars", '{"event_cluster_bucket_reports": 100}'
    )
    # the model's own query is bucket 0 of 6; the post-hook inserted the other buckets
    compiled = (
        work / "target/compiled/pressroom/models/intermediate/int_event_mentions_clustered.sql"
    )
    assert "hash(event_group_key) % 6 = 0" in compiled.read_text(encoding="utf-8")
    sizes = bucket_sizes(mentions, 6)
    assert len([size for size in sizes if size > 0]) > 2 and sizes[0] < len(mentions)
    assert bucketed == one_bucket
    assert len(one_bucket) == len(mentions)
    keys = {mention_id: key for key, mention_id in mention_ids.items()}
    events: dict[str, set[str]] = {}
    for row in bucketed:
        events.setdefault(row[0], set()).add(keys[row[1]])
    assert {frozenset(event) for event in events.values()} == expected_events(mentions)


def test_events_of_several_buckets_are_the_events_of_one_bucket(work: Path) -> None:
    """int_events_deduplicated aggregates one bucket of blocks at a time too (one per 100
    clustered reports here): the same events, row for row, as in one bucket."""
    mentions = random_blocks(seed=12, blocks=8)
    mention_ids = {m.key: f"m{index:04d}" for index, m in enumerate(mentions)}
    models = ("int_event_mentions_clustered", "int_events_deduplicated")
    query = "select * from intermediate.int_events_deduplicated order by event_id"
    one_bucket = build_model(work, mentions, mention_ids, models=models, query=query)
    bucketed = build_model(
        work,
        mentions,
        mention_ids,
        "--vars",
        '{"event_cluster_bucket_reports": 100}',
        models=models,
        query=query,
    )
    buckets = -(-len(mentions) // 100)
    compiled = work / "target/compiled/pressroom/models/intermediate/int_events_deduplicated.sql"
    assert f"hash(event_group_key) % {buckets} = 0" in compiled.read_text(encoding="utf-8")
    assert len([size for size in bucket_sizes(mentions, buckets) if size > 0]) > 2
    assert bucketed == one_bucket
    assert len(one_bucket) == len(expected_events(mentions))


def test_many_blocks_fit_a_small_pool_one_bucket_at_a_time(tmp_path: Path) -> None:
    """What ran out of 600 MB at 1,000,000 releases, forty times smaller: in one query the
    blocks run out of a 64 MB pool even though it may spill; one bucket of 10,000 reports
    at a time they fit, every report in its event."""
    (tmp_path / "profiles.yml").write_text(SPILLING_PROFILE, encoding="utf-8")
    db_path = tmp_path / "clustering.duckdb"
    write_many_blocks(db_path, MANY_BLOCKS, 60)
    args = ("run", "-s", "int_event_mentions_clustered")
    one_query = run_dbt(db_path, tmp_path, *args, check=False, profiles_dir=tmp_path)
    assert not one_query.success
    assert "Out of Memory" in str(one_query.result.results[0].message)
    bucketed = run_dbt(
        db_path,
        tmp_path,
        *args,
        "--vars",
        '{"event_cluster_bucket_reports": 10000}',
        check=False,
        profiles_dir=tmp_path,
    )
    assert bucketed.success, [str(result.message) for result in bucketed.result.results]
    conn = duckdb.connect(str(db_path), read_only=True)
    try:
        reports, mentions, events, groups = conn.execute(
            "select count(*), count(distinct event_mention_id), count(distinct event_id),"
            " count(distinct event_group_key) from intermediate.int_event_mentions_clustered"
        ).fetchone()
    finally:
        conn.close()
    assert reports == mentions == MANY_BLOCKS * 60
    assert groups == MANY_BLOCKS and MANY_BLOCKS < events < reports


def test_a_long_chain_in_one_block_is_one_event_in_a_small_pool(work: Path) -> None:
    """Ids along the chain: the smallest label starts at one end, and a plain label
    propagation would move it one link a round (CHAIN_LENGTH rounds, each relabelling the
    whole chain). The chain's first report has the largest id and is published first."""
    mentions = chain(CHAIN_LENGTH)
    mention_ids = {m.key: f"m{CHAIN_LENGTH - index:05d}" for index, m in enumerate(mentions)}
    events, representatives = clustered_events(work, mentions, mention_ids)
    assert events == {frozenset(m.key for m in mentions)}
    # the earliest published report represents the event, whatever its id
    assert list(representatives.values()) == ["c0"]
