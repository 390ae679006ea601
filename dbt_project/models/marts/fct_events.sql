-- depends_on: {{ ref('int_event_groups_affected') }}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='event_id',
    on_schema_change='fail',
    pre_hook="{{ delete_work_set_event_groups(event_group_key('start_date', 'event_type', 'location_id')) }}"
) }}

with

events as (

    select * from {{ ref('int_events_deduplicated') }}

),

final as (

    select
        event_id,
        release_id,
        event_type,
        description,
        start_date,
        end_date,
        date_precision,
        start_time,
        timezone,
        starts_at,
        location_id,
        evidence_start,
        evidence_end
    from events

)

select * from final
