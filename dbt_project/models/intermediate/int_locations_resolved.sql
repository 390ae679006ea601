with

location_mentions as (

    select * from {{ ref('stg_raw__location_mentions') }}

),

venues as (

    select * from {{ ref('venues') }}

),

countries as (

    select * from {{ ref('countries') }}

),

country_aliases as (

    select * from {{ ref('country_aliases') }}

),

place_points as (

    select * from {{ ref('place_points') }}

),

-- a country mention without a code gets one from its name (Turkey, Türkiye -> TR)
mentions_coded as (

    select
        location_mentions.*,
        coalesce(
            location_mentions.country_code,
            country_aliases.country_code,
            countries.country_code
        ) as resolved_country_code
    from (
        -- the name as a join key for country mentions only: a plain equality, so a hash
        -- join (with the kind test in the join condition it was a nested loop: 0.3 s at
        -- 100,000 releases)
        select
            *,
            case when place_kind = 'country' then lower(place_name) end as country_name_key
        from location_mentions
    ) as location_mentions
    left join country_aliases
        on location_mentions.country_name_key = lower(country_aliases.alias)
    left join countries
        on location_mentions.country_name_key = lower(countries.country_name)

),

-- each place's latest mention (latest partition, then the greatest mention id): an
-- aggregate, not a window over every mention (0.4 s at 100,000 releases)
latest_mentions as (

    select
        max({'partition_date': partition_date, 'location_mention_id': location_mention_id})
            .location_mention_id as location_mention_id
    from location_mentions
    group by place_id

),

-- the attributes of a place as most recently extracted
mentioned_places as (

    select
        place_id,
        place_name,
        place_kind,
        resolved_country_code as country_code,
        latitude,
        longitude,
        geonames_id,
        parent_place_id,
        1 as source_priority
    from mentions_coded
    semi join latest_mentions
        on mentions_coded.location_mention_id = latest_mentions.location_mention_id

),

parent_places as (

    select
        parent_place_id as place_id,
        any_value(parent_place_name) as place_name,
        any_value(parent_place_kind) as place_kind,
        case
            when any_value(parent_place_kind) = 'region' then null
            else any_value(resolved_country_code)
        end as country_code,
        cast(null as double) as latitude,
        cast(null as double) as longitude,
        cast(null as bigint) as geonames_id,
        cast(null as varchar) as parent_place_id,
        3 as source_priority
    from mentions_coded
    where parent_place_id is not null and parent_place_kind is not null
    group by parent_place_id

),

seed_venues as (

    select
        venue_place_id as place_id,
        venue_name as place_name,
        'venue' as place_kind,
        country_code,
        latitude,
        longitude,
        cast(null as bigint) as geonames_id,
        city_place_id as parent_place_id,
        2 as source_priority
    from venues

),

seed_cities as (

    select
        city_place_id as place_id,
        any_value(city_name) as place_name,
        'city' as place_kind,
        any_value(country_code) as country_code,
        cast(null as double) as latitude,
        cast(null as double) as longitude,
        any_value(city_geonames_id) as geonames_id,
        cast(null as varchar) as parent_place_id,
        2 as source_priority
    from venues
    group by city_place_id

),

candidates as (

    select * from mentioned_places
    union all
    select * from parent_places
    union all
    select * from seed_venues
    union all
    select * from seed_cities

),

-- one row per place: mention rows win, then the seed, then what parent columns say;
-- missing attributes are filled from the lower-priority candidates
places as (

    select
        place_id,
        arg_min(place_name, source_priority) as place_name,
        arg_min(place_kind, source_priority) as place_kind,
        arg_min(country_code, source_priority) filter (where country_code is not null) as country_code,
        arg_min(latitude, source_priority) filter (where latitude is not null) as latitude,
        arg_min(longitude, source_priority) filter (where longitude is not null) as longitude,
        arg_min(geonames_id, source_priority) filter (where geonames_id is not null) as geonames_id,
        arg_min(parent_place_id, source_priority) filter (where parent_place_id is not null)
            as parent_place_id,
        min(source_priority) as source_priority
    from candidates
    group by place_id

),

