with

locations as (

    select * from {{ ref('int_locations_resolved') }}

),

final as (

    select
        location_id,
        location_name as name,
        kind,
        country_code,
        country_name,
        latitude,
        longitude,
        geonames_id,
        parent_location_id,
        precision,
        coordinates_basis
    from locations

)

select * from final
