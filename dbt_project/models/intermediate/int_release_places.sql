{#- Where a release's text implies its events happen, for events that name no place. -#}
with

event_mentions as (

    select * from {{ ref('stg_raw__event_mentions') }}

),

location_mentions as (

    select * from {{ ref('stg_raw__location_mentions') }}

),

locations as (

    select * from {{ ref('int_locations_resolved') }}

),

-- 1. the one place all of the release's located events share (a visit's city)
event_places as (

    select
        event_mentions.release_id,
        any_value(event_mentions.location_id) as location_id
    from event_mentions
    inner join locations
        on event_mentions.location_id = locations.location_id
    where locations.precision in ('venue', 'city')
    group by event_mentions.release_id
    having count(distinct event_mentions.location_id) = 1

),

-- 2. the dateline: the first city or venue named in the lead (first 200 characters)
dateline_places as (

    select
        location_mentions.release_id,
        locations.location_id
    from location_mentions
    inner join locations
        on location_mentions.place_id = locations.place_id
    where locations.precision in ('venue', 'city')
        and location_mentions.start_offset < 200
    qualify row_number() over (
        partition by location_mentions.release_id
        order by location_mentions.start_offset, location_mentions.location_mention_id
    ) = 1

),

final as (

    select
        coalesce(event_places.release_id, dateline_places.release_id) as release_id,
        coalesce(event_places.location_id, dateline_places.location_id) as location_id,
        case when event_places.location_id is not null then 'release_event_place' else 'dateline' end
            as inference_basis
    from event_places
    full outer join dateline_places
        on event_places.release_id = dateline_places.release_id

)

select * from final
