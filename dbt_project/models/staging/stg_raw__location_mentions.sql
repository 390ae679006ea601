with

source_location_mentions as (

    select * from {{ source('raw', 'location_mentions') }}

),

final as (

    select
        mention_id as location_mention_id,
        release_id,
        cast(start as integer) as start_offset,
        cast("end" as integer) as end_offset,
        surface_text,
        place_id,
        place_name,
        lower(trim(place_kind)) as place_kind,
        upper(nullif(trim(country_code), '')) as country_code,
        cast(latitude as double) as latitude,
        cast(longitude as double) as longitude,
        cast(geonames_id as bigint) as geonames_id,
        nullif(trim(parent_place_id), '') as parent_place_id,
        nullif(trim(parent_place_name), '') as parent_place_name,
        lower(nullif(trim(parent_place_kind), '')) as parent_place_kind,
        cast(partition_date as date) as partition_date,
        extractor_version
    from source_location_mentions

)

select * from final
