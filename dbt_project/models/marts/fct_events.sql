-- depends_on: {{ ref('int_event_groups_affected') }}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='event_id',
    on_schema_change='append_new_columns',
    pre_hook="{{ delete_work_set_event_groups(event_group_key('start_date', 'event_type')) }}"
) }}

with

events as (

    select * from {{ ref('int_events_deduplicated') }}

),

locations as (

    select * from {{ ref('int_locations_resolved') }}

),

final as (

    select
        events.event_id,
        events.release_id,
        events.event_type,
        events.description,
        events.start_date,
        events.end_date,
        events.date_precision,
        events.start_time,
        events.timezone,
        events.starts_at,
        events.location_id,
        events.evidence_start,
        events.evidence_end,
        -- additive (CHANGELOG 2.0.0): where the event is on the map, and how precisely
        locations.latitude,
        locations.longitude,
        locations.precision as location_precision,
        coalesce(events.is_location_inferred, false) as is_location_inferred
    from events
    left join locations
        on events.location_id = locations.location_id

)

select * from final
{{ injected_failure() }}
