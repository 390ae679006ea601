with

source_event_participants as (

    select * from {{ source('raw', 'event_participants') }}

),

final as (

    select
        event_mention_id,
        release_id,
        nullif(trim(person_mention_id), '') as person_mention_id,
        trim(full_name) as full_name,
        coalesce({{ person_name_key('full_name') }}, lower(trim(full_name))) as name_key,
        lower(trim(role)) as role,
        cast(evidence_start as integer) as evidence_start,
        cast(evidence_end as integer) as evidence_end,
        cast(partition_date as date) as partition_date,
        extractor_version
    from source_event_participants

)

select * from final
