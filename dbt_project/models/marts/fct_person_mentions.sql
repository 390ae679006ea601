-- depends_on: {{ ref('int_releases_windowed') }}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='person_mention_id',
    on_schema_change='fail',
    pre_hook="{{ delete_work_set_releases() }}"
) }}

with

person_mentions as (

    select * from {{ ref('int_person_mentions_resolved') }}

),

releases as (

    select * from {{ ref('int_releases_latest') }}

),

work_set as (

    select * from {{ ref('int_releases_windowed') }}

),

final as (

    select
        person_mentions.person_mention_id,
        person_mentions.release_id,
        person_mentions.person_id,
        person_mentions.surface_text as mention_text,
        person_mentions.start_offset as "start",
        person_mentions.end_offset as "end"
    from person_mentions
    inner join work_set
        on person_mentions.release_id = work_set.release_id
    inner join releases
        on person_mentions.release_id = releases.release_id

)

select * from final
