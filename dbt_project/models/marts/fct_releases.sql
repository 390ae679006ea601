-- depends_on: {{ ref('int_releases_windowed') }}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='release_id',
    on_schema_change='append_new_columns',
    pre_hook="{{ delete_work_set_releases() }}"
) }}

with

releases as (

    select * from {{ ref('int_releases_latest') }}

),

release_versions as (

    select * from {{ ref('stg_raw__releases') }}

),

work_set as (

    select * from {{ ref('int_releases_windowed') }}

),

final as (

    select
        releases.release_id,
        releases.source,
        releases.source_name,
        release_versions.url,
        release_versions.title,
        release_versions.summary,
        release_versions.body_text,
        releases.release_type,
        releases.language,
        releases.published_at,
        releases.published_date,
        releases.is_truncated,
        case
            when trim(release_versions.body_text) = '' then 0
            else len(string_split_regex(trim(release_versions.body_text), '\s+'))
        end as word_count,
        releases.content_hash,
        releases.version_count,
        releases.fetched_at,
        releases.extractor_version,
        -- additive (CHANGELOG 2.0.0): how many arrivals (channels, copies) this release has
        releases.sighting_count
    from releases
    inner join work_set
        on releases.release_id = work_set.release_id
    -- the text of the latest version, read for the work set only
    inner join release_versions
        on releases.release_id = release_versions.release_id
        and releases.release_version = release_versions.release_version

)

select * from final
