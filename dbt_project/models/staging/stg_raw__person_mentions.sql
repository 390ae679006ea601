with

source_person_mentions as (

    select * from {{ source('raw', 'person_mentions') }}

),

final as (

    select
        mention_id as person_mention_id,
        release_id,
        cast(start as integer) as start_offset,
        cast("end" as integer) as end_offset,
        surface_text,
        trim(full_name) as full_name,
        coalesce({{ person_name_key('full_name') }}, lower(trim(full_name))) as name_key,
        nullif(trim(honorific), '') as honorific,
        nullif(trim(title), '') as title,
        nullif(trim(organisation), '') as organisation,
        cast(partition_date as date) as partition_date,
        extractor_version
    from source_person_mentions

)

select * from final
