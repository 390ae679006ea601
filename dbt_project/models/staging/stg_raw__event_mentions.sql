with

source_event_mentions as (

    select * from {{ source('raw', 'event_mentions') }}

),

final as (

    select
        event_mention_id,
        release_id,
        lower(trim(event_type)) as event_type,
        nullif(trim(description), '') as description,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        lower(trim(date_precision)) as date_precision,
        try_cast(nullif(trim(local_time), '') as time) as start_time,
        nullif(trim(timezone_label), '') as timezone_label,
        nullif(trim(timezone_name), '') as timezone_name,
        -- already converted to UTC by the extractor (naive TIMESTAMP, documented as UTC)
        cast(starts_at_utc as timestamp) as starts_at,
        nullif(trim(place_id), '') as place_id,
        case
            when nullif(trim(place_id), '') is not null
                then {{ surrogate_key('location', ["trim(place_id)"]) }}
        end as location_id,
        -- the blocking key of event de-duplication (see int_event_mentions_clustered)
        {{ event_group_key('cast(start_date as date)', 'lower(trim(event_type))') }} as event_group_key,
        cast(evidence_start as integer) as evidence_start,
        cast(evidence_end as integer) as evidence_end,
        cast(partition_date as date) as partition_date,
        extractor_version
    from source_event_mentions

)

select * from final
