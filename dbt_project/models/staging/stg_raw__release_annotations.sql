with

source_annotations as (

    select * from {{ source('raw', 'release_annotations') }}

),

final as (

    select
        release_id,
        cast(version as integer) as release_version,
        lower(trim(release_type)) as release_type,
        cast(reference_date as date) as reference_date,
        cast(partition_date as date) as partition_date,
        extractor_version
    from source_annotations

)

select * from final
