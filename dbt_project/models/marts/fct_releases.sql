-- depends_on: {{ ref('int_releases_windowed') }}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='release_id',
    on_schema_change='fail',
    pre_hook="{{ delete_work_set_releases() }}"
) }}

with

releases as (

    select * from {{ ref('int_releases_latest') }}

),

work_set as (

    select * from {{ ref('int_releases_windowed') }}

),

final as (

    select
        releases.release_id,
        releases.source,
        releases.source_name,
        releases.url,
        releases.title,
        releases.summary,
        releases.body_text,
        releases.release_type,
        releases.language,
        releases.published_at,
        releases.published_date,
        releases.is_truncated,
        releases.word_count,
        releases.content_hash,
        releases.version_count,
        releases.fetched_at,
        releases.extractor_version
    from releases
    inner join work_set
        on releases.release_id = work_set.release_id

)

select * from final
