-- Every event is reported by at least one release: its representative release exists and
-- the lineage table holds at least one report of it, including the representative one.
with

events as (

    select * from {{ ref('fct_events') }}

),

event_releases as (

    select * from {{ ref('fct_event_releases') }}

),

releases as (

    select * from {{ ref('fct_releases') }}

),

final as (

    select events.event_id, events.release_id
    from events
    left join releases
        on events.release_id = releases.release_id
    left join event_releases
        on events.event_id = event_releases.event_id
        and events.release_id = event_releases.release_id
        and event_releases.is_representative
    where releases.release_id is null or event_releases.event_id is null

)

select * from final
