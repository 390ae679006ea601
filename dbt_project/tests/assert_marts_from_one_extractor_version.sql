{#- The marts must not mix releases extracted by two extractor versions (after an upgrade,
    some partitions re-extracted and others not): counts would compare old and new rules.
    A row per version with the partitions it still holds. Fix: `pressroom reprocess`
    re-extracts every stale partition from the kept payloads. -#}
with

releases as (

    select * from {{ ref('fct_releases') }}

),

annotations as (

    select * from {{ ref('stg_raw__release_annotations') }}

),

versions as (

    select
        releases.extractor_version,
        count(*) as release_count,
        min(annotations.partition_date) as first_partition,
        max(annotations.partition_date) as last_partition
    from releases
    left join annotations
        on releases.release_id = annotations.release_id
    where releases.extractor_version is not null
    group by releases.extractor_version

)

select * from versions
where (select count(*) from versions) > 1
