"""Publishing as an asset: the read-only copy readers open (a DuckLake: the snapshot readers
pin), swapped in only after the whole-warehouse audit (its blocking check) passed."""

from pathlib import Path

import dagster as dg

from orchestration.defs.partitions import DUCKDB_POOL
from orchestration.defs.resources import SourcesResource, WarehouseResource
from orchestration.defs.retries import LOCK_RETRY, retry_on_lock_only
from orchestration.defs.transform.dbt import pressroom_dbt_models

PUBLISHED = dg.AssetKey(["published", "warehouse"])
AUDIT_CHECK = "warehouse_audit"
MART_KEYS = sorted(
    (key for key in pressroom_dbt_models.keys if key.path[0] == "marts"),
    key=lambda key: key.to_user_string(),
)


@dg.asset(
    key=PUBLISHED,
    deps=MART_KEYS,
    pool=DUCKDB_POOL,
    retry_policy=LOCK_RETRY,
    group_name="publish",
    kinds={"duckdb"},
    check_specs=[
        dg.AssetCheckSpec(
            AUDIT_CHECK,
            asset=PUBLISHED,
            blocking=True,
            description="Before the swap: every blocking SQL rule over every raw row not "
            "yet audited (the partition days that differ from the last published copy, or "
            "all) and each raw GX suite on a bounded sample of them. A failure leaves the "
            "published copy as it was.",
        )
    ],
    description=(
        "Grain: one DuckDB file, the warehouse's reader tables (marts, reference data, raw "
        "releases and mentions, rejections; not the kept payloads). Written beside the old "
        "copy and swapped in atomically, only after the audit passed."
    ),
)
@retry_on_lock_only
def published_warehouse(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, sources: SourcesResource
):
    from orchestration.deadlines import deadline
    from orchestration.defs.transform.project import dbt_project
    from orchestration.quality.audit import AuditResult, audit_warehouse
    from orchestration.settings import timeout_setting
    from orchestration.warehouse.connection import open_warehouse
    from orchestration.warehouse.descriptions import from_manifest
    from orchestration.warehouse.publish import publish_copy

    names = [source.name for source in sources.load().sources]
    target = warehouse.target
    limit = timeout_setting("publish")
    audits: list[AuditResult] = []

    def audit(conn, changes=None) -> bool:
        with deadline("the publish audit", warehouse.publish_timeout_s, limit, stop=conn.interrupt):
            audits.append(audit_warehouse(conn, names, gx_timeout_s=warehouse.gx_timeout_s,
                                          changes=changes))
        return audits[-1].passed

    snapshot = publication = None
    if target.is_lake:  # audit one snapshot, then publish exactly that one
        from orchestration.warehouse.lake import current_snapshot

        with open_warehouse(target, read_only=True) as conn:
            snapshot = current_snapshot(conn)
        with open_warehouse(target, read_only=True, snapshot=snapshot) as conn:
            audit(conn)
    else:  # the audit runs on the publish's connection: the copy reuses what it read
        publication = publish_copy(
            Path(warehouse.path),
            Path(warehouse.published_path),
            timeout_s=warehouse.publish_timeout_s,
            audit=audit,
            descriptions=from_manifest(Path(dbt_project.manifest_path)),
        )
    result = audits[-1]
    metadata = {
        "scope": result.scope,
        "rules": result.rules,
        "suites": result.suites,
        "rows_validated": result.rows_validated,
        "problems": len(result.problems),
    }
    if not result.passed:
        detail = "\n".join(result.problems)[:3000]
        yield dg.AssetCheckResult(
            check_name=AUDIT_CHECK,
            passed=False,
            metadata={**metadata, "failed": dg.MetadataValue.text(detail)},
        )
        raise dg.Failure(
            description="publish audit failed; the published warehouse was left unchanged:\n"
            + detail,
            metadata={"problems": len(result.problems)},
        )
    yield dg.AssetCheckResult(check_name=AUDIT_CHECK, passed=True, metadata=metadata)
    if snapshot is not None:
        from orchestration.warehouse.lake import record_published

        warehouse.write(
            lambda conn: record_published(conn, snapshot, context.run_id),
            what="recording the published snapshot",
            log=context.log.warning,
        )
        context.log.info(f"published DuckLake snapshot {snapshot}")
        yield dg.MaterializeResult(
            metadata={"snapshot_id": snapshot, "warehouse": target.describe()}
        )
        return
    assert publication is not None  # the audit passed, so the copy was published
    why = f" ({publication.reason})" if publication.reason else ""
    context.log.info(f"published: a {publication.mode} copy{why} in {publication.seconds} s")
    yield dg.MaterializeResult(
        metadata={
            "path": str(publication.path),
            "bytes": publication.path.stat().st_size,
            "mode": publication.mode,
            "full_copy_reason": publication.reason or "none",
            "tables_rewritten": dg.MetadataValue.text(
                ", ".join(publication.tables_rewritten) or "none"
            ),
            "slices_replaced": publication.slices_replaced,
            "comments_written": publication.comments_written,
            "seconds": publication.seconds,
        }
    )