-- keep seed venues and cities only when something points at them
referenced_places as (

    select * from places
    where source_priority <> 2
        or place_id in (select place_id from mentioned_places)
        or place_id in (select parent_place_id from places where source_priority <> 2)

),

-- every country a place lies in gets its own row, the top of the parent chain
country_rows as (

    select
        'country:' || referenced_places.country_code as place_id,
        coalesce(countries.country_name, referenced_places.country_code) as place_name,
        'country' as place_kind,
        referenced_places.country_code,
        cast(null as double) as latitude,
        cast(null as double) as longitude,
        cast(null as bigint) as geonames_id,
        cast(null as varchar) as parent_place_id
    from (select distinct country_code from referenced_places where country_code is not null) as referenced_places
    left join countries
        on referenced_places.country_code = countries.country_code
    where 'country:' || referenced_places.country_code not in (select place_id from referenced_places)

),

all_places as (

    select
        place_id,
        place_name,
        place_kind,
        country_code,
        latitude,
        longitude,
        geonames_id,
        parent_place_id
    from referenced_places
    union all
    select * from country_rows

),

resolved as (

    select
        {{ surrogate_key('location', ['all_places.place_id']) }} as location_id,
        all_places.place_id,
        case
            when all_places.place_kind = 'country' then coalesce(countries.country_name, all_places.place_name)
            else all_places.place_name
        end as location_name,
        all_places.place_kind as kind,
        all_places.country_code,
        countries.country_name,
        all_places.latitude,
        all_places.longitude,
        all_places.geonames_id,
        case
            when all_places.place_kind in ('venue', 'city') and all_places.parent_place_id is null
                and all_places.country_code is not null
                then 'country:' || all_places.country_code
            when all_places.place_kind = 'country' then null
            else all_places.parent_place_id
        end as parent_place_id
    from all_places
    left join countries
        on all_places.country_code = countries.country_code

),

-- coordinates: the place's own (gazetteer, venues seed), else the representative point of
-- a country or region (seed place_points, from GeoNames), else its parent's point
pointed as (

    select
        resolved.*,
        coalesce(resolved.latitude, place_points.latitude) as point_latitude,
        coalesce(resolved.longitude, place_points.longitude) as point_longitude,
        case
            when resolved.latitude is not null then 'own'
            when place_points.latitude is not null then place_points.point_basis
        end as point_basis
    from resolved
    left join place_points
        on resolved.place_id = place_points.place_id

),

final as (

    select
        pointed.location_id,
        pointed.place_id,
        pointed.location_name,
        pointed.kind,
        case
            when pointed.kind in ('venue', 'city', 'country') then pointed.kind
            when pointed.country_code is not null then 'region'
            else 'supranational'
        end as precision,
        pointed.country_code,
        pointed.country_name,
        coalesce(pointed.point_latitude, parent.point_latitude, grandparent.point_latitude)
            as latitude,
        coalesce(pointed.point_longitude, parent.point_longitude, grandparent.point_longitude)
            as longitude,
        case
            when pointed.point_latitude is not null then pointed.point_basis
            when coalesce(parent.point_latitude, grandparent.point_latitude) is not null then 'parent'
            -- a territory GeoNames has no city for (British Indian Ocean Territory, Diego Garcia)
            else 'none'
        end as coordinates_basis,
        pointed.geonames_id,
        pointed.parent_place_id,
        case
            when pointed.parent_place_id is not null
                then {{ surrogate_key('location', ['pointed.parent_place_id']) }}
        end as parent_location_id
    from pointed
    left join pointed as parent
        on pointed.parent_place_id = parent.place_id
    left join pointed as grandparent
        on parent.parent_place_id = grandparent.place_id

)

select * from final
