-- depends_on: {{ ref('int_releases_windowed') }}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='location_mention_id',
    on_schema_change='fail',
    pre_hook="{{ delete_work_set_releases() }}"
) }}

with

location_mentions as (

    select * from {{ ref('stg_raw__location_mentions') }}

),

releases as (

    select * from {{ ref('int_releases_latest') }}

),

work_set as (

    select * from {{ ref('int_releases_windowed') }}

),

final as (

    select
        location_mentions.location_mention_id,
        location_mentions.release_id,
        {{ surrogate_key('location', ['location_mentions.place_id']) }} as location_id,
        location_mentions.surface_text as mention_text,
        location_mentions.start_offset as "start",
        location_mentions.end_offset as "end"
    from location_mentions
    inner join work_set
        on location_mentions.release_id = work_set.release_id
    inner join releases
        on location_mentions.release_id = releases.release_id

)

select * from final
