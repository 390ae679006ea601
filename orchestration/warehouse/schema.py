"""DDL of the raw layer: the tables Python writes and dbt reads (see docs/architecture.md).

raw.releases declares no primary key: DuckDB rewrote the whole key index at every checkpoint
after any write to the table (2-3 s at 100,000 releases for a new day's few rows, and it
grows with the archive). ``(release_id, version)`` stays unique by construction (each window
is replaced whole) and is checked by the blocking rule ``release_versions_consecutive`` on
every written window and in the publish audit, as in a DuckLake, which has no keys at all.
"""

from __future__ import annotations

import duckdb

RAW_TABLES: dict[str, str] = {
    "http_responses": """
        payload_sha256 varchar primary key,
        url varchar not null,
        final_url varchar,
        status integer not null,
        content_type varchar,
        etag varchar,
        last_modified varchar,
        fetched_at timestamp not null,
        source varchar not null,
        body_zlib blob not null,
        body_bytes bigint not null
    """,
    "fetched_items": """
        run_id varchar not null,
        fetched_at timestamp not null,
        source varchar not null,
        item_key varchar not null,
        feed_payload_sha256 varchar,
        detail_url varchar,
        detail_payload_sha256 varchar,
        detail_status integer,
        context_json varchar,
        release_id varchar not null,
        partition_date date not null
    """,
    # A cache: the release a fetch (or a rebuild) parsed from one item's payloads, so that
    # the rebuild does not parse them again; rows of another parser fingerprint are ignored.
    "parsed_items": """
        parse_key varchar not null,
        parser varchar not null,
        release_id varchar not null,
        source varchar not null,
        source_name varchar not null,
        native_id varchar not null,
        url varchar,
        title varchar not null,
        summary varchar,
        body_text varchar not null,
        published_at timestamp,
        is_truncated boolean not null,
        language varchar,
        release_type_hint varchar,
        metadata_json varchar,
        content_hash varchar not null
    """,
    "releases": """
        release_id varchar not null,
        version integer not null,
        source varchar not null,
        source_name varchar not null,
        native_id varchar not null,
        url varchar,
        title varchar not null,
        summary varchar,
        body_text varchar not null,
        published_at timestamp,
        partition_date date not null,
        is_truncated boolean not null,
        language varchar,
        release_type_hint varchar,
        metadata_json varchar,
        content_hash varchar not null,
        fetched_at timestamp not null,
        payload_sha256 varchar
    """,
    "rejected_items": """
        rejected_at timestamp not null,
        source varchar not null,
        locator varchar not null,
        reason varchar not null,
        detail varchar not null,
        payload_sha256 varchar,
        partition_date date
    """,
    "quarantine": """
        quarantined_at timestamp not null,
        released_at timestamp,
        release_id varchar not null,
        source varchar,
        partition_date date,
        check_name varchar not null,
        reason varchar not null,
        payload_sha256 varchar,
        rows_json varchar
    """,
    "release_annotations": """
        release_id varchar not null,
        version integer not null,
        release_type varchar not null,
        reference_date date,
        partition_date date not null,
        extractor_version varchar not null
    """,
    "person_mentions": """
        mention_id varchar not null,
        release_id varchar not null,
        start integer not null,
        "end" integer not null,
        surface_text varchar not null,
        full_name varchar not null,
        honorific varchar,
        title varchar,
        organisation varchar,
        partition_date date not null,
        extractor_version varchar not null
    """,
    "location_mentions": """
        mention_id varchar not null,
        release_id varchar not null,
        start integer not null,
        "end" integer not null,
        surface_text varchar not null,
        place_id varchar not null,
        place_name varchar not null,
        place_kind varchar not null,
        country_code varchar,
        latitude double,
        longitude double,
        geonames_id bigint,
        parent_place_id varchar,
        parent_place_name varchar,
        parent_place_kind varchar,
        partition_date date not null,
        extractor_version varchar not null
    """,
    "event_mentions": """
        event_mention_id varchar not null,
        release_id varchar not null,
        event_type varchar not null,
        description varchar,
        start_date date not null,
        end_date date,
        date_precision varchar not null,
        local_time varchar,
        timezone_label varchar,
        timezone_name varchar,
        starts_at_utc timestamp,
        place_id varchar,
        evidence_start integer not null,
        evidence_end integer not null,
        partition_date date not null,
        extractor_version varchar not null
    """,
    "event_participants": """
        event_mention_id varchar not null,
        release_id varchar not null,
        person_mention_id varchar,
        full_name varchar not null,
        role varchar not null,
        evidence_start integer,
        evidence_end integer,
        partition_date date not null,
        extractor_version varchar not null
    """,
}

MENTION_TABLES = (
    "release_annotations",
    "person_mentions",
    "location_mentions",
    "event_mentions",
    "event_participants",
)


def in_lake(conn: duckdb.DuckDBPyConnection) -> bool:
    """Whether the connection's default catalog is a DuckLake."""
    return bool(conn.execute(
        "select count(*) from duckdb_databases() "
        "where database_name = current_database() and type = 'ducklake'").fetchone()[0])


def _without_keys(columns: str) -> str:
    """DuckLake has no PRIMARY KEY/UNIQUE constraints: keep the columns, drop the key line
    (the audit's uniqueness rule checks (release_id, version) there instead)."""
    kept = [line for line in columns.strip().splitlines()
            if not line.strip().lower().startswith("primary key")]
    text = "\n".join(kept).rstrip().rstrip(",")
    return text.replace(" primary key", "")


def _drop_release_key(conn: duckdb.DuckDBPyConnection) -> None:
    """Rebuild a raw.releases made with the primary key earlier versions declared, without it
    (DuckDB cannot drop a key in place), in one transaction. Once per warehouse."""
    keyed = conn.execute(
        "select count(*) from duckdb_constraints() where database_name = current_database() "
        "and schema_name = 'raw' and table_name = 'releases' "
        "and constraint_type = 'PRIMARY KEY'").fetchone()[0]
    if not keyed:
        return
    conn.execute("begin transaction")
    try:
        conn.execute(f"create table raw.releases__unkeyed ({RAW_TABLES['releases']})")
        conn.execute("insert into raw.releases__unkeyed select * from raw.releases")
        conn.execute("drop table raw.releases")
        conn.execute("alter table raw.releases__unkeyed rename to releases")
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise


def ensure_raw_schema(conn: duckdb.DuckDBPyConnection) -> None:
    """Create the raw schema and its tables when missing (idempotent)."""
    lake = in_lake(conn)
    existing = {row[0] for row in conn.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = current_database() and table_schema = 'raw'").fetchall()}
    if lake and existing >= set(RAW_TABLES):
        return  # nothing to create: no catalog write another writer could conflict with
    if not lake and "releases" in existing:
        _drop_release_key(conn)
    conn.execute("create schema if not exists raw")
    for table, columns in RAW_TABLES.items():
        if table not in existing:
            definition = _without_keys(columns) if lake else columns
            conn.execute(f"create table if not exists raw.{table} ({definition})")
