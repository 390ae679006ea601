{#- Narrow on purpose: no title, summary, body_text. Copying every body on every run cost
    6 s per 100k releases; fct_releases reads the text of its work set only. Incremental:
    a run rebuilds the releases whose arrivals int_release_sightings recomputed. -#}
-- depends_on: {{ ref('int_release_sightings_affected') }}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='release_id',
    on_schema_change='fail',
    pre_hook="{{ delete_affected_releases() }}"
) }}

with

-- a release's row depends on its arrivals only, all in one title group: when any of them
-- changed, every arrival of the group is affected (int_release_sightings_affected)
affected as (

    select * from {{ ref('int_release_sightings_affected') }}

),

releases as (

    select source_releases.*
    from {{ ref('stg_raw__releases') }} as source_releases
    semi join affected
        on source_releases.release_id = affected.sighted_release_id

),

annotations as (

    select source_annotations.*
    from {{ ref('stg_raw__release_annotations') }} as source_annotations
    semi join affected
        on source_annotations.release_id = affected.sighted_release_id

),

sightings as (

    select source_sightings.*
    from {{ ref('int_release_sightings') }} as source_sightings
    semi join affected
        on source_sightings.release_id = affected.sighted_release_id

),

-- every arrival of a release across channels (int_release_sightings): the best version is
-- the release; the others only lend it a publication date when it has none
sighting_summaries as (

    select
        release_id,
        count(*) as sighting_count,
        min(published_at) as earliest_sighted_published_at
    from sightings
    group by release_id

),

-- an aggregate over the narrow key columns, then a join back: a window over whole release
-- rows would sort every body_text (and would not let a work-set filter through)
latest_versions as (

    select
        release_id,
        max(release_version) as release_version,
        count(*) as version_count
    from releases
    group by release_id

),

versions_ranked as (

    select
        releases.release_id,
        releases.release_version,
        releases.source,
        releases.source_name,
        releases.native_id,
        releases.release_type_hint,
        releases.language,
        releases.published_at,
        releases.published_date,
        releases.partition_date,
        releases.is_truncated,
        releases.content_hash,
        releases.fetched_at,
        latest_versions.version_count
    from releases
    inner join latest_versions
        on releases.release_id = latest_versions.release_id
        and releases.release_version = latest_versions.release_version
    -- one row per release: the other arrivals of it are sightings, not releases
    inner join sightings
        on releases.release_id = sightings.sighted_release_id
        and sightings.is_canonical

),

latest_annotations as (

    select
        release_id,
        release_version,
        release_type,
        reference_date,
        extractor_version
    from annotations
    qualify row_number() over (
        partition by release_id order by release_version desc, extractor_version desc
    ) = 1

),

final as (

    select
        versions_ranked.release_id,
        versions_ranked.release_version,
        versions_ranked.version_count,
        versions_ranked.source,
        versions_ranked.source_name,
        versions_ranked.native_id,
        coalesce(
            latest_annotations.release_type,
            case
                when versions_ranked.release_type_hint ilike '%advisory%' then 'media_advisory'
                when versions_ranked.release_type_hint ilike 'press release%' then 'press_release'
                when versions_ranked.release_type_hint ilike '%statement%' then 'statement'
                when versions_ranked.release_type_hint ilike '%speech%'
                    or versions_ranked.release_type_hint ilike '%opinion%' then 'speech'
                when versions_ranked.release_type_hint ilike '%news%' then 'news'
                else 'other'
            end
        ) as release_type,
        versions_ranked.release_type_hint,
        versions_ranked.language,
        coalesce(versions_ranked.published_at, sighting_summaries.earliest_sighted_published_at)
            as published_at,
        coalesce(
            versions_ranked.published_date,
            cast(sighting_summaries.earliest_sighted_published_at as date)
        ) as published_date,
        latest_annotations.reference_date,
        -- the date a release speaks from: its publication date (its own or another
        -- arrival's), else the dump's as-of date
        coalesce(
            versions_ranked.published_date,
            cast(sighting_summaries.earliest_sighted_published_at as date),
            latest_annotations.reference_date,
            versions_ranked.partition_date
        ) as seen_date,
        case
            when coalesce(versions_ranked.published_date,
                          cast(sighting_summaries.earliest_sighted_published_at as date)) is not null
                then 'publication'
            when latest_annotations.reference_date is not null then 'as_of'
            else 'partition'
        end as seen_date_basis,
        sighting_summaries.sighting_count,
        versions_ranked.partition_date,
        versions_ranked.is_truncated,
        versions_ranked.content_hash,
        versions_ranked.fetched_at,
        latest_annotations.extractor_version
    from versions_ranked
    left join latest_annotations
        on versions_ranked.release_id = latest_annotations.release_id
    left join sighting_summaries
        on versions_ranked.release_id = sighting_summaries.release_id

)

select * from final
